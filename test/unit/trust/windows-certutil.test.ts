// Windows Root stores: certutil argv plans through an injected runner, and parsing of certutil's
// outputs (found, not found, localised, cancelled, absent on delete).
import { describe, expect, it } from 'vitest';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import {
  renderPowerShellScript,
  sudoPromptCommand,
  type ElevatedPlan,
  type Elevator,
} from '../../../main/core/certs/trust/elevation.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { UserError } from '../../../main/core/errors.js';
import {
  WindowsMachineRootStore,
  WindowsUserRootStore,
  parseCertutilStore,
} from '../../../main/core/certs/trust/windows-certutil.js';
import { FakeRunner, fixture, startsWith } from './fake-runner.js';

const current = parseCaCert(fixture('ca-current.pem'));
const old = parseCaCert(fixture('ca-old.pem'));
const foreign = parseCaCert(fixture('ca-foreign.pem'));

function recordingElevator(): Elevator & { plans: ElevatedPlan[] } {
  const plans: ElevatedPlan[] = [];
  return { kind: 'sudo-prompt', plans, run: async (plan) => (plans.push(plan), { stdout: '', stderr: '' }) };
}

describe('certutil -store parsing', () => {
  it('finds only our CAs, with their thumbprints (spaced or not) and serials', () => {
    const found = parseCertutilStore(fixture('windows/certutil-user-store-found.stdout'));
    expect(found).toEqual([
      {
        sha256: null,
        sha1: current.sha1,
        serial: current.serial,
        subject: 'CN=Mem0 Tray CA, O=Mem0 Tray',
        ref: current.sha1,
      },
      {
        sha256: null,
        sha1: old.sha1,
        serial: old.serial,
        subject: 'CN=Mem0 Tray CA 2024, O=Mem0 Tray',
        ref: old.sha1,
      },
    ]);
    expect(found.some((f) => f.sha1 === foreign.sha1)).toBe(false);
  });

  it('does not depend on English labels', () => {
    const found = parseCertutilStore(fixture('windows/certutil-machine-store-de.stdout'));
    expect(found.map((f) => [f.sha1, f.serial])).toEqual([[old.sha1, old.serial]]);
  });

  it('an empty answer is an empty store', () => {
    expect(parseCertutilStore(fixture('windows/certutil-user-store-not-found.stdout'))).toEqual([]);
  });
});

describe('Windows user Root store', () => {
  it('status by thumbprint, earlier CAs listed', async () => {
    const runner = new FakeRunner().on(startsWith('certutil', '-user', '-store'), {
      stdout: fixture('windows/certutil-user-store-found.stdout'),
    });
    const status = await new WindowsUserRootStore({ runner }).status(current);
    expect(runner.calls).toEqual([['certutil', '-user', '-store', 'Root']]);
    expect(status).toMatchObject({ trusted: true, privileged: false, scope: 'user' });
    expect(status.others.map((o) => o.sha1)).toEqual([old.sha1]);
  });

  it('installs with certutil -user -addstore (no elevation) from a temp copy of the PEM', async () => {
    const runner = new FakeRunner().on(startsWith('certutil', '-user', '-addstore'), {
      stdout: fixture('windows/certutil-addstore-ok.stdout'),
    });
    await new WindowsUserRootStore({ runner }).install(current);
    const argv = runner.calls[0]!;
    expect(argv.slice(0, -1)).toEqual(['certutil', '-user', '-addstore', '-f', 'Root']);
    expect(argv.at(-1)).toMatch(/ca\.crt$/);
    expect(runner.fileContents.get(argv.at(-1)!)).toBe(current.pem);
  });

  it('the user answering No to Windows’ warning is a clear UserError', async () => {
    const runner = new FakeRunner().on(startsWith('certutil', '-user', '-addstore'), {
      code: -2147023673,
      stdout: fixture('windows/certutil-addstore-cancelled.stdout'),
    });
    const err = (await new WindowsUserRootStore({ runner })
      .install(current)
      .catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(
      'Windows asked to confirm the certificate and it was cancelled; nothing was changed.',
    );
  });

  it('removes by thumbprint; an entry that is really in the machine store is skipped', async () => {
    const runner = new FakeRunner()
      .on(startsWith('certutil', '-user', '-store'), {
        stdout: fixture('windows/certutil-user-store-found.stdout'),
      })
      .on((a) => a[2] === '-delstore' && a[4] === old.sha1, {
        code: -2146885628,
        stdout: fixture('windows/certutil-delstore-not-found.stdout'),
      });
    const removed = await new WindowsUserRootStore({ runner }).remove('all');
    expect(removed).toBe(1);
    expect(runner.calls.slice(1)).toEqual([
      ['certutil', '-user', '-delstore', 'Root', current.sha1],
      ['certutil', '-user', '-delstore', 'Root', old.sha1],
    ]);
  });
});

describe('Windows machine Root store (UAC)', () => {
  it('install and removal of an earlier CA in ONE elevated PowerShell script', async () => {
    const runner = new FakeRunner().on(startsWith('certutil', '-store'), {
      stdout: fixture('windows/certutil-machine-store-de.stdout'),
    });
    const elevator = recordingElevator();
    const machine = new WindowsMachineRootStore({ runner, elevator });
    const manager = new TrustManager({ stores: [machine], elevator });
    await manager.apply([{ store: machine, remove: 'all', install: current }], 'install the CA');
    expect(elevator.plans).toHaveLength(1);
    expect(elevator.plans[0]!.steps).toEqual([
      { kind: 'run', argv: ['certutil', '-delstore', 'Root', old.sha1] },
      { kind: 'write', path: { temp: 'mem0-tray-ca.crt' }, contents: current.pem },
      { kind: 'run', argv: ['certutil', '-addstore', '-f', 'Root', { temp: 'mem0-tray-ca.crt' }] },
    ]);
    const script = renderPowerShellScript(elevator.plans[0]!);
    expect(script).toContain(`& 'certutil' '-delstore' 'Root' '${old.sha1}'`);
    expect(script).toContain(`& 'certutil' '-addstore' '-f' 'Root' (Join-Path $T 'mem0-tray-ca.crt')`);
    // It fits in the one line sudo-prompt writes to its .bat file.
    expect(sudoPromptCommand(elevator.plans[0]!, 'win32').length).toBeLessThan(8000);
  });
});
