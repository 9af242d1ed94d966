import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { UserError } from '../../../main/core/errors.js';
import { CoreEvents } from '../../../main/core/events.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { nextDelayMs } from '../../../main/core/memory/outbox-backoff.js';
import { Outbox, type OutboxOptions } from '../../../main/core/memory/outbox.js';
import type { Memory } from '../../../main/core/memory/types.js';
import { tempDir } from '../../support/tmp.js';
import { FlakyBackend } from './flaky-backend.js';
import { until } from '../../support/until.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function store(file = `${tempDir()}/o.db`) {
  const db = openDatabase(file);
  const local = new LocalMemoryBackend(db);
  const flaky = new FlakyBackend(local);
  cleanup.push(() => {
    if (db.open) db.close();
  });
  return { db, file, local, flaky };
}

function outbox(db: Db, backend: FlakyBackend, extra: Partial<OutboxOptions> = {}) {
  const events = new CoreEvents();
  const box = new Outbox({ db, backend: () => backend, events, backoff: { baseMs: 5, maxMs: 40 }, ...extra });
  cleanup.push(() => box.stop());
  return { box, events };
}

const item = (conversationId: string, n: number) => ({
  conversationId,
  key: `capture:${conversationId}:${n}`,
  memory: { userId: 'u1', text: `${conversationId} turn ${n}`, source: 'proxy' as const, conversationId },
});

async function all(local: LocalMemoryBackend): Promise<Memory[]> {
  return (await local.list({ userId: 'u1' }, { limit: 500 })).items;
}

describe('Outbox', () => {
  it('delivers a capture, removes it and announces it as an outbox write', async () => {
    const { db, local, flaky } = store();
    const { box, events } = outbox(db, flaky);
    const added: Array<[Memory[], unknown]> = [];
    events.on('memory.added', (m, caller) => added.push([m, caller]));
    const access: string[] = [];
    events.on('memory.access', (e) => access.push(`${e.caller.via}:${e.action}:${e.count}`));
    box.start();
    expect(box.enqueue(item('c1', 1))).toBe(true);
    expect(box.enqueue(item('c1', 1))).toBe(false); // same key: already queued
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    const stored = await all(local);
    expect(stored.map((m) => m.text)).toEqual(['c1 turn 1']);
    expect(added).toEqual([[stored, { userId: 'u1', via: 'outbox' }]]);
    expect(access).toEqual(['outbox:create:1']);
    expect(box.status()).toMatchObject({
      pending: 0,
      delivered: 1,
      deliveredSinceStart: 1,
      lastError: null,
      oldestPendingAgeMs: null,
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('retries with backoff while the backend is down, then delivers exactly once', async () => {
    const { db, local, flaky } = store();
    const { box } = outbox(db, flaky);
    flaky.down = true;
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => flaky.attempts.length >= 4);
    const during = box.status();
    expect(during.pending).toBe(1);
    expect(during.lastError?.message).toBe('The memory server is unreachable (connection refused).');
    expect(during.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    // the gaps between attempts grow (base 5 ms, doubling, equal jitter)
    const gaps = flaky.attempts.slice(1, 4).map((a, i) => a.at - flaky.attempts[i]!.at);
    expect(gaps[2]!).toBeGreaterThanOrEqual(9);
    flaky.down = false;
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    expect((await all(local)).map((m) => m.text)).toEqual(['c1 turn 1']);
    expect(box.status()).toMatchObject({ delivered: 1 });
  });

  it('never creates a second memory when the answer to a stored add is lost', async () => {
    const { db, local, flaky } = store();
    const { box } = outbox(db, flaky);
    flaky.loseAnswerNext = 2;
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    expect(flaky.attempts.map((a) => a.key)).toEqual(['capture:c1:1', 'capture:c1:1', 'capture:c1:1']);
    expect(await all(local)).toHaveLength(1);
  });

  it('counts an attempt that hangs as failed and retries it with the same key', async () => {
    const { db, local, flaky } = store();
    const { box } = outbox(db, flaky, { deliveryTimeoutMs: 30 });
    flaky.latencyMs = 60; // the first attempt outlives the timeout but still stores
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => flaky.attempts.length >= 2);
    flaky.latencyMs = 0;
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    await new Promise((r) => setTimeout(r, 80));
    expect(await all(local)).toHaveLength(1);
    expect(box.status().lastError?.message).toMatch(/did not answer within 30 ms/);
  });

  it('keeps the order within a conversation and delivers conversations side by side', async () => {
    const { db, local, flaky } = store();
    const { box } = outbox(db, flaky, { concurrency: 4 });
    // different speeds, so deliveries finish (and the queue is pumped) at different moments
    flaky.latencyMs = (m) => ({ a: 3, b: 11, c: 19 })[m.conversationId as 'a' | 'b' | 'c'];
    for (let n = 1; n <= 5; n++) for (const c of ['a', 'b', 'c']) box.enqueue(item(c, n));
    box.start();
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    for (const c of ['a', 'b', 'c']) {
      const order = flaky.attempts.filter((x) => x.conversationId === c).map((x) => x.key);
      expect(order).toEqual([1, 2, 3, 4, 5].map((n) => `capture:${c}:${n}`));
    }
    expect(flaky.maxPerConversation).toBe(1);
    expect(flaky.maxConcurrent).toBe(3);
    expect(await all(local)).toHaveLength(15);
  });

  it('holds back a conversation behind its failing head, but not the others', async () => {
    const { db, flaky } = store();
    const { box } = outbox(db, flaky);
    flaky.failNext = 3; // the first attempts fail: a's head and maybe others
    box.enqueue(item('a', 1));
    box.enqueue(item('a', 2));
    box.enqueue(item('b', 1));
    box.start();
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    const a = flaky.attempts.filter((x) => x.conversationId === 'a').map((x) => x.key);
    const firstA2 = a.indexOf('capture:a:2');
    expect(a.lastIndexOf('capture:a:1')).toBeLessThan(firstA2);
  });

  it('loses nothing across a restart in the middle of an outage', async () => {
    const first = store();
    const { box } = outbox(first.db, first.flaky);
    first.flaky.down = true;
    box.start();
    for (let n = 1; n <= 10; n++) box.enqueue(item(`c${n % 3}`, n));
    await until(() => first.flaky.attempts.length >= 3);
    await box.stop();
    first.db.close();

    const second = store(first.file);
    const { box: box2 } = outbox(second.db, second.flaky);
    expect(box2.status().pending).toBe(10);
    box2.start();
    await until(() => box2.status().pending === 0 && box2.status().inFlight === 0);
    const texts = (await all(second.local)).map((m) => m.text).sort();
    expect(texts).toHaveLength(10);
    expect(new Set(texts).size).toBe(10);
  });

  it('delivers once when stopped while an add was in flight (the add landed, the row stayed)', async () => {
    const first = store();
    const { box } = outbox(first.db, first.flaky);
    first.flaky.latencyMs = 100;
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => first.flaky.attempts.length === 1);
    await box.stop(10); // gives up waiting; the add still completes in the background
    await new Promise((r) => setTimeout(r, 150));
    // as after a crash: the row is still there, although the memory was stored
    first.db.prepare("UPDATE outbox SET state = 'pending'").run();
    const pendingBefore = (first.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
    const second = store(first.file);
    const { box: box2 } = outbox(second.db, second.flaky);
    box2.start();
    await until(() => box2.status().pending === 0 && box2.status().inFlight === 0);
    expect(pendingBefore).toBeLessThanOrEqual(1);
    expect(await all(second.local)).toHaveLength(1);
  });

  it('still says why captures wait after a restart, before the next attempt fails', async () => {
    const first = store();
    const { box } = outbox(first.db, first.flaky);
    first.flaky.down = true;
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => first.flaky.attempts.length >= 2);
    await box.stop();

    const { box: restarted } = outbox(first.db, first.flaky);
    expect(restarted.status()).toMatchObject({
      pending: 1,
      lastError: { message: 'The memory server is unreachable (connection refused).' },
    });
    expect(Date.parse(restarted.status().lastError!.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('parks a capture the backend rejects as invalid, and can retry it later', async () => {
    const { db, local, flaky } = store();
    const { box } = outbox(db, flaky);
    box.start();
    box.enqueue({ ...item('c1', 1), memory: { ...item('c1', 1).memory, text: '   ' } });
    box.enqueue(item('c1', 2));
    await until(() => box.status().failed === 1 && box.status().pending === 0 && box.status().inFlight === 0);
    expect(box.status().lastError?.message).toMatch(/non-empty text/);
    expect((await all(local)).map((m) => m.text)).toEqual(['c1 turn 2']);
    db.prepare(
      "UPDATE outbox SET payload = json_set(payload, '$.text', 'fixed') WHERE state = 'failed'",
    ).run();
    expect(box.retryFailed()).toBe(1);
    await until(() => box.status().failed === 0 && box.status().pending === 0 && box.status().inFlight === 0);
    expect(await all(local)).toHaveLength(2);
  });

  it('reports the age of the oldest pending capture', () => {
    const { db, flaky } = store();
    let now = 1_000_000;
    const { box } = outbox(db, flaky, { now: () => now });
    box.enqueue(item('c1', 1));
    now += 2_500;
    box.enqueue(item('c2', 1));
    now += 500;
    expect(box.status()).toMatchObject({ pending: 2, oldestPendingAgeMs: 3_000, inFlight: 0, delivered: 0 });
  });

  it('uses the backend that is active at delivery time', async () => {
    const a = store();
    const b = store();
    let active = a.flaky;
    const box = new Outbox({ db: a.db, backend: () => active, backoff: { baseMs: 5, maxMs: 10 } });
    cleanup.push(() => box.stop());
    active.down = true;
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => a.flaky.attempts.length >= 1);
    active = b.flaky;
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    expect(await all(b.local)).toHaveLength(1);
    expect(await all(a.local)).toHaveLength(0);
  });

  it('treats only invalid input as permanent', async () => {
    const { db, flaky } = store();
    const { box } = outbox(db, flaky);
    const original = flaky.add.bind(flaky);
    let calls = 0;
    flaky.add = async (input) => {
      calls++;
      if (calls === 1) throw new UserError('unauthorized', 'The Mem0 API key was rejected.');
      return original(input);
    };
    box.start();
    box.enqueue(item('c1', 1));
    await until(() => box.status().pending === 0 && box.status().inFlight === 0);
    expect(box.status()).toMatchObject({ failed: 0, delivered: 1 });
  });
});

describe('nextDelayMs', () => {
  it('doubles from the base, stays within [half, full] of it and is capped', () => {
    const opts = { baseMs: 100, maxMs: 1_000 };
    expect(nextDelayMs(1, opts, () => 0)).toBe(50);
    expect(nextDelayMs(1, opts, () => 1)).toBe(100);
    expect(nextDelayMs(3, opts, () => 1)).toBe(400);
    expect(nextDelayMs(3, opts, () => 0)).toBe(200);
    expect(nextDelayMs(10, opts, () => 1)).toBe(1_000);
    expect(nextDelayMs(1_000, opts, () => 0.5)).toBe(750);
  });
});
