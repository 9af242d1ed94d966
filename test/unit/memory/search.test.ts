// The search module's parts on small fixtures: query parsing, identifier splitting, BM25, term
// matches in text, and reciprocal rank fusion.
import { describe, expect, it } from 'vitest';
import { bm25, idf } from '../../../main/core/memory/search/bm25.js';
import { reciprocalRankFusion, RRF_K } from '../../../main/core/memory/search/fusion.js';
import { termMatches } from '../../../main/core/memory/search/matches.js';
import { parseQuery } from '../../../main/core/memory/search/query.js';
import { analyze, partsOf } from '../../../main/core/memory/search/words.js';

const matches = (input: string, prefix = false) => parseQuery(input, { prefix })!.terms.map((t) => t.match);

describe('parseQuery', () => {
  it('keeps the content words of a question, each once by stem, quoted so FTS5 syntax is inert', () => {
    expect(matches('What did Gina design for her store?')).toEqual(['"gina"', '"design"', '"store"']);
    expect(matches('designs, designed and designing')).toEqual(['"designs"']);
    expect(matches('deploy OR "staging" NEAR(x) -prod*')).toEqual([
      '"deploy"',
      '"staging"',
      '"near"',
      '"x"',
      '"prod"',
    ]);
  });
  it('searches a query of only stop words as it is, and has nothing to search in punctuation', () => {
    expect(matches('to be or not to be')).toEqual(['"to"', '"be"', '"or"', '"not"']);
    expect(parseQuery(' *** "" ?')).toBeNull();
  });
  it('adds the parts of identifiers to the whole', () => {
    // "get" is a stop word on its own.
    expect(matches('getUserName')).toEqual(['"getusername"', '"user"', '"name"']);
    expect(matches('es2022 HTTPServer')).toEqual([
      '"es2022"',
      '"es"',
      '"2022"',
      '"httpserver"',
      '"http"',
      '"server"',
    ]);
  });
  it('makes the word being typed a prefix, once it has four characters, trimmed for the stemmer', () => {
    expect(matches('postgres migr', true)).toEqual(['"postgres"', '"migr"* OR "migr"']);
    expect(matches('billin', true)).toEqual(['"bill"* OR "billin"']);
    expect(matches('postgres mig', true)).toEqual(['"postgres"', '"mig"']);
    expect(matches('postgres mig ', true)).toEqual(['"postgres"', '"mig"']);
    // A stop word being typed may be the start of another word: kept beside the content words.
    expect(matches('caching the', true)).toEqual(['"caching"', '"the"']);
  });
});

describe('analyze', () => {
  it('indexes the parts of camelCase and letter-digit identifiers after the text, and counts them', () => {
    expect(partsOf('getUserName')).toEqual(['get', 'User', 'Name']);
    expect(partsOf('HTTPServer')).toEqual(['HTTP', 'Server']);
    expect(partsOf('plain')).toEqual([]);
    expect(analyze('call getUserName on v2')).toEqual({
      indexed: 'call getUserName on v2\nget User Name',
      tokens: 7,
    });
    expect(analyze('nothing to split')).toEqual({ indexed: 'nothing to split', tokens: 3 });
  });
});

describe('bm25', () => {
  const stats = { memories: 100, tokens: 1000 };
  it('weighs rare terms more, repeats less and less, and long memories less', () => {
    expect(idf(stats, 1)).toBeGreaterThan(idf(stats, 50));
    expect(idf(stats, 100)).toBeGreaterThan(0);
    const w = [idf(stats, 2)];
    const once = bm25([1], w, 10, stats);
    const twice = bm25([2], w, 10, stats);
    expect(twice).toBeGreaterThan(once);
    expect(twice).toBeLessThan(2 * once);
    expect(bm25([1], w, 40, stats)).toBeLessThan(once);
    expect(bm25([0], w, 10, stats)).toBe(0);
    // With b = 0 length does not count.
    expect(bm25([1], w, 40, stats, { k1: 1.2, b: 0 })).toBe(bm25([1], w, 10, stats, { k1: 1.2, b: 0 }));
  });
});

describe('termMatches', () => {
  it('counts each term by stem, identifier parts included, and rewards different terms side by side', () => {
    const terms = parseQuery('deploy staging')!.terms;
    const near = termMatches('We deployed staging twice; deploys are slow.', terms, [1, 2]);
    expect(near.tf).toEqual([2, 1]);
    const far = termMatches('We deployed it, then much later, after lunch, staging.', terms, [1, 2]);
    expect(far.tf).toEqual([1, 1]);
    expect(near.proximity).toBeGreaterThan(far.proximity);
    expect(termMatches('staging only', terms, [1, 2]).proximity).toBe(0);
    expect(termMatches('see fetchUserName', parseQuery('user')!.terms, [1]).tf).toEqual([1]);
    expect(termMatches('billing runs', parseQuery('bill', { prefix: true })!.terms, [1]).tf).toEqual([1]);
  });
});

describe('reciprocalRankFusion', () => {
  it('ranks what several lists find first, then by rank, ties by first seen', () => {
    const fused = reciprocalRankFusion(
      [
        ['a', 'b', 'c'],
        ['c', 'd'],
      ],
      (x) => x,
    );
    // b and d both come second in one list: b was seen first.
    expect(fused.map((f) => f.item)).toEqual(['c', 'a', 'b', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / (RRF_K + 3) + 1 / (RRF_K + 1));
    expect(reciprocalRankFusion([], (x: string) => x)).toEqual([]);
  });
});
