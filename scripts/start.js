// `npm start`: the tray app where a display exists (fetching the Electron runtime first if it is
// missing); elsewhere the same core headless (`mem0-tray serve`), saying why in one line. The
// decisions are in start-plan.js.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installerWhy, startMem0Tray } from './start-plan.js';

const require = createRequire(import.meta.url);

function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

let child;
function run(command, args) {
  child = spawn(command, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => (child ? child.kill(signal) : process.exit(130)));
}

const dir = electronDir();
await startMem0Tray({
  env: process.env,
  platform: process.platform,
  electronDir: dir,
  say: (line) => process.stderr.write(line + '\n'),
  // Electron's installer (what `npx install-electron` runs): its progress goes to the terminal; its
  // error output is shown too and kept for the one line that says why.
  install: () =>
    new Promise((resolve) => {
      const installer = spawn(process.execPath, [path.join(dir, 'install.js')], {
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      let stderr = '';
      installer.stderr.on('data', (d) => {
        stderr += d;
        process.stderr.write(d);
      });
      installer.on('error', (err) => resolve({ ok: false, why: err.message }));
      installer.on('exit', (code) => resolve({ ok: code === 0, why: installerWhy(stderr) }));
    }),
  startApp: (bin) => run(bin, ['.']),
  startHeadless: (reason) =>
    run(process.execPath, ['bin/mem0-tray.js', 'serve', '--headless-reason', reason]),
});
