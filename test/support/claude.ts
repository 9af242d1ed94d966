// Runs the real Claude Code CLI (node_modules/.bin/claude) in a throwaway HOME, never touching the
// developer's own configuration. Asynchronous, so servers in the test process keep serving.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RuntimeInfo } from '../../main/core/runtime-file.js';
import { partAvailable } from './available.js';
import { tempDir } from './tmp.js';

export const CLAUDE = path.resolve('node_modules/.bin/claude');

/** The CLI is a devDependency, so it is missing only when install scripts were skipped. */
export function claudeAvailable(): boolean {
  const runs = spawnSync(CLAUDE, ['--version'], { encoding: 'utf8' }).status === 0;
  return partAvailable('the Claude Code CLI (node_modules/.bin/claude)', runs, 'run npm ci');
}

export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a Claude Code run: fake key, no telemetry or updates, its own HOME. */
export function claudeEnv(extra: Record<string, string>, home = tempDir('claude-home-')): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    ANTHROPIC_API_KEY: 'sk-ant-api03-not-a-real-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ...extra,
  };
}

export function runClaude(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ClaudeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The environment that sends Claude Code through each capture route of a running core: the gateway
 * (ANTHROPIC_BASE_URL), or the proxy (HTTPS_PROXY + our CA) with loopback direct, as
 * `mem0-tray env` sets it.
 */
export function captureRoutes(core: { runtime: RuntimeInfo }) {
  return {
    gateway: () => ({ ANTHROPIC_BASE_URL: `http://127.0.0.1:${core.runtime.gatewayPort}` }),
    proxy: () => ({
      HTTPS_PROXY: `http://127.0.0.1:${core.runtime.proxyPort}`,
      NODE_EXTRA_CA_CERTS: core.runtime.caPath!,
      NO_PROXY: '127.0.0.1,localhost,::1',
    }),
  };
}
