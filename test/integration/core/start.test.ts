// `npm start` on a machine without a display or the Electron runtime: the same core, headless,
// announced in one line with the URLs it serves.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cliEnv } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

it('runs the headless core and says why', async () => {
  const home = tempDir();
  const env = cliEnv(home);
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, ['scripts/start.js'], { env });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 15_000;
  while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const line = stdout.trim().split('\n')[0]!;
  expect(line).toMatch(
    /^Mem0 Tray running headless \((no Electron runtime installed|no display)\): API http:\/\/127\.0\.0\.1:\d+/,
  );
  const runtime = JSON.parse(fs.readFileSync(path.join(home, 'runtime.json'), 'utf8')) as { apiPort: number };
  expect(line).toContain(`http://127.0.0.1:${runtime.apiPort}`);
  expect((await fetch(`http://127.0.0.1:${runtime.apiPort}/health`)).status).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
