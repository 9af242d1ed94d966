// Installing and removing the recall hooks in Claude Code's settings: every other hook and key kept,
// and uninstall gives back the very bytes the file had (or no file) when nothing else changed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claudeSettingsPath,
  hookCommand,
  hooksStatus,
  installHooks,
  uninstallHooks,
} from '../../../main/core/claude-clients/claude-code-hooks.js';
import { tempDir } from '../../support/tmp.js';

const setup = () => {
  const home = tempDir('claude-home-');
  const dataDir = tempDir('mem0-tray-');
  const launch = { execPath: '/usr/bin/node', script: '/opt/mem0 tray/dist/claude-hook.js', dataDir };
  return { home, dataDir, launch, location: { scope: 'user' as const, env: { HOME: home } } };
};

const theirs = `{
    "model": "opus",
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit.sh"}]}],
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "echo mine"}]}]
    },
    "env": {"FOO": "bar"}
}`;

describe('Claude Code recall hooks in its settings', () => {
  it('adds both hooks beside the user’s own and gives the file back byte for byte', () => {
    const { home, dataDir, launch, location } = setup();
    const file = claudeSettingsPath(location);
    expect(file).toBe(path.join(home, '.claude', 'settings.json'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, theirs);

    const installed = installHooks(location, launch);
    expect(installed.backupPath).not.toBeNull();
    expect(fs.readFileSync(installed.backupPath!, 'utf8')).toBe(theirs);
    const now = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(now.model).toBe('opus');
    expect(now.env).toEqual({ FOO: 'bar' });
    expect(now.hooks.PreToolUse).toEqual([
      { matcher: 'Bash', hooks: [{ type: 'command', command: 'audit.sh' }] },
    ]);
    expect(now.hooks.UserPromptSubmit).toHaveLength(2);
    expect(now.hooks.UserPromptSubmit[0].hooks[0].command).toBe('echo mine');
    expect(now.hooks.SessionStart[0].hooks[0]).toMatchObject({
      type: 'command',
      command: hookCommand(launch),
    });
    expect(hooksStatus(location)).toMatchObject({ installed: true, command: hookCommand(launch) });
    // Installing again replaces ours rather than adding a second pair.
    expect(installHooks(location, launch).replaced).toBe(true);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).hooks.SessionStart).toHaveLength(1);

    expect(uninstallHooks(location, dataDir).removed).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(theirs);
    expect(hooksStatus(location).installed).toBe(false);
    expect(uninstallHooks(location, dataDir).removed).toBe(false);
  });

  it('leaves no file where there was none, and keeps what the user added meanwhile', () => {
    const { dataDir, launch, location } = setup();
    const file = claudeSettingsPath(location);
    installHooks(location, launch);
    uninstallHooks(location, dataDir);
    expect(fs.existsSync(file)).toBe(false);

    installHooks(location, launch);
    const edited = JSON.parse(fs.readFileSync(file, 'utf8'));
    edited.theme = 'dark';
    fs.writeFileSync(file, JSON.stringify(edited));
    uninstallHooks(location, dataDir);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ theme: 'dark' });
  });

  it('posts prompts straight to the core when given its endpoint and token, in a file only the user reads', () => {
    const { dataDir, launch, location } = setup();
    const http = { url: 'http://127.0.0.1:8879/hooks/claude-code', token: 'mcp_example' };
    const file = installHooks(location, { ...launch, http }).settingsPath;
    const now = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(now.hooks.UserPromptSubmit[0].hooks[0]).toEqual({
      type: 'http',
      url: http.url,
      headers: { Authorization: 'Bearer mcp_example' },
      timeout: 5,
    });
    expect(now.hooks.SessionStart[0].hooks[0].type).toBe('command');
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(hooksStatus(location)).toMatchObject({ installed: true, promptHook: 'http' });
    expect(uninstallHooks(location, dataDir).removed).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses a settings file that is not a JSON object, untouched', () => {
    const { launch, location } = setup();
    const file = claudeSettingsPath(location);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"hooks": [');
    expect(() => installHooks(location, launch)).toThrow(/not valid JSON.*left untouched/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"hooks": [');
  });

  it('writes a project’s hooks to its .claude/settings.local.json and quotes the command for the shell', () => {
    const { launch } = setup();
    const project = tempDir('proj-');
    const dataDir = path.join(tempDir('odd-'), 'a "$b" `c`');
    const location = { scope: 'project' as const, cwd: project };
    const result = installHooks(location, { ...launch, dataDir });
    expect(result.settingsPath).toBe(path.join(project, '.claude', 'settings.local.json'));
    expect(hooksStatus(location).command).toBe(
      `"/usr/bin/node" "/opt/mem0 tray/dist/claude-hook.js" --data-dir "${dataDir.replace(/(["$`])/g, '\\$1')}"`,
    );
    uninstallHooks(location, dataDir);
    expect(fs.existsSync(result.settingsPath)).toBe(false);
  });
});
