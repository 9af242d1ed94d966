// Drives Claude-Code-like conversations through a running `mem0-tray serve` (gateway or proxy),
// each turn resending the whole history as Claude Code does (session id in metadata.user_id, the
// working directory in a system message), streaming, and retrying a failed turn as a client would.
// Used by the capture restart test and bench/capture-restart.ts, which stop the core in the middle.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { openDatabase } from '../../main/core/db/database.js';
import { CLI, cliEnv } from './cli.js';

export type Route = 'gateway' | 'proxy';

export interface TurnRecord {
  conversation: string;
  turn: number;
  user: string;
  /** The reply reached the client in full (message_stop seen). */
  answered: boolean;
  /** Attempts that got a 200 and a stream that then broke before its end. */
  cut: number;
  attempts: number;
  /** Milliseconds since the epoch when the full reply arrived. */
  answeredAt: number;
}

export interface Serve {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
}

export function startServe(home: string, extra: Record<string, string>): Serve {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: cliEnv(home, extra) });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

export interface Runtime {
  pid: number;
  gatewayPort: number;
  proxyPort: number;
  caPath: string;
}

/** runtime.json of the core with this pid, once it is written. */
export async function runtimeOf(home: string, pid: number, timeoutMs = 20_000): Promise<Runtime> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(home, 'runtime.json'), 'utf8')) as Runtime;
      if (r.pid === pid) return r;
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error('serve did not write runtime.json');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface DriveOptions {
  route: (conversation: number) => Route;
  conversations: number;
  turns: number;
  /** Prefix of session ids (and of what the user types). */
  prefix: string;
  gatewayPort: number;
  proxyPort: number;
  caPem: string;
  /** Called as each turn's reply completes (synchronously: a test may kill the core right there). */
  onAnswered?: (t: TurnRecord) => void;
  /** Give up a turn after retrying this long. */
  retryForMs?: number;
  /** Conversation c's turns start at this number (to continue a conversation driven before). */
  firstTurn?: (conversation: number) => number;
  /** History already exchanged (to continue a conversation driven before). */
  history?: Map<string, Array<{ role: string; content: string }>>;
}

const cwdOf = (conversation: string) => `/home/dev/projects/${conversation}`;

function body(session: string, messages: Array<{ role: string; content: string }>) {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    stream: true,
    system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
    metadata: { user_id: JSON.stringify({ device_id: 'd', account_uuid: '', session_id: session }) },
    messages: [
      ...messages.slice(0, 1),
      {
        role: 'system',
        content: `# Environment\n - Primary working directory: ${cwdOf(session)}\n - Platform: linux`,
      },
      ...messages.slice(1),
    ],
  };
}

/** The text of an SSE reply and whether it reached message_stop. */
function readSse(raw: string): { text: string; complete: boolean } {
  let text = '';
  let complete = false;
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data:')) continue;
    try {
      const data = JSON.parse(line.slice(5)) as { type?: string; delta?: { type?: string; text?: string } };
      if (data.type === 'content_block_delta' && data.delta?.type === 'text_delta') text += data.delta.text;
      if (data.type === 'message_stop') complete = true;
    } catch {
      // a line cut in half
    }
  }
  return { text, complete };
}

/**
 * Runs the conversations concurrently, each turn after the previous one's full reply; returns a
 * record per turn. A failed turn (refused, reset, 5xx, a stream that broke) is retried.
 */
export async function driveConversations(options: DriveOptions): Promise<TurnRecord[]> {
  const gateway = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const proxy = new ProxyAgent({
    uri: `http://127.0.0.1:${options.proxyPort}`,
    requestTls: { ca: options.caPem },
  });
  const records: TurnRecord[] = [];
  const retryFor = options.retryForMs ?? 30_000;
  try {
    await Promise.all(
      Array.from({ length: options.conversations }, async (_, c) => {
        const session = `${options.prefix}-${c}`;
        const route = options.route(c);
        const history = options.history?.get(session) ?? [];
        const first = options.firstTurn?.(c) ?? 1;
        for (let n = first; n < first + options.turns; n++) {
          const user = `${session} turn ${n}: what about step ${n}?`;
          const rec: TurnRecord = {
            conversation: session,
            turn: n,
            user,
            answered: false,
            cut: 0,
            attempts: 0,
            answeredAt: 0,
          };
          records.push(rec);
          const messages = [...history, { role: 'user', content: user }];
          const payload = JSON.stringify(body(session, messages));
          const deadline = Date.now() + retryFor;
          let answer = '';
          while (!rec.answered && Date.now() < deadline) {
            rec.attempts++;
            const dispatcher: Dispatcher = route === 'gateway' ? gateway : proxy;
            const url =
              route === 'gateway'
                ? `http://127.0.0.1:${options.gatewayPort}/v1/messages`
                : 'https://api.anthropic.com/v1/messages';
            let started = false;
            try {
              const res = await request(url, {
                method: 'POST',
                dispatcher,
                headers: {
                  'content-type': 'application/json',
                  'x-api-key': 'test',
                  'anthropic-version': '2023-06-01',
                },
                body: payload,
              });
              if (res.statusCode !== 200) {
                await res.body.dump();
                throw new Error(`status ${res.statusCode}`);
              }
              started = true;
              const { text, complete } = readSse(await res.body.text());
              if (!complete) throw new Error('the stream ended early');
              answer = text;
              rec.answered = true;
              rec.answeredAt = Date.now();
              options.onAnswered?.(rec);
            } catch {
              if (started) rec.cut++;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
          if (!rec.answered) return;
          history.push({ role: 'user', content: user }, { role: 'assistant', content: answer });
          options.history?.set(session, history);
        }
      }),
    );
  } finally {
    await Promise.all([gateway.close(), proxy.close()]);
  }
  return records;
}

/** How many memories hold each turn's words (read from the database file, read-only). */
export function storedCounts(home: string, records: readonly TurnRecord[]): Map<TurnRecord, number> {
  const db = openDatabase(path.join(home, 'mem0-tray.db'), { readonly: true });
  try {
    const texts = (db.prepare('SELECT text FROM memories').all() as Array<{ text: string }>).map(
      (r) => r.text,
    );
    // A turn's words end with "?": "…turn 1: …?" is not a prefix of "…turn 11: …?".
    return new Map(records.map((r) => [r, texts.filter((t) => t.includes(r.user)).length]));
  } finally {
    db.close();
  }
}

export interface Tally {
  sent: number;
  answered: number;
  storedOnce: number;
  lost: number;
  duplicated: number;
  cut: number;
}

export function tally(home: string, records: readonly TurnRecord[]): Tally {
  const counts = storedCounts(home, records);
  const answered = records.filter((r) => r.answered);
  return {
    sent: records.length,
    answered: answered.length,
    storedOnce: answered.filter((r) => counts.get(r) === 1).length,
    lost: answered.filter((r) => counts.get(r) === 0).length,
    duplicated: records.filter((r) => (counts.get(r) ?? 0) > 1).length,
    cut: records.reduce((n, r) => n + r.cut, 0),
  };
}
