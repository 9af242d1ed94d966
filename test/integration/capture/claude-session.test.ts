// A real Claude Code session through each capture route, into a running core with the local store:
// the gateway (ANTHROPIC_BASE_URL) and the interception proxy (HTTPS_PROXY + our CA), both sending
// to a fake api.anthropic.com over TLS through the upstream override. Each real turn becomes one
// memory with its project, nothing private, across --continue and a tool loop.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import {
  hasToolResult,
  lastUserText,
  startFakeAnthropicUpstream,
  type FakeAnthropicUpstream,
} from '../../fakes/anthropic-upstream.js';
import { captureRoutes, claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { capturedMemories } from '../../support/captured.js';
import { coreEnv } from '../../support/core-env.js';
import { tempDir } from '../../support/tmp.js';

let fake: FakeAnthropicUpstream;
let core: Core;

const memories = (atLeast = 0) => capturedMemories(core, 'dev', atLeast);

beforeAll(async () => {
  fake = await startFakeAnthropicUpstream({ tls: true, compress: true });
  core = await Core.start({
    env: coreEnv({
      MEM0_TRAY_USER_ID: 'dev',
      MEM0_TRAY_UPSTREAM: fake.url,
      MEM0_TRAY_UPSTREAM_CA: fake.pki!.caFile,
    }),
    log: silentLogger,
    features: [captureFeature],
  });
});

afterAll(async () => {
  await core?.stop();
  await fake?.close();
});

const routes = {
  gateway: () => captureRoutes(core).gateway(),
  proxy: () => captureRoutes(core).proxy(),
};

describe.each(Object.keys(routes) as Array<keyof typeof routes>)(
  'a real Claude Code session through the %s',
  (route) => {
    it.runIf(claudeAvailable())(
      'stores each real turn once, with the project, nothing private, across --continue and a tool loop',
      { timeout: 120_000 },
      async () => {
        const project = path.join(tempDir('proj-'), `shop-api-${route}`);
        fs.mkdirSync(project);
        const env = claudeEnv(routes[route]());
        fake.setScript((body) => {
          const said = lastUserText(body);
          if (hasToolResult(body)) return { text: 'The repository has one file, README.md.' };
          if (said.includes('list the files'))
            return { toolUse: { name: 'Bash', input: { command: 'ls', description: 'List files' } } };
          if (said.includes('favourite editor')) return { text: 'Noted: your favourite editor is Helix.' };
          return { text: 'OK.' };
        });
        const before = (await memories()).length;
        const first = await runClaude(
          ['-p', 'remember that my favourite editor is helix <private>my bank pin is 1234</private>'],
          { cwd: project, env },
        );
        expect(first.stdout).toContain('Noted: your favourite editor is Helix.');
        fs.writeFileSync(path.join(project, 'README.md'), '# shop');
        const second = await runClaude(
          ['-p', 'please list the files here', '--continue', '--allowedTools', 'Bash'],
          { cwd: project, env },
        );
        expect(second.stdout).toContain('The repository has one file, README.md.');

        const all = await memories(before + 2);
        const mine = all.slice(0, all.length - before);
        expect(mine).toHaveLength(2);
        const [toolTurn, editorTurn] = mine;
        expect(mine.every((m) => m.source === route)).toBe(true);
        expect(editorTurn!.text).toContain('favourite editor is helix');
        expect(editorTurn!.text).not.toContain('1234');
        expect(editorTurn!.text).not.toContain('system-reminder');
        expect(toolTurn!.text).toContain('please list the files here');
        expect(toolTurn!.text).toContain('The repository has one file, README.md.');
        expect(toolTurn!.metadata).toMatchObject({ tools: ['Bash'] });
        expect(editorTurn!.projectId).toMatch(new RegExp(`^shop-api-${route}-`));
        expect(toolTurn!.projectId).toBe(editorTurn!.projectId);
        expect(toolTurn!.conversationId).toBe(editorTurn!.conversationId);
      },
    );
  },
);
