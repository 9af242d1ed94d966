// What `mem0-tray env` prints: the shell lines that send a terminal's Claude clients through
// capture. Proxy mode: HTTPS_PROXY (both spellings; tools disagree on case) and NODE_EXTRA_CA_CERTS,
// which ADDS our CA to Node's and Claude Code's trust. Deliberately not set:
// - SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE: they REPLACE a client's trust store, so every
//   tunnelled host (whose real certificate we pass through) would fail; use `mem0-tray ca install`;
// - HTTP_PROXY: nothing on plain HTTP is captured, so routing it through us only adds a failure point.
// NO_PROXY keeps loopback direct (local dev servers, the gateway itself). Gateway mode needs no
// certificate: ANTHROPIC_BASE_URL=http://127.0.0.1:PORT.
import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from '../config/paths.js';
import type { Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { runningCore } from '../runtime-file.js';
import type { RuntimeInfo } from '../runtime-file.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type EnvShell = (typeof SHELLS)[number];

export interface EnvTarget {
  mode: 'proxy' | 'gateway';
  proxyPort: number | null;
  gatewayPort: number | null;
  caPath: string;
  /** False when read from settings because no core is running. */
  running: boolean;
}

export interface EnvOutput {
  /** Shell code for eval / source / Invoke-Expression. */
  text: string;
  /** Said on stderr, never evaluated. */
  warnings: string[];
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/** The shell the user most likely runs, when --shell is not given. */
export function defaultShell(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): EnvShell {
  const shell = path.basename(env.SHELL ?? '');
  if (shell === 'fish') return 'fish';
  if (shell === 'zsh') return 'zsh';
  if (shell === 'bash' || shell === 'sh') return 'bash';
  return platform === 'win32' ? 'powershell' : 'bash';
}

/** The target of a running core, from its runtime info (runtime.json, or the core's own). */
export function runningEnvTarget(
  runtime: Pick<RuntimeInfo, 'proxyPort' | 'gatewayPort' | 'caPath'>,
  paths: DataPaths,
  mode: EnvTarget['mode'],
): EnvTarget {
  return {
    mode,
    proxyPort: runtime.proxyPort,
    gatewayPort: runtime.gatewayPort,
    caPath: runtime.caPath ?? paths.caCert,
    running: true,
  };
}

/** Ports and CA from runtime.json when a core runs on this data directory, else from settings. */
export function resolveEnvTarget(paths: DataPaths, settings: Settings, mode: EnvTarget['mode']): EnvTarget {
  const running = runningCore(paths.runtime);
  if (running) return runningEnvTarget(running, paths, mode);
  return {
    mode,
    proxyPort: settings.proxyPort,
    gatewayPort: settings.gatewayPort,
    caPath: paths.caCert,
    running: false,
  };
}

function mergeList(current: string | undefined, add: readonly string[]): string {
  const items = (current ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set([...add, ...items])].join(',');
}

/** The variables to set, in order. `env` is the calling shell's environment (merged, not clobbered). */
export function envVariables(target: EnvTarget, env: NodeJS.ProcessEnv = {}): Array<[string, string]> {
  if (target.mode === 'gateway') {
    if (!target.gatewayPort) {
      throw new UserError(
        'not_found',
        target.running
          ? 'The gateway is not running in this Mem0 Tray.'
          : 'The gateway port is chosen when Mem0 Tray starts (gatewayPort 0): start it first ("mem0-tray serve" or the tray app).',
      );
    }
    return [['ANTHROPIC_BASE_URL', `http://127.0.0.1:${target.gatewayPort}`]];
  }
  if (!target.proxyPort) {
    throw new UserError(
      'not_found',
      target.running
        ? 'The capture proxy is stopped: start it from the tray, or use "mem0-tray env --gateway".'
        : 'The proxy port is chosen when Mem0 Tray starts (proxyPort 0): start it first ("mem0-tray serve" or the tray app).',
    );
  }
  const proxy = `http://127.0.0.1:${target.proxyPort}`;
  const noProxy = mergeList(env.NO_PROXY ?? env.no_proxy, LOOPBACK);
  return [
    ['HTTPS_PROXY', proxy],
    ['https_proxy', proxy],
    ['NO_PROXY', noProxy],
    ['no_proxy', noProxy],
    ['NODE_EXTRA_CA_CERTS', target.caPath],
  ];
}

function quote(shell: EnvShell, value: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'fish':
      return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case 'powershell':
      return `'${value.replace(/'/g, "''")}'`;
  }
}

export function renderEnv(vars: Array<[string, string]>, shell: EnvShell): string {
  return vars
    .map(([name, value]) => {
      const v = quote(shell, value);
      if (shell === 'fish') return `set -gx ${name} ${v};`;
      if (shell === 'powershell') return `$env:${name} = ${v}`;
      return `export ${name}=${v}`;
    })
    .join('\n');
}

const BUNDLE_NAME = 'node-extra-ca-certs.pem';
const SOURCE_MARK = '# mem0-tray bundle of our CA and: ';

/**
 * Node reads one NODE_EXTRA_CA_CERTS file. When the shell already names one (a corporate CA), a
 * bundle of ours plus that file is written next to our CA, so neither is lost. Re-running on a
 * shell that already points at the bundle rebuilds it from the recorded source (a new CA is picked
 * up). OpenSSL's PEM reader skips the comment line.
 */
export function extraCaFile(
  caPath: string,
  existing: string | undefined,
): { file: string; warning?: string } {
  if (!existing || path.resolve(existing) === path.resolve(caPath)) return { file: caPath };
  const bundle = path.join(path.dirname(caPath), BUNDLE_NAME);
  let source = existing;
  if (path.resolve(existing) === path.resolve(bundle)) {
    try {
      const first = fs.readFileSync(bundle, 'utf8').split('\n', 1)[0] ?? '';
      if (!first.startsWith(SOURCE_MARK)) return { file: caPath };
      source = first.slice(SOURCE_MARK.length);
    } catch {
      return { file: caPath };
    }
  }
  try {
    const ours = fs.readFileSync(caPath, 'utf8');
    const theirs = fs.readFileSync(source, 'utf8');
    // In the data directory, where every file is private (see private-fs.ts).
    writeFileAtomic(bundle, `${SOURCE_MARK}${source}\n${ours.trimEnd()}\n${theirs.trimEnd()}\n`, 0o600);
    return { file: bundle };
  } catch (err) {
    return {
      file: caPath,
      warning: `NODE_EXTRA_CA_CERTS was ${existing} and could not be combined with the Mem0 Tray CA (${(err as Error).message}); only the Mem0 Tray CA is added now.`,
    };
  }
}

export interface EnvCommandOptions {
  gateway: boolean;
  shell: EnvShell;
  env?: NodeJS.ProcessEnv;
  /**
   * Print nothing (and succeed) unless a live core runs on this data directory with the route
   * up. Shell profiles use it: a terminal opened while Mem0 Tray is down must not send every
   * HTTPS_PROXY-aware tool to a closed port.
   */
  ifRunning?: boolean;
}

const NOTHING: EnvOutput = { text: '', warnings: [] };

/** The whole answer of `mem0-tray env`: shell text plus warnings for stderr. */
export function envCommand(paths: DataPaths, settings: Settings, options: EnvCommandOptions): EnvOutput {
  const env = options.env ?? process.env;
  const target = resolveEnvTarget(paths, settings, options.gateway ? 'gateway' : 'proxy');
  if (options.ifRunning) {
    const port = target.mode === 'gateway' ? target.gatewayPort : target.proxyPort;
    if (!target.running || !port) return NOTHING;
  }
  const vars = envVariables(target, env);
  const warnings: string[] = [];
  if (!target.running) {
    warnings.push(
      'Mem0 Tray is not running: clients using these settings cannot connect until it starts ("mem0-tray serve" or the tray app).',
    );
  }
  if (target.mode === 'proxy') {
    if (!fs.existsSync(target.caPath)) {
      warnings.push(`The CA ${target.caPath} does not exist yet: it is made when Mem0 Tray first starts.`);
    }
    const extra = extraCaFile(target.caPath, env.NODE_EXTRA_CA_CERTS);
    if (extra.file !== target.caPath) {
      for (const v of vars) if (v[0] === 'NODE_EXTRA_CA_CERTS') v[1] = extra.file;
    }
    if (extra.warning) warnings.push(extra.warning);
  }
  const note =
    target.mode === 'proxy'
      ? `# Mem0 Tray capture proxy. Python and curl clients: "mem0-tray ca install" (not SSL_CERT_FILE, which breaks other hosts).`
      : '# Mem0 Tray capture gateway (no certificate needed).';
  return { text: [note, renderEnv(vars, options.shell)].join('\n'), warnings };
}
