// What Claude Code runs for its SessionStart and UserPromptSubmit hooks (installed by
// `mem0-tray claude-code hooks install`): reads the hook input on stdin, asks the running core for
// what to inject (POST /hooks/claude-code, with the token of mem0-tray claude-code connect) and
// prints it; Claude Code adds what a hook prints to the session's context. It fails open: the core
// down, no token, a slow answer, bad input — each prints nothing and exits 0, well within the
// hook's timeout. A bundle of its own (dist/claude-hook.js) with nothing but Node's built-ins, so
// each prompt pays for a Node start and one local request, not for loading the CLI.
import fs from 'node:fs';
import http from 'node:http';
import { dataPaths, resolveDataDir } from './core/config/paths.js';
import { HOOK_PATH, SCRIPT_OUTPUT } from './core/recall/hook-route-path.js';
import { runningCore } from './core/runtime-file.js';

/** Everything (stdin, request, answer) within this, whatever the hook's own timeout says. */
const DEADLINE_MS = 2500;
const MAX_INPUT = 1_000_000;

function dataDirFromArgs(argv: readonly string[]): string {
  const i = argv.indexOf('--data-dir');
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : resolveDataDir();
}

async function readStdin(signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin.iterator({ destroyOnReturn: true })) {
    if (signal.aborted) break;
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT) throw new Error('hook input too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<string> {
  const signal = AbortSignal.timeout(DEADLINE_MS);
  const paths = dataPaths(dataDirFromArgs(process.argv));
  const core = runningCore(paths.runtime);
  if (!core) return '';
  const { token } = JSON.parse(fs.readFileSync(paths.claudeCodeToken, 'utf8')) as { token?: string };
  if (!token) return '';
  const input = await readStdin(signal);
  return post(core.apiPort, token, input, signal);
}

/** node:http, not fetch: fetch loads undici, a large part of a hook's start. */
function post(port: number, token: string, body: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `${HOOK_PATH}?output=${SCRIPT_OUTPUT}`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve('');
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { context?: unknown };
            resolve(typeof answer.context === 'string' ? answer.context : '');
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const timer = setTimeout(() => process.exit(0), DEADLINE_MS + 200);
main()
  .then((context) => {
    if (context) process.stdout.write(`${context}\n`);
  })
  .catch(() => {
    // Fail open: a hook that fails must not break or slow the session.
  })
  .finally(() => {
    clearTimeout(timer);
    process.exitCode = 0;
  });
