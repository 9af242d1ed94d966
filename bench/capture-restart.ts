// The core stopped once in the middle of 40 concurrent streaming conversations of 6 turns each
// through the gateway (each turn resending the whole history, as Claude Code does), then started
// again on the same ports while the clients retry: once with kill -9, once with SIGTERM. Prints
// turns sent, stored once, lost, duplicated and streams cut (a 200 whose stream then broke).
// Run: npm run bench -- capture-restart
import fs from 'node:fs';
import os from 'node:os';
import { startFakeAnthropic, lastUserText } from '../test/fakes/anthropic-api.js';
import {
  driveConversations,
  runtimeOf,
  startServe,
  tally,
  type Serve,
} from '../test/support/capture-restart.js';

const CONVERSATIONS = 40;
const TURNS = 6;
/** The core is stopped as this many replies have reached their clients (of 240). */
const STOP_AFTER = 100;

const fake = await startFakeAnthropic({ chunkDelayMs: 25 });
fake.setScript((body) => ({ text: `Noted: ${lastUserText(body).split(':')[0]} is answered in full.` }));

async function run(signal: 'SIGKILL' | 'SIGTERM') {
  const home = fs.mkdtempSync(`${os.tmpdir()}/mem0-bench-restart-`);
  const env = { MEM0_TRAY_UPSTREAM: fake.url, MEM0_TRAY_USER_ID: 'bench' };
  let current: Serve = startServe(home, env);
  const first = await runtimeOf(home, current.child.pid!);
  const ports = {
    MEM0_TRAY_GATEWAY_PORT: String(first.gatewayPort),
    MEM0_TRAY_PROXY_PORT: String(first.proxyPort),
  };
  let answered = 0;
  let stopMs = 0;
  let restarted: Promise<void> | null = null;
  const t0 = performance.now();
  const records = await driveConversations({
    prefix: `bench-${signal}`,
    conversations: CONVERSATIONS,
    turns: TURNS,
    route: () => 'gateway',
    gatewayPort: first.gatewayPort,
    proxyPort: first.proxyPort,
    caPem: fs.readFileSync(first.caPath, 'utf8'),
    retryForMs: 60_000,
    onAnswered: () => {
      if (++answered !== STOP_AFTER) return;
      const t = performance.now();
      current.child.kill(signal);
      restarted = current.exited.then(async () => {
        stopMs = performance.now() - t;
        current = startServe(home, { ...env, ...ports });
        await runtimeOf(home, current.child.pid!);
      });
    },
  });
  await restarted;
  const total = performance.now() - t0;
  current.child.kill('SIGTERM');
  await current.exited;
  const t = tally(home, records);
  const log = fs.readFileSync(`${home}/logs/mem0-tray.log`, 'utf8');
  const count = (event: string) => log.split('\n').filter((l) => l.includes(`"${event}"`)).length;
  console.log(
    `${signal === 'SIGKILL' ? 'kill -9' : 'SIGTERM'}: turns ${t.sent}, answered ${t.answered}, ` +
      `stored once ${t.storedOnce}, lost ${t.lost}, duplicated ${t.duplicated}, streams cut ${t.cut}; ` +
      `stop took ${Math.round(stopMs)} ms, run ${(total / 1000).toFixed(1)} s; log: ` +
      `unclean_shutdown ${count('capture.unclean_shutdown')}, recovered ${count('capture.recovered')} lines, ` +
      `streams_cut ${count('capture.streams_cut')}`,
  );
  fs.rmSync(home, { recursive: true, force: true });
}

console.log(
  `capture restart benchmark: node ${process.version}, ${os.cpus().length} cores, ` +
    `${CONVERSATIONS} conversations × ${TURNS} turns through the gateway, stopped after ${STOP_AFTER} replies`,
);
await run('SIGKILL');
await run('SIGTERM');
await fake.close();
