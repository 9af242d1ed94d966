// The privileged helper: runs a short plan of steps (argv commands, file writes, file removals) as
// administrator, with ONE prompt per user action.
//
// Why a plan rendered to a script and shipped as base64, rather than a command string:
// @vscode/sudo-prompt takes a single command string and wraps it differently on each OS — on Linux
// inside `/bin/bash -c "…"` run by another /bin/sh (only `"` is escaped, so `$`, backticks and `\`
// in our text would be expanded by the outer shell), on macOS as a line of a script file, on
// Windows as a line of a .bat file (where `%` expands). No single quoting survives all three. So
// the plan is rendered into one script for exactly one interpreter (POSIX sh with single-quote
// quoting, or PowerShell with single-quote quoting), and only its base64 form — letters, digits,
// `+`, `/`, `=`, which no layer interprets — travels through sudo-prompt's string. The script also
// carries the certificate bytes themselves (write steps), so the elevated side never reads a file a
// user-level process could swap between the prompt and the copy.
import { spawn } from 'node:child_process';
import sudoPrompt from '@vscode/sudo-prompt';
import { UserError } from '../../errors.js';
import type { CommandRunner } from './command-runner.js';

/**
 * A file inside a private directory the elevated script creates for itself (mktemp -d as root, or a
 * fresh GUID directory on Windows) and removes at exit: a place for a certificate file that no
 * user-level process can swap or symlink.
 */
export interface TempRef {
  temp: string;
}
export type Arg = string | TempRef;

export type ElevatedStep =
  | { kind: 'run'; argv: readonly Arg[] }
  /** Creates or replaces a file (mode 0644 on POSIX: a trust anchor is public). */
  | { kind: 'write'; path: Arg; contents: string }
  | { kind: 'remove'; path: string };

export function tempRef(name: string): TempRef {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`bad temporary file name: ${name}`);
  return { temp: name };
}

export interface ElevatedPlan {
  /** What the user asked for, for logs and errors ("install the CA in the system store"). */
  description: string;
  steps: ElevatedStep[];
}

export interface ElevatedResult {
  stdout: string;
  stderr: string;
}

export interface Elevator {
  readonly kind: 'direct' | 'terminal-sudo' | 'sudo-prompt';
  run(plan: ElevatedPlan): Promise<ElevatedResult>;
}

export type ScriptFlavor = 'posix' | 'powershell';

export const CANCELLED_MESSAGE = 'The administrator prompt was cancelled; nothing was changed.';
/** First line of every elevated POSIX script: its presence in stdout proves elevation succeeded. */
export const ELEVATED_MARKER = 'MEM0_TRAY_ELEVATED';

// ---------------------------------------------------------------- quoting

/** POSIX sh: everything inside '…' is literal; a ' becomes '\'' (close, escaped quote, reopen). */
export function quotePosix(arg: string): string {
  if (arg.includes('\0')) throw new UserError('invalid_input', 'An argument holds a NUL character.');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * PowerShell: inside '…' only a single quote is special, and PowerShell also treats the typographic
 * quotes ‘ ’ ‚ ‛ as single quotes — each is escaped by doubling it.
 */
export function quotePowerShell(arg: string): string {
  if (arg.includes('\0')) throw new UserError('invalid_input', 'An argument holds a NUL character.');
  return `'${arg.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
}

// ---------------------------------------------------------------- rendering

function usesTemp(plan: ElevatedPlan): boolean {
  return plan.steps.some((s) =>
    s.kind === 'run'
      ? s.argv.some((a) => typeof a !== 'string')
      : s.kind === 'write' && typeof s.path !== 'string',
  );
}

function posixArg(arg: Arg): string {
  // "$T" is the script's own private directory; the file name was checked by tempRef().
  return typeof arg === 'string' ? quotePosix(arg) : `"$T"/${quotePosix(arg.temp)}`;
}

export function renderPosixScript(plan: ElevatedPlan): string {
  const lines = [
    'set -e',
    // The elevated side never trusts the caller's PATH or umask.
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'export PATH',
    'umask 022',
    `echo ${ELEVATED_MARKER}`,
  ];
  if (usesTemp(plan)) lines.push('T=$(mktemp -d)', `trap 'rm -rf "$T"' EXIT`);
  for (const step of plan.steps) {
    if (step.kind === 'run') lines.push(step.argv.map(posixArg).join(' '));
    else if (step.kind === 'write') {
      lines.push(`printf '%s' ${quotePosix(step.contents)} > ${posixArg(step.path)}`);
      lines.push(`chmod 0644 ${posixArg(step.path)}`);
    } else lines.push(`rm -f -- ${quotePosix(step.path)}`);
  }
  return lines.join('\n') + '\n';
}

function powerShellArg(arg: Arg): string {
  if (typeof arg !== 'string') return `(Join-Path $T ${quotePowerShell(arg.temp)})`;
  // Windows PowerShell 5.1 re-quotes native arguments itself and mangles embedded double quotes;
  // no path or store name we pass can hold one (Windows forbids it in file names), so refuse.
  if (arg.includes('"'))
    throw new UserError('invalid_input', `A Windows argument holds a double quote: ${arg}`);
  return quotePowerShell(arg);
}

export function renderPowerShellScript(plan: ElevatedPlan): string {
  const lines = ["$ErrorActionPreference = 'Stop'", `Write-Output '${ELEVATED_MARKER}'`];
  const temp = usesTemp(plan);
  if (temp) {
    lines.push(
      '$T = Join-Path ([System.IO.Path]::GetTempPath()) ([System.Guid]::NewGuid().ToString())',
      '[void](New-Item -ItemType Directory -Path $T)',
      'try {',
    );
  }
  for (const step of plan.steps) {
    if (step.kind === 'run') {
      const [exe, ...args] = step.argv.map(powerShellArg);
      lines.push(`& ${exe}${args.length ? ' ' + args.join(' ') : ''}`);
      lines.push('if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }');
    } else if (step.kind === 'write') {
      lines.push(
        `[System.IO.File]::WriteAllText(${powerShellArg(step.path)}, ${quotePowerShell(step.contents)})`,
      );
    } else {
      lines.push(
        `Remove-Item -LiteralPath ${quotePowerShell(step.path)} -Force -ErrorAction SilentlyContinue`,
      );
    }
  }
  if (temp)
    lines.push('} finally { Remove-Item -LiteralPath $T -Recurse -Force -ErrorAction SilentlyContinue }');
  lines.push('exit 0');
  return lines.join('\r\n') + '\r\n';
}

/** cmd.exe refuses lines longer than 8191 characters; sudo-prompt runs our command from a .bat. */
const WINDOWS_MAX_COMMAND = 8000;

/**
 * The one string handed to sudo-prompt. Only base64 text and fixed words appear in it, so every
 * shell layer sudo-prompt adds passes it through unchanged.
 */
export function sudoPromptCommand(plan: ElevatedPlan, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const encoded = Buffer.from(renderPowerShellScript(plan), 'utf16le').toString('base64');
    const command = `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
    if (command.length > WINDOWS_MAX_COMMAND) {
      throw new UserError(
        'failure',
        `The administrator command is too long for Windows (${command.length} characters).`,
      );
    }
    return command;
  }
  const encoded = Buffer.from(renderPosixScript(plan), 'utf8').toString('base64');
  // macOS's base64 has always accepted -D; GNU coreutils uses -d. Both write to a pipe into sh.
  const decode = platform === 'darwin' ? '/usr/bin/base64 -D' : 'base64 -d';
  return `echo ${encoded} | ${decode} | /bin/sh`;
}

// ---------------------------------------------------------------- elevators

/** Runs the plan with the current rights: for a process that already is root/administrator, and tests. */
export function directElevator(
  runner: CommandRunner,
  platform: NodeJS.Platform = process.platform,
): Elevator {
  return {
    kind: 'direct',
    async run(plan) {
      const argv =
        platform === 'win32'
          ? ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', renderPowerShellScript(plan)]
          : ['/bin/sh', '-c', renderPosixScript(plan)];
      const r = await runner.run(argv);
      if (r.code !== 0) throw stepFailed(plan, r.stderr || r.stdout);
      return { stdout: stripMarker(r.stdout), stderr: r.stderr };
    },
  };
}

type SpawnLike = typeof spawn;

/**
 * A terminal user (the CLI on Linux or macOS): `sudo /bin/sh -c SCRIPT` with the script as one argv
 * element — no string is ever re-parsed. sudo asks for the password on the terminal itself.
 */
export function terminalSudoElevator(spawnFn: SpawnLike = spawn): Elevator {
  return {
    kind: 'terminal-sudo',
    run(plan) {
      const script = renderPosixScript(plan);
      return new Promise((resolve, reject) => {
        const child = spawnFn('sudo', ['--', '/bin/sh', '-c', script], {
          stdio: ['inherit', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'ENOENT'
              ? new UserError(
                  'failure',
                  'sudo is not installed: run this command as root, or install the CA in a per-user store.',
                )
              : err,
          ),
        );
        child.on('close', (code, signal) => {
          const elevated = stdout.startsWith(ELEVATED_MARKER);
          if (code === 0 && elevated) resolve({ stdout: stripMarker(stdout), stderr });
          else if (!elevated && /incorrect password/i.test(stderr))
            reject(new UserError('access_denied', 'sudo did not accept the password; nothing was changed.'));
          else if (!elevated) reject(new UserError('access_denied', CANCELLED_MESSAGE));
          else if (signal)
            reject(
              new UserError(
                'failure',
                `Interrupted while trying to ${plan.description}; run "mem0-tray ca status" to see what changed.`,
              ),
            );
          else reject(stepFailed(plan, stderr || stdout));
        });
      });
    },
  };
}

export type SudoPromptExec = (
  command: string,
  options: { name: string },
  callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
) => void;

// @vscode/sudo-prompt's own messages for "never elevated" (see its index.js).
const SUDO_PROMPT_DENIED = 'User did not grant permission.';
const SUDO_PROMPT_NO_AGENT = 'No polkit authentication agent found.';
const SUDO_PROMPT_NO_BINARY = 'Unable to find pkexec or kdesudo.';

/** The OS's own dialog (UAC, the macOS password sheet, polkit) through @vscode/sudo-prompt. */
export function sudoPromptElevator(
  platform: NodeJS.Platform = process.platform,
  exec: SudoPromptExec = sudoPrompt.exec as SudoPromptExec,
): Elevator {
  return {
    kind: 'sudo-prompt',
    run(plan) {
      const command = sudoPromptCommand(plan, platform);
      return new Promise((resolve, reject) => {
        exec(command, { name: 'Mem0 Tray' }, (error, stdout, stderr) => {
          const out = String(stdout ?? '');
          const err = String(stderr ?? '');
          if (!error) return resolve({ stdout: stripMarker(out), stderr: err });
          reject(sudoPromptError(plan, error, out, err));
        });
      });
    },
  };
}

/** Maps sudo-prompt's errors to one line a user can act on; never the command (it is base64 noise). */
export function sudoPromptError(plan: ElevatedPlan, error: Error, stdout: string, stderr: string): UserError {
  if (error.message === SUDO_PROMPT_DENIED)
    return new UserError('access_denied', CANCELLED_MESSAGE, { cause: error });
  if (error.message === SUDO_PROMPT_NO_AGENT || error.message === SUDO_PROMPT_NO_BINARY) {
    return new UserError(
      'access_denied',
      'No graphical administrator prompt is available (no polkit agent): run the same command from a terminal, where sudo asks for your password. Nothing was changed.',
      { cause: error },
    );
  }
  return stepFailed(plan, stderr || stdout, error);
}

function stepFailed(plan: ElevatedPlan, output: string, cause?: unknown): UserError {
  const line = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && l !== ELEVATED_MARKER);
  return new UserError(
    'failure',
    `Could not ${plan.description}: ${line ?? 'the administrator command failed'}.`,
    {
      cause,
    },
  );
}

function stripMarker(stdout: string): string {
  return stdout.startsWith(ELEVATED_MARKER)
    ? stdout.slice(ELEVATED_MARKER.length).replace(/^\r?\n/, '')
    : stdout;
}

export interface PickElevatorOptions {
  platform?: NodeJS.Platform;
  /** process.getuid?.() — 0 means we already are root. */
  uid?: number | undefined;
  /** A CLI run from a terminal prefers sudo on the terminal over a graphical prompt. */
  interactiveTerminal?: boolean;
  runner: CommandRunner;
}

/** The least surprising way to get administrator rights in this process. */
export function pickElevator(options: PickElevatorOptions): Elevator {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32' && options.uid === 0) return directElevator(options.runner, platform);
  if (platform !== 'win32' && options.interactiveTerminal) return terminalSudoElevator();
  return sudoPromptElevator(platform);
}
