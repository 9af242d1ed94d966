// macOS keychain stores: the exact argv plans through an injected runner, and parsing of the
// security tool's outputs (found, not found, cancelled, no UI).
import { describe, expect, it } from 'vitest';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import {
  renderPosixScript,
  type ElevatedPlan,
  type Elevator,
} from '../../../main/core/certs/trust/elevation.js';
import {
  MacLoginKeychainStore,
  MacSystemKeychainStore,
  SYSTEM_KEYCHAIN,
} from '../../../main/core/certs/trust/macos-keychain.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { UserError } from '../../../main/core/errors.js';
import { FakeRunner, fixture, startsWith } from './fake-runner.js';

const current = parseCaCert(fixture('ca-current.pem'));
const old = parseCaCert(fixture('ca-old.pem'));
const HOME = '/Users/dev with space';
const LOGIN = `${HOME}/Library/Keychains/login.keychain-db`;

function recordingElevator(): Elevator & { plans: ElevatedPlan[] } {
  const plans: ElevatedPlan[] = [];
  return { kind: 'sudo-prompt', plans, run: async (plan) => (plans.push(plan), { stdout: '', stderr: '' }) };
}

describe('macOS login keychain', () => {
  it('finds this CA and the earlier one by fingerprint', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'find-certificate'), {
      stdout: fixture('macos/find-certificate-login-found.stdout'),
    });
    const status = await new MacLoginKeychainStore({ runner, home: HOME }).status(current);
    expect(runner.calls).toEqual([
      ['security', 'find-certificate', '-a', '-Z', '-p', '-c', 'Mem0 Tray', LOGIN],
    ]);
    expect(status).toMatchObject({ id: 'macos-login', scope: 'user', privileged: false, trusted: true });
    expect(status.others).toEqual([
      { sha256: old.sha256, sha1: old.sha1, serial: old.serial, subject: 'Mem0 Tray CA 2024', ref: LOGIN },
    ]);
  });

  it('not found (exit 44) is an empty store, not an error', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'find-certificate'), {
      code: 44,
      stderr: fixture('macos/find-certificate-not-found.stderr'),
    });
    expect(await new MacLoginKeychainStore({ runner, home: HOME }).status(current)).toMatchObject({
      trusted: false,
      others: [],
    });
  });

  it('installs with the SSL and basic policies into the login keychain, without elevation', async () => {
    const runner = new FakeRunner();
    await new MacLoginKeychainStore({ runner, home: HOME }).install(current);
    expect(runner.calls).toHaveLength(1);
    const argv = runner.calls[0]!;
    expect(argv.slice(0, -1)).toEqual([
      'security',
      'add-trusted-cert',
      '-r',
      'trustRoot',
      '-p',
      'ssl',
      '-p',
      'basic',
      '-k',
      LOGIN,
    ]);
    expect(runner.fileContents.get(argv.at(-1)!)).toBe(current.pem);
  });

  it('a cancelled trust dialog is a clear UserError', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'add-trusted-cert'), {
      code: 1,
      stderr: fixture('macos/add-trusted-cert-cancelled.stderr'),
    });
    const err = (await new MacLoginKeychainStore({ runner, home: HOME })
      .install(current)
      .catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(
      'macOS asked to confirm the trust change and it was cancelled; nothing was changed.',
    );
  });

  it('no UI available says where to run it', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'add-trusted-cert'), {
      code: 1,
      stderr: fixture('macos/add-trusted-cert-no-ui.stderr'),
    });
    await expect(new MacLoginKeychainStore({ runner, home: HOME }).install(current)).rejects.toThrow(
      /logged-in desktop session/,
    );
  });

  it('removes by SHA-1 with its trust settings, only the targeted certificate', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'find-certificate'), {
      stdout: fixture('macos/find-certificate-login-found.stdout'),
    });
    const removed = await new MacLoginKeychainStore({ runner, home: HOME }).remove({ certs: [old] });
    expect(removed).toBe(1);
    expect(runner.calls.slice(1)).toEqual([
      ['security', 'delete-certificate', '-Z', old.sha1.toUpperCase(), '-t', LOGIN],
    ]);
    const all = new FakeRunner().on(startsWith('security', 'find-certificate'), {
      stdout: fixture('macos/find-certificate-login-found.stdout'),
    });
    expect(await new MacLoginKeychainStore({ runner: all, home: HOME }).remove('all')).toBe(2);
  });
});

describe('macOS System keychain (privileged)', () => {
  it('install plan: the PEM travels inside the elevated script, trust set in the admin domain', async () => {
    const runner = new FakeRunner();
    const elevator = recordingElevator();
    const store = new MacSystemKeychainStore({ runner, elevator });
    await store.install(current);
    expect(elevator.plans).toHaveLength(1);
    expect(elevator.plans[0]!.steps).toEqual([
      { kind: 'write', path: { temp: 'mem0-tray-ca.pem' }, contents: current.pem },
      {
        kind: 'run',
        argv: [
          'security',
          'add-trusted-cert',
          '-d',
          '-r',
          'trustRoot',
          '-p',
          'ssl',
          '-p',
          'basic',
          '-k',
          SYSTEM_KEYCHAIN,
          { temp: 'mem0-tray-ca.pem' },
        ],
      },
    ]);
    const script = renderPosixScript(elevator.plans[0]!);
    expect(script).toContain(
      `'security' 'add-trusted-cert' '-d' '-r' 'trustRoot' '-p' 'ssl' '-p' 'basic' '-k' '/Library/Keychains/System.keychain' "$T"/'mem0-tray-ca.pem'`,
    );
  });

  it('remove plan drops the admin trust setting and the item, for found certificates only', async () => {
    const runner = new FakeRunner().on(startsWith('security', 'find-certificate'), {
      stdout: fixture('macos/find-certificate-system-found.stdout'),
    });
    const store = new MacSystemKeychainStore({ runner, elevator: recordingElevator() });
    expect(await store.planRemove({ certs: [current] })).toEqual([]);
    expect(await store.planRemove('all')).toEqual([
      { kind: 'write', path: { temp: 'old-0.pem' }, contents: old.pem },
      { kind: 'run', argv: ['security', 'remove-trusted-cert', '-d', { temp: 'old-0.pem' }] },
      {
        kind: 'run',
        argv: ['security', 'delete-certificate', '-Z', old.sha1.toUpperCase(), SYSTEM_KEYCHAIN],
      },
    ]);
  });

  it('regenerate with login and System keychains: one prompt for the System part, login without one', async () => {
    const runner = new FakeRunner()
      .on((a) => a[1] === 'find-certificate' && a.at(-1) === SYSTEM_KEYCHAIN, {
        stdout: fixture('macos/find-certificate-system-found.stdout'),
      })
      .on((a) => a[1] === 'find-certificate' && a.at(-1) === LOGIN, {
        stdout: fixture('macos/find-certificate-login-found.stdout'),
      });
    const elevator = recordingElevator();
    const login = new MacLoginKeychainStore({ runner, home: HOME });
    const system = new MacSystemKeychainStore({ runner, elevator });
    const manager = new TrustManager({ stores: [login, system], elevator });
    const { reports } = await manager.regenerate(old, async () => ({ ca: current, commit: async () => {} }));
    expect(elevator.plans).toHaveLength(1);
    expect(
      elevator.plans[0]!.steps.map((s) => (s.kind === 'run' ? s.argv.slice(0, 2).join(' ') : s.kind)),
    ).toEqual([
      'write',
      'security remove-trusted-cert',
      'security delete-certificate',
      'write',
      'security add-trusted-cert',
    ]);
    expect(reports.map((r) => r.storeId).sort()).toEqual(['macos-login', 'macos-system']);
    const loginCalls = runner.calls.filter((c) => c[1] !== 'find-certificate');
    expect(loginCalls.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'security delete-certificate',
      'security add-trusted-cert',
    ]);
    expect(loginCalls[0]).toContain(old.sha1.toUpperCase());
  });
});
