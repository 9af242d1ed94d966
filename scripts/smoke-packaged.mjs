/* global window */
// CI only, after electron-builder: runs the CLI the packaged app ships (resources/bin/mem0-tray, what
// Claude Desktop launches) for --version and an MCP tools/list over stdio, then launches the
// packaged app once with Playwright's _electron, opens the review window and checks the bridge and
// the sandbox from inside the page.
//   node scripts/smoke-packaged.mjs                  both checks on release/*-unpacked
//   node scripts/smoke-packaged.mjs --cli-only [--cli <command>]   the CLI only (any command, e.g.
//                                                    bin/mem0-tray.js to try the check itself)
//   node scripts/smoke-packaged.mjs --app-only       the window only
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { _electron as electron } from 'playwright-core';

const EXPECTED_TOOLS = ['search_memories', 'add_memory', 'list_memories', 'get_memory'];

/** The unpacked app: its executable and the resources directory beside it. */
function unpackedApp() {
  const release = path.resolve('release');
  const dirs = fs.existsSync(release) ? fs.readdirSync(release).map((d) => path.join(release, d)) : [];
  for (const dir of dirs) {
    const base = path.basename(dir);
    if (process.platform === 'darwin' && base.startsWith('mac')) {
      const contents = path.join(dir, 'Mem0 Tray.app', 'Contents');
      return {
        executable: path.join(contents, 'MacOS', 'Mem0 Tray'),
        resources: path.join(contents, 'Resources'),
      };
    }
    if (process.platform === 'win32' && base === 'win-unpacked') {
      return { executable: path.join(dir, 'Mem0 Tray.exe'), resources: path.join(dir, 'resources') };
    }
    if (process.platform === 'linux' && base === 'linux-unpacked') {
      return { executable: path.join(dir, 'mem0-tray'), resources: path.join(dir, 'resources') };
    }
  }
  throw new Error(`no unpacked app in ${release} (have: ${dirs.join(', ') || 'nothing'})`);
}

function packagedCli() {
  const name = process.platform === 'win32' ? 'mem0-tray.cmd' : 'mem0-tray';
  return path.join(unpackedApp().resources, 'bin', name);
}

/** Runs the CLI once; a .cmd needs a shell on Windows (Node refuses to spawn it directly). */
function runCli(cli, args, env) {
  const viaShell = /\.(cmd|bat)$/i.test(cli);
  const r = spawnSync(viaShell ? `"${cli}"` : cli, args, {
    env,
    encoding: 'utf8',
    shell: viaShell,
    timeout: 60_000,
  });
  if (r.error) throw new Error(`${cli} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cli} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

async function smokeCli(cli) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-smoke-cli-'));
  const env = { ...getDefaultEnvironment(), MEM0_TRAY_HOME: home };
  try {
    const version = runCli(cli, ['--version'], env).trim();
    const expected = JSON.parse(fs.readFileSync('package.json', 'utf8')).version;
    if (version !== expected) throw new Error(`${cli} --version printed "${version}", expected ${expected}`);
    console.log(`packaged CLI --version: ${version}`);

    const created = JSON.parse(
      runCli(
        cli,
        [
          'token',
          'create',
          '--user-id',
          'smoke',
          '--name',
          'smoke',
          '--email',
          'smoke@example.com',
          '--json',
        ],
        env,
      ),
    );
    const transport = new StdioClientTransport({
      command: cli,
      args: ['mcp', 'stdio'],
      env: { ...env, MEM0_TRAY_TOKEN: created.token },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d.toString()));
    const client = new Client({ name: 'mem0-tray-smoke', version: '1.0.0' });
    try {
      await client.connect(transport);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      const missing = EXPECTED_TOOLS.filter((t) => !tools.includes(t));
      if (missing.length) throw new Error(`mcp stdio lacks ${missing.join(', ')} (has ${tools.join(', ')})`);
      console.log(`packaged CLI mcp stdio tools/list: ${tools.join(', ')}`);
    } catch (err) {
      throw new Error(`${cli} mcp stdio failed: ${err.message}\n${stderr}`);
    } finally {
      await client.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function smokeApp(executable) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-smoke-'));
  const app = await electron.launch({
    executablePath: executable,
    args: process.platform === 'linux' ? ['--no-sandbox'] : [],
    env: {
      ...process.env,
      MEM0_TRAY_HOME: home,
      MEM0_TRAY_API_PORT: '0',
      MEM0_TRAY_PROXY_PORT: '0',
      MEM0_TRAY_GATEWAY_PORT: '0',
      MEM0_TRAY_OPEN_WINDOW: '1',
    },
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow({ timeout: 60_000 });
    await page.waitForSelector('h1', { timeout: 30_000 });
    const check = await page.evaluate(async () => ({
      bridge: typeof window.mem0?.getStatus === 'function',
      noNode: typeof window.require === 'undefined' && typeof window.process === 'undefined',
      noIpc: !('ipcRenderer' in (window.mem0 ?? {})),
      status: await window.mem0.getStatus({}),
    }));
    console.log(JSON.stringify(check));
    if (!check.bridge || !check.noNode || !check.noIpc || !check.status.ok)
      throw new Error('smoke check failed');
    fs.mkdirSync('test-artifacts/screenshots', { recursive: true });
    await page.screenshot({ path: `test-artifacts/screenshots/packaged-${process.platform}.png` });
    console.log('packaged app: OK');
  } finally {
    await app.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
const cliAt = argv.indexOf('--cli');
if (!argv.includes('--app-only')) {
  await smokeCli(cliAt >= 0 && argv[cliAt + 1] ? path.resolve(argv[cliAt + 1]) : packagedCli());
}
if (!argv.includes('--cli-only')) await smokeApp(unpackedApp().executable);
