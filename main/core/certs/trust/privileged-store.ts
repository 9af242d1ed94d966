// The common half of every store changed through the privileged helper: install() and remove() on
// their own run their plan in one elevated script; the TrustManager instead merges the plans of all
// stores touched by one action into a single script, so the user sees one prompt.
import type { CaCert } from './ca-cert.js';
import type { ElevatedStep, Elevator } from './elevation.js';
import type { Availability, PrivilegedTrustStore, RemoveTarget, StoreStatus, TrustScope } from './types.js';

export abstract class PrivilegedStoreBase implements PrivilegedTrustStore {
  abstract readonly id: string;
  abstract readonly label: string;
  readonly scope: TrustScope = 'system';
  readonly privileged = true as const;

  constructor(protected readonly elevator: Elevator) {}

  abstract available(): Promise<Availability>;
  abstract status(ca: CaCert | null): Promise<StoreStatus>;
  abstract planInstall(ca: CaCert): Promise<ElevatedStep[]>;
  abstract planRemove(target: RemoveTarget): Promise<ElevatedStep[]>;
  /** How many certificates planRemove(target) would remove. */
  abstract countRemovable(target: RemoveTarget): Promise<number>;

  async install(ca: CaCert): Promise<void> {
    await this.elevator.run({
      description: `install the CA in the ${this.label}`,
      steps: await this.planInstall(ca),
    });
  }

  async remove(target: RemoveTarget): Promise<number> {
    const steps = await this.planRemove(target);
    if (steps.length === 0) return 0;
    const count = await this.countRemovable(target);
    await this.elevator.run({ description: `remove the CA from the ${this.label}`, steps });
    return count;
  }
}
