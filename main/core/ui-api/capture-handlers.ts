// The Capture page's methods: what capture is doing, the pause toggle, the proxy, excluded
// projects, and the shell lines that route Claude Code through the proxy.
import { defaultShell, envVariables, renderEnv, runningEnvTarget } from '../capture/env-command.js';
import { describeError } from '../errors.js';
import type { CaptureInfo } from './contract.js';
import { settingsState, type HandlerContext, type UiHandlers, type UiHost } from './host.js';

export type CaptureHandlers = Pick<
  UiHandlers,
  'getCapture' | 'setCaptureEnabled' | 'setProxyRunning' | 'setExcludedProjects'
>;

/**
 * The lines `mem0-tray env` prints for the user's shell, with this core's proxy port and CA.
 * Copied as they are: `eval "$(mem0-tray env)"` needs a mem0-tray command on PATH, which a
 * packaged app on macOS or Windows does not have and which is the GUI on a Linux deb install.
 */
function shellSetup(host: UiHost): string {
  const target = runningEnvTarget(host.runtime, host.paths, 'proxy');
  try {
    return renderEnv(envVariables(target, host.env), defaultShell(host.env));
  } catch (err) {
    // The proxy is stopped: say so where the lines would be (a comment in every shell).
    return `# ${describeError(err)}`;
  }
}

export function captureHandlers({ host, services, recentCaptures }: HandlerContext): CaptureHandlers {
  const captureInfo = (): CaptureInfo => {
    const s = host.settings();
    const c = services.capture();
    const r = host.runtime;
    return {
      available: c.available,
      reason: c.reason,
      enabled: s.captureEnabled,
      enabledHeldBy: settingsState(host).heldByEnvironment.captureEnabled ?? null,
      proxyPort: r.proxyPort,
      gatewayPort: r.gatewayPort,
      capturesToday: c.capturesToday,
      pending: c.pending,
      failed: c.failed,
      lastError: c.lastError,
      excludedProjects: s.excludedProjects,
      commands: {
        proxy: shellSetup(host),
        gateway: `ANTHROPIC_BASE_URL=http://127.0.0.1:${r.gatewayPort ?? s.gatewayPort} claude`,
      },
      recent: recentCaptures(),
    };
  };

  return {
    async getCapture() {
      return captureInfo();
    },
    async setCaptureEnabled({ enabled }) {
      await host.updateSettings({ captureEnabled: enabled });
      return captureInfo();
    },
    async setProxyRunning({ running }) {
      await services.setProxyRunning(running);
      return captureInfo();
    },
    async setExcludedProjects({ patterns }) {
      await host.updateSettings({ excludedProjects: patterns });
      return captureInfo();
    },
  };
}
