import { describe, expect, it } from 'vitest';
import { credentialFingerprint, FailureLimiter } from '../../../main/core/access/rate-limit.js';

const local = (credential: string) => ({ address: '127.0.0.1', credential });

describe('FailureLimiter', () => {
  it('refuses a credential after maxFailures in the window, for blockMs, and only that credential', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 3, windowMs: 1000, blockMs: 5000, now: () => now });
    const stale = local('token:AAAAAAAA');
    l.fail(stale);
    l.fail(stale);
    expect(l.credentialWait(stale)).toBe(0);
    l.fail(stale);
    expect(l.credentialWait(stale)).toBe(5);
    // Same address (every local client is 127.0.0.1), another credential: not blocked.
    expect(l.credentialWait(local('token:BBBBBBBB'))).toBe(0);
    expect(l.addressWait(local('token:BBBBBBBB'))).toBe(0);
    expect(l.credentialWait({ address: '10.0.0.2', credential: 'token:AAAAAAAA' })).toBe(0);
    now = 5001;
    expect(l.credentialWait(stale)).toBe(0);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    l.fail(local('a'));
    now = 1500;
    l.fail(local('a'));
    expect(l.credentialWait(local('a'))).toBe(0);
    expect(l.recentFailures(local('a'))).toBe(1);
  });

  it('blocks an address that floods with ever-changing credentials', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 3, maxAddressFailures: 20, blockMs: 2000, now: () => now });
    for (let i = 0; i < 19; i++) l.fail(local(`token:${i}`));
    expect(l.addressWait(local('token:new'))).toBe(0);
    l.fail(local('token:19'));
    expect(l.addressWait(local('token:new'))).toBe(2);
    expect(l.addressWait({ address: '10.0.0.2', credential: 'token:new' })).toBe(0);
    now = 2001;
    expect(l.addressWait(local('token:new'))).toBe(0);
  });

  it('reports the first refusal of each block once', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 1, windowMs: 1000, blockMs: 1000, now: () => now });
    const c = local('token:AAAAAAAA');
    l.fail(c);
    expect(l.refuse(c, 'credential')).toEqual({ retryAfter: 1, first: true });
    expect(l.refuse(c, 'credential')).toEqual({ retryAfter: 1, first: false });
    now = 1001;
    l.fail(c);
    expect(l.refuse(c, 'credential').first).toBe(true);
  });

  it('fingerprints a token by its public lookup prefix, anything else by user agent', () => {
    expect(credentialFingerprint('mcp_AAAAAAAA', 'claude-code/1', true)).toBe('token:mcp_AAAAAAAA');
    expect(credentialFingerprint(null, 'curl/8', false)).toBe('none:curl/8');
    expect(credentialFingerprint(null, 'curl/8', true)).toBe('malformed:curl/8');
    expect(credentialFingerprint(null, 'x'.repeat(500), false)).toHaveLength('none:'.length + 200);
  });
});
