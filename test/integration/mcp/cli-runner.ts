// Runs this area's CLI commands as a user would: the real `bin/mem0-tray.js` once main/cli.ts
// wires them in, otherwise a bundle of cli-entry.ts (same commands, same exit codes).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { CLI, type CliResult } from '../../support/cli.js';

let entry: string | undefined;

/** The script to run with node: bin/mem0-tray.js if it has our commands, else the test bundle. */
export async function mcpCliScript(): Promise<string> {
  if (entry) return entry;
  if (fs.readFileSync('main/cli.ts', 'utf8').includes('registerMcpCommands')) return (entry = CLI);
  // Inside the project so the bundle's package imports resolve from node_modules.
  const out = path.resolve('dist/test/mcp-cli.mjs');
  await build({
    entryPoints: ['test/integration/mcp/cli-entry.ts'],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return (entry = out);
}

export async function runMcpCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const script = await mcpCliScript();
  const r = spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
