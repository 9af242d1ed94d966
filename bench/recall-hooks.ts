// Claude Code's recall hooks against a running headless core (`mem0-tray serve`), connected as a
// user would (`mem0-tray claude-code connect`), with the LoCoMo development conversations stored
// through REST, one user each:
// - latency a prompt adds: the prompt hook's POST as Claude Code makes it (an http hook), and
//   dist/claude-hook.js spawned as Claude Code spawns a command hook (SessionStart; the prompt hook
//   where no token is known), hook input on stdin, from spawn to its output, also with the core
//   stopped;
// - what the prompt hook gives: each question asked by its own conversation's user (does the
//   injection hold an answering utterance?) and by another conversation's user (which should get
//   nothing: every injection there is a false one).
// Run: npm run bench -- recall-hooks      (BENCH_SPAWNS=200 hook runs per measurement)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRuntimeFile } from '../main/core/runtime-file.js';
import { loadConversation, locomoFiles, LOCOMO_DIR, percentile } from '../test/support/locomo.js';

const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 200);
const files = locomoFiles();
if (files.length === 0) {
  console.error(`no LoCoMo conversations in ${LOCOMO_DIR} (set LOCOMO_DIR)`);
  process.exit(2);
}
const cli = path.resolve('bin/mem0-tray.js');
const hookScript = path.resolve('dist/claude-hook.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-hooks-'));
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-hooks-home-'));
const env = {
  ...process.env,
  MEM0_TRAY_HOME: dataDir,
  HOME: home,
  MEM0_TRAY_API_PORT: '0',
  MEM0_TRAY_PROXY_PORT: '0',
  MEM0_TRAY_GATEWAY_PORT: '0',
  MEM0_TRAY_USER_ID: 'bench',
};

const core = spawn(process.execPath, [cli, 'serve'], { env, stdio: 'ignore' });
const runtimeFile = path.join(dataDir, 'runtime.json');
for (let waited = 0; !fs.existsSync(runtimeFile); waited += 20) {
  if (waited > 20_000) throw new Error('the core did not start');
  await new Promise((r) => setTimeout(r, 20));
}
const { apiPort } = readRuntimeFile(runtimeFile)!;
const base = `http://127.0.0.1:${apiPort}`;

/** A token per conversation's user; the hooks' own (claude-code connect) is the first user's. */
const conversations = files.map(loadConversation);
const tokenOf = new Map<string, string>();
for (const conv of conversations) {
  const made = spawnSync(
    process.execPath,
    [cli, 'token', 'create', '--user-id', conv.name, '--name', 'bench', '--email', 'bench@example.com'],
    { env, encoding: 'utf8' },
  );
  const token = /Token: (mcp_\S+)/.exec(made.stdout)?.[1];
  if (!token) throw new Error(`token create failed: ${made.stderr}`);
  tokenOf.set(conv.name, token);
}
const connect = spawnSync(
  process.execPath,
  [cli, 'claude-code', 'connect', '--user-id', conversations[0]!.name],
  {
    env,
    encoding: 'utf8',
  },
);
if (connect.status !== 0) throw new Error(`claude-code connect failed: ${connect.stderr}`);

const post = async (pathname: string, token: string, body: unknown) => {
  const res = await fetch(base + pathname, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};

const utterancesOf = new Map<string, readonly string[]>();
for (const conv of conversations)
  for (const m of conv.memories) {
    const added = (await post('/memories', tokenOf.get(conv.name)!, { text: m.text })) as {
      results: Array<{ id: string }>;
    };
    utterancesOf.set(added.results[0]!.id, m.diaIds);
  }
console.log(
  `recall-hooks benchmark: ${utterancesOf.size} memories of ${conversations.length} users, core on port ${apiPort}, ${os.cpus().length} cores, node ${process.version}`,
);

const cwd = path.join(home, 'work', 'project');
/** One hook run as Claude Code makes it: spawn, input on stdin, wait for its exit. */
function runHook(input: object): Promise<{ ms: number; out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [hookScript, '--data-dir', dataDir], { env: { HOME: home } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, out, code }));
    child.stdin.end(JSON.stringify(input));
  });
}

const first = conversations[0]!;
async function measure(name: string, input: (i: number) => object) {
  const times: number[] = [];
  let injected = 0;
  let failed = 0;
  for (let i = 0; i < SPAWNS; i++) {
    const r = await runHook(input(i));
    times.push(r.ms);
    if (r.out.includes('<mem0-tray-recall>')) injected++;
    if (r.code !== 0) failed++;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (${injected}/${SPAWNS} injected, ${failed} non-zero exits)`,
  );
}
const prompt = (i: number) => ({
  hook_event_name: 'UserPromptSubmit',
  session_id: `latency-${i}`,
  cwd,
  prompt: first.questions[i % first.questions.length]!.question,
});
// Node's own start, for scale.
const bare: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t0);
}
bare.sort((a, b) => a - b);
console.log(
  `${'node -e 0 (the runtime starting, for scale)'.padEnd(44)} p50 ${percentile(bare, 50).toFixed(1)} ms`,
);
// The prompt hook as connect installs it: Claude Code posts to the endpoint itself (an http hook),
// so the endpoint's answer is all a prompt waits for.
const endpoint: number[] = [];
const ownToken = tokenOf.get(first.name)!;
for (let i = 0; i < SPAWNS; i++) {
  const t0 = performance.now();
  await post('/hooks/claude-code', ownToken, { ...prompt(i), session_id: `endpoint-${i}` });
  endpoint.push(performance.now() - t0);
}
endpoint.sort((a, b) => a - b);
console.log(
  `${'UserPromptSubmit http hook (POST, as installed)'.padEnd(44)} p50 ${percentile(endpoint, 50).toFixed(1)} ms, p95 ${percentile(endpoint, 95).toFixed(1)} ms`,
);
await measure('UserPromptSubmit command hook (no token)', prompt);
await measure('SessionStart command hook, core running', (i) => ({
  hook_event_name: 'SessionStart',
  session_id: `brief-${i}`,
  cwd,
  source: 'startup',
}));

// What the prompt hook gives, through the endpoint the hook calls (each question a new session).
let own = 0;
let ownInjected = 0;
let ownAnswered = 0;
let foreign = 0;
let foreignInjected = 0;
let tokensGiven = 0;
for (const [c, conv] of conversations.entries()) {
  const other = conversations[(c + 1) % conversations.length]!;
  for (const [i, q] of conv.questions.entries()) {
    const ask = (user: string, session: string) =>
      post('/hooks/claude-code?output=context', tokenOf.get(user)!, {
        hook_event_name: 'UserPromptSubmit',
        session_id: session,
        cwd,
        prompt: q.question,
      }) as Promise<{ context: string; memory_ids: string[] }>;
    const mine = await ask(conv.name, `own-${c}-${i}`);
    own++;
    if (mine.memory_ids.length > 0) {
      ownInjected++;
      tokensGiven += Math.ceil(mine.context.length / 3);
      const given = new Set(mine.memory_ids.flatMap((id) => utterancesOf.get(id) ?? []));
      if (q.evidence.some((e) => given.has(e))) ownAnswered++;
    }
    const theirs = await ask(other.name, `foreign-${c}-${i}`);
    foreign++;
    if (theirs.memory_ids.length > 0) foreignInjected++;
  }
}
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
console.log(
  `prompt hook, questions asked by their own user: ${pct(ownInjected, own)} got memories, ${pct(ownAnswered, own)} got an answering one (${ownAnswered}/${own}); ~${Math.round(tokensGiven / Math.max(1, ownInjected))} tokens per injection`,
);
console.log(
  `prompt hook, questions asked by another conversation's user (nothing relevant): ${pct(foreignInjected, foreign)} got memories (${foreignInjected}/${foreign})`,
);

core.kill('SIGTERM');
await new Promise((r) => core.on('exit', r));
await measure('command hook, core stopped', prompt);
fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(home, { recursive: true, force: true });
