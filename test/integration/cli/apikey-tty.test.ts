// `apikey set` on a terminal: the pasted key is read in raw mode and never echoed back.
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readHiddenLine, registerApikeyCommands } from '../../../main/cli/apikey.js';
import type { CliEnv } from '../../../main/cli/env.js';
import { KeytarSecretStore, type KeytarLike } from '../../../main/core/secrets/secret-store.js';

const KEY = 'm0-typed-on-a-terminal-abcdef-9Q9Q';

/** A stand-in for a TTY stdin: raw mode switches are recorded, nothing echoes by itself. */
function fakeTty() {
  const input = new PassThrough() as PassThrough & { isRaw: boolean; setRawMode(mode: boolean): void };
  const modes: boolean[] = [];
  input.isRaw = false;
  input.setRawMode = (mode: boolean) => {
    modes.push(mode);
    input.isRaw = mode;
  };
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c: Buffer) => (shown += c.toString()));
  return { input, output, modes, shown: () => shown };
}

describe('apikey set on a terminal', () => {
  it('reads one line in raw mode (Backspace edits it), restores the mode and shows nothing of it', async () => {
    const tty = fakeTty();
    const line = readHiddenLine(tty.input, tty.output);
    tty.input.write(`${KEY}x`);
    tty.input.write('\u007f\r');
    expect(await line).toBe(KEY);
    expect(tty.modes).toEqual([true, false]);
    expect(tty.shown()).toBe('\n');
  });

  it('Ctrl-C cancels without storing anything', async () => {
    const tty = fakeTty();
    const line = readHiddenLine(tty.input, tty.output);
    tty.input.write('m0-half\u0003');
    await expect(line).rejects.toMatchObject({ code: 'usage', message: /Cancelled/ });
    expect(tty.modes).toEqual([true, false]);
  });

  it('the command prompts on stderr, stores the key and prints only its last 4 characters', async () => {
    const tty = fakeTty();
    const vault = new Map<string, string>();
    const keytar: KeytarLike = {
      getPassword: async (s, a) => vault.get(`${s}/${a}`) ?? null,
      setPassword: async (s, a, p) => void vault.set(`${s}/${a}`, p),
      deletePassword: async (s, a) => vault.delete(`${s}/${a}`),
    };
    const out: string[] = [];
    const err: string[] = [];
    const cli = {
      env: {},
      out: (t: string) => void out.push(t),
      err: (t: string) => void err.push(t),
      readStdin: async () => {
        throw new Error('a terminal is not read to its end');
      },
    } as unknown as CliEnv;
    const program = new Command().exitOverride();
    registerApikeyCommands(program, cli, {
      store: () => new KeytarSecretStore({ load: async () => keytar }),
      stdinIsTTY: () => true,
      readHidden: () => readHiddenLine(tty.input, tty.output),
    });
    const run = program.parseAsync(['node', 'mem0-tray', 'apikey', 'set']);
    await new Promise((r) => setTimeout(r, 10));
    tty.input.write(`${KEY}\r`);
    await run;
    expect(vault.get('mem0-tray/mem0-api-key')).toBe(KEY);
    expect(err.join('\n')).toMatch(/not shown/);
    const everything = [...out, ...err, tty.shown()].join('\n');
    expect(everything).toContain('…9Q9Q');
    expect(everything).not.toContain(KEY.slice(0, -4));
  });
});
