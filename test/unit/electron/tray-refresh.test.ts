// The tray during a burst of captured turns (Electron mocked): renders are coalesced, the last state
// is shown, and the trust stores are read once for many renders and again after an install.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commitCa, stageCa } from '../../../main/core/certs/ca.js';
import { TrustService } from '../../../main/core/certs/trust/trust-service.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { silentLogger } from '../../../main/core/log.js';
import type {
  AppStatus,
  CertificatesInfo,
  ConnectionsInfo,
  Maybe,
} from '../../../main/core/ui-api/contract.js';
import { tempDir } from '../../support/tmp.js';
import { CountingStore } from '../trust/counting-store.js';

const built: Array<Array<{ label?: string }>> = [];
vi.mock('electron', () => ({
  Menu: { buildFromTemplate: vi.fn((t: Array<{ label?: string }>) => (built.push(t), { template: t })) },
  nativeImage: { createFromPath: vi.fn((p: string) => ({ path: p, setTemplateImage: vi.fn() })) },
  Tray: vi.fn(),
}));

const { TrayService } = await import('../../../main/electron/tray.js');
const { coalescedRefresh, TRAY_RENDER_INTERVAL_MS } = await import('../../../main/electron/tray-refresh.js');
const { readTrayState } = await import('../../../main/electron/tray-state.js');
type TraySource = import('../../../main/electron/tray-state.js').TraySource;

function appStatus(capturesToday: number): AppStatus {
  return {
    version: '0.0.0',
    userId: 'me',
    backend: 'local',
    dataDir: '/data',
    apiPort: 1,
    proxyPort: 2,
    gatewayPort: 3,
    captureEnabled: true,
    capturesToday,
    pending: 0,
    errors: 0,
    failedLogins: 0,
    features: ['capture', 'certs'],
    settings: { heldByEnvironment: {}, error: null },
  };
}

const connections: ConnectionsInfo = {
  mcpUrl: 'http://127.0.0.1:1/mcp',
  claudeDesktop: { available: false, reason: 'not here' },
  claudeCode: { available: false, reason: 'not here' },
  claudeCodeCommand: 'claude mcp add',
};

/** A tray over a source whose captures count is `captures.today` and whose trust comes from `certificates`. */
function trayOver(captures: { today: number }, certificates: () => Promise<Maybe<CertificatesInfo>>) {
  const tray = { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), destroy: vi.fn() };
  const service = new TrayService({
    iconDir: '/icons',
    platform: 'linux',
    onAction: vi.fn(),
    createTray: () => tray,
  });
  const reads = { status: 0 };
  const source: TraySource = {
    status: async () => (reads.status++, appStatus(captures.today)),
    certificates,
    connections: async () => connections,
    startAtLogin: () => false,
  };
  const refresh = coalescedRefresh(async () => service.render(await readTrayState(source)));
  const lastLabel = (prefix: string) => built.at(-1)?.find((i) => i.label?.startsWith(prefix))?.label;
  return { tray, reads, refresh, lastLabel };
}

afterEach(() => {
  vi.useRealTimers();
  built.length = 0;
});

describe('tray refresh', () => {
  it('renders a burst of captures a bounded number of times and ends on the final state', async () => {
    vi.useFakeTimers();
    const captures = { today: 0 };
    const t = trayOver(captures, async () => ({ available: false, reason: 'none' }));
    const turns = 200;
    const turnEveryMs = 10;
    for (let i = 0; i < turns; i++) {
      captures.today++;
      // Each captured turn announces `status` and `capture`.
      t.refresh.request();
      t.refresh.request();
      await vi.advanceTimersByTimeAsync(turnEveryMs);
    }
    await vi.advanceTimersByTimeAsync(TRAY_RENDER_INTERVAL_MS * 2);
    const window = turns * turnEveryMs + TRAY_RENDER_INTERVAL_MS * 2;
    expect(t.reads.status).toBeGreaterThan(1);
    expect(t.reads.status).toBeLessThanOrEqual(Math.ceil(window / TRAY_RENDER_INTERVAL_MS) + 1);
    expect(t.lastLabel('200 captures')).toBe('200 captures today');
    expect(t.tray.setToolTip).toHaveBeenLastCalledWith('Mem0 Tray — 200 captures today');
    // Nothing left over renders later.
    const renders = t.reads.status;
    await vi.advanceTimersByTimeAsync(TRAY_RENDER_INTERVAL_MS * 10);
    expect(t.reads.status).toBe(renders);
  });

  it('renders nothing after stop', async () => {
    vi.useFakeTimers();
    const t = trayOver({ today: 1 }, async () => ({ available: false, reason: 'none' }));
    t.refresh.request();
    t.refresh.stop();
    await vi.advanceTimersByTimeAsync(TRAY_RENDER_INTERVAL_MS * 4);
    expect(t.reads.status).toBe(0);
  });

  it('reads the trust stores once for many renders, and again after an install', async () => {
    const paths = dataPaths(tempDir('mem0-tray-trust-'));
    commitCa(paths, await stageCa(['api.anthropic.com']), silentLogger);
    const store = new CountingStore();
    const trust = new TrustService({ paths, db: null, stores: [store], statusMaxAgeMs: 60_000 });
    const certificates = async (): Promise<Maybe<CertificatesInfo>> => {
      const o = await trust.status();
      return {
        available: true,
        ...o,
        stores: o.stores.map((s) => ({ ...s, environment: false, others: [] })),
      };
    };
    vi.useFakeTimers();
    const captures = { today: 0 };
    const t = trayOver(captures, certificates);
    for (let i = 0; i < 20; i++) {
      captures.today++;
      t.refresh.request();
      await vi.advanceTimersByTimeAsync(TRAY_RENDER_INTERVAL_MS);
    }
    expect(t.reads.status).toBeGreaterThanOrEqual(10);
    expect(store.reads).toBe(1);
    expect(t.lastLabel('Certificate')).toBe('Certificate: not trusted — install…');

    await trust.install(['nss-user']);
    t.refresh.request();
    await vi.advanceTimersByTimeAsync(TRAY_RENDER_INTERVAL_MS);
    expect(store.reads).toBe(2);
    expect(t.lastLabel('Certificate')).toBe('Certificate: trusted');
  });
});
