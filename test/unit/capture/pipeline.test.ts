import { afterEach, describe, expect, it } from 'vitest';
import { createCapturePipeline, type CapturePipeline } from '../../../main/core/capture/pipeline.js';
import { projectIdForPath } from '../../../main/core/capture/project.js';
import type { CapturedExchange } from '../../../main/core/capture/exchange.js';
import type { CaptureEvent, CaptureStoredEvent } from '../../../main/core/events.js';
import type { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import type { Memory, NewMemory } from '../../../main/core/memory/types.js';
import { createTestCore, type TestCore } from '../../support/core-context.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { FlakyBackend } from '../outbox/flaky-backend.js';
import { ccRequest, exchange, recordedExchange, sseText } from './exchanges.js';
import { until } from '../../support/until.js';

const open: Array<{ core: TestCore; pipeline: CapturePipeline }> = [];
afterEach(async () => {
  for (const { core, pipeline } of open.splice(0)) {
    await pipeline.stop();
    core.close();
  }
});

function setup(options: Parameters<typeof createTestCore>[0] = {}) {
  const core = createTestCore(options);
  const pipeline = createCapturePipeline(core.ctx, { outboxOptions: { backoff: { baseMs: 5, maxMs: 20 } } });
  open.push({ core, pipeline });
  const events: CaptureEvent[] = [];
  core.ctx.events.on('capture', (e) => events.push(e));
  return { core, pipeline, events };
}

async function settle(pipeline: CapturePipeline): Promise<void> {
  await pipeline.idle();
  await until(() => {
    const s = pipeline.outbox.status();
    return s.pending === 0 && s.inFlight === 0;
  }, 'the outbox to drain');
}

/** The local store, with `before` run ahead of each write (it may throw, as a failing disk does). */
const storeWith = (before: (input: NewMemory) => void) => (local: LocalMemoryBackend) =>
  Object.assign(Object.create(local) as LocalMemoryBackend, {
    addWithinTransaction: (input: NewMemory) => {
      before(input);
      return local.addWithinTransaction(input);
    },
  });

/** `n` one-turn conversations ("question i") handed over in one go, as a busy proxy does. */
function sinkQuestions(pipeline: CapturePipeline, session: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const body = ccRequest(`${session}-${i}`, [{ role: 'user', content: `question ${i}` }]);
    pipeline.sink(exchange({ requestBody: body, responseBody: sseText(`answer ${i}`) }));
  }
}

const firstLines = (ms: Memory[]) => ms.map((m) => m.text.split('\n')[0]!).sort();

async function memories(core: TestCore): Promise<Memory[]> {
  return (await core.local.list({ userId: 'tester' }, { limit: 500 })).items.sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt),
  );
}

const sessionRun = [
  'cc-title',
  'cc-turn1',
  'cc-turn2-tool-use',
  'cc-turn2-final',
  'cc-compact',
  'cc-compact',
  'cc-after-compact',
];

describe('capture pipeline', () => {
  it('turns the recorded Claude Code session into one memory per real turn', async () => {
    const { core, pipeline, events } = setup();
    const added: Memory[] = [];
    core.ctx.events.on('memory.added', (m, caller) => {
      expect(caller).toEqual({ userId: 'tester', via: 'capture' });
      added.push(...m);
    });
    const t0 = Date.parse('2026-11-22T09:00:00Z');
    sessionRun.forEach((name, i) =>
      pipeline.sink(recordedExchange(name, { endedAt: new Date(t0 + i * 1000).toISOString() })),
    );
    // traffic that is not a Messages call, and resends of finished turns
    pipeline.sink(recordedExchange('cc-turn1', { method: 'HEAD', path: '/api/hello' }));
    pipeline.sink(recordedExchange('cc-turn1', { path: '/v1/messages/count_tokens?beta=true' }));
    pipeline.sink(recordedExchange('cc-turn2-final'));
    await settle(pipeline);

    const stored = await memories(core);
    expect(stored.map((m) => m.text)).toEqual([
      'User: remember that my favourite editor is helix\n\nAssistant: Hello from the fake. Reply 4',
      'User: please run echo for me\n\nAssistant: The command printed fake-tool-output.',
      'User: what editor do I like?\n\nAssistant: Hello from the fake. Reply 9',
    ]);
    const project = projectIdForPath('/tmp/fake/proj');
    for (const m of stored) {
      expect(m).toMatchObject({
        source: 'gateway',
        projectId: project,
        model: 'claude-opus-5-5',
        userId: 'tester',
      });
      expect(m.metadata.projectPath).toBe('/tmp/fake/proj');
      expect(m.text).not.toContain('system-reminder');
    }
    expect(stored[1]!.metadata.tools).toEqual(['Bash']);
    expect(stored[0]!.metadata.tools).toEqual([]);
    expect(new Set(stored.map((m) => m.conversationId)).size).toBe(1);
    expect(added.map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());

    const status = pipeline.status();
    expect(status).toMatchObject({
      captured: 3,
      ignored: 2,
      errors: 0,
      received: sessionRun.length + 3,
      skipped: { background: 3, tool_loop: 1, duplicate: 1 },
      background: { 'session-title': 1, compaction: 2 },
      // The local store shares the database: each turn was stored in its own transaction, not queued.
      outbox: { pending: 0, deliveredSinceStart: 0 },
    });
    expect(status.capturesToday).toBe(3);
    expect(events.filter((e) => e.outcome === 'captured').map((e) => e.projectId)).toEqual([
      project,
      project,
      project,
    ]);
    expect(JSON.stringify(events)).not.toContain('helix');
  });

  it('does not store a subagent prompt as if the user had written it', async () => {
    const { core, pipeline } = setup();
    pipeline.sink(recordedExchange('cc-subagent'));
    pipeline.sink(recordedExchange('cc-agent-notification'));
    await settle(pipeline);
    const stored = await memories(core);
    expect(stored.map((m) => m.text)).toEqual([
      'User: please use an agent to find config files\n\nAssistant: Hello from the fake. Reply 5',
    ]);
    expect(stored[0]!.metadata.tools).toEqual(['Agent']);
    expect(pipeline.status().background).toEqual({ subagent: 1 });
  });

  it('gives each captured turn the ids of the memories the local store kept', async () => {
    const { core, pipeline, events } = setup();
    pipeline.sink(recordedExchange('cc-turn1'));
    pipeline.sink(recordedExchange('cc-turn2-final'));
    await settle(pipeline);
    const stored = await memories(core);
    expect(stored).toHaveLength(2);
    const captured = events.filter((e) => e.outcome === 'captured');
    expect(captured.map((e) => e.memoryIds?.length)).toEqual([1, 1]);
    expect(captured.flatMap((e) => e.memoryIds).sort()).toEqual(stored.map((m) => m.id).sort());
    expect(captured.every((e) => !e.queued)).toBe(true);
  });

  it('announces the ids of a queued turn once the outbox has delivered it, under its turn key', async () => {
    let down = true;
    const { core, pipeline, events } = setup({
      backend: (local) =>
        Object.assign(Object.create(local) as LocalMemoryBackend, {
          // A Mem0 backend: nothing shared with this database, every turn goes through the outbox.
          sharesDatabase: () => false,
          add: (input: NewMemory) => (down ? Promise.reject(new Error('backend down')) : local.add(input)),
        }),
    });
    const stored: CaptureStoredEvent[] = [];
    core.ctx.events.on('capture.stored', (e) => stored.push(e));
    pipeline.sink(recordedExchange('cc-turn1'));
    await pipeline.idle();
    const [captured] = events.filter((e) => e.outcome === 'captured');
    expect(captured).toMatchObject({ queued: true, turnKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(captured!.memoryIds).toBeUndefined();
    expect(stored).toEqual([]);

    down = false;
    await settle(pipeline);
    const kept = await memories(core);
    expect(kept).toHaveLength(1);
    expect(stored).toEqual([
      { at: expect.any(String), turnKey: captured!.turnKey, memoryIds: [kept[0]!.id] },
    ]);
  });

  it('returns from the sink at once and does the work later', async () => {
    const { pipeline } = setup();
    pipeline.sink(recordedExchange('cc-turn1'));
    expect(pipeline.status()).toMatchObject({ received: 1, captured: 0, queued: 1 });
    await settle(pipeline);
    expect(pipeline.status()).toMatchObject({ captured: 1, queued: 0 });
  });

  it('never throws into the network path and counts errors without content', async () => {
    const { pipeline, events } = setup();
    // a tap bug: no response headers at all
    const broken = {
      ...recordedExchange('cc-turn1'),
      responseHeaders: undefined,
    } as unknown as CapturedExchange;
    expect(() => pipeline.sink(broken)).not.toThrow();
    expect(() => pipeline.sink(null as unknown as CapturedExchange)).not.toThrow();
    await pipeline.idle();
    const s = pipeline.status();
    expect(s.errors).toBe(2);
    expect(s.lastError?.message).toBeTruthy();
    expect(events.filter((e) => e.outcome === 'failed')).toHaveLength(2);
    // and it keeps working afterwards
    pipeline.sink(recordedExchange('cc-turn1'));
    await settle(pipeline);
    expect(pipeline.status().captured).toBe(1);
  });

  it('removes private parts and redacts secrets before anything is stored', async () => {
    const { core, pipeline } = setup();
    const key = ['sk-ant-', 'api03-', 'Zz9_kLmN0pQrStUvWxYz0123456789abcdef'].join('');
    const body = ccRequest('s-priv', [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>secret context</system-reminder>' },
          { type: 'text', text: `My key is ${key}. <private>I am switching jobs</private> Set it up.` },
        ],
      },
    ]);
    pipeline.sink(
      exchange({ requestBody: body, responseBody: sseText(`Done: export ANTHROPIC_API_KEY=${key}`) }),
    );
    await settle(pipeline);
    const [m] = await memories(core);
    expect(m!.text).toBe(
      'User: My key is [REDACTED:anthropic-key].  Set it up.\n\nAssistant: Done: export ANTHROPIC_API_KEY=[REDACTED:anthropic-key]',
    );
    expect(m!.metadata.redactions).toEqual({ 'anthropic-key': 2 });
    const payload = JSON.parse(
      (core.ctx.db.prepare('SELECT payload FROM outbox').get() as { payload: string } | undefined)?.payload ??
        'null',
    ) as unknown;
    expect(payload).toBeNull(); // delivered and removed
    const raw = core.ctx.db.prepare('SELECT group_concat(payload) AS p FROM outbox').get() as {
      p: string | null;
    };
    expect(raw.p ?? '').not.toContain(key);
  });

  it('hands a backend elsewhere the cleaned turn as chat messages, with a stable idempotency key', async () => {
    const inputs: NewMemory[] = [];
    const { pipeline } = setup({
      backend: (local) =>
        Object.assign(Object.create(local) as LocalMemoryBackend, {
          sharesDatabase: () => false,
          add: (input: NewMemory) => {
            inputs.push(input);
            return local.add(input);
          },
        }),
    });
    pipeline.sink(recordedExchange('cc-turn2-final'));
    await settle(pipeline);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({
      infer: true,
      messages: [
        { role: 'user', content: 'please run echo for me' },
        { role: 'assistant', content: 'The command printed fake-tool-output.' },
      ],
      idempotencyKey: expect.stringMatching(/^capture:[0-9a-f]{64}$/),
    });
  });

  it('stores a turn for the local store in the transaction that marks it seen, unless its conversation still has captures queued', async () => {
    let remote = true;
    const { core, pipeline } = setup({
      backend: (local) =>
        Object.assign(Object.create(local) as LocalMemoryBackend, {
          sharesDatabase: () => !remote,
          // A remote backend that is down: the first turn waits in the outbox.
          add: () => Promise.reject(new Error('backend down')),
        }),
    });
    pipeline.sink(recordedExchange('cc-turn1'));
    await pipeline.idle();
    expect(pipeline.outbox.status().pending).toBe(1);
    // Switched to the local store: a later turn of the same conversation must not overtake it.
    remote = false;
    pipeline.sink(recordedExchange('cc-turn2-final'));
    await pipeline.idle();
    expect(pipeline.outbox.status().pending).toBe(2);
    expect(await memories(core)).toEqual([]);
    // A new conversation goes straight to the store: stored at once, nothing queued.
    const body = ccRequest('s-direct', [{ role: 'user', content: 'which linter do we use?' }]);
    pipeline.sink(
      exchange({ requestBody: body, responseBody: sseText('We use eslint with typescript-eslint.') }),
    );
    await pipeline.idle();
    expect((await memories(core)).map((m) => m.text)).toEqual([
      'User: which linter do we use?\n\nAssistant: We use eslint with typescript-eslint.',
    ]);
    expect(pipeline.outbox.status().pending).toBe(2);
  });

  it('queues a turn in the outbox when writing it to the local store fails, and loses nothing', async () => {
    let failing = true;
    const { core, pipeline } = setup({
      backend: storeWith(() => {
        if (failing) throw new Error('disk I/O error');
      }),
    });
    pipeline.sink(recordedExchange('cc-turn1'));
    await pipeline.idle();
    failing = false;
    await settle(pipeline);
    const stored = await memories(core);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.text).toContain('favourite editor is helix');
    expect(pipeline.status()).toMatchObject({ captured: 1, errors: 0, outbox: { deliveredSinceStart: 1 } });
  });

  it('stores a burst of turns together; one that cannot be written goes to the outbox, the others stay', async () => {
    const { core, pipeline } = setup({
      backend: storeWith((input) => {
        if (input.text.includes('question 2')) throw new Error('disk I/O error');
      }),
    });
    const announced: Memory[] = [];
    core.ctx.events.on('memory.added', (m) => announced.push(...m));
    // They queue up and are processed as one batch.
    sinkQuestions(pipeline, 's-burst', 5);
    await pipeline.idle();
    const kept = ['User: question 0', 'User: question 1', 'User: question 3', 'User: question 4'];
    // Announced only once the batch was committed, and only what is really there.
    expect(firstLines(announced)).toEqual(kept);
    expect(firstLines(await memories(core))).toEqual(kept);
    expect(pipeline.outbox.status().pending).toBe(1);

    await settle(pipeline);
    expect(firstLines(await memories(core))).toEqual([
      ...kept.slice(0, 2),
      'User: question 2',
      ...kept.slice(2),
    ]);
    expect(pipeline.status()).toMatchObject({ received: 5, captured: 5, errors: 0 });
  });

  it('undoes a turn that failed after part of its writes in a batch, and stores every turn once', async () => {
    let failOnce = true;
    const { core, pipeline } = setup({
      backend: (local) =>
        Object.assign(Object.create(local) as LocalMemoryBackend, {
          addWithinTransaction: (input: NewMemory) => {
            // The memory is written, then the disk fails before the turn's writes are done.
            const added = local.addWithinTransaction(input);
            if (failOnce && input.text.includes('question 1')) {
              failOnce = false;
              throw new Error('disk I/O error');
            }
            return added;
          },
        }),
    });
    const announced: Memory[] = [];
    core.ctx.events.on('memory.added', (m) => announced.push(...m));
    sinkQuestions(pipeline, 's-partial', 4);
    await settle(pipeline);
    const all = ['User: question 0', 'User: question 1', 'User: question 2', 'User: question 3'];
    expect(firstLines(await memories(core))).toEqual(all);
    expect(firstLines(announced)).toEqual(all);
    expect(pipeline.status()).toMatchObject({ received: 4, captured: 4, errors: 0, skipped: {} });
    expect(pipeline.outbox.status().pending).toBe(0);
  });

  it('gives each turn its own try when SQLite rolls back the whole batch, counting each once', async () => {
    let rollBackOnce = true;
    const { core, pipeline } = setup({
      backend: storeWith((input) => {
        if (rollBackOnce && input.text.includes('question 1')) {
          rollBackOnce = false;
          // What SQLite does on a full disk or an I/O error: the whole transaction is gone.
          core.ctx.db.exec('ROLLBACK');
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
      }),
    });
    const announced: Memory[] = [];
    core.ctx.events.on('memory.added', (m) => announced.push(...m));
    sinkQuestions(pipeline, 's-lost', 3);
    await settle(pipeline);
    const all = ['User: question 0', 'User: question 1', 'User: question 2'];
    expect(firstLines(await memories(core))).toEqual(all);
    expect(firstLines(announced)).toEqual(all);
    expect(pipeline.status()).toMatchObject({ received: 3, captured: 3, errors: 0, skipped: {} });
  });

  it('skips a turn whose user text was entirely private', async () => {
    const { core, pipeline } = setup();
    const body = ccRequest('s-p2', [{ role: 'user', content: '<private>my diagnosis</private>' }]);
    pipeline.sink(exchange({ requestBody: body, responseBody: sseText('I am sorry to hear that.') }));
    await settle(pipeline);
    expect(await memories(core)).toEqual([]);
    expect(pipeline.status().skipped).toEqual({ private: 1 });
  });

  it('records nothing for an excluded project, not even the turn key', async () => {
    const { core, pipeline, events } = setup({ settings: { excludedProjects: ['/tmp/fake/*'] } });
    pipeline.sink(recordedExchange('cc-turn1'));
    await settle(pipeline);
    expect(await memories(core)).toEqual([]);
    expect(events.map((e) => e.reason)).toEqual(['excluded_project']);
    expect(core.ctx.db.prepare('SELECT COUNT(*) AS n FROM capture_turns').get()).toEqual({ n: 0 });
  });

  it('records nothing while paused, and captures again when resumed', async () => {
    const { core, pipeline, events } = setup({ settings: { captureEnabled: false } });
    pipeline.sink(recordedExchange('cc-turn1'));
    await settle(pipeline);
    expect(await memories(core)).toEqual([]);
    expect(core.ctx.db.prepare('SELECT COUNT(*) AS n FROM capture_turns').get()).toEqual({ n: 0 });
    expect(pipeline.status()).toMatchObject({ enabled: false, skipped: { paused: 1 } });
    expect(events).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'paused' })]);
    expect(events[0]!.conversationId).toBeUndefined();

    core.setSettings({ captureEnabled: true });
    pipeline.sink(recordedExchange('cc-turn1'));
    await settle(pipeline);
    expect(await memories(core)).toHaveLength(1);
  });

  it.each([
    ['manual', 'team-x'],
    ['global', null],
  ] as const)('isolation mode %s stores project %s', async (mode, expected) => {
    const { core, pipeline } = setup({ settings: { isolationMode: mode, manualProjectId: 'team-x' } });
    pipeline.sink(recordedExchange('cc-turn1'));
    await settle(pipeline);
    const [m] = await memories(core);
    expect(m!.projectId).toBe(expected);
    expect(m!.metadata.projectPath).toBe('/tmp/fake/proj');
  });

  it('skips failed and aborted exchanges with a reason', async () => {
    const { pipeline, events } = setup();
    pipeline.sink(recordedExchange('cc-turn1', { status: 529 }));
    pipeline.sink(recordedExchange('cc-turn1', { complete: false }));
    await settle(pipeline);
    expect(events.map((e) => e.reason)).toEqual(['non_2xx', 'incomplete']);
  });

  it('stores nothing twice after a restart on the same data directory', async () => {
    const first = createTestCore();
    const p1 = createCapturePipeline(first.ctx);
    p1.sink(recordedExchange('cc-turn1'));
    await settle(p1);
    await p1.stop();
    first.close();

    const { core, pipeline } = setup({ dataDir: first.dataDir });
    pipeline.sink(recordedExchange('cc-turn1'));
    pipeline.sink(recordedExchange('cc-turn2-final'));
    await settle(pipeline);
    expect((await memories(core)).map((m) => m.text.slice(0, 30)).sort()).toEqual([
      'User: please run echo for me\n\n',
      'User: remember that my favouri',
    ]);
    expect(pipeline.status().capturesToday).toBe(2);
  });

  it('processes what was handed over before stop() and accepts nothing after', async () => {
    const { core, pipeline } = setup();
    pipeline.sink(recordedExchange('cc-turn1'));
    await pipeline.stop();
    pipeline.sink(recordedExchange('cc-turn2-final'));
    const queued = core.ctx.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number };
    const delivered = (await memories(core)).length;
    expect(queued.n + delivered).toBe(1);
  });

  it('keeps conversation text out of the logs', async () => {
    const lines: string[] = [];
    const { pipeline } = setup({ log: recordingLogger(lines, 'core') });
    for (const name of sessionRun) pipeline.sink(recordedExchange(name));
    pipeline.sink({
      ...recordedExchange('cc-turn1'),
      responseHeaders: undefined,
    } as unknown as CapturedExchange);
    await settle(pipeline);
    expect(lines.length).toBeGreaterThan(5);
    const all = lines.join('\n');
    for (const words of [
      'helix',
      'echo for me',
      'fake-tool-output',
      'Hello from the fake',
      '/tmp/fake/proj',
    ]) {
      expect(all).not.toContain(words);
    }
  });

  it('survives a backend outage and a restart in between: every turn delivered exactly once', async () => {
    let flaky: FlakyBackend | undefined;
    const first = createTestCore({ backend: (local) => (flaky = new FlakyBackend(local)) });
    flaky!.down = true;
    const p1 = createCapturePipeline(first.ctx, { outboxOptions: { backoff: { baseMs: 5, maxMs: 20 } } });
    for (const name of sessionRun) p1.sink(recordedExchange(name));
    await p1.idle();
    await new Promise((r) => setTimeout(r, 50));
    expect(p1.status()).toMatchObject({ captured: 3, outbox: { pending: 3, delivered: 0 } });
    expect(p1.status().outbox.lastError?.message).toMatch(/unreachable/);
    await p1.stop();
    first.close();

    // after the restart the backend is back; the client also resends its last turn
    const { core, pipeline } = setup({ dataDir: first.dataDir });
    expect(pipeline.status().outbox.pending).toBe(3);
    pipeline.sink(recordedExchange('cc-after-compact'));
    await settle(pipeline);
    expect((await memories(core)).map((m) => m.text.split('\n')[0])).toEqual(
      expect.arrayContaining([
        'User: remember that my favourite editor is helix',
        'User: please run echo for me',
        'User: what editor do I like?',
      ]),
    );
    expect(await memories(core)).toHaveLength(3);
    expect(pipeline.status()).toMatchObject({
      skipped: { duplicate: 1 },
      outbox: { pending: 0, delivered: 3 },
    });
  });
});
