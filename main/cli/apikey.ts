// `mem0-tray apikey set|status|clear`: the Mem0 API key in the OS keychain. The key is read from
// standard input only (an argument would end up in shell history and `ps`), and only its last 4
// characters are ever printed.
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import {
  API_KEY_ENV,
  createApiKeyStore,
  maskSecret,
  type SecretStore,
} from '../core/secrets/secret-store.js';
import type { CliEnv } from './env.js';

export interface ApikeyCliDeps {
  store(cli: CliEnv): SecretStore;
  /** Whether standard input is a terminal (then the key is read without echo, after a prompt). */
  stdinIsTTY(): boolean;
  /** Reads one line from the terminal without showing it (default: readHiddenLine on stdin). */
  readHidden?(): Promise<string>;
}

export const defaultApikeyCliDeps: ApikeyCliDeps = {
  store: (cli) => createApiKeyStore(cli.env),
  stdinIsTTY: () => process.stdin.isTTY === true,
  readHidden: () => readHiddenLine(process.stdin, process.stderr),
};

type TtyInput = NodeJS.ReadableStream & { setRawMode?(mode: boolean): unknown; isRaw?: boolean };

/**
 * One line from a terminal in raw mode, so the pasted key is never echoed (nor left in the
 * scrollback). Enter ends it, Backspace deletes, Ctrl-C / Ctrl-D on an empty line cancel.
 */
export function readHiddenLine(input: TtyInput, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = '';
    const wasRaw = input.isRaw === true;
    input.setRawMode?.(true);
    const done = (err: Error | null) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003' || (ch === '\u0004' && line === '')) {
          return done(new UserError('usage', 'Cancelled: no key was stored.'));
        }
        if (ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

export function registerApikeyCommands(
  program: Command,
  cli: CliEnv,
  deps: ApikeyCliDeps = defaultApikeyCliDeps,
): void {
  const apikey = program.command('apikey').description('the Mem0 API key, kept in the OS keychain');

  apikey
    .command('set')
    .description('store the Mem0 API key read from standard input (e.g. `pbpaste | mem0-tray apikey set`)')
    .argument('[nothing...]', 'not accepted: the key is read from standard input')
    .action(async (extra: string[]) => {
      if (extra.length > 0) {
        throw new UserError(
          'usage',
          'apikey set takes no arguments: it reads the key from standard input, so the key never lands in shell history. Example: mem0-tray apikey set < key.txt',
        );
      }
      let raw: string;
      if (deps.stdinIsTTY() && deps.readHidden) {
        cli.err('Paste the Mem0 API key (it is not shown), then press Enter:');
        raw = await deps.readHidden();
      } else raw = await cli.readStdin();
      const key = raw.trim();
      if (!key) {
        throw new UserError(
          'invalid_input',
          'No key on standard input: nothing was stored. Pipe the key in, e.g. mem0-tray apikey set < key.txt',
        );
      }
      if (/\s/.test(key)) {
        throw new UserError(
          'invalid_input',
          'The input holds more than one word or line; an API key has none: nothing was stored.',
        );
      }
      await deps.store(cli).set(key);
      cli.out(`Stored the Mem0 API key (${maskSecret(key)}) in the OS keychain.`);
      if (cli.env[API_KEY_ENV]?.trim())
        cli.err(`Note: ${API_KEY_ENV} is set in this environment and takes precedence over the keychain.`);
    });

  apikey
    .command('status')
    .description('whether a key is set, where it comes from, and its last 4 characters')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const status = await deps.store(cli).status();
      if (opts.json) {
        cli.out(JSON.stringify(status));
        return;
      }
      if (status.set) {
        cli.out(
          `Mem0 API key: set (${status.hint}), from ${status.source === 'environment' ? `the environment (${API_KEY_ENV}, read-only)` : 'the OS keychain'}.`,
        );
      } else {
        cli.out('Mem0 API key: not set. Run "mem0-tray apikey set" (reads the key from standard input).');
      }
      if (!status.keychainAvailable && status.detail) cli.out(`Keychain: unavailable. ${status.detail}`);
    });

  apikey
    .command('clear')
    .description('remove the key from the OS keychain')
    .action(async () => {
      const removed = await deps.store(cli).delete();
      cli.out(
        removed
          ? 'Removed the Mem0 API key from the OS keychain.'
          : 'No Mem0 API key was stored in the OS keychain.',
      );
      if (cli.env[API_KEY_ENV]?.trim())
        cli.err(`Note: ${API_KEY_ENV} is still set in this environment; unset it to stop using that key.`);
    });
}
