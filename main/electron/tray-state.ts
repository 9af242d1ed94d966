// What the tray shows, read from the core through the UI API: per render one status, the trust
// stores (kept by the core until they can have changed) and the Claude connections.
import type { AppStatus, CertificatesInfo, ConnectionsInfo, Maybe } from '../core/ui-api/contract.js';
import type { TrayState } from './tray.js';

/** The part of the running core the tray reads. */
export interface TraySource {
  status(): Promise<AppStatus>;
  certificates(): Promise<Maybe<CertificatesInfo>>;
  connections(): Promise<ConnectionsInfo>;
  startAtLogin(): boolean;
}

/** The tray's part of the core's settings status (undefined: it could not be read). */
export function settingsTrayState(
  settings: AppStatus['settings'] | undefined,
): Pick<TrayState, 'captureHeldBy' | 'settingsError'> {
  return {
    captureHeldBy: settings?.heldByEnvironment.captureEnabled ?? null,
    settingsError: Boolean(settings?.error),
  };
}

/** The tray's part of the Connections page's Claude Code status (undefined: it could not be read). */
export function claudeCodeTrayState(
  code: ConnectionsInfo['claudeCode'] | undefined,
): Pick<TrayState, 'claudeCode' | 'lastRecall'> {
  if (!code?.available) return { claudeCode: 'unavailable', lastRecall: null };
  const last = code.lastInjection;
  return {
    claudeCode: code.connected ? 'connected' : 'not-connected',
    lastRecall: last ? { event: last.event, memories: last.memoryIds.length, tokens: last.tokens } : null,
  };
}

function certificateTrayState(certs: Maybe<CertificatesInfo> | null): TrayState['certificate'] {
  if (!certs?.available) return 'unknown';
  return certs.stores.some((s) => s.trusted) ? 'trusted' : 'not-trusted';
}

function claudeDesktopTrayState(conn: ConnectionsInfo | null): TrayState['claudeDesktop'] {
  if (!conn?.claudeDesktop.available) return 'unavailable';
  return conn.claudeDesktop.connected ? 'connected' : 'not-connected';
}

/** The state with no core (not started yet, or it failed to start with coreError). */
export function stoppedTrayState(coreError: string | null): TrayState {
  return {
    coreError,
    captureEnabled: false,
    captureHeldBy: null,
    settingsError: false,
    captureAvailable: false,
    capturesToday: null,
    pending: null,
    errors: null,
    failedLogins: null,
    certificate: 'unknown',
    claudeDesktop: 'unavailable',
    claudeCode: 'unavailable',
    lastRecall: null,
    startAtLogin: false,
  };
}

export async function readTrayState(source: TraySource): Promise<TrayState> {
  // Certificates and connections read files and other programs: without them the rest still shows.
  const [status, certs, conn] = await Promise.all([
    source.status(),
    source.certificates().catch(() => null),
    source.connections().catch(() => null),
  ]);
  return {
    ...stoppedTrayState(null),
    captureEnabled: status.captureEnabled,
    ...settingsTrayState(status.settings),
    // Capture is available when its feature runs in this core.
    captureAvailable: status.features.includes('capture'),
    capturesToday: status.capturesToday,
    pending: status.pending,
    errors: status.errors,
    failedLogins: status.failedLogins,
    certificate: certificateTrayState(certs),
    claudeDesktop: claudeDesktopTrayState(conn),
    ...claudeCodeTrayState(conn?.claudeCode),
    startAtLogin: source.startAtLogin(),
  };
}
