// The packaged app ships production dependencies only (electron-builder leaves devDependencies
// out), while the bundles keep native and on-demand packages external (scripts/build.js). So each
// bare import left in a bundle must be a dependency, or the packaged CLI (what Claude Desktop runs)
// dies with ERR_MODULE_NOT_FOUND.
// The vitest global setup has just built these bundles from the current sources.
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as PackageJson;
const shipped = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
]);

/** Bundles that run in the packaged app, and what their runtime provides besides node_modules. */
const BUNDLES: Array<{ file: string; provided: string[] }> = [
  // Runs under plain Node or the Electron binary acting as Node: no electron module there.
  { file: 'dist/cli.js', provided: [] },
  ...listJs('dist/main').map((file) => ({ file, provided: ['electron'] })),
  { file: 'dist/preload/index.cjs', provided: ['electron'] },
];

function listJs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|m)?js$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Every module specifier the bundle loads: static and side-effect imports, import(), require(). */
function importSpecifiers(code: string): Set<string> {
  const found = new Set<string>();
  // esbuild writes one static import per line, with double quotes; specifiers have no spaces.
  const patterns = [
    /^\s*(?:import|export)\s[^;'"`]*?\bfrom\s*"([^"\s]+)"/gm,
    /^\s*import\s*"([^"\s]+)"/gm,
    /\bimport\(\s*"([^"\s]+)"\s*\)/g,
    /\brequire\(\s*"([^"\s]+)"\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.add(m[1]!);
  return found;
}

/** "@scope/name/sub/path" → "@scope/name", "name/sub" → "name"; null for relative and built-ins. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('bundled imports', () => {
  it('finds the imports it is meant to check (the scanner itself works)', () => {
    const cli = importSpecifiers(fs.readFileSync('dist/cli.js', 'utf8'));
    expect(cli).toContain('better-sqlite3');
    expect(cli).toContain('@vscode/sudo-prompt');
    expect(cli).toContain('keytar'); // a dynamic import()
    expect(packageOf('@modelcontextprotocol/sdk/server/mcp.js')).toBe('@modelcontextprotocol/sdk');
    expect(packageOf('node:fs')).toBeNull();
    expect(packageOf('fs')).toBeNull();
    expect(packageOf('./x.js')).toBeNull();
  });

  it('has the Electron main bundle and the preload to check', () => {
    expect(BUNDLES.map((b) => b.file)).toContain(path.join('dist', 'main', 'electron', 'main.js'));
    for (const b of BUNDLES) expect(fs.existsSync(b.file), b.file).toBe(true);
  });

  for (const bundle of BUNDLES) {
    it(`${bundle.file} imports only packages the packaged app ships`, () => {
      const code = fs.readFileSync(bundle.file, 'utf8');
      const missing = [...importSpecifiers(code)]
        .map(packageOf)
        .filter((p): p is string => p !== null && !shipped.has(p) && !bundle.provided.includes(p));
      const hint = missing.map((p) =>
        pkg.devDependencies?.[p] ? `${p} (a devDependency: move it to dependencies)` : p,
      );
      expect(hint, `${bundle.file} imports packages that are not dependencies`).toEqual([]);
    });
  }
});
