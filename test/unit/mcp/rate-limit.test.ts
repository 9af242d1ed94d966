import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../../main/core/mcp/rate-limit.js';

describe('FailureLimiter', () => {
  it('refuses a client after maxFailures in the window, for blockMs, and only that client', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 3, windowMs: 1000, blockMs: 5000, now: () => now });
    l.fail('a');
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0);
    l.fail('a');
    expect(l.retryAfter('a')).toBe(5);
    expect(l.retryAfter('b')).toBe(0);
    now = 5001;
    expect(l.retryAfter('a')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    l.fail('a');
    now = 1500;
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0);
    expect(l.recentFailures('a')).toBe(1);
  });
});
