// The search ranking extension is a file SQLite opens itself: the packaged app must ship it outside
// the asar archive, and the store must look for it there.
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { outsideAsar } from '../../../main/core/memory/rank-extension.js';
import { RANK_EXTENSION } from '../../../scripts/build-native.js';

/** The items of a top-level YAML list in electron-builder.yml. */
function listOf(yaml: string, key: string): string[] {
  const block = yaml.split(new RegExp(`^${key}:\\n`, 'm'))[1]?.split(/^\S/m)[0] ?? '';
  return [...block.matchAll(/^\s+-\s+'?([^'\n]+?)'?\s*$/gm)].map((m) => m[1]!);
}

it('ships the built extension unpacked, where the store looks for it', () => {
  const yaml = fs.readFileSync('electron-builder.yml', 'utf8');
  expect(RANK_EXTENSION.startsWith('dist/native/')).toBe(true);
  expect(listOf(yaml, 'files')).toContain('dist/native/**');
  expect(listOf(yaml, 'asarUnpack')).toContain('dist/native/**');
  expect(
    outsideAsar('/Applications/Mem0 Tray.app/Contents/Resources/app.asar/dist/native/bm25-df.dylib'),
  ).toBe('/Applications/Mem0 Tray.app/Contents/Resources/app.asar.unpacked/dist/native/bm25-df.dylib');
  expect(outsideAsar('C:\\Program Files\\Mem0 Tray\\resources\\app.asar\\dist\\native\\bm25-df.dll')).toBe(
    'C:\\Program Files\\Mem0 Tray\\resources\\app.asar.unpacked\\dist\\native\\bm25-df.dll',
  );
  expect(outsideAsar('/work/mem0-tray/dist/native/bm25-df.so')).toBe(
    '/work/mem0-tray/dist/native/bm25-df.so',
  );
});
