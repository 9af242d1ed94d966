// Settings for a core started by a test: its own data directory and ports the OS picks.
import { tempDir } from './tmp.js';

export function coreEnv(extra: Record<string, string> = {}, home = tempDir()): Record<string, string> {
  return {
    MEM0_TRAY_HOME: home,
    MEM0_TRAY_API_PORT: '0',
    MEM0_TRAY_PROXY_PORT: '0',
    MEM0_TRAY_GATEWAY_PORT: '0',
    ...extra,
  };
}
