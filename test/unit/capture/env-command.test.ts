// `mem0-tray env`: the right variables from runtime.json or settings, quoting that survives each
// shell (bash for real), and no variable that would replace a client's trust store.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCaPathCommand, registerCaptureCommands } from '../../../main/cli/capture.js';
import type { CliEnv } from '../../../main/cli/env.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { loadSettings } from '../../../main/core/config/settings.js';
import { envCommand, envVariables, renderEnv, defaultShell } from '../../../main/core/capture/env-command.js';
import { writeRuntimeFile } from '../../../main/core/runtime-file.js';
import { tempDir } from '../../support/tmp.js';

function setup(env: NodeJS.ProcessEnv = {}) {
  const paths = dataPaths(tempDir('mem0-env-'));
  const { settings } = loadSettings(paths.settings, env);
  return { paths, settings };
}

describe('mem0-tray env', () => {
  it('proxy mode from settings when no core runs: proxy, loopback bypass, CA added (never replaced)', () => {
    const { paths, settings } = setup();
    const out = envCommand(paths, settings, {
      gateway: false,
      shell: 'bash',
      env: { NO_PROXY: 'corp.local' },
    });
    const names = out.text
      .split('\n')
      .filter((l) => l.startsWith('export'))
      .map((l) => l.split('=')[0]);
    expect(names).toEqual([
      'export HTTPS_PROXY',
      'export https_proxy',
      'export NO_PROXY',
      'export no_proxy',
      'export NODE_EXTRA_CA_CERTS',
    ]);
    expect(out.text).toContain("export HTTPS_PROXY='http://127.0.0.1:8877'");
    expect(out.text).toContain("export NO_PROXY='localhost,127.0.0.1,::1,corp.local'");
    expect(out.text).toContain(`export NODE_EXTRA_CA_CERTS='${paths.caCert}'`);
    expect(out.text).not.toMatch(/SSL_CERT_FILE=|REQUESTS_CA_BUNDLE=|CURL_CA_BUNDLE=|HTTP_PROXY=/);
    expect(out.warnings.join('\n')).toContain('not running');
  });

  it('reads the running core’s ports from runtime.json; --gateway gives ANTHROPIC_BASE_URL', () => {
    const { paths, settings } = setup();
    // A live pid that is not this process: the parent of the test worker.
    writeRuntimeFile(paths.runtime, {
      pid: process.ppid,
      proxyPort: 40001,
      gatewayPort: 40002,
      apiPort: 40003,
      uiUrl: null,
      caPath: '/data/ca/ca.pem',
    });
    const proxy = envCommand(paths, settings, { gateway: false, shell: 'bash', env: {} });
    expect(proxy.text).toContain("HTTPS_PROXY='http://127.0.0.1:40001'");
    expect(proxy.text).toContain("NODE_EXTRA_CA_CERTS='/data/ca/ca.pem'");
    expect(proxy.warnings.join()).not.toContain('not running');
    const gw = envCommand(paths, settings, { gateway: true, shell: 'bash', env: {} });
    expect(gw.text.split('\n').slice(1)).toEqual(["export ANTHROPIC_BASE_URL='http://127.0.0.1:40002'"]);
  });

  it('--if-running: nothing, and no error, unless a live core has the route up', () => {
    const { paths, settings } = setup({ MEM0_TRAY_PROXY_PORT: '0' });
    const quiet = { shell: 'bash' as const, env: {}, ifRunning: true };
    // No core (and a port only known at start, which would otherwise be an error).
    expect(envCommand(paths, settings, { ...quiet, gateway: false })).toEqual({ text: '', warnings: [] });
    const core = {
      pid: process.ppid,
      proxyPort: null,
      gatewayPort: 40002,
      apiPort: 1,
      uiUrl: null,
      caPath: null,
    };
    writeRuntimeFile(paths.runtime, core);
    expect(envCommand(paths, settings, { ...quiet, gateway: false }).text).toBe('');
    expect(envCommand(paths, settings, { ...quiet, gateway: true }).text).toContain(
      "ANTHROPIC_BASE_URL='http://127.0.0.1:40002'",
    );
    writeRuntimeFile(paths.runtime, { ...core, proxyPort: 40001 });
    expect(envCommand(paths, settings, { ...quiet, gateway: false }).text).toContain(
      "HTTPS_PROXY='http://127.0.0.1:40001'",
    );
  });

  it('explains what to do when a port is not known or the proxy is stopped', () => {
    const { paths, settings } = setup({ MEM0_TRAY_PROXY_PORT: '0' });
    expect(() => envCommand(paths, settings, { gateway: false, shell: 'bash', env: {} })).toThrow(
      /start it first/,
    );
    expect(() =>
      envVariables({ mode: 'proxy', proxyPort: null, gatewayPort: 1, caPath: 'x', running: true }),
    ).toThrow(/proxy is stopped.*--gateway/);
  });

  it('quotes values so each shell reads them back exactly (bash for real)', () => {
    const tricky = '/tmp/it\'s a "dir" $HOME `x` \\n';
    const vars: Array<[string, string]> = [['NODE_EXTRA_CA_CERTS', tricky]];
    const bash = renderEnv(vars, 'bash');
    const got = execFileSync('bash', ['-c', `${bash}\nprintf %s "$NODE_EXTRA_CA_CERTS"`], {
      encoding: 'utf8',
    });
    expect(got).toBe(tricky);
    expect(renderEnv(vars, 'fish')).toBe(
      `set -gx NODE_EXTRA_CA_CERTS '/tmp/it\\'s a "dir" $HOME \`x\` \\\\n';`,
    );
    expect(renderEnv(vars, 'powershell')).toBe(
      `$env:NODE_EXTRA_CA_CERTS = '/tmp/it''s a "dir" $HOME \`x\` \\n'`,
    );
    for (const shell of ['fish', 'pwsh']) {
      if (spawnSync(shell, ['--version']).status !== 0) continue;
      const code =
        shell === 'fish'
          ? `${renderEnv(vars, 'fish')} printf %s "$NODE_EXTRA_CA_CERTS"`
          : `${renderEnv(vars, 'powershell')}; [Console]::Out.Write($env:NODE_EXTRA_CA_CERTS)`;
      expect(execFileSync(shell, ['-c', code], { encoding: 'utf8' })).toBe(tricky);
    }
  });

  it('keeps a NODE_EXTRA_CA_CERTS the shell already had: one bundle of both, rebuilt on the next run', () => {
    const { paths, settings } = setup();
    fs.mkdirSync(paths.caDir, { recursive: true });
    fs.writeFileSync(paths.caCert, '-----BEGIN CERTIFICATE-----\nOURS\n-----END CERTIFICATE-----\n');
    const corp = `${tempDir()}/corp.pem`;
    fs.writeFileSync(corp, '-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----\n');
    const first = envCommand(paths, settings, {
      gateway: false,
      shell: 'bash',
      env: { NODE_EXTRA_CA_CERTS: corp },
    });
    const bundle = `${paths.caDir}/node-extra-ca-certs.pem`;
    expect(first.text).toContain(`export NODE_EXTRA_CA_CERTS='${bundle}'`);
    expect(fs.readFileSync(bundle, 'utf8')).toMatch(/OURS[\s\S]*CORP/);
    // A new CA, and the shell already points at the bundle: rebuilt from the recorded source.
    fs.writeFileSync(paths.caCert, '-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n');
    const again = envCommand(paths, settings, {
      gateway: false,
      shell: 'bash',
      env: { NODE_EXTRA_CA_CERTS: bundle },
    });
    expect(again.text).toContain(`NODE_EXTRA_CA_CERTS='${bundle}'`);
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).toMatch(/NEW[\s\S]*CORP/);
    expect(text).not.toContain('OURS');
    // An unreadable file: only our CA, and the user is told.
    const lost = envCommand(paths, settings, {
      gateway: false,
      shell: 'bash',
      env: { NODE_EXTRA_CA_CERTS: '/nope.pem' },
    });
    expect(lost.text).toContain(`NODE_EXTRA_CA_CERTS='${paths.caCert}'`);
    expect(lost.warnings.join()).toContain('could not be combined');
  });

  it('picks the shell from $SHELL', () => {
    expect(defaultShell({ SHELL: '/usr/bin/fish' }, 'linux')).toBe('fish');
    expect(defaultShell({ SHELL: '/bin/zsh' }, 'darwin')).toBe('zsh');
    expect(defaultShell({}, 'win32')).toBe('powershell');
    expect(defaultShell({}, 'linux')).toBe('bash');
  });

  it('CLI: env prints the lines on stdout and notes on stderr; ca path prints the CA path', async () => {
    const home = tempDir('mem0-env-cli-');
    const out: string[] = [];
    const err: string[] = [];
    const paths = dataPaths(home);
    const cli = {
      env: { SHELL: '/usr/bin/fish' },
      paths: () => paths,
      settings: () => loadSettings(paths.settings, {}),
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
    } as unknown as CliEnv;
    const program = new Command('mem0-tray').exitOverride();
    registerCaptureCommands(program, cli);
    registerCaPathCommand(program.command('ca'), cli);
    await program.parseAsync(['node', 'mem0-tray', 'env', '--gateway']);
    expect(out.at(-1)).toContain("set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:8878';");
    expect(err.join()).toContain('not running');
    await program.parseAsync(['node', 'mem0-tray', 'ca', 'path']);
    expect(out.at(-1)).toBe(paths.caCert);
    expect(fs.existsSync(paths.caCert)).toBe(false);
    await expect(program.parseAsync(['node', 'mem0-tray', 'env', '--shell', 'tcsh'])).rejects.toThrow();
  });
});
