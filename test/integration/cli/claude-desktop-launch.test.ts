// `claude-desktop connect` run from the real CLI bundle writes an entry that starts the bundled CLI,
// not whatever `mem0-tray` is on PATH (on a deb install that is the tray app's GUI executable).
// Under the packaged app the bundle runs in Electron as Node; here Node stands in for it, with
// process.versions.electron set before the bundle loads.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

interface Entry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const BUNDLE = path.resolve('dist/cli.js');

/** A PATH whose mem0-tray is a GUI stand-in that fails loudly if it is ever started. */
function pathWithGui(): string {
  const bin = tempDir('gui-bin-');
  fs.writeFileSync(path.join(bin, 'mem0-tray'), '#!/bin/sh\necho "the GUI was started" >&2\nexit 97\n', {
    mode: 0o755,
  });
  return `${bin}${path.delimiter}/usr/bin${path.delimiter}/bin`;
}

function connect(nodeArgs: string[], script: string): { entry: Entry; home: string; pathEnv: string } {
  const home = tempDir('mem0-tray-launch-');
  const userHome = tempDir('desktop-home-');
  const pathEnv = pathWithGui();
  const r = spawnSync(process.execPath, [...nodeArgs, script, 'claude-desktop', 'connect'], {
    env: cliEnv(home, { HOME: userHome, MEM0_TRAY_USER_ID: 'alice', PATH: pathEnv }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const file = path.join(userHome, '.config', 'Claude', 'claude_desktop_config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, Entry> };
  return { entry: config.mcpServers['mem0-tray']!, home, pathEnv };
}

async function toolsFrom(entry: Entry, pathEnv: string): Promise<string[]> {
  const client = new Client({ name: 'claude-desktop', version: '0' });
  await client.connect(
    new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env: { PATH: pathEnv, ...entry.env },
      stderr: 'pipe',
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

describe.skipIf(process.platform === 'win32')('claude-desktop connect: the launch command', () => {
  it('from dist/cli.js run as Electron-as-Node: the same executable with dist/cli.js and ELECTRON_RUN_AS_NODE', async () => {
    const fakeElectron = path.join(tempDir('electron-'), 'as-electron.mjs');
    fs.writeFileSync(
      fakeElectron,
      "Object.defineProperty(process.versions, 'electron', { value: '45.4.1', enumerable: true });\n",
    );
    const { entry, pathEnv } = connect(['--import', fakeElectron], BUNDLE);
    expect(entry.command).toBe(process.execPath);
    expect(entry.args).toEqual([BUNDLE, 'mcp', 'stdio']);
    expect(entry.env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(await toolsFrom(entry, pathEnv)).toContain('search_memories');
  }, 60_000);

  it('from bin/mem0-tray.js under plain Node with a GUI mem0-tray on PATH: Node and the bundle', async () => {
    const { entry, pathEnv } = connect([], CLI);
    expect(entry.command).toBe(process.execPath);
    expect(entry.args).toEqual([BUNDLE, 'mcp', 'stdio']);
    expect(entry.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
    expect(await toolsFrom(entry, pathEnv)).toContain('search_memories');
  }, 60_000);
});
