// Where the Mem0 API key lives: the OS keychain (keytar) under service "mem0-tray", account
// "mem0-api-key", with MEM0_API_KEY from the environment accepted read-only on top. The key is
// never written to disk by us, never logged and never put in an error message (maskSecret).
// keytar.d.ts declares the optional keytar module, which is absent where its native build failed:
// referenced here so every program that compiles this file (the renderer's typecheck does too) has it.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./keytar.d.ts" />
import { UserError, describeError } from '../errors.js';

export const KEYCHAIN_SERVICE = 'mem0-tray';
export const API_KEY_ACCOUNT = 'mem0-api-key';
export const API_KEY_ENV = 'MEM0_API_KEY';

export type SecretSource = 'keychain' | 'environment';

export interface SecretStatus {
  set: boolean;
  /** Where get() reads the value from; null when nothing is set. */
  source: SecretSource | null;
  /** Only the last 4 characters (or **** for short values); null when nothing is set. */
  hint: string | null;
  /** Whether the keychain itself answered; when false, detail says why and what to do. */
  keychainAvailable: boolean;
  detail?: string;
}

/** One secret (the Mem0 API key) in some store. */
export interface SecretStore {
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
  /** false when there was nothing to delete. */
  delete(): Promise<boolean>;
  status(): Promise<SecretStatus>;
}

/** The part of keytar we use, so tests and other platforms can supply their own. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** Shows that a secret is set without revealing it: the last 4 characters of a long value only. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `…${value.slice(-4)}` : '****';
}

/** Removes every occurrence of the secret from a message (keychain errors, server replies). */
export function redactSecret(text: string, secret: string | null | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join(maskSecret(secret));
}

export function keychainUnavailable(detail: string, platform: NodeJS.Platform = process.platform): UserError {
  const why =
    platform === 'linux'
      ? 'No keychain is available: this Linux session has no Secret Service (D-Bus org.freedesktop.secrets). ' +
        'Install and unlock gnome-keyring (or KeePassXC with Secret Service enabled), or set MEM0_API_KEY in the environment instead'
      : platform === 'darwin'
        ? 'The macOS Keychain could not be used: unlock your login keychain, or set MEM0_API_KEY in the environment instead'
        : 'The Windows Credential Manager could not be used: sign in to your Windows account normally, or set MEM0_API_KEY in the environment instead';
  return new UserError('keychain_unavailable', `${why} (${detail}).`);
}

/** keytar itself is missing (an optional native module that did not build): not the OS's fault. */
export function keytarMissing(detail: string, platform: NodeJS.Platform = process.platform): UserError {
  const build =
    platform === 'linux'
      ? 'it builds where libsecret-1-dev is installed: install that, then run "npm rebuild keytar"'
      : 'run "npm rebuild keytar"';
  return new UserError(
    'keychain_unavailable',
    `No keychain available: the keytar native module is not installed or not built for this runtime (${build}), or set MEM0_API_KEY in the environment instead (${detail}).`,
  );
}

/**
 * keytar is a native module: a missing or unbuildable binary must give the clear error above, not
 * crash the core at import time, so it is only loaded when a secret is actually needed.
 */
export async function loadKeytar(
  importKeytar: () => Promise<unknown> = () => import('keytar'),
): Promise<KeytarLike> {
  try {
    const mod = (await importKeytar()) as { default?: KeytarLike } & Partial<KeytarLike>;
    const keytar = mod.default ?? (mod as KeytarLike);
    if (typeof keytar.getPassword !== 'function') throw new Error('keytar has no getPassword');
    return keytar;
  } catch (err) {
    throw keytarMissing(describeError(err));
  }
}

export interface KeytarStoreOptions {
  service?: string;
  account?: string;
  load?: () => Promise<KeytarLike>;
  platform?: NodeJS.Platform;
}

export class KeytarSecretStore implements SecretStore {
  private readonly service: string;
  private readonly account: string;
  private readonly load: () => Promise<KeytarLike>;
  private readonly platform: NodeJS.Platform;
  private keytar: Promise<KeytarLike> | null = null;

  constructor(options: KeytarStoreOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.account = options.account ?? API_KEY_ACCOUNT;
    this.load = options.load ?? loadKeytar;
    this.platform = options.platform ?? process.platform;
  }

  /** Runs one keychain call; any failure becomes keychain_unavailable with the secret masked out. */
  private async use<T>(fn: (k: KeytarLike) => Promise<T>, secret?: string): Promise<T> {
    this.keytar ??= this.load();
    let keytar: KeytarLike;
    try {
      keytar = await this.keytar;
    } catch (err) {
      this.keytar = null;
      throw err;
    }
    try {
      return await fn(keytar);
    } catch (err) {
      throw keychainUnavailable(redactSecret(describeError(err), secret), this.platform);
    }
  }

  get(): Promise<string | null> {
    return this.use((k) => k.getPassword(this.service, this.account));
  }

  async set(value: string): Promise<void> {
    const key = value.trim();
    if (!key) throw new UserError('invalid_input', 'The Mem0 API key is empty: nothing was stored.');
    await this.use((k) => k.setPassword(this.service, this.account, key), key);
  }

  delete(): Promise<boolean> {
    return this.use((k) => k.deletePassword(this.service, this.account));
  }

  async status(): Promise<SecretStatus> {
    try {
      const value = await this.get();
      return {
        set: value !== null && value !== '',
        source: value ? 'keychain' : null,
        hint: value ? maskSecret(value) : null,
        keychainAvailable: true,
      };
    } catch (err) {
      return { set: false, source: null, hint: null, keychainAvailable: false, detail: describeError(err) };
    }
  }
}

/**
 * The keychain with MEM0_API_KEY on top: the environment wins when set and is never written.
 * Without a keychain the environment alone still works (get() does not fail then).
 */
export class EnvOverrideSecretStore implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly variable: string = API_KEY_ENV,
  ) {}

  private fromEnv(): string | null {
    const v = this.env[this.variable]?.trim();
    return v ? v : null;
  }

  async get(): Promise<string | null> {
    return this.fromEnv() ?? (await this.inner.get());
  }

  set(value: string): Promise<void> {
    return this.inner.set(value);
  }

  delete(): Promise<boolean> {
    return this.inner.delete();
  }

  async status(): Promise<SecretStatus> {
    const env = this.fromEnv();
    const inner = await this.inner.status();
    if (!env) return inner;
    return {
      set: true,
      source: 'environment',
      hint: maskSecret(env),
      keychainAvailable: inner.keychainAvailable,
      detail: `from environment (${this.variable}, read-only)${inner.set ? '; a key is also stored in the keychain' : ''}`,
    };
  }
}

/** The store the app uses for the Mem0 API key. */
export function createApiKeyStore(env: NodeJS.ProcessEnv = process.env, keychain?: SecretStore): SecretStore {
  return new EnvOverrideSecretStore(keychain ?? new KeytarSecretStore(), env);
}
