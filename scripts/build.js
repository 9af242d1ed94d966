// Builds everything that runs: the Node/Electron main bundles with esbuild (dependencies stay
// external and resolve from node_modules), the preload as one CommonJS file (sandboxed preloads
// cannot require), and the renderer with Vite when it exists.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const started = Date.now();
// Pure-JavaScript dependencies are bundled: resolving and reading several hundred files of express,
// zod and the rest at every start is a large part of the core's time to ready (and of every CLI
// command). Kept external: native modules, Electron, the packages loaded
// only on demand (a bundle inlines them all the same), and those that read files beside their code.
const EXTERNAL = [
  'better-sqlite3',
  'keytar',
  'electron',
  'mem0ai',
  '@modelcontextprotocol/sdk',
  '@modelcontextprotocol/sdk/*',
  // Its macOS prompt runs an applet shipped in its package directory.
  '@vscode/sudo-prompt',
];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: EXTERNAL,
  logLevel: 'warning',
};

// The capture network thread's own bundle.
const NET_WORKER = 'dist/main/capture-net-worker.js';
const relativeTo = (out, file) => JSON.stringify('./' + path.posix.relative(path.posix.dirname(out), file));
// Each bundle that starts the network thread is told where the thread's bundle is.
const bundlePaths = (out) => ({
  __CAPTURE_NET_WORKER__: relativeTo(out, NET_WORKER),
});
const entries = [
  { in: 'main/cli.ts', out: 'dist/cli.js', format: 'esm', define: bundlePaths('dist/cli.js') },
  {
    in: 'main/electron/main.ts',
    out: 'dist/main/electron/main.js',
    format: 'esm',
    define: bundlePaths('dist/main/electron/main.js'),
  },
  { in: 'main/core/capture/net/net-worker.ts', out: NET_WORKER, format: 'esm' },
  // What Claude Code runs for its hooks: Node's built-ins only, so it starts fast (main/claude-hook.ts).
  { in: 'main/claude-hook.ts', out: 'dist/claude-hook.js', format: 'esm' },
  // Sandboxed preloads cannot load modules: everything but electron is inlined.
  {
    in: 'preload/index.ts',
    out: 'dist/preload/index.cjs',
    format: 'cjs',
    overrides: { external: ['electron'] },
  },
];

await Promise.all(
  entries
    .filter((e) => fs.existsSync(e.in))
    .map((e) =>
      build({
        ...common,
        entryPoints: [e.in],
        outfile: e.out,
        format: e.format,
        define: e.define,
        ...e.overrides,
        banner:
          e.format === 'esm'
            ? {
                js: "import { createRequire as __mem0CreateRequire } from 'node:module'; const require = __mem0CreateRequire(import.meta.url);",
              }
            : undefined,
      }),
    ),
);

const mainOnly = process.argv.includes('--main-only');
if (!mainOnly && fs.existsSync('renderer/index.html')) {
  const vite = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}
if (!process.argv.includes('--quiet')) console.log(`build: done in ${Date.now() - started} ms`);
