import { describe, expect, it } from 'vitest';
import { toFtsQuery } from '../../../main/core/memory/fts-query.js';

describe('toFtsQuery', () => {
  it('quotes every word so FTS5 syntax in the input is inert', () => {
    expect(toFtsQuery('deploy OR "staging" NEAR(x) -prod*')).toMatchObject({
      all: '"deploy" AND "staging" AND "NEAR" AND "x" AND "prod"',
      terms: ['"deploy"', '"staging"', '"NEAR"', '"x"', '"prod"'],
    });
  });
  it('leaves stop words out of multi-word queries, but not a query of only stop words', () => {
    expect(toFtsQuery('the migration of the database')!.all).toBe('"migration" AND "database"');
    expect(toFtsQuery('to be or not to be')).toMatchObject({
      all: '"to" AND "be" AND "or" AND "not" AND "to" AND "be"',
      terms: ['"to"', '"be"', '"or"', '"not"'],
    });
  });
  it('has nothing to search in punctuation alone', () => {
    expect(toFtsQuery(' *** "" ')).toBeNull();
  });
  it('makes the last word a prefix while typing, once it has four characters', () => {
    expect(toFtsQuery('postgres migr', { prefix: true })!.all).toBe('"postgres" AND "migr"*');
    expect(toFtsQuery('billin', { prefix: true })).toMatchObject({
      all: '"billin"*',
      loose: '("billin"* OR "billi"* OR "bill"*)',
    });
    expect(toFtsQuery('postgres mig', { prefix: true })!.all).toBe('"postgres"');
    expect(toFtsQuery('mi', { prefix: true })!.all).toBe('"mi"');
    expect(toFtsQuery('postgres mig ', { prefix: true })!.all).toBe('"postgres" AND "mig"');
  });
});
