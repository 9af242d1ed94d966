// The privileged helper's argument handling, proven by executing what it builds: every nasty
// argument reaches the program as exactly one argv element, through each shell layer.
import { exec, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../main/core/errors.js';
import {
  CANCELLED_MESSAGE,
  directElevator,
  quotePosix,
  quotePowerShell,
  renderPosixScript,
  renderPowerShellScript,
  sudoPromptCommand,
  sudoPromptElevator,
  tempRef,
  terminalSudoElevator,
  type ElevatedPlan,
  type SudoPromptExec,
} from '../../../main/core/certs/trust/elevation.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { tempDir } from '../../support/tmp.js';

const NASTY = [
  'plain',
  'with space',
  "it's",
  "''",
  'say "hi"',
  '$HOME',
  '${PATH}',
  '$(touch /tmp/mem0-tray-pwned)',
  '`touch /tmp/mem0-tray-pwned`',
  'back\\slash\\',
  'new\nline',
  'tab\there',
  '*',
  '; rm -rf /',
  '| cat',
  '&& echo hi',
  '',
  '-n',
  '%PATH%',
  '!history',
  'ünïcödé ‘quoted’',
];

/** A program that prints its argv (after the script name) as JSON. */
function argvDumper(): string {
  const dir = tempDir('mem0-tray-argv-');
  const file = path.join(dir, 'dump argv.cjs');
  fs.writeFileSync(file, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
  return file;
}

function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

describe('POSIX quoting', () => {
  it('keeps every argument whole when /bin/sh runs the rendered script', async () => {
    const dumper = argvDumper();
    const plan: ElevatedPlan = {
      description: 'test',
      steps: [{ kind: 'run', argv: [process.execPath, dumper, ...NASTY] }],
    };
    const r = await directElevator(execFileRunner(), 'linux').run(plan);
    expect(lastJson(r.stdout)).toEqual(NASTY);
    expect(fs.existsSync('/tmp/mem0-tray-pwned')).toBe(false);
  });

  it('quotes with single quotes only', () => {
    expect(quotePosix("a'b")).toBe(`'a'\\''b'`);
    expect(quotePosix('$x')).toBe(`'$x'`);
    expect(() => quotePosix('a\0b')).toThrow(UserError);
  });

  it('writes files whose paths hold spaces, quotes, $ and backticks, with exact contents', async () => {
    const root = tempDir('mem0-tray-write-');
    const dir = path.join(root, `dir with "quotes" 'and' $dollar \`tick\``);
    fs.mkdirSync(dir);
    const file = path.join(dir, `ca $(id).crt`);
    const contents =
      "-----BEGIN CERTIFICATE-----\nline with 'quote' and $VAR and `cmd`\n-----END CERTIFICATE-----\n";
    const dumper = argvDumper();
    const tmp = tempRef('copy.pem');
    await directElevator(execFileRunner(), 'linux').run({
      description: 'write',
      steps: [
        { kind: 'write', path: file, contents },
        { kind: 'write', path: tmp, contents },
        { kind: 'run', argv: ['cp', tmp, `${file}.copy`] },
        { kind: 'run', argv: [process.execPath, dumper, tmp] },
      ],
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(contents);
    expect(fs.readFileSync(`${file}.copy`, 'utf8')).toBe(contents);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir).sort()).toEqual([`ca $(id).crt`, `ca $(id).crt.copy`]);
  });

  it('stops at the first failing step and reports its first line, not the script', async () => {
    const root = tempDir('mem0-tray-fail-');
    const after = path.join(root, 'after');
    const err = await directElevator(execFileRunner(), 'linux')
      .run({
        description: 'do the thing',
        steps: [
          { kind: 'run', argv: ['sh', '-c', 'echo "boom: it failed" >&2; exit 3'] },
          { kind: 'write', path: after, contents: 'x' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('Could not do the thing: boom: it failed.');
    expect(fs.existsSync(after)).toBe(false);
  });
});

describe('the string handed to @vscode/sudo-prompt', () => {
  it('holds only base64 and fixed words, and survives sudo-prompt’s Linux wrapping', async () => {
    const dumper = argvDumper();
    const plan: ElevatedPlan = {
      description: 'test',
      steps: [{ kind: 'run', argv: [process.execPath, dumper, ...NASTY] }],
    };
    const command = sudoPromptCommand(plan, 'linux');
    expect(command).toMatch(/^echo [A-Za-z0-9+/=]+ \| base64 -d \| \/bin\/sh$/);
    // Exactly what sudo-prompt 9.3 builds on Linux, with pkexec left out: an outer /bin/sh (exec)
    // runs /bin/bash -c "echo SUDOPROMPT; <command with only " escaped>".
    const wrapped = `/bin/bash -c "echo SUDOPROMPT; ${command.replace(/"/g, '\\"')}"`;
    const stdout = await new Promise<string>((resolve, reject) =>
      exec(wrapped, { encoding: 'utf8' }, (error, out, errOut) =>
        error ? reject(new Error(errOut)) : resolve(out),
      ),
    );
    expect(stdout.startsWith('SUDOPROMPT\nMEM0_TRAY_ELEVATED\n')).toBe(true);
    expect(lastJson(stdout)).toEqual(NASTY);
  });

  it('survives sudo-prompt’s macOS wrapping (a line of a bash script) — decoder aside', () => {
    const command = sudoPromptCommand(
      { description: 't', steps: [{ kind: 'run', argv: ['security', 'x y'] }] },
      'darwin',
    );
    expect(command).toMatch(/^echo [A-Za-z0-9+/=]+ \| \/usr\/bin\/base64 -D \| \/bin\/sh$/);
    const b64 = command.split(' ')[1]!;
    expect(Buffer.from(b64, 'base64').toString('utf8')).toContain(`'security' 'x y'`);
  });

  it('on Windows is a PowerShell -EncodedCommand of the rendered script (no % ^ & " for cmd to touch)', () => {
    const plan: ElevatedPlan = {
      description: 't',
      steps: [
        {
          kind: 'run',
          argv: ['certutil', '-delstore', 'Root', "C:\\Users\\O'Brien %USERNAME% & co\\ca.crt"],
        },
      ],
    };
    const command = sudoPromptCommand(plan, 'win32');
    const m = command.match(
      /^powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ([A-Za-z0-9+/=]+)$/,
    );
    expect(m).not.toBeNull();
    const script = Buffer.from(m![1]!, 'base64').toString('utf16le');
    expect(script).toBe(renderPowerShellScript(plan));
    expect(script).toContain(`& 'certutil' '-delstore' 'Root' 'C:\\Users\\O''Brien %USERNAME% & co\\ca.crt'`);
  });

  it('refuses a Windows command longer than cmd.exe accepts', () => {
    const plan: ElevatedPlan = {
      description: 't',
      steps: [{ kind: 'write', path: 'C:\\x', contents: 'A'.repeat(5000) }],
    };
    expect(() => sudoPromptCommand(plan, 'win32')).toThrow(/too long/);
  });
});

describe('PowerShell quoting', () => {
  it('doubles straight and typographic single quotes', () => {
    expect(quotePowerShell("O'Brien")).toBe(`'O''Brien'`);
    expect(quotePowerShell('a‘b’c')).toBe(`'a‘‘b’’c'`);
    expect(quotePowerShell('$env:TEMP `n')).toBe(`'$env:TEMP \`n'`);
  });

  it('refuses double quotes in native arguments instead of guessing PowerShell 5.1 re-quoting', () => {
    expect(() =>
      renderPowerShellScript({ description: 't', steps: [{ kind: 'run', argv: ['certutil', 'a"b'] }] }),
    ).toThrow(/double quote/);
  });

  it('puts temporary files in a fresh directory removed in finally', () => {
    const script = renderPowerShellScript({
      description: 't',
      steps: [
        { kind: 'write', path: tempRef('ca.crt'), contents: 'PEM' },
        { kind: 'run', argv: ['certutil', '-addstore', '-f', 'Root', tempRef('ca.crt')] },
      ],
    });
    expect(script).toContain("[System.IO.File]::WriteAllText((Join-Path $T 'ca.crt'), 'PEM')");
    expect(script).toContain("& 'certutil' '-addstore' '-f' 'Root' (Join-Path $T 'ca.crt')");
    expect(script).toMatch(/\} finally \{ Remove-Item -LiteralPath \$T -Recurse/);
  });

  it('rejects temporary names that could escape the directory', () => {
    expect(() => tempRef('../x')).toThrow();
    expect(() => tempRef('a b')).toThrow();
  });
});

describe('sudo-prompt outcomes', () => {
  const plan: ElevatedPlan = {
    description: 'install the CA in the system store',
    steps: [{ kind: 'run', argv: ['true'] }],
  };
  const fakeExec =
    (error: Error | undefined, stdout = '', stderr = ''): SudoPromptExec =>
    (_command, options, cb) => {
      expect(options.name).toBe('Mem0 Tray');
      cb(error, stdout, stderr);
    };

  it('a cancelled prompt is a clear UserError, not an error dump', async () => {
    const err = await sudoPromptElevator('linux', fakeExec(new Error('User did not grant permission.')))
      .run(plan)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('access_denied');
    expect((err as UserError).message).toBe(CANCELLED_MESSAGE);
  });

  it('no polkit agent says to use a terminal', async () => {
    const err = (await sudoPromptElevator(
      'linux',
      fakeExec(new Error('No polkit authentication agent found.')),
    )
      .run(plan)
      .catch((e: unknown) => e)) as UserError;
    expect(err.message).toMatch(/terminal/);
  });

  it('a failing command reports its first stderr line and never the base64 command', async () => {
    const command = sudoPromptCommand(plan, 'linux');
    const err = (await sudoPromptElevator(
      'linux',
      fakeExec(
        new Error(`Command failed: ${command}\nupdate-ca-certificates: permission denied`),
        'MEM0_TRAY_ELEVATED\n',
        'update-ca-certificates: permission denied\n',
      ),
    )
      .run(plan)
      .catch((e: unknown) => e)) as UserError;
    expect(err.message).toBe(
      'Could not install the CA in the system store: update-ca-certificates: permission denied.',
    );
    expect(err.message).not.toContain(command.split(' ')[1]!.slice(0, 20));
  });

  it('success strips the marker', async () => {
    const r = await sudoPromptElevator('linux', fakeExec(undefined, 'MEM0_TRAY_ELEVATED\n1 added\n')).run(
      plan,
    );
    expect(r.stdout).toBe('1 added\n');
  });
});

describe('terminal sudo', () => {
  // The real program is sudo; here the same argv runs without it (spawn(args[1], args[2..])), so
  // what sudo would execute is exactly what runs.
  const withoutSudo = ((_cmd: string, args: readonly string[], opts: object) =>
    spawn(args[1]!, args.slice(2), opts)) as unknown as typeof spawn;

  it('passes the script as one argv element and returns its output', async () => {
    const dumper = argvDumper();
    const r = await terminalSudoElevator(withoutSudo).run({
      description: 't',
      steps: [{ kind: 'run', argv: [process.execPath, dumper, ...NASTY] }],
    });
    expect(lastJson(r.stdout)).toEqual(NASTY);
  });

  it('a refused password means nothing ran', async () => {
    const fakeSudo = ((_cmd: string, _args: readonly string[], opts: object) =>
      spawn(
        'sh',
        ['-c', 'echo "sudo: 3 incorrect password attempts" >&2; exit 1'],
        opts,
      )) as unknown as typeof spawn;
    const err = (await terminalSudoElevator(fakeSudo)
      .run({ description: 't', steps: [] })
      .catch((e: unknown) => e)) as UserError;
    expect(err.code).toBe('access_denied');
    expect(err.message).toMatch(/nothing was changed/);
  });

  it('Ctrl-C at the password prompt is a cancel', async () => {
    const fakeSudo = ((_cmd: string, _args: readonly string[], opts: object) =>
      spawn('sh', ['-c', 'kill -INT $$'], opts)) as unknown as typeof spawn;
    const err = (await terminalSudoElevator(fakeSudo)
      .run({ description: 't', steps: [] })
      .catch((e: unknown) => e)) as UserError;
    expect(err.message).toBe(CANCELLED_MESSAGE);
  });
});

describe('rendered POSIX script', () => {
  it('pins PATH and umask and uses a private temp dir only when needed', () => {
    const plain = renderPosixScript({ description: 't', steps: [{ kind: 'remove', path: '/x y' }] });
    expect(plain).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(plain).toContain('umask 022');
    expect(plain).not.toContain('mktemp');
    expect(plain).toContain(`rm -f -- '/x y'`);
    const withTemp = renderPosixScript({
      description: 't',
      steps: [{ kind: 'write', path: tempRef('a.pem'), contents: 'x' }],
    });
    expect(withTemp).toContain('T=$(mktemp -d)');
  });
});
