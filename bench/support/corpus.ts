// Realistic memory texts for benchmarks: a few hundred words drawn from a 30,000-word vocabulary
// with a Zipf distribution (as in real prose: a few words everywhere, most words rare), mixed with
// technical terms, paths and numbers. Seeded, so every run measures the same data.

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON =
  'the a to of and in is for that it with on as this be are we use when by from or not should run file build test'.split(
    ' ',
  );
const TECH =
  'kubernetes postgres redis docker terraform typescript webpack vite eslint prettier nginx grafana prometheus kafka graphql oauth jwt sqlite electron react tailwind pnpm cargo rustc gradle maven pytest vitest playwright chromium ubuntu debian systemd cron bash zsh git rebase merge deploy staging production migration schema index cache queue worker lambda bucket'.split(
    ' ',
  );
const SYLLABLES =
  'ka ri to mo ne sa lu vi de po ra ti bo ge fa mi zo ch qu st tr pl br en an or ul ix ex ed in ar'.split(
    ' ',
  );

export function makeVocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>([...COMMON, ...TECH]);
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf sampler over ranks 0..n-1 (s = 1.07, close to English). */
export function zipf(n: number, random: () => number, s = 1.07): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / Math.pow(i + 1, s);
    cdf[i] = sum;
  }
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface Corpus {
  vocabulary: string[];
  text(): string;
  /** A query of 1–3 words drawn from the mid-frequency band, as people search. */
  query(): string;
}

export function makeCorpus(seed = 42, vocabularySize = 30_000): Corpus {
  const random = rng(seed);
  const vocabulary = makeVocabulary(vocabularySize, random);
  const pick = zipf(vocabulary.length, random);
  return {
    vocabulary,
    text() {
      const words = 150 + Math.floor(random() * 250);
      const out: string[] = [];
      for (let i = 0; i < words; i++) {
        const r = random();
        if (r < 0.01) out.push(`src/${vocabulary[pick()]}/${vocabulary[pick()]}.ts`);
        else if (r < 0.02) out.push(String(Math.floor(random() * 10_000)));
        else out.push(vocabulary[pick()]!);
        if (random() < 0.07) out[out.length - 1] += '.';
      }
      return out.join(' ');
    },
    query() {
      const n = 1 + Math.floor(random() * 3);
      const words: string[] = [];
      for (let i = 0; i < n; i++) words.push(vocabulary[20 + Math.floor(random() * 2000)]!);
      return words.join(' ');
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
  };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
