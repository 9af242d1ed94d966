#!/usr/bin/env node
// The installed command. The CLI is bundled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('mem0-tray is not built yet: run "npm run build" in the project directory.\n');
  process.exit(1);
}
await import(cli);
