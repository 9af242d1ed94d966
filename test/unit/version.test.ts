import fs from 'node:fs';
import { expect, it } from 'vitest';
import { VERSION } from '../../main/core/version.js';

it('reports the version of package.json', () => {
  expect(VERSION).toBe((JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version);
});
