// The Mem0 path end to end: a real Claude Code session through the gateway with
// backend=mem0-platform (the API key from MEM0_API_KEY); each real turn reaches the Mem0 Platform
// (the fake, driven by the unmodified mem0ai SDK) once, also when Mem0 is down for a while in the
// middle, and is listed, searched and deleted through the same MemoryService as local memories.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/anthropic-api.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { coreEnv } from '../../support/core-env.js';
import { tempDir } from '../../support/tmp.js';

let anthropic: FakeAnthropic;
let mem0: FakeMem0Platform;
let core: Core;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  mem0 = await new FakeMem0Platform({ processingMs: 5 }).start();
  core = await Core.start({
    env: coreEnv({
      MEM0_TRAY_USER_ID: 'dana',
      MEM0_TRAY_UPSTREAM: anthropic.url,
      MEM0_TRAY_BACKEND: 'mem0-platform',
      MEM0_TRAY_MEM0_HOST: mem0.url,
      MEM0_API_KEY: mem0.apiKey,
    }),
    log: silentLogger,
    features: [captureFeature],
  });
});

afterAll(async () => {
  await core?.stop();
  await anthropic?.close();
  await mem0?.stop();
});

async function delivered(): Promise<void> {
  const capture = core.feature('capture')!;
  const deadline = Date.now() + 30_000;
  do {
    await capture.pipeline.idle();
    const { pending, inFlight } = capture.pipeline.status().outbox;
    if (pending === 0 && inFlight === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  throw new Error('outbox did not drain');
}

it.runIf(claudeAvailable())(
  "a Claude Code session's turns arrive in Mem0 once each, across an outage, and are listed, searched and deleted",
  { timeout: 120_000 },
  async () => {
    const project = path.join(tempDir('proj-'), 'infra');
    fs.mkdirSync(project);
    const env = claudeEnv({ ANTHROPIC_BASE_URL: `http://127.0.0.1:${core.runtime.gatewayPort}` });
    anthropic.setScript(() => ({ text: 'Terraform state is in the S3 bucket tf-state-prod.' }));
    const first = await runClaude(['-p', 'where is our terraform state kept?'], { cwd: project, env });
    expect(first.stdout).toContain('tf-state-prod');
    await delivered();

    // Mem0 goes down; the next turn waits in the outbox and arrives once it is back.
    await mem0.stop();
    anthropic.setScript(() => ({ text: 'Staging deploys run from the deploy-staging GitHub workflow.' }));
    const second = await runClaude(['-p', 'how do staging deploys run?', '--continue'], {
      cwd: project,
      env,
    });
    expect(second.stdout).toContain('deploy-staging');
    await core.feature('capture')!.pipeline.idle();
    expect(core.feature('capture')!.pipeline.status().outbox.pending).toBeGreaterThan(0);
    await mem0.start();
    await delivered();

    const adds = mem0.requests.filter((r) => r.method === 'POST' && r.path.includes('/memories/add/'));
    const userTurns = adds.map((r) => JSON.stringify(r.body)).filter((b) => b.includes('"user_id":"dana"'));
    expect(userTurns.filter((b) => b.includes('terraform state kept'))).toHaveLength(1);
    expect(userTurns.filter((b) => b.includes('staging deploys'))).toHaveLength(1);

    const dana = { userId: 'dana', via: 'cli' as const };
    const listed = await core.memories.list(dana, {}, { limit: 50 });
    expect(listed.items.length).toBe(2);
    const hits = await core.memories.search(dana, 'terraform');
    expect(hits.length).toBeGreaterThan(0);
    await core.memories.delete(dana, hits[0]!.memory.id);
    expect((await core.memories.list(dana, {}, { limit: 50 })).items.length).toBe(1);
  },
);
