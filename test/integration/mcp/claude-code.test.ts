// The real Claude Code CLI using our HTTP MCP server with a token, driven by a fake Anthropic
// upstream: the "model" first asks for mcp__mem0-tray__search_memories, and the next request must
// carry the tool result with the memory's text — the memory reached the model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeAddCommand } from '../../../main/core/claude-clients/claude-code.js';
import {
  hasToolResult,
  startFakeAnthropic,
  type FakeAnthropic,
  type MessagesBody,
} from '../../fakes/anthropic-api.js';
import { claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { tempDir } from '../../support/tmp.js';
import { startMcpCore, type McpTestCore } from './harness.js';

const TOOL = 'mcp__mem0-tray__search_memories';
const MEMORY = 'The staging database password rotates every 30 days via vault';
const canRun = claudeAvailable();
if (!canRun && process.env.CI === 'true') throw new Error('Claude Code CLI missing in CI');

function toolResultText(body: MessagesBody): string {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  const blocks = Array.isArray(last?.content) ? (last.content as Array<Record<string, unknown>>) : [];
  return blocks
    .filter((b) => b.type === 'tool_result')
    .map((b) => (typeof b.content === 'string' ? b.content : JSON.stringify(b.content)))
    .join('\n');
}

function offersTool(body: MessagesBody): boolean {
  return (body.tools ?? []).some((t) => (t as { name?: string }).name === TOOL);
}

describe.skipIf(!canRun)('real Claude Code CLI with the HTTP MCP server', () => {
  let core: McpTestCore;
  let fake: FakeAnthropic;
  beforeAll(async () => {
    core = await startMcpCore();
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
    await core.stop();
  });

  it('calls search_memories and the memory text reaches the model', async () => {
    const { token, id: tokenId } = core.token({ userId: 'alice', name: 'Claude Code' });
    const other = core.token({ userId: 'bob' });
    await core.request('POST', '/memories', { token, body: { text: MEMORY } });
    await core.request('POST', '/memories', {
      token: other.token,
      body: { text: 'Bob: the staging password is hunter2' },
    });
    fake.setScript((body) => {
      if (!offersTool(body)) return { text: 'ok' };
      if (hasToolResult(body)) return { text: 'Done: the password rotates monthly.' };
      return { toolUse: { name: TOOL, input: { query: 'staging password' } } };
    });

    const config = {
      mcpServers: {
        'mem0-tray': {
          type: 'http',
          url: `${core.baseUrl}/mcp`,
          headers: { Authorization: `Bearer ${token}` },
        },
      },
    };
    const run = await runClaude(
      [
        '-p',
        'How often does the staging password rotate? Check my memories.',
        '--mcp-config',
        JSON.stringify(config),
        '--strict-mcp-config',
        '--allowedTools',
        TOOL,
        '--max-turns',
        '3',
      ],
      {
        cwd: tempDir('claude-cwd-'),
        env: claudeEnv({
          ANTHROPIC_BASE_URL: fake.url,
          CLAUDE_CODE_MAX_RETRIES: '0',
          ANTHROPIC_API_KEY: 'test',
          // Load MCP tool schemas up front (no ToolSearch round trip), so the fake can call ours at once.
          ENABLE_TOOL_SEARCH: 'false',
        }),
        timeoutMs: 90_000,
      },
    );
    const withTool = fake
      .messages()
      .map((r) => r.body as MessagesBody)
      .filter(offersTool);
    expect(withTool.length, `claude stderr: ${run.stderr}\nstdout: ${run.stdout}`).toBeGreaterThanOrEqual(2);
    const followUp = withTool.find(hasToolResult);
    expect(followUp, 'a request carrying the tool result').toBeDefined();
    const result = toolResultText(followUp!);
    expect(result).toContain(MEMORY);
    expect(result).not.toContain('hunter2');
    expect(run.stdout).toContain('rotates monthly');

    const search = core.access.audit({ userId: 'alice', kind: 'access', action: 'search', limit: 1 })
      .entries[0];
    expect(search).toMatchObject({ via: 'mcp', tokenId, outcome: 'ok', count: 1 });
    const auth = core.access.audit({ tokenId, kind: 'auth', limit: 1 }).entries[0];
    expect(auth?.userAgent ?? '').not.toBe('');
  }, 120_000);

  it('prints a claude mcp add command that Claude Code accepts', async () => {
    const home = tempDir('claude-home-');
    const { token } = core.token({ userId: 'alice' });
    const command = claudeCodeAddCommand(core.port, token);
    expect(command).toBe(
      `claude mcp add --transport http mem0-tray http://127.0.0.1:${core.port}/mcp --header "Authorization: Bearer ${token}"`,
    );
    // Split like a shell would (the only quoted part is the header).
    const args = command
      .replace(/^claude /, '')
      .match(/"[^"]*"|\S+/g)!
      .map((a) => a.replace(/^"|"$/g, ''));
    const cwd = tempDir('claude-cwd-');
    const added = await runClaude(args, { cwd, env: claudeEnv({}, home), timeoutMs: 30_000 });
    expect(added.code, added.stderr).toBe(0);
    const listed = await runClaude(['mcp', 'get', 'mem0-tray'], {
      cwd,
      env: claudeEnv({}, home),
      timeoutMs: 30_000,
    });
    expect(listed.stdout).toContain(`http://127.0.0.1:${core.port}/mcp`);
    expect(listed.stdout).toMatch(/Connected|✓/);
  }, 60_000);
});
