// Vitest global setup: bundles the CLI and the Electron main (not the renderer) so tests that spawn
// `bin/mem0-tray.js` run the sources under test.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.js', '--main-only', '--quiet'], { stdio: 'inherit' });
}
