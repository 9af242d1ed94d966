// The UI API over a real core: a setting an environment variable holds is named as held (status,
// capture, settings) and the pause toggle is refused rather than answered ok; an invalid edit of
// settings.json reaches the UI with every problem, and the held settings stay known meanwhile.
// The capture feed gives each turn its memory count, a queued turn's once the outbox delivered it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import type { UiEvent } from '../../../main/core/ui-api/contract.js';
import { uiFeature } from '../../../main/core/ui-api/feature.js';
import { coreEnv } from '../../support/core-env.js';
import { until } from '../../support/until.js';

let held: Core;
let free: Core;
const ui = (core: Core) => core.feature('ui')!.api;

beforeAll(async () => {
  const start = (extra: Record<string, string>) =>
    Core.start({
      env: coreEnv({ MEM0_TRAY_USER_ID: 'dev', ...extra }),
      log: silentLogger,
      features: [uiFeature],
      writeRuntime: false,
    });
  held = await start({ MEM0_TRAY_CAPTURE: 'off' });
  free = await start({});
});

afterAll(async () => {
  await held?.stop();
  await free?.stop();
});

describe('settings held by an environment variable, through the UI API', () => {
  it('refuses the pause toggle, naming MEM0_TRAY_CAPTURE, and changes nothing', async () => {
    const api = ui(held);
    const answer = await api.dispatch('setCaptureEnabled', { enabled: true });
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('MEM0_TRAY_CAPTURE') },
    });
    const capture = await api.handlers.getCapture({});
    expect(capture).toMatchObject({ enabled: false, enabledHeldBy: 'MEM0_TRAY_CAPTURE' });
    expect(held.settings().captureEnabled).toBe(false);
    expect(fs.existsSync(path.join(held.paths.dataDir, 'settings.json'))).toBe(false);
  });

  it('says which variable holds which setting in the status and on the settings page', async () => {
    const api = ui(held);
    const status = await api.handlers.getStatus({});
    expect(status.settings).toEqual({
      heldByEnvironment: expect.objectContaining({
        captureEnabled: 'MEM0_TRAY_CAPTURE',
        userId: 'MEM0_TRAY_USER_ID',
        apiPort: 'MEM0_TRAY_API_PORT',
      }),
      error: null,
    });
    const settings = await api.handlers.getSettings({});
    expect(settings.overridden).toMatchObject({
      captureEnabled: 'MEM0_TRAY_CAPTURE',
      userId: 'MEM0_TRAY_USER_ID',
    });
    expect((await ui(free).handlers.getCapture({})).enabledHeldBy).toBeNull();
  });
});

describe('an invalid edit of settings.json, through the UI API', () => {
  it('is shown with every problem, keeps the held settings known, and clears once fixed', async () => {
    const api = ui(free);
    const events: UiEvent[] = [];
    const unsubscribe = api.subscribe((e) => events.push(e));
    const file = path.join(free.paths.dataDir, 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ captureEnabled: 'nope', proxyPort: 70000 }));

    const status = await until(async () => {
      const s = await api.handlers.getStatus({});
      return s.settings.error ? s : null;
    }, 'the error in the UI status');
    expect(status.settings.error!.problems).toHaveLength(2);
    expect(status.settings.error!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^"captureEnabled": /),
        expect.stringMatching(/^"proxyPort": /),
      ]),
    );
    expect(events).toContainEqual({ type: 'status' });

    const settings = await api.handlers.getSettings({});
    expect(settings.error).toEqual(status.settings.error);
    // The file cannot be read back, but the core still knows what the environment holds.
    expect(settings.overridden).toMatchObject({ userId: 'MEM0_TRAY_USER_ID' });

    fs.writeFileSync(file, '{}');
    await until(async () => (await api.handlers.getStatus({})).settings.error === null, 'the error cleared');
    expect((await api.handlers.getSettings({})).error).toBeNull();
    unsubscribe();
  });
});

describe('the capture feed, through the UI API', () => {
  it("gives a stored turn its memory count, and a queued turn's once the outbox delivered it", async () => {
    const api = ui(free);
    const events: UiEvent[] = [];
    const unsubscribe = api.subscribe((e) => events.push(e));
    const at = new Date().toISOString();
    free.events.emit('capture', { at, route: 'proxy', outcome: 'captured', memoryIds: ['m1'], turnKey: 'a' });
    free.events.emit('capture', { at, route: 'gateway', outcome: 'captured', queued: true, turnKey: 'b' });
    free.events.emit('capture', { at, route: 'proxy', outcome: 'skipped', reason: 'paused' });

    let recent = (await api.handlers.getCapture({})).recent;
    expect(recent.map((r) => r.memoryCount)).toEqual([0, null, 1]);
    const queuedId = recent[1]!.id;
    expect(new Set(recent.map((r) => r.id)).size).toBe(3);

    free.events.emit('capture.stored', { at, turnKey: 'b', memoryIds: ['m2', 'm3'] });
    recent = (await api.handlers.getCapture({})).recent;
    expect(recent.map((r) => r.memoryCount)).toEqual([0, 2, 1]);
    // The page hears the update under the row's own id, so it replaces the row.
    expect(events.at(-1)).toEqual({
      type: 'capture',
      event: expect.objectContaining({ id: queuedId, memoryCount: 2 }),
    });
    unsubscribe();
  });
});
