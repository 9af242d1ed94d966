// electron-builder.yml's deb.depends replaces electron-builder's own list rather than adding to it:
// every package of that list (what Electron needs: xdg-utils for shell.openExternal, libnotify4,
// libxtst6, …) must still be there.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/** The items of deb.depends in electron-builder.yml (a plain YAML list under `deb:`). */
function debDepends(yml: string): string[] {
  const deb = /^deb:\n((?:[ \t]+.*\n?|\n)*)/m.exec(yml)?.[1] ?? '';
  const list = /^[ \t]+depends:\n((?:[ \t]+(?:#.*|- .*)\n?)*)/m.exec(deb)?.[1] ?? '';
  return [...list.matchAll(/^[ \t]+- (\S+)/gm)].map((m) => m[1]!);
}

it("keeps electron-builder's default deb dependencies", () => {
  const { default: FpmTarget } = require('app-builder-lib/out/targets/FpmTarget.js') as {
    default: { prototype: { getDefaultDepends(target: string): string[] } };
  };
  const defaults = FpmTarget.prototype.getDefaultDepends.call({}, 'deb');
  expect(defaults).toContain('xdg-utils');
  const ours = debDepends(fs.readFileSync('electron-builder.yml', 'utf8'));
  expect(ours.length).toBeGreaterThan(0);
  expect(defaults.filter((d) => !ours.includes(d))).toEqual([]);
});
