// The review UI end to end: the real core with the UI feature (and every feature the composition
// root lists), the headless server, the renderer build and Debian's Chromium. Screenshots of every
// page go to test-artifacts/screenshots/ (CI keeps them).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../main/core/events.js';
import { HTTP_PATHS } from '../../main/core/ui-api/contract.js';
import { call, httpClient } from '../integration/mcp/mcp-client.js';
import {
  chromiumAvailable,
  ensureRendererBuilt,
  launchChromium,
  startUiCore,
  type UiCore,
} from './ui-harness.js';

const SCREENSHOTS = path.resolve('test-artifacts/screenshots');
const available = chromiumAvailable();
const USER = 'e2e-user';
const me: Caller = { userId: USER, via: 'cli' };

describe.skipIf(!available)('review UI in Chromium', () => {
  let u: UiCore;
  let close: () => Promise<void>;
  let page: Page;
  let base: string;

  const rows = () => page.locator('[data-testid=memory-row]');
  const search = (q: string) => page.getByRole('searchbox', { name: 'Search memories' }).fill(q);
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  const goTo = async (id: string) => {
    await page.getByRole('link', { name: id[0]!.toUpperCase() + id.slice(1), exact: true }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(id, 'i') }).waitFor();
  };

  beforeAll(async () => {
    ensureRendererBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    u = await startUiCore(USER);
    base = u.core.api.baseUrl;
    const browser = await launchChromium();
    close = browser.close;
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  }, 120_000);

  afterAll(async () => {
    await close?.();
    await u?.stop();
  });

  it('refuses the UI without a session, and a login link works only once', async () => {
    const anonymous = await fetch(`${base}${HTTP_PATHS.ui}`);
    expect(anonymous.status).toBe(401);
    const api = await fetch(`${base}${HTTP_PATHS.api}getStatus`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
    const crossSite = await fetch(`${base}${HTTP_PATHS.api}getStatus`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);

    const url = u.ui.loginUrl();
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
  });

  it('shows the empty list, then a memory the moment it is added', async () => {
    await page.goto(u.ui.loginUrl());
    expect(new URL(page.url()).search).toBe('');
    await page.getByTestId('empty').waitFor();
    await shot('memories-empty');
    await u.core.memories.add(me, {
      text: 'The deploy script for the billing service lives in tools/ship-billing.sh',
      source: 'proxy',
      projectId: '/home/dev/work/billing',
      conversationId: 'conv-1',
      model: 'claude-sonnet-4-5',
    });
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => page.getByTestId('memory-count').textContent()).toBe('1 memory');
  });

  it('finds a memory as you type and opens its details', async () => {
    for (let i = 0; i < 20; i++) {
      await u.core.memories.add(me, { text: `Filler memory ${i} about linting rules`, source: 'manual' });
    }
    await expect.poll(() => rows().count()).toBeGreaterThan(10);
    // A whole word: with the store's porter stemmer a fragment like "billi" misses "billing" (reported).
    await search('billing');
    await expect.poll(() => rows().count()).toBe(1);
    await expect(rows().first().locator('mark').first().textContent()).resolves.toMatch(/billing/i);
    await rows().first().click();
    const detail = page.getByTestId('memory-detail');
    await expect.poll(() => detail.getByTestId('detail-text').textContent()).toMatch(/ship-billing\.sh/);
    await detail.getByText('conv-1').waitFor();
    await detail.getByText('claude-sonnet-4-5').waitFor();
    await shot('memories-search-detail');
  });

  it('deletes at once: gone from the list and from search; undo brings it back', async () => {
    const before = await searchElsewhere(u, 'billing');
    expect(before.rest).toHaveLength(1);
    expect(before.mcp).toHaveLength(1);
    const detail = page.getByTestId('memory-detail');
    await detail.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => rows().count()).toBe(0);
    expect(await u.core.memories.search(me, 'billing')).toHaveLength(0);
    const elsewhere = await searchElsewhere(u, 'billing');
    expect(elsewhere.rest).toHaveLength(0);
    expect(elsewhere.mcp).toHaveLength(0);

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(1);
    const back = await u.core.memories.search(me, 'billing');
    expect(back).toHaveLength(1);
    expect(back[0]!.memory).toMatchObject({ conversationId: 'conv-1', projectId: '/home/dev/work/billing' });
    await search('');
  });

  it('deletes many only after the exact count is typed', async () => {
    await search('filler');
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(3);
    // Each row shows its own memory's text, never another row's excerpt.
    const texts = await rows().locator('.memory-row-text').allTextContents();
    expect(new Set(texts).size, texts.join(' / ')).toBe(texts.length);
    const boxes = rows().locator('input[type=checkbox]');
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('3 selected');
    await page.getByRole('button', { name: 'Delete selected…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete 3' });
    await dialog.getByLabel('Type 3 to confirm').fill('2');
    expect(await confirm.isDisabled()).toBe(true);
    await shot('memories-bulk-confirm');

    // The server checks the count too: a wrong count deletes nothing.
    const wrong = await page.evaluate(async (url) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ids: ['x', 'y', 'z'], confirmCount: 2 }),
      });
      return r.json();
    }, `${base}${HTTP_PATHS.api}deleteMemories`);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    const before = (await u.core.memories.list(me, {}, { withTotal: true })).total!;
    await dialog.getByLabel('Type 3 to confirm').fill('3');
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });
    expect((await u.core.memories.list(me, {}, { withTotal: true })).total).toBe(before - 3);
    await search('');
    await expect.poll(() => page.getByTestId('memory-count').textContent()).toBe(`${before - 3} memories`);
  });

  it('filters by project and source', async () => {
    await page.getByLabel('Source').selectOption('proxy');
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByLabel('Source').selectOption('');
    await page.getByLabel('Project').selectOption({ label: '…/work/billing (1)' });
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows().count()).toBeGreaterThan(1);
    await shot('memories');
  });

  it('edits a memory and keeps its history', async () => {
    await search('billing');
    await expect.poll(() => rows().count()).toBe(1);
    await rows().first().click();
    const detail = page.getByTestId('memory-detail');
    await detail.getByRole('button', { name: 'Edit' }).click();
    await detail.getByLabel('Memory text').fill('The billing deploy script is tools/ship.sh now');
    await detail.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => detail.getByTestId('detail-text').textContent())
      .toBe('The billing deploy script is tools/ship.sh now');
    await detail.getByText('UPDATE', { exact: true }).waitFor();
    await detail.getByRole('button', { name: 'Close details' }).click();
    await search('');
  });

  it('shows a memory holding « and » exactly, its match highlighted', async () => {
    const text = '«Runbook» says: a » alone and « too stay as written';
    await u.core.memories.add(me, { text, source: 'manual' });
    await search('runbook');
    await expect.poll(() => rows().count()).toBe(1);
    const shown = rows().first().locator('.memory-row-text');
    await expect.poll(() => shown.textContent()).toBe(text);
    expect(await shown.locator('mark').allTextContents()).toEqual(['Runbook']);
    // MCP's excerpt is plain text, now the memory's characters exactly.
    expect((await searchElsewhere(u, 'runbook')).mcp).toMatchObject([{ snippet: text }]);
    await search('');
  });

  it('pauses and resumes capture from the Capture page', async () => {
    await goTo('capture');
    const toggle = page.getByRole('switch', { name: 'Capture on' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(() => u.core.settings().captureEnabled).toBe(false);
    await page.getByTestId('status-line').getByText('Paused').waitFor();
    await toggle.check();
    await expect.poll(() => u.core.settings().captureEnabled).toBe(true);
    await shot('capture');
  });

  it('shows the certificates page', async () => {
    await goTo('certificates');
    await page.waitForLoadState('networkidle');
    await shot('certificates');
  });

  it('creates a token (shown once), then revokes it', async () => {
    await goTo('connections');
    const tokens = await u.ui.api.handlers.listTokens({});
    expect(tokens.available).toBe(true);
    await page.getByLabel('Token name').fill('e2e laptop');
    await page.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByTestId('new-token');
    await expect.poll(() => created.locator('code').textContent()).toMatch(/^mcp_[A-Za-z0-9_-]{43}$/);
    await shot('connections');
    await created.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('token-row').filter({ hasText: 'e2e laptop' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.getByTestId('token-status').textContent()).toBe('Revoked');
  });

  it('changes settings and refuses an invalid one with a message', async () => {
    await goTo('settings');
    await page.getByLabel('Project isolation').selectOption('manual');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await expect.poll(() => u.core.settings().isolationMode).toBe('manual');
    await page.getByLabel('Backend').selectOption('mem0-server');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page
      .getByRole('alert')
      .filter({ hasText: /mem0ServerUrl/ })
      .waitFor();
    expect(u.core.settings().backend).toBe('local');
    await page.getByRole('button', { name: 'Discard' }).click();
    await shot('settings');
  });

  it('deletes everything of the user only after the user id is typed', async () => {
    await goTo('memories');
    await page.getByRole('button', { name: 'Delete everything…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('someone-else');
    expect(await dialog.getByRole('button', { name: 'Delete everything' }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill(USER);
    await dialog.getByRole('button', { name: 'Delete everything' }).click();
    await page.getByTestId('empty').waitFor();
    expect((await u.core.memories.list(me, {}, { withTotal: true })).total).toBe(0);
  });

  it('renders in the dark theme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await u.core.memories.add(me, {
      text: 'Dark mode check: prefers-color-scheme drives the palette',
      source: 'mcp',
    });
    await expect.poll(() => rows().count()).toBe(1);
    await shot('memories-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

/** POST /search on the REST API, if that route exists in this build (null otherwise). */
/** The same search through the REST API and the MCP tool, as another client would, with a real token. */
async function searchElsewhere(u: UiCore, query: string): Promise<{ rest: unknown[]; mcp: unknown[] }> {
  const { token } = u.core.feature('access')!.createToken({ userId: USER, name: 'e2e check' });
  const r = await fetch(`${u.core.api.baseUrl}/search`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, user_id: USER }),
  });
  expect(r.status).toBe(200);
  const rest = ((await r.json()) as { results: unknown[] }).results;
  const client = await httpClient(`${u.core.api.baseUrl}/mcp`, { Authorization: `Bearer ${token}` });
  const result = await call(client, 'search_memories', { query });
  await client.close();
  expect(result.isError).toBe(false);
  const mcp = (result.structured?.results ?? []) as unknown[];
  return { rest, mcp };
}
