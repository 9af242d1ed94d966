// What the hooks hand out (recall/recall.ts) on a real store: the project's brief within its budget,
// prompt hits only when relevant, nothing twice in a session, nothing private, of another user or
// project, of an excluded project, or after #nomem; every hand-out audited with its ids.
import { afterEach, describe, expect, it } from 'vitest';
import { projectIdForPath } from '../../../main/core/capture/project.js';
import type { AccessEvent } from '../../../main/core/events.js';
import { estimateTokens, Recall, type HookInput } from '../../../main/core/recall/recall.js';
import { RecallLog } from '../../../main/core/recall/recall-log.js';
import { createTestCore, type TestCore } from '../../support/core-context.js';

const CWD = '/home/dev/work/billing';
const PROJECT = projectIdForPath(CWD);
const identity = { userId: 'dev', permissions: ['read', 'write'] as const, via: 'hook' as const };
let t: TestCore;

function setup(settings: Record<string, unknown> = {}) {
  t = createTestCore({ settings: { userId: 'dev', ...settings } });
  const log = new RecallLog(t.ctx.db);
  const recall = new Recall({ memories: t.ctx.memories, log, settings: t.ctx.settings });
  const add = (text: string, extra: Record<string, unknown> = {}) =>
    t.local.addBatch([{ userId: 'dev', projectId: PROJECT, text, source: 'manual', ...extra }])[0]!;
  const audited: AccessEvent[] = [];
  t.ctx.events.on('memory.access', (e) => audited.push(e));
  const hook = (input: Partial<HookInput>) =>
    recall.inject(
      { ...identity, permissions: [...identity.permissions] },
      { hook_event_name: 'UserPromptSubmit', session_id: 's1', cwd: CWD, ...input },
    );
  return { add, hook, audited, log };
}

afterEach(() => t?.close());

describe('recall at the start of a session', () => {
  it('briefs the project’s memories and those of none, most used then newest, within the budget', async () => {
    const { add, hook, audited, log } = setup({ recall: { sessionTokens: 120 } });
    const old = add('billing retries webhooks three times with backoff', {
      createdAt: '2025-01-01T00:00:00Z',
    });
    add('a note without a project', { projectId: null, createdAt: '2025-01-02T00:00:00Z' });
    add('the secret plan', { metadata: { private: true } });
    t.local.addBatch([
      { userId: 'dev', projectId: 'other', text: 'frontend uses vite', source: 'manual' },
      { userId: 'eve', projectId: PROJECT, text: 'eve billing note', source: 'manual' },
    ]);
    for (let i = 0; i < 10; i++) add(`newer billing memory number ${i} about invoices`);
    // The old one was relevant to a prompt in an earlier session: it comes first.
    await hook({ session_id: 'earlier', prompt: 'how many times does billing retry webhooks?' });

    const brief = await hook({ hook_event_name: 'SessionStart', source: 'startup' });
    expect(brief.context).toMatch(/^<mem0-tray-recall>\n/);
    expect(estimateTokens(brief.context)).toBeLessThanOrEqual(120);
    expect(brief.memoryIds[0]).toBe(old.id);
    expect(brief.memoryIds.length).toBeGreaterThan(1);
    expect(brief.context).not.toContain('secret plan');
    expect(brief.context).not.toContain('vite');
    expect(brief.context).not.toContain('eve');
    expect(audited.at(-1)).toMatchObject({ action: 'recall', memoryIds: brief.memoryIds });
    // What the status shows: the user's own last injection, ids and sizes.
    expect(log.last('dev')).toMatchObject({
      event: 'session',
      memoryIds: brief.memoryIds,
      chars: brief.context.length,
    });
    expect(log.last('eve')).toBeNull();
  });
});

describe('recall with a prompt', () => {
  it('gives relevant memories once per session, nothing for unrelated prompts or #nomem', async () => {
    const { add, hook } = setup();
    for (let i = 0; i < 20; i++) add(`deploy log entry ${i}: the service restarted`);
    const fact = add('the zanzibar deploy key rotates every tuesday');
    const asked = await hook({ prompt: 'when does the zanzibar key rotate?' });
    expect(asked.memoryIds).toEqual([fact.id]);
    expect(asked.context).toContain('rotates every tuesday');
    // Not again in the same session; again in a new one.
    expect((await hook({ prompt: 'zanzibar key rotation again?' })).memoryIds).toEqual([]);
    expect((await hook({ session_id: 's2', prompt: 'zanzibar key rotation?' })).memoryIds).toEqual([fact.id]);
    // A /clear empties the context: the session may be given it again (here by the new brief).
    const cleared = await hook({ session_id: 's2', hook_event_name: 'SessionStart', source: 'clear' });
    expect(cleared.memoryIds).toContain(fact.id);
    const resumed = await hook({ session_id: 's2', hook_event_name: 'SessionStart', source: 'resume' });
    expect(resumed.memoryIds).not.toContain(fact.id);
    // Sharing one common word is not relevance.
    expect((await hook({ session_id: 's3', prompt: 'please deploy it' })).memoryIds).toEqual([]);
    expect((await hook({ session_id: 's3', prompt: 'refactor the parser' })).context).toBe('');
    expect((await hook({ session_id: 's4', prompt: 'zanzibar key rotation? #nomem' })).reason).toBe('nomem');
  });

  it('gives nothing in an excluded project or with recall off', async () => {
    const { add, hook } = setup({ excludedProjects: ['/home/dev/work/*'] });
    add('the zanzibar deploy key rotates every tuesday');
    expect(await hook({ prompt: 'zanzibar key rotation?' })).toMatchObject({
      memoryIds: [],
      reason: 'excluded_project',
    });
    t.setSettings({ excludedProjects: [], recall: { enabled: false } });
    expect(await hook({ prompt: 'zanzibar key rotation?' })).toMatchObject({
      memoryIds: [],
      reason: 'disabled',
    });
  });
});
