/* global window */
// CI only: launches the packaged app once with Playwright's _electron, opens the review window and
// checks the bridge and the sandbox from inside the page. Run after electron-builder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';

function packagedExecutable() {
  const release = path.resolve('release');
  const dirs = fs.readdirSync(release).map((d) => path.join(release, d));
  for (const dir of dirs) {
    const base = path.basename(dir);
    if (process.platform === 'darwin' && base.startsWith('mac')) {
      return path.join(dir, 'Mem0 Tray.app', 'Contents', 'MacOS', 'Mem0 Tray');
    }
    if (process.platform === 'win32' && base === 'win-unpacked') return path.join(dir, 'Mem0 Tray.exe');
    if (process.platform === 'linux' && base === 'linux-unpacked') return path.join(dir, 'mem0-tray');
  }
  throw new Error(`no unpacked app in ${release} (have: ${dirs.join(', ')})`);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-smoke-'));
const app = await electron.launch({
  executablePath: packagedExecutable(),
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
