// keytar against a real gnome-keyring. The outer run starts a private D-Bus session with an
// unlocked gnome-keyring (its keyring files in a temporary HOME, never the developer's) and runs
// this same file again inside it with MEM0_TRAY_KEYRING_SESSION=1; the inner run talks to that
// keyring. The outer run also checks the error path with no Secret Service at all.

import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerApikeyCommands } from '../../../main/cli/apikey.js';
import type { CliEnv } from '../../../main/cli/env.js';
import { UserError } from '../../../main/core/errors.js';
import { createApiKeyStore, KeytarSecretStore } from '../../../main/core/secrets/secret-store.js';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { keyringAvailable, keytarAvailable, runInKeyringSession } from '../../support/keyring-session.js';
import { tempDir } from '../../support/tmp.js';

const INNER = process.env.MEM0_TRAY_KEYRING_SESSION === '1';
const THIS_FILE = 'test/integration/keychain/keytar.test.ts';

function fakeCli(stdin: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cli = {
    env,
    out: (t: string) => void out.push(t),
    err: (t: string) => void err.push(t),
    readStdin: async () => stdin,
  } as unknown as CliEnv;
  return { cli, out, err };
}

async function runApikey(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) {
  const { cli, out, err } = fakeCli(stdin, env);
  const program = new Command().exitOverride();
  registerApikeyCommands(program, cli, { store: (c) => createApiKeyStore(c.env), stdinIsTTY: () => false });
  await program.parseAsync(['node', 'mem0-tray', 'apikey', ...args]);
  return { out: out.join('\n'), err: err.join('\n') };
}

if (INNER) {
  describe('keytar against gnome-keyring (inside dbus-run-session)', () => {
    const key = 'm0-test-key-abcdefghijklmnop-WXYZ';

    it('sets, reads back and clears the key under mem0-tray / mem0-api-key', async () => {
      const store = new KeytarSecretStore();
      await store.delete();
      expect(await store.get()).toBeNull();
      await store.set(`  ${key}\n`);
      expect(await store.get()).toBe(key);
      // Read back through keytar itself: the service and account names are a contract.
      const keytar = (await import('keytar')).default;
      expect(await keytar.getPassword('mem0-tray', 'mem0-api-key')).toBe(key);
      expect(await store.status()).toEqual({
        set: true,
        source: 'keychain',
        hint: '…WXYZ',
        keychainAvailable: true,
      });
      expect(await store.delete()).toBe(true);
      expect(await store.get()).toBeNull();
      expect(await store.delete()).toBe(false);
    });

    it('apikey set/status/clear: key from stdin only, last 4 characters only', async () => {
      const set = await runApikey(['set'], `${key}\n`);
      expect(set.out).toContain('…WXYZ');
      expect(set.out).not.toContain(key);
      const status = await runApikey(['status']);
      expect(status.out).toMatch(/set \(…WXYZ\), from the OS keychain/);
      expect(status.out).not.toContain(key.slice(0, -4));
      const withEnv = await runApikey(['status'], '', { MEM0_API_KEY: 'm0-env-key-000000001111' });
      expect(withEnv.out).toMatch(/…1111\), from the environment \(MEM0_API_KEY, read-only\)/);
      await expect(runApikey(['set', key])).rejects.toMatchObject({
        code: 'usage',
        message: /standard input/,
      });
      await expect(runApikey(['set'], '   \n')).rejects.toMatchObject({ code: 'invalid_input' });
      expect((await runApikey(['clear'])).out).toMatch(/Removed/);
      expect((await runApikey(['status'])).out).toMatch(/not set/);
      expect((await runApikey(['clear'])).out).toMatch(/No Mem0 API key was stored/);
    });

    it('mem0-tray apikey set as a real process, the key piped into standard input', async () => {
      const home = tempDir();
      const set = await runCliAsync(['apikey', 'set'], cliEnv(home), `${key}\n`);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('…WXYZ');
      expect(`${set.stdout}${set.stderr}`).not.toContain(key.slice(0, -4));
      // No prompt when standard input is not a terminal.
      expect(set.stderr).not.toMatch(/Paste/);
      const keytar = (await import('keytar')).default;
      expect(await keytar.getPassword('mem0-tray', 'mem0-api-key')).toBe(key);
      const status = await runCliAsync(['apikey', 'status', '--json'], cliEnv(home));
      expect(JSON.parse(status.stdout)).toMatchObject({ set: true, source: 'keychain', hint: '…WXYZ' });
      expect((await runCliAsync(['apikey', 'clear'], cliEnv(home))).stdout).toMatch(/Removed/);
    });
  });
} else {
  describe('OS keychain', () => {
    it('works against a real gnome-keyring in a private D-Bus session', async () => {
      if (!keyringAvailable() || !(await keytarAvailable())) return;
      const { output, status } = runInKeyringSession(THIS_FILE, 'MEM0_TRAY_KEYRING_SESSION', 120_000);
      expect(output, output).toMatch(/3 passed/);
      expect(status, output).toBe(0);
    });

    it('without a Secret Service: says so and suggests gnome-keyring or MEM0_API_KEY, never showing the key', async () => {
      // Loaded first: otherwise a missing module would be what failed, and libsecret never ran.
      if (!(await keytarAvailable())) return;
      const saved = { bus: process.env.DBUS_SESSION_BUS_ADDRESS, display: process.env.DISPLAY };
      // Nothing in this process has talked to D-Bus yet, so libsecret picks this address up.
      process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${path.join(tempDir(), 'no-bus')}`;
      delete process.env.DISPLAY;
      try {
        const store = new KeytarSecretStore({ platform: 'linux' });
        const err = await store.set('m0-secret-that-must-not-leak-9876').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UserError);
        expect(err).toMatchObject({ code: 'keychain_unavailable' });
        const message = (err as Error).message;
        expect(message).toMatch(/no Secret Service/);
        expect(message).not.toMatch(/keytar native module/);
        expect(message).toMatch(/gnome-keyring/);
        expect(message).toMatch(/MEM0_API_KEY/);
        expect(message).not.toContain('must-not-leak');
        const status = await store.status();
        expect(status).toMatchObject({ set: false, keychainAvailable: false });
        // The environment still works without a keychain.
        const layered = createApiKeyStore({ MEM0_API_KEY: 'm0-from-env-abcdefgh5678' }, store);
        expect(await layered.get()).toBe('m0-from-env-abcdefgh5678');
        expect(await layered.status()).toMatchObject({
          set: true,
          source: 'environment',
          hint: '…5678',
          keychainAvailable: false,
        });
      } finally {
        if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
        else process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
        if (saved.display !== undefined) process.env.DISPLAY = saved.display;
      }
    });
  });
}
