/// <reference lib="dom" />
// The review UI at 100,000 memories in Chromium (Debian's, via playwright-core) against the real
// core: time until the memories page is interactive, keystroke → updated list latency, and frame
// timings while scrolling the virtualised list. Run: npm run bench -- ui-memories
import os from 'node:os';
import type { Page } from 'playwright-core';
import type { LocalMemoryBackend } from '../main/core/memory/local-backend.js';
import type { NewMemory } from '../main/core/memory/types.js';
import { ensureRendererBuilt, launchChromium, startUiCore } from '../test/e2e/ui-harness.js';
import { makeCorpus } from './support/corpus.js';

const N = Number(process.env.BENCH_MEMORIES ?? 100_000);
const USER = 'bench-user';

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const f1 = (n: number) => n.toFixed(1);

ensureRendererBuilt();
const u = await startUiCore(USER);
const backend = u.core.backend() as LocalMemoryBackend;
const corpus = makeCorpus(11);
const t0 = performance.now();
const base = Date.UTC(2025, 0, 1);
for (let done = 0; done < N; done += 5000) {
  const batch: NewMemory[] = [];
  for (let i = done; i < Math.min(N, done + 5000); i++) {
    batch.push({
      userId: USER,
      text: corpus.text(),
      source: i % 3 === 0 ? 'mcp' : 'proxy',
      projectId: `/home/dev/project-${i % 20}`,
      createdAt: new Date(base + i * 60_000).toISOString(),
    });
  }
  backend.addBatch(batch);
}
console.log(
  `ui-memories benchmark: ${N} memories (inserted in ${((performance.now() - t0) / 1000) | 0} s), ${os.cpus().length} cores, Chromium headless`,
);

const { context, close } = await launchChromium({ width: 1280, height: 800 });
const page: Page = await context.newPage();
await page.goto(u.ui.loginUrl());
await page.waitForSelector('[data-testid=memory-row]');

// 1. Load → interactive: a fresh navigation of /ui/ (session cookie set) until the first row is
// rendered and the list can take keyboard focus. performance.now() counts from navigation start.
const loads: number[] = [];
for (let i = 0; i < 10; i++) {
  await page.reload({ waitUntil: 'commit' });
  await page.waitForSelector('[data-testid=memory-row]');
  loads.push(
    await page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          requestAnimationFrame(() => {
            const list = document.querySelector<HTMLElement>('[data-testid=memory-list]');
            list?.focus();
            resolve(document.activeElement === list ? performance.now() : NaN);
          }),
        ),
    ),
  );
}
const count = await page.getByTestId('memory-count').textContent();
console.log(`  list shows: ${count}`);
console.log(
  `  load → interactive (first rows painted, list focusable): median ${f1(pct(loads, 50))} ms, p95 ${f1(pct(loads, 95))} ms, max ${f1(Math.max(...loads))} ms  [target ≤ 500 ms]`,
);

// 2. Search as you type: keydown → the list shows the results for the new text (next frame).
await page.evaluate(() => {
  const w = window as unknown as { __lat: number[]; __t0: number };
  w.__lat = [];
  const input = document.querySelector<HTMLInputElement>('input[type=search]')!;
  input.addEventListener('keydown', () => (w.__t0 = performance.now()), true);
  const wrap = () => document.querySelector('[data-testid=list-wrap]');
  new MutationObserver(() => {
    const el = wrap();
    if (el && el.getAttribute('data-results-for') === input.value.trim() && w.__t0) {
      const start = w.__t0;
      w.__t0 = 0;
      requestAnimationFrame(() => w.__lat.push(performance.now() - start));
    }
  }).observe(document.body, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-results-for'],
    childList: true,
  });
});
const queries = [
  'kubernetes deploy',
  'postgres migration schema',
  'redis cache worker',
  'typescript vite build',
  'the test file',
];
for (const q of queries) {
  const box = page.getByRole('searchbox', { name: 'Search memories' });
  await box.fill('');
  // A pause between queries, as a person makes (the full result list loads after 300 ms idle).
  await page.waitForTimeout(800);
  for (const ch of q) {
    await page.keyboard.type(ch);
    // A space does not change the (trimmed) query: nothing to wait for.
    if (ch === ' ') {
      await page.evaluate(() => ((window as unknown as { __t0: number }).__t0 = 0));
      continue;
    }
    // Wait for this keystroke's list before the next one (a person types ~5 keys/s).
    await page.waitForFunction(() => (window as unknown as { __t0: number }).__t0 === 0, undefined, {
      timeout: 5000,
    });
    await page.waitForTimeout(20);
  }
}
const lat = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat);
console.log(
  `  keystroke → updated list: n=${lat.length}, median ${f1(pct(lat, 50))} ms, p95 ${f1(pct(lat, 95))} ms, max ${f1(Math.max(...lat))} ms  [target p95 ≤ 50 ms]`,
);

// 3. Scrolling: clear the search, then scroll the list 400 px per frame for 600 frames (~240,000 px,
// ~4,100 rows) and record frame intervals; then 20 random jumps, each timed to real rows on screen.
await page.getByRole('searchbox', { name: 'Search memories' }).fill('');
await page.waitForSelector('[data-testid=memory-row]');
const scroll = await page.evaluate(
  () =>
    new Promise<{ frames: number[]; placeholders: number }>((resolve) => {
      const list = document.querySelector<HTMLElement>('[data-testid=memory-list]')!;
      const frames: number[] = [];
      let last = performance.now();
      let n = 0;
      let placeholders = 0;
      const step = () => {
        const now = performance.now();
        frames.push(now - last);
        last = now;
        placeholders += document.querySelectorAll('[data-testid=memory-row-loading]').length > 0 ? 1 : 0;
        list.scrollTop += 400;
        if (++n < 600) requestAnimationFrame(step);
        else resolve({ frames: frames.slice(1), placeholders });
      };
      requestAnimationFrame(step);
    }),
);
const long = scroll.frames.filter((f) => f > 1.5 * 16.7).length;
console.log(
  `  scroll 400 px/frame × 600: frame median ${f1(pct(scroll.frames, 50))} ms, p95 ${f1(pct(scroll.frames, 95))} ms, max ${f1(Math.max(...scroll.frames))} ms, frames > 25 ms: ${long}/${scroll.frames.length}, frames showing loading placeholders: ${scroll.placeholders}`,
);
const jumps = await page.evaluate(async () => {
  const list = document.querySelector<HTMLElement>('[data-testid=memory-list]')!;
  const out: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    list.scrollTop = Math.random() * (list.scrollHeight - list.clientHeight);
    await new Promise<void>((resolve) => {
      const check = () => {
        const real = document.querySelectorAll('[data-testid=memory-row]').length;
        const loading = document.querySelectorAll('[data-testid=memory-row-loading]').length;
        if (real > 0 && loading === 0) resolve();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    out.push(performance.now() - t);
  }
  return out;
});
console.log(
  `  random jump anywhere in ${N} rows → real rows painted: median ${f1(pct(jumps, 50))} ms, p95 ${f1(pct(jumps, 95))} ms, max ${f1(Math.max(...jumps))} ms`,
);
const domRows = await page.locator('.memory-row').count();
console.log(`  rows in the DOM while showing ${N}: ${domRows}`);

await close();
await u.stop();
