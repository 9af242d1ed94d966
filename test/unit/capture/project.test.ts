import { describe, expect, it } from 'vitest';
import { parseRequestBody } from '../../../main/core/capture/anthropic-parser.js';
import {
  attributeProject,
  extractWorkingDirectory,
  projectIdForPath,
} from '../../../main/core/capture/project.js';
import { recordedRequest } from './exchanges.js';

const req = (body: unknown) => parseRequestBody(JSON.stringify(body))!;

describe('extractWorkingDirectory', () => {
  it('reads the role "system" message Claude Code 2.1.328 sends, also after /compact', () => {
    expect(extractWorkingDirectory(req(recordedRequest('cc-turn1').body))).toBe('/tmp/fake/proj');
    expect(extractWorkingDirectory(req(recordedRequest('cc-after-compact').body))).toBe('/tmp/fake/proj');
  });
  it('reads the <env> block older releases put in the system prompt', () => {
    const body = {
      system:
        'You are Claude Code.\n<env>\nWorking directory: /Users/ana/code/site\nIs directory a git repo: Yes\n</env>',
      messages: [{ role: 'user', content: 'hi' }],
    };
    expect(extractWorkingDirectory(req(body))).toBe('/Users/ana/code/site');
  });
  it('reads Windows paths and ignores relative ones', () => {
    const win = { system: 'Primary working directory: C:\\Users\\ana\\code\\site', messages: [] };
    expect(extractWorkingDirectory(req(win))).toBe('C:\\Users\\ana\\code\\site');
    const relative = { system: 'Working directory: ./here', messages: [] };
    expect(extractWorkingDirectory(req(relative))).toBeNull();
  });
  it('returns null when the client reports none', () => {
    expect(extractWorkingDirectory(req(recordedRequest('cc-title').body))).toBeNull();
  });
});

describe('projectIdForPath', () => {
  it('is readable, stable and tells same-named checkouts apart', () => {
    const a = projectIdForPath('/home/dev/work/Shop API');
    expect(a).toMatch(/^shop-api-[0-9a-f]{8}$/);
    expect(projectIdForPath('/home/dev/work/Shop API/')).toBe(a);
    expect(projectIdForPath('/home/dev/other/Shop API')).not.toBe(a);
    expect(projectIdForPath('C:\\Code\\Site')).toBe(projectIdForPath('c:/code/site'));
    expect(projectIdForPath('/')).toMatch(/^root-/);
  });
});

describe('attributeProject', () => {
  const dir = '/home/dev/work/shop';
  it.each([
    ['auto', { projectId: projectIdForPath(dir), projectPath: dir }],
    ['manual', { projectId: 'team-x', projectPath: dir }],
    ['global', { projectId: null, projectPath: dir }],
  ] as const)('%s', (mode, expected) => {
    expect(attributeProject({ isolationMode: mode, manualProjectId: 'team-x' }, dir)).toEqual(expected);
  });
  it('auto without a directory has no project', () => {
    expect(attributeProject({ isolationMode: 'auto', manualProjectId: 'x' }, null)).toEqual({
      projectId: null,
      projectPath: null,
    });
  });
});
