// Recall without asking, with the real Claude Code CLI: its SessionStart and UserPromptSubmit hooks
// (installed by connectClaudeCode, running dist/claude-hook.js) bring a fact told in one session
// into the next session of the same project, through each capture route, to a fake
// api.anthropic.com whose received requests are the truth. The fact stays out of other projects,
// is not stored again, obeys recall.enabled and #nomem, and a session works with the core stopped.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { connectClaudeCode, disconnectClaudeCode } from '../../../main/core/claude-clients/claude-code.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { frontDoors } from '../../support/front-doors.js';
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../../fakes/anthropic-upstream.js';
import { capturedMemories } from '../../support/captured.js';
import { captureRoutes, claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { coreEnv } from '../../support/core-env.js';
import { tempDir } from '../../support/tmp.js';

const FACT = 'the zanzibar deploy key rotates every tuesday at noon';
const canRun = claudeAvailable();

let fake: FakeAnthropicUpstream;
let core: Core;
let home: string;
let dataDir: string;

beforeAll(async () => {
  if (!canRun) return;
  fake = await startFakeAnthropicUpstream({ tls: true });
  dataDir = tempDir('mem0-tray-recall-');
  core = await Core.start({
    env: coreEnv(
      { MEM0_TRAY_USER_ID: 'dev', MEM0_TRAY_UPSTREAM: fake.url, MEM0_TRAY_UPSTREAM_CA: fake.pki!.caFile },
      dataDir,
    ),
    log: silentLogger,
    features: [captureFeature, ...frontDoors()],
  });
  home = tempDir('claude-home-');
  connectClaudeCode(
    {
      tokens: core.feature('access')!.tokens,
      tokenFile: core.paths.claudeCodeToken,
      env: { HOME: home },
    },
    {
      userId: 'dev',
      apiPort: core.runtime.apiPort,
      launch: { execPath: process.execPath, script: path.resolve('dist/claude-hook.js'), dataDir },
    },
  );
});

afterAll(async () => {
  await core?.stop();
  await fake?.close();
});

const routes = {
  gateway: () => captureRoutes(core).gateway(),
  proxy: () => captureRoutes(core).proxy(),
};

/** Runs one `claude -p` session and returns the bodies of the Messages calls it made. */
async function session(route: keyof typeof routes, cwd: string, prompt: string): Promise<string[]> {
  const before = fake.messages().length;
  const run = await runClaude(['-p', prompt], { cwd, env: claudeEnv(routes[route](), home) });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('Hello from the fake Anthropic API.');
  return fake
    .messages()
    .slice(before)
    .map((r) => JSON.stringify(r.body));
}

/** The Messages call of the session's prompt (not a background call such as its title). */
const promptCall = (bodies: string[], prompt: string) =>
  bodies.filter((b) => b.includes(prompt)).at(-1) ?? '';

describe.skipIf(!canRun).each(Object.keys(routes) as Array<keyof typeof routes>)(
  'Claude Code recall through the %s',
  (route) => {
    it(
      'brings a fact into the next session of its project, not into another, never stores it twice, obeys the switches',
      { timeout: 180_000 },
      async () => {
        const projectA = path.join(tempDir('proj-'), `billing-${route}`);
        const projectB = path.join(tempDir('proj-'), `frontend-${route}`);
        fs.mkdirSync(projectA, { recursive: true });
        fs.mkdirSync(projectB, { recursive: true });
        const fact = `${FACT} (${route})`;
        const withFact = async (atLeast: number) =>
          (await capturedMemories(core, 'dev', atLeast)).filter((m) => m.text.includes(fact));
        const before = (await capturedMemories(core, 'dev')).length;
        await session(route, projectA, `Remember this: ${fact}.`);
        const [told] = await withFact(before + 1);
        expect(told).toBeDefined();

        // A new session in the same project: the brief at its start carries the fact, so the
        // prompt hook does not give it again.
        const question = 'When does the zanzibar deploy key rotate?';
        const again = promptCall(await session(route, projectA, question), question);
        expect(again).toContain('SessionStart:startup hook success: <mem0-tray-recall>');
        expect(again).toContain(fact);
        expect(again).not.toContain('UserPromptSubmit hook additional context: <mem0-tray-recall>');

        // With no room for a brief, the prompt hook brings it.
        await core.updateSettings({ recall: { sessionTokens: 0 } });
        try {
          const asked = promptCall(await session(route, projectA, question), question);
          expect(asked).not.toContain('SessionStart:startup hook success: <mem0-tray-recall>');
          expect(asked).toContain('UserPromptSubmit hook additional context: <mem0-tray-recall>');
          expect(asked).toContain(fact);
          // #nomem: nothing from the prompt hook.
          const nomem = `${question} #nomem`;
          const quiet = promptCall(await session(route, projectA, nomem), nomem);
          expect(quiet).not.toContain('<mem0-tray-recall>');
        } finally {
          await core.updateSettings({ recall: { sessionTokens: 800 } });
        }

        // Another project gets nothing of it.
        const elsewhere = promptCall(await session(route, projectB, question), question);
        expect(elsewhere).not.toContain(fact);

        // recall.enabled off: nothing at all.
        await core.updateSettings({ recall: { enabled: false } });
        try {
          const off = promptCall(await session(route, projectA, question), question);
          expect(off).not.toContain(fact);
          expect(off).not.toContain('<mem0-tray-recall>');
        } finally {
          await core.updateSettings({ recall: { enabled: true } });
        }

        // Never stored again, nor the tag: the later sessions' turns are memories without the fact.
        const all = await capturedMemories(core, 'dev', before + 6);
        expect(all.filter((m) => m.text.includes(fact))).toEqual([told]);
        expect(all.some((m) => m.text.includes('mem0-tray-recall'))).toBe(false);

        // Each injection is in the audit log with the ids handed out.
        core.feature('access')!.auditLog.flush();
        const recalls = core.feature('access')!.audit({ action: 'recall' }).entries;
        expect(recalls.some((e) => e.memoryIds.includes(told!.id))).toBe(true);
        expect(core.feature('recall')!.lastRecall()).toMatchObject({ userId: 'dev' });
      },
    );
  },
);

describe.skipIf(!canRun)('Claude Code recall when the core is down', () => {
  it('still runs the session: the hooks print nothing and exit 0', { timeout: 60_000 }, async () => {
    const project = path.join(tempDir('proj-'), 'billing-down');
    fs.mkdirSync(project, { recursive: true });
    await core.stop();
    // Straight to the fake upstream: nothing of Mem0 Tray is running.
    const run = await runClaude(['-p', 'Are you there?'], {
      cwd: project,
      env: claudeEnv({ ANTHROPIC_BASE_URL: fake.url, NODE_EXTRA_CA_CERTS: fake.pki!.caFile }, home),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Hello from the fake Anthropic API.');
    const body = JSON.stringify(fake.messages().at(-1)!.body);
    expect(body).toContain('Are you there?');
    expect(body).not.toContain('<mem0-tray-recall>');
    const result = disconnectClaudeCode(
      {
        tokens: { findByValue: () => null } as never,
        tokenFile: path.join(dataDir, 'claude-code-token.json'),
        env: { HOME: home },
      },
      { dataDir },
    );
    expect(result.hooksRemoved).toBe(true);
    expect(fs.existsSync(path.join(home, '.claude', 'settings.json'))).toBe(false);
  });
});
