// The core stopped in the middle of many streaming conversations, through the gateway and the
// proxy, as `mem0-tray serve` runs for a user: killed (SIGKILL) just as a reply completed, every
// turn whose reply reached the client is stored exactly once once its conversation's next turn came
// (taken from the history that turn resends), and what was sent while capture was paused is never
// taken; stopped (SIGTERM), no stream already started is cut and nothing is lost.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, lastUserText, type FakeAnthropic } from '../../fakes/anthropic-api.js';
import {
  driveConversations,
  runtimeOf,
  startServe,
  storedCounts,
  tally,
  type Serve,
  type TurnRecord,
} from '../../support/capture-restart.js';
import { tempDir } from '../../support/tmp.js';

let fake: FakeAnthropic;
const serves: Serve[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({ chunkDelayMs: 5 });
  fake.setScript((body) => ({ text: `Noted: ${lastUserText(body).split(':')[0]} is answered.` }));
});
afterAll(async () => {
  for (const s of serves) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await fake.close();
});

function serve(home: string, extra: Record<string, string> = {}): Serve {
  const s = startServe(home, { MEM0_TRAY_UPSTREAM: fake.url, MEM0_TRAY_USER_ID: 'tester', ...extra });
  serves.push(s);
  return s;
}

const logOf = (home: string) => fs.readFileSync(path.join(home, 'logs', 'mem0-tray.log'), 'utf8');
const lastOf = (records: TurnRecord[]) => {
  const last = new Map<string, number>();
  for (const r of records) last.set(r.conversation, Math.max(last.get(r.conversation) ?? 0, r.turn));
  return (r: TurnRecord) => last.get(r.conversation) === r.turn;
};

describe('capture across a core that is stopped mid-run', () => {
  it('recovers every answered turn after SIGKILL from the next turn, never a paused one', async () => {
    const home = tempDir();
    // A paused stretch first: two turns each way while capture is off, then the core dies.
    const paused = serve(home, { MEM0_TRAY_CAPTURE: 'off' });
    const first = await runtimeOf(home, paused.child.pid!);
    const ports = {
      MEM0_TRAY_GATEWAY_PORT: String(first.gatewayPort),
      MEM0_TRAY_PROXY_PORT: String(first.proxyPort),
    };
    const caPem = fs.readFileSync(first.caPath, 'utf8');
    const history = new Map<string, Array<{ role: string; content: string }>>();
    const drive = (prefix: string, conversations: number, turns: number, extra = {}) =>
      driveConversations({
        prefix,
        conversations,
        turns,
        route: (c) => (c % 2 === 0 ? 'gateway' : 'proxy'),
        gatewayPort: first.gatewayPort,
        proxyPort: first.proxyPort,
        caPem,
        history,
        ...extra,
      });
    const pausedTurns = await drive('paused', 2, 2);
    expect(pausedTurns.every((r) => r.answered)).toBe(true);
    paused.child.kill('SIGKILL');
    await paused.exited;

    // Capture on: 12 conversations (half through each route) of 4 turns; the core is killed the
    // moment the 15th reply has reached its client, and started again on the same ports.
    let current = serve(home, ports);
    await runtimeOf(home, current.child.pid!);
    let answered = 0;
    let killedAt: TurnRecord[] = [];
    let restarted: Promise<void> | null = null;
    const onAnswered = (r: TurnRecord) => {
      answered++;
      if (answered === 15) {
        current.child.kill('SIGKILL');
        killedAt = [r];
        restarted = current.exited.then(async () => {
          current = serve(home, ports);
          await runtimeOf(home, current.child.pid!);
        });
      }
    };
    const [records, continued] = await Promise.all([
      drive('conv', 12, 4, { onAnswered }),
      // The paused conversations go on (capture now on): their first two turns stay unrecorded.
      drive('paused', 2, 2, { firstTurn: () => 3 }),
    ]);
    await restarted;
    expect(killedAt).toHaveLength(1);

    // Stored once its conversation's next turn came (or the core stopped cleanly).
    current.child.kill('SIGTERM');
    expect(await current.exited).toBe(0);
    const all = [...records, ...continued];
    expect(all.every((r) => r.answered)).toBe(true);
    const isLast = lastOf(all);
    const counts = storedCounts(home, [...all, ...pausedTurns]);
    const wrong = all
      .filter((r) => !isLast(r) && counts.get(r) !== 1)
      .map((r) => `${r.user} ×${counts.get(r)}`);
    expect(wrong).toEqual([]);
    expect(all.filter((r) => (counts.get(r) ?? 0) > 1)).toEqual([]);
    // The turn answered just before the kill was not committed by then: it came back from history.
    expect(counts.get(killedAt[0]!)).toBe(1);
    expect(pausedTurns.map((r) => counts.get(r))).toEqual([0, 0, 0, 0]);

    const log = logOf(home);
    expect(log).toContain('capture.unclean_shutdown');
    expect(log).toContain('capture.recovered');
  }, 90_000);

  it('lets every started stream finish on SIGTERM and loses nothing', async () => {
    const slow = await startFakeAnthropic({ chunkDelayMs: 250 });
    slow.setScript((body) => ({ text: `Noted: ${lastUserText(body).split(':')[0]} is answered.` }));
    try {
      const home = tempDir();
      let current = startServe(home, { MEM0_TRAY_UPSTREAM: slow.url, MEM0_TRAY_USER_ID: 'tester' });
      serves.push(current);
      const first = await runtimeOf(home, current.child.pid!);
      const ports = {
        MEM0_TRAY_GATEWAY_PORT: String(first.gatewayPort),
        MEM0_TRAY_PROXY_PORT: String(first.proxyPort),
      };
      const caPem = fs.readFileSync(first.caPath, 'utf8');
      let answered = 0;
      let stopped: Promise<void> | null = null;
      const onAnswered = () => {
        // Replies take ~2 s: with 8 conversations, several streams are mid-reply at this moment.
        if (++answered !== 5) return;
        current.child.kill('SIGTERM');
        stopped = current.exited.then(async (code) => {
          expect(code).toBe(0);
          current = startServe(home, { MEM0_TRAY_UPSTREAM: slow.url, MEM0_TRAY_USER_ID: 'tester', ...ports });
          serves.push(current);
          await runtimeOf(home, current.child.pid!);
        });
      };
      const records = await driveConversations({
        prefix: 'term',
        conversations: 8,
        turns: 2,
        route: (c) => (c % 2 === 0 ? 'gateway' : 'proxy'),
        gatewayPort: first.gatewayPort,
        proxyPort: first.proxyPort,
        caPem,
        onAnswered,
      });
      await stopped;
      current.child.kill('SIGTERM');
      expect(await current.exited).toBe(0);
      const t = tally(home, records);
      expect(t).toMatchObject({ sent: 16, answered: 16, storedOnce: 16, lost: 0, duplicated: 0, cut: 0 });
      expect(logOf(home)).not.toContain('capture.unclean_shutdown');
    } finally {
      await slow.close();
    }
  }, 90_000);
});
