// Every trust-store command is an argv array handed to execFile: no shell ever parses a path or a
// name. The runner is injected so macOS and Windows command plans can be tested on any OS.
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when the program could not be started (not installed) or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program was not found (ENOENT). */
  missing?: boolean;
}

export interface CommandRunner {
  run(argv: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<CommandResult>;
}

export function execFileRunner(
  defaults: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CommandRunner {
  return {
    run(argv, options = {}) {
      const [file, ...args] = argv;
      if (!file) return Promise.reject(new Error('empty command'));
      return new Promise((resolve) => {
        const child = execFile(
          file,
          args,
          {
            env: options.env ?? defaults.env ?? process.env,
            timeout: defaults.timeoutMs ?? 60_000,
            maxBuffer: 32 * 1024 * 1024,
            windowsHide: true,
            encoding: 'utf8',
          },
          (error, stdout, stderr) => {
            const errno = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
            if (errno && errno.code === 'ENOENT') {
              resolve({ code: null, stdout: '', stderr: String(errno.message), missing: true });
              return;
            }
            const code = error ? (typeof errno?.code === 'number' ? errno.code : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        if (options.input !== undefined) child.stdin?.end(options.input);
        else child.stdin?.end();
      });
    },
  };
}

/** The first line of a command's complaint, for a UserError message (never the whole dump). */
export function firstLine(result: CommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/).find((l) => l.trim());
  return text?.trim() ?? `exit code ${result.code ?? 'unknown'}`;
}
