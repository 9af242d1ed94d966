// A capture from a real client reaches the review UI live: the official Anthropic SDK talks to the
// gateway, the turn becomes a memory, the open page shows it without a reload, and a delete in the
// page removes it from search. The Capture page says how many memories each captured turn became.
import Anthropic from '@anthropic-ai/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-api.js';
import {
  chromiumAvailable,
  ensureRendererBuilt,
  launchChromium,
  startUiCore,
  type UiCore,
} from './ui-harness.js';

const USER = 'capture-user';

describe.skipIf(!chromiumAvailable())('a real capture in the review UI', () => {
  let fake: FakeAnthropic;
  let u: UiCore;
  let page: Page;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ensureRendererBuilt();
    fake = await startFakeAnthropic();
    u = await startUiCore(USER, { MEM0_TRAY_UPSTREAM: fake.url });
    const browser = await launchChromium();
    close = browser.close;
    page = await browser.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await close?.();
    await u?.stop();
    await fake?.close();
  });

  it('shows a captured turn live, and a delete in the page removes it from search', async () => {
    await page.goto(u.ui.loginUrl());
    await page.getByTestId('empty').waitFor();
    fake.setScript(() => ({
      text: 'Releases are cut from the main branch every Tuesday by the on-call engineer.',
    }));
    const client = new Anthropic({
      apiKey: 'test-key',
      baseURL: `http://127.0.0.1:${u.core.runtime.gatewayPort}`,
    });
    await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'When do we cut releases?' }],
    });
    const rows = page.locator('[data-testid=memory-row]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('When do we cut releases?');

    const caller = { userId: USER, via: 'cli' as const };
    expect(await u.core.memories.search(caller, 'releases tuesday')).toHaveLength(1);
    await rows.first().click();
    await page.getByTestId('memory-detail').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => rows.count()).toBe(0);
    expect(await u.core.memories.search(caller, 'releases tuesday')).toHaveLength(0);
  });

  it('shows on the Capture page how many memories a captured turn became', async () => {
    await page.evaluate(() => {
      window.location.hash = '#/capture';
    });
    await page.getByRole('heading', { name: 'Capture', exact: true }).waitFor();
    fake.setScript(() => ({ text: 'The staging database is reset every night at 02:00 UTC.' }));
    const client = new Anthropic({
      apiKey: 'test-key',
      baseURL: `http://127.0.0.1:${u.core.runtime.gatewayPort}`,
    });
    await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'When is staging reset?' }],
    });
    const counts = page.getByTestId('capture-feed').getByTestId('capture-memories');
    // Newest first: this turn, then the one of the test before (its memory since deleted, still 1 made).
    await expect.poll(() => counts.allTextContents(), { timeout: 10_000 }).toEqual(['1', '1']);
  });
});
