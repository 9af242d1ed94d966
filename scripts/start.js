// `npm start`: the tray app where a display and the Electron runtime exist; elsewhere the same core
// headless (`mem0-tray serve`), saying so in one line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron executable if it is installed. Requiring 'electron' would try to download it. */
function electronBinary() {
  try {
    const pkg = path.dirname(require.resolve('electron/package.json'));
    const relative = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkg, 'dist');
    const bin = path.join(dist, relative);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

const bin = electronBinary();
const display = hasDisplay();
let child;
if (bin && display) {
  child = spawn(bin, ['.'], { stdio: 'inherit' });
} else {
  const reason = !bin ? 'no Electron runtime installed' : 'no display';
  child = spawn(process.execPath, ['bin/mem0-tray.js', 'serve', '--headless-reason', reason], {
    stdio: 'inherit',
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
