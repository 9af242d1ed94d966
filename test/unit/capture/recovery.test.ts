// Turns recovered from the history a client resends: a turn accepted for capture whose exchange
// never reached the store (the core died first) is stored, once and in its place, when the
// conversation's next request shows it; turns never accepted (paused, excluded) are never taken.
// Both on the local store and through the Mem0 outbox.
import { afterEach, describe, expect, it } from 'vitest';
import type { AcceptedRequest } from '../../../main/core/capture/exchange.js';
import { createCapturePipeline, type CapturePipeline } from '../../../main/core/capture/pipeline.js';
import { openDatabase } from '../../../main/core/db/database.js';
import type { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import type { Memory, NewMemory } from '../../../main/core/memory/types.js';
import { createTestCore, type TestCore } from '../../support/core-context.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { until } from '../../support/until.js';
import { FlakyBackend } from '../outbox/flaky-backend.js';
import { ccRequest, exchange, sseText, type Msg } from './exchanges.js';

const open: Array<{ core: TestCore; pipeline: CapturePipeline }> = [];
afterEach(async () => {
  for (const { core, pipeline } of open.splice(0)) {
    await pipeline.stop();
    core.close();
  }
});

function start(options: Parameters<typeof createTestCore>[0] = {}) {
  const core = createTestCore(options);
  const pipeline = createCapturePipeline(core.ctx, { outboxOptions: { backoff: { baseMs: 5, maxMs: 20 } } });
  open.push({ core, pipeline });
  return { core, pipeline };
}

/** Turn n of a conversation: the history of turns 1..n-1 (with answers) and question n. */
function turnBody(session: string, n: number, cwd?: string) {
  const messages: Msg[] = [];
  for (let i = 1; i < n; i++)
    messages.push({ role: 'user', content: `question ${i}` }, { role: 'assistant', content: `answer ${i}` });
  messages.push({ role: 'user', content: `question ${n}` });
  return ccRequest(session, messages, cwd);
}

const accepted = (body: unknown): AcceptedRequest => ({
  route: 'gateway',
  host: 'api.anthropic.com',
  method: 'POST',
  path: '/v1/messages',
  requestHeaders: { 'content-type': 'application/json' },
  requestBody: Buffer.from(JSON.stringify(body)),
});

/** Accepts one request, as the network thread hands it over; resolves once it is recorded. */
const recorded = (pipeline: CapturePipeline, request: AcceptedRequest) =>
  new Promise<void>((resolve) => pipeline.accept([request], resolve));

const answered = (body: unknown, n: number) =>
  exchange({ requestBody: body, responseBody: sseText(`answer ${n}`), endedAt: new Date().toISOString() });

const logged = (lines: string[], event: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === event);

async function texts(core: TestCore): Promise<string[]> {
  const items: Memory[] = (await core.local.list({ userId: 'tester' }, { limit: 100 })).items;
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((m) => m.text.split('\n')[0]!);
}

describe('recovery from history', () => {
  it('stores an accepted turn that never arrived, once and before the turn that showed it', async () => {
    const logs: string[] = [];
    const { core, pipeline } = start({ log: recordingLogger(logs) });
    await recorded(pipeline, accepted(turnBody('s1', 1)));
    pipeline.sink(answered(turnBody('s1', 1), 1));
    // Turn 2 was accepted and answered; its exchange died with the core. (Each turn in a later
    // millisecond than the one before: the order checked below is by time.)
    await new Promise((r) => setTimeout(r, 5));
    await recorded(pipeline, accepted(turnBody('s1', 2)));
    // Turn 3 shows it in its history; so does turn 4 (stored once all the same).
    for (const n of [3, 4]) {
      await new Promise((r) => setTimeout(r, 5)); // distinct times, to check the order
      await recorded(pipeline, accepted(turnBody('s1', n)));
      pipeline.sink(answered(turnBody('s1', n), n));
    }
    await pipeline.idle();
    expect(await texts(core)).toEqual([
      'User: question 1',
      'User: question 2',
      'User: question 3',
      'User: question 4',
    ]);
    expect(pipeline.status()).toMatchObject({ captured: 4, recovered: 1, unrecovered: 0 });
    expect(logged(logs, 'capture.recovered')).toMatchObject({
      conversation: 's1',
      turns: 1,
    });
    expect(pipeline.tracker.outstandingCount()).toBe(0);
  });

  it('never takes from history what was not accepted: paused, excluded, or before it ran', async () => {
    const { core, pipeline } = start();
    // Turn 1 happened before Mem0 Tray ran; turn 2 while paused (the network side taps nothing).
    core.setSettings({ captureEnabled: false });
    await recorded(pipeline, accepted(turnBody('s2', 2)));
    core.setSettings({ captureEnabled: true, excludedProjects: ['/home/dev/secret/**'] });
    await recorded(pipeline, accepted(turnBody('s3', 1, '/home/dev/secret/x')));
    core.setSettings({ excludedProjects: [] });
    await recorded(pipeline, accepted(turnBody('s2', 3)));
    pipeline.sink(answered(turnBody('s2', 3), 3));
    pipeline.sink(answered(turnBody('s3', 2, '/home/dev/secret/x'), 2));
    await pipeline.idle();
    // s2's turn 3 and s3's turn 2 (no longer excluded); neither earlier turn.
    expect((await texts(core)).sort()).toEqual(['User: question 2', 'User: question 3']);
    expect(
      (await core.local.list({ userId: 'tester' }, { limit: 10 })).items.map((m) => m.conversationId).sort(),
    ).toEqual(['s2', 's3']);
    expect(pipeline.tracker.outstandingCount()).toBe(0);
    expect(pipeline.status().recovered).toBe(0);
  });

  it('recovers through the Mem0 outbox too, in conversation order, and says the last run was unclean', async () => {
    const logs: string[] = [];
    const first = start({ backend: (local) => new FlakyBackend(local) });
    await recorded(first.pipeline, accepted(turnBody('m1', 1)));
    // The core dies here: no stop, so the clean-stop mark is never written.
    open.splice(0);
    first.core.close();

    const { core, pipeline } = start({
      dataDir: first.core.dataDir,
      backend: (local) => new FlakyBackend(local),
      log: recordingLogger(logs),
    });
    expect(pipeline.status().uncleanShutdown).toMatchObject({ outstandingTurns: 1 });
    expect(logged(logs, 'capture.unclean_shutdown')).toMatchObject({ outstandingTurns: 1 });
    await recorded(pipeline, accepted(turnBody('m1', 2)));
    pipeline.sink(answered(turnBody('m1', 2), 2));
    await pipeline.idle();
    await until(() => pipeline.outbox.status().delivered === 2, 'the outbox to deliver both turns');
    expect(await texts(core)).toEqual(['User: question 1', 'User: question 2']);
    const recovered = (await core.local.list({ userId: 'tester' }, { limit: 10 })).items.find((m) =>
      m.text.startsWith('User: question 1'),
    );
    expect(recovered?.metadata).toMatchObject({ capture: { recovered: true, position: 0 } });
  });

  it('records and confirms a request accepted during a long batch before the batch ends', async () => {
    const { core, pipeline } = start({
      // Each memory write takes a millisecond: the batch of 40 runs far longer than replies may wait.
      backend: (local) =>
        Object.assign(Object.create(local) as LocalMemoryBackend, {
          addWithinTransaction: (input: NewMemory) => {
            const until = performance.now() + 1;
            while (performance.now() < until);
            return local.addWithinTransaction(input);
          },
        }),
    });
    // The network thread's message, waiting while the core is busy with the batch.
    let waiting: AcceptedRequest | null = accepted(turnBody('late', 1));
    let seen: { captured: number; accepted: number; memories: number } | null = null;
    pipeline.drawAcceptsFrom(() => {
      const request = waiting;
      waiting = null;
      if (request)
        pipeline.accept([request], () => {
          // What another connection (a restarted core) would find: only what is committed.
          const reader = openDatabase(core.ctx.paths.database, { readonly: true });
          const count = (sql: string) => (reader.prepare(sql).get() as { n: number }).n;
          seen = {
            captured: pipeline.status().captured,
            accepted: count('SELECT count(*) AS n FROM capture_accepted'),
            memories: count('SELECT count(*) AS n FROM memories'),
          };
          reader.close();
        });
    });
    for (let i = 1; i <= 40; i++) pipeline.sink(answered(turnBody(`busy-${i}`, 1), 1));
    await pipeline.idle();
    expect(seen).toMatchObject({ captured: 0, accepted: 1 });
    expect(seen!.memories).toBeGreaterThan(0);
    expect(seen!.memories).toBeLessThan(40);
    expect(pipeline.status().captured).toBe(40);
  });
});
