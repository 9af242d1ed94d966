import { describe, expect, it } from 'vitest';
import { createExcludeMatcher, expandPattern, globToRegExp } from '../../../main/core/capture/path-glob.js';

describe('globToRegExp', () => {
  it.each([
    ['/a/*', '/a/b', true],
    ['/a/*', '/a/b/c', false],
    ['/a/**', '/a/b/c', true],
    ['/a/**/z', '/a/z', true],
    ['/a/**/z', '/a/b/c/z', true],
    ['/a/?x', '/a/bx', true],
    ['/a/?x', '/a/bbx', false],
    ['/a/[bc]x', '/a/cx', true],
    ['/a/[!bc]x', '/a/cx', false],
    ['/a/{one,two}', '/a/two', true],
    ['/a/{one,two}', '/a/three', false],
    ['/a/b.c', '/a/bxc', false],
    ['/a/(x)', '/a/(x)', true],
    ['/a/(x)', '/a/x', false],
    ['/a/b|c', '/a/b|c', true],
    ['/a/b|c', '/a/b', false],
    ['!/a', '!/a', true],
    ['!/a', '/b', false],
    ['/a/*', '/a/.scratch', true],
    ['/a/**', '/a', true],
  ])('%s vs %s → %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('createExcludeMatcher', () => {
  const home = '/home/dev';
  it('expands ~ and matches the project directory or any parent', () => {
    const m = createExcludeMatcher(['~/work/secret-*'], { home, platform: 'linux' });
    expect(m.match('/home/dev/work/secret-acme')).toBe('~/work/secret-*');
    expect(m.match('/home/dev/work/secret-acme/api/src')).toBe('~/work/secret-*');
    expect(m.match('/home/dev/work/public')).toBeNull();
    expect(m.match('/home/dev/work/Secret-acme')).toBeNull();
  });
  it('supports ** anywhere and trailing slashes', () => {
    const m = createExcludeMatcher(['**/clients/**', '/srv/private/'], { home, platform: 'linux' });
    expect(m.match('/home/dev/clients/acme')).toBe('**/clients/**');
    expect(m.match('/srv/private')).toBe('/srv/private/');
    expect(m.match('/srv/public')).toBeNull();
  });
  it('takes parentheses in directory names literally', () => {
    const m = createExcludeMatcher(['C:/Program Files (x86)/**'], { platform: 'win32' });
    expect(m.match('C:\\Program Files (x86)\\Tool')).toBe('C:/Program Files (x86)/**');
    expect(m.match('C:\\Program Files x86\\Tool')).toBeNull();
  });
  it('ignores case and backslashes on Windows', () => {
    const m = createExcludeMatcher(['C:/Users/Dev/Secret/**'], { home: 'C:\\Users\\Dev', platform: 'win32' });
    expect(m.match('c:\\users\\dev\\secret\\repo')).toBe('C:/Users/Dev/Secret/**');
    expect(expandPattern('~\\x', 'C:\\Users\\Dev')).toBe('C:/Users/Dev/x');
  });
  it('matches nothing without patterns', () => {
    expect(createExcludeMatcher([]).match('/anything')).toBeNull();
  });
});
