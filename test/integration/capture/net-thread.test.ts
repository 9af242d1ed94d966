// The capture network thread seen from the core: exchanges come back as Buffers, counters are read
// without asking, and a thread that dies is started again on the same ports, so terminals already
// pointed at them keep working.
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AcceptedRequest } from '../../../main/core/capture/exchange.js';
import { afterEach, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../main/core/config/paths.js';
import { loadOrCreateCa } from '../../../main/core/certs/ca.js';
import type { CapturedExchange } from '../../../main/core/capture/exchange.js';
import { silentLogger } from '../../../main/core/log.js';
import {
  startCaptureNetwork,
  type CaptureNetwork,
  type CaptureNetworkOptions,
} from '../../../main/core/capture/net/net-thread.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/anthropic-api.js';
import { loggedEvents, recordingLogger } from '../../support/recording-logger.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(workerUrl?: URL, accept?: CaptureNetworkOptions['accept']) {
  const fake: FakeAnthropic = await startFakeAnthropic();
  open.push(fake);
  fake.setScript(() => ({ text: 'Use the staging database for tests.' }));
  const ca = await loadOrCreateCa(dataPaths(tempDir()), ['api.anthropic.com'], silentLogger);
  const seen: CapturedExchange[] = [];
  const logs: string[] = [];
  const net: CaptureNetwork = await startCaptureNetwork({
    gatewayPort: 0,
    proxyPort: 0,
    clientHost: 'api.anthropic.com',
    interceptHosts: ['api.anthropic.com'],
    ca,
    upstream: { upstream: fake.url },
    capturing: true,
    sink: (ex) => seen.push(ex),
    accept,
    log: recordingLogger(logs),
    restartDelayMs: 50,
    workerUrl,
  });
  open.push(net);
  return { net, seen, logs };
}

async function ask(port: number): Promise<number> {
  return (await askFor(port)).status;
}

async function askFor(port: number, question = 'which database?'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
    body: JSON.stringify({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: question }],
    }),
  });
  return { status: res.status, text: await res.text() };
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });

describe('capture network thread', () => {
  it('hands exchanges back as Buffers and counts in memory the core reads directly', async () => {
    const { net, seen } = await setup();
    expect(await ask(net.gatewayPort)).toBe(200);
    await until(() => seen.length === 1, 'the exchange');
    expect(Buffer.isBuffer(seen[0]!.requestBody)).toBe(true);
    expect(JSON.parse(seen[0]!.requestBody.toString()).messages[0].content).toBe('which database?');
    expect(seen[0]!.responseBody.toString()).toContain('staging database');
    expect(net.stats().gateway).toMatchObject({ requests: 1, tapped: 1, port: net.gatewayPort });
    expect(net.stats().proxy).toMatchObject({ requests: 0, port: net.proxyPort() });

    // Paused: forwarded, not copied.
    net.setCapturing(false);
    expect(await ask(net.gatewayPort)).toBe(200);
    expect(net.stats().gateway).toMatchObject({ requests: 2, tapped: 1 });
    net.setCapturing(true);
    expect(await ask(net.gatewayPort)).toBe(200);
    await until(() => seen.length === 2, 'the exchange after resuming');

    await net.stopProxy();
    expect(net.proxyPort()).toBeNull();
    expect(net.stats().proxy).toBeNull();
  });

  it('hands over a burst of exchanges (sent together) each once, with its own bodies', async () => {
    const { net, seen } = await setup();
    const questions = Array.from({ length: 40 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(questions.map((q) => askFor(net.gatewayPort, q)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await until(() => seen.length === questions.length, 'every exchange');
    const asked = seen.map((ex) => JSON.parse(ex.requestBody.toString()).messages[0].content as string);
    expect(asked.sort()).toEqual([...questions].sort());
    expect(seen.every((ex) => Buffer.isBuffer(ex.responseBody) && ex.responseBody.includes('staging'))).toBe(
      true,
    );
    expect(net.stats().gateway).toMatchObject({ tapped: questions.length, tapErrors: 0 });
  });

  it('starts a thread that died again on the same ports, and capture goes on', async () => {
    const crashing = new URL('../../fixtures/capture/net-worker-crashes-once.mjs', import.meta.url);
    const { net, seen, logs } = await setup(crashing);
    const ports = { gateway: net.gatewayPort, proxy: net.proxyPort() };
    await until(() => net.stats().restarts === 1, 'the restart');
    expect({ gateway: net.gatewayPort, proxy: net.proxyPort() }).toEqual(ports);
    expect(loggedEvents(logs).includes('capture.network_thread_exited')).toBe(true);
    expect(loggedEvents(logs).includes('capture.network_thread_restarted')).toBe(true);

    expect(await ask(ports.gateway)).toBe(200);
    await until(() => seen.length === 1, 'the exchange after the restart');
  });

  it('applies a change made while the thread is down to the thread that replaces it', async () => {
    const crashing = new URL('../../fixtures/capture/net-worker-crashes-once.mjs', import.meta.url);
    const { net: network, logs } = await setup(crashing);
    const other: FakeAnthropic = await startFakeAnthropic();
    open.push(other);
    other.setScript(() => ({ text: 'Answered by the new upstream.' }));
    await until(() => loggedEvents(logs).includes('capture.network_thread_exited'), 'the crash');
    await network.setUpstream({ upstream: other.url });
    await until(() => network.stats().restarts === 1, 'the restart');
    expect((await askFor(network.gatewayPort)).text).toContain('Answered by the new upstream.');
  });

  it('closed while a replacement thread starts, leaves no thread holding the ports', async () => {
    const crashing = new URL('../../fixtures/capture/net-worker-crashes-once.mjs', import.meta.url);
    const { net: network, logs } = await setup(crashing);
    const port = network.gatewayPort;
    await until(() => loggedEvents(logs).includes('capture.network_thread_exited'), 'the crash');
    await new Promise((r) => setTimeout(r, 60)); // the replacement is being started (restart delay 50 ms)
    await network.close();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(network.stats().restarts).toBe(0);
    expect(await refused(port)).toBe(true);
  });

  it('hands over accepted requests on demand while the core is busy, and ends the reply once recorded', async () => {
    const accepted: Array<{ request: AcceptedRequest; recorded: () => void }> = [];
    const { net } = await setup(undefined, (requests, recorded) =>
      accepted.push(...requests.map((request) => ({ request, recorded }))),
    );
    // A client in another process, so it runs while this thread is busy.
    const client = spawn(
      process.execPath,
      [
        '-e',
        `fetch('http://127.0.0.1:${net.gatewayPort}/v1/messages', { method: 'POST',
           headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
           body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'busy?' }] }) })
         .then((r) => r.text()).then((t) => process.stdout.write(t))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let reply = '';
    client.stdout!.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    const exited = new Promise((resolve) => client.on('exit', resolve));
    // Busy, as the core is in a long batch: no turn of the event loop until the request is drawn.
    const until = Date.now() + 10_000;
    while (accepted.length === 0 && Date.now() < until) net.deliverWaitingAccepts();
    expect(accepted.map((a) => JSON.parse(a.request.requestBody.toString()).messages[0].content)).toEqual([
      'busy?',
    ]);
    expect(Buffer.isBuffer(accepted[0]!.request.requestBody)).toBe(true);
    accepted[0]!.recorded();
    await exited;
    expect(reply).toContain('staging database');
    expect(net.stats().gateway.unconfirmed).toBe(0);
  });
});
