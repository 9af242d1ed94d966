import { describe, expect, it } from 'vitest';
import {
  EnvOverrideSecretStore,
  KeytarSecretStore,
  loadKeytar,
  maskSecret,
  type KeytarLike,
} from '../../../main/core/secrets/secret-store.js';

function memoryKeytar(): KeytarLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getPassword: async (s, a) => items.get(`${s}/${a}`) ?? null,
    setPassword: async (s, a, p) => void items.set(`${s}/${a}`, p),
    deletePassword: async (s, a) => items.delete(`${s}/${a}`),
  };
}

describe('secret store', () => {
  it('masks to the last 4 characters, and hides short values completely', () => {
    expect(maskSecret('m0-abcdefghijkl1234')).toBe('…1234');
    expect(maskSecret('short')).toBe('****');
  });

  it('stores under service mem0-tray, account mem0-api-key, trimmed; refuses an empty key', async () => {
    const keytar = memoryKeytar();
    const store = new KeytarSecretStore({ load: async () => keytar });
    await store.set('  m0-key-0123456789abcd \n');
    expect([...keytar.items]).toEqual([['mem0-tray/mem0-api-key', 'm0-key-0123456789abcd']]);
    await expect(store.set('  ')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('a keytar that cannot load gives the clear keychain error instead of crashing', async () => {
    const store = new KeytarSecretStore({
      platform: 'linux',
      load: async () => {
        throw new Error('Cannot find module keytar.node');
      },
    });
    await expect(store.get()).rejects.toThrow(/Cannot find module/);
    expect(await store.status()).toMatchObject({ set: false, keychainAvailable: false });
  });

  it('a keytar module that is not installed or built says "no keychain available" and how to build it, not D-Bus', async () => {
    const store = new KeytarSecretStore({
      platform: 'linux',
      load: () =>
        loadKeytar(async () => {
          throw new Error("Cannot find module '../build/Release/keytar.node'");
        }),
    });
    const err = (await store.set('m0-key-that-stays-secret-4242').catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(err.code).toBe('keychain_unavailable');
    expect(err.message).toMatch(
      /^No keychain available: the keytar native module is not installed or not built/,
    );
    expect(err.message).toMatch(/libsecret-1-dev/);
    expect(err.message).toMatch(/MEM0_API_KEY/);
    expect(err.message).not.toMatch(/Secret Service|D-Bus/);
    expect(err.message).not.toContain('stays-secret');
  });

  it('keychain failures become keychain_unavailable with the secret masked out of the message', async () => {
    const store = new KeytarSecretStore({
      platform: 'darwin',
      load: async () => ({
        ...memoryKeytar(),
        setPassword: async (_s, _a, p) => {
          throw new Error(`refused to store ${p}`);
        },
      }),
    });
    const err = (await store.set('m0-very-secret-value-7777').catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(err.code).toBe('keychain_unavailable');
    expect(err.message).toMatch(/macOS Keychain/);
    expect(err.message).toContain('…7777');
    expect(err.message).not.toContain('very-secret');
  });

  it('MEM0_API_KEY wins, is read-only, and status says "from environment"', async () => {
    const keytar = memoryKeytar();
    const inner = new KeytarSecretStore({ load: async () => keytar });
    const store = new EnvOverrideSecretStore(inner, { MEM0_API_KEY: ' m0-env-key-aaaaaaaa9999 ' });
    await store.set('m0-keychain-key-bbbbbbbb0000');
    expect(await store.get()).toBe('m0-env-key-aaaaaaaa9999');
    const status = await store.status();
    expect(status).toMatchObject({ set: true, source: 'environment', hint: '…9999' });
    expect(status.detail).toMatch(/from environment .*read-only.*also stored in the keychain/);
    expect(await store.delete()).toBe(true);
    expect(await store.get()).toBe('m0-env-key-aaaaaaaa9999');
    const noEnv = new EnvOverrideSecretStore(inner, {});
    expect(await noEnv.status()).toMatchObject({
      set: false,
      source: null,
      hint: null,
      keychainAvailable: true,
    });
  });
});
