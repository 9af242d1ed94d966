// The scope computation for the three isolation modes.
import { describe, expect, it } from 'vitest';
import { projectIdForPath } from '../../../main/core/capture/project.js';
import { actorOf } from '../../../main/core/access/actor.js';
import { personalCaller, resolveScope, type Identity } from '../../../main/core/access/isolation.js';

const alice: Identity = { userId: 'alice', tokenId: 'tok_1', permissions: ['read'], via: 'mcp' };
const base = { manualProjectId: 'fixed', userId: 'team' };

describe('resolveScope', () => {
  it('auto: the token’s user; the named project, else the client default, else every project', () => {
    expect(resolveScope({ ...base, isolationMode: 'auto' }, alice)).toMatchObject({
      caller: { userId: 'alice', tokenId: 'tok_1', via: 'mcp' },
      read: {},
      writeProjectId: null,
    });
    expect(resolveScope({ ...base, isolationMode: 'auto' }, alice, 'web')).toMatchObject({
      read: { projectId: 'web' },
      writeProjectId: 'web',
    });
    const withDefault = { ...alice, defaultProject: '/home/alice/src/app' };
    expect(resolveScope({ ...base, isolationMode: 'auto' }, withDefault).read).toEqual({
      projectId: projectIdForPath('/home/alice/src/app'),
    });
    expect(resolveScope({ ...base, isolationMode: 'auto' }, withDefault, 'other').read).toEqual({
      projectId: 'other',
    });
  });

  it('manual: the token’s user, always the fixed project', () => {
    const s = resolveScope({ ...base, isolationMode: 'manual' }, alice, 'ignored');
    expect(s).toMatchObject({
      caller: { userId: 'alice' },
      read: { projectId: 'fixed' },
      writeProjectId: 'fixed',
    });
  });

  it('global: the pool owner for every token, no project filter; the actor is remembered for the audit', () => {
    const s = resolveScope({ ...base, isolationMode: 'global' }, alice, 'ignored');
    expect(s).toMatchObject({ caller: { userId: 'team', tokenId: 'tok_1' }, read: {}, writeProjectId: null });
    expect(actorOf(s.caller)).toBe('alice');
    expect(personalCaller(alice).userId).toBe('alice');
  });
});
