// `npm run bench [-- name…]`: bundles each bench/<name>.ts with esbuild and runs it with Node.
// Benchmarks print numbers; they are not tests and are run on purpose.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const wanted = process.argv.slice(2);
const all = fs
  .readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
const names = wanted.length ? wanted : all;
// Inside the project so the bundle's package imports resolve from node_modules (ESM has no NODE_PATH).
const outDir = path.resolve('dist/bench');
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark bench/${name}.ts (have: ${all.join(', ')})`);
    process.exit(2);
  }
  const outfile = path.join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [`bench/${name}.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log(`\n=== bench/${name}.ts ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', outfile], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
