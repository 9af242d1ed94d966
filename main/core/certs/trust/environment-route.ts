// The environment route: Node clients (Claude Code, the Anthropic SDKs) read NODE_EXTRA_CA_CERTS,
// which `mem0-tray env` sets to our CA for one terminal. Nothing is installed anywhere, so this
// "store" only explains itself; it is listed so the user sees the option that needs no trust change.
import type { CaCert } from './ca-cert.js';
import type { Availability, StoreStatus, TrustStore } from './types.js';

export class EnvironmentRoute implements TrustStore {
  readonly id = 'environment';
  readonly label = 'Environment (NODE_EXTRA_CA_CERTS via "mem0-tray env")';
  readonly scope = 'environment' as const;
  readonly privileged = false;

  async available(): Promise<Availability> {
    return { ok: true };
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    return {
      id: this.id,
      label: this.label,
      scope: this.scope,
      privileged: false,
      available: true,
      trusted: ca !== null,
      others: [],
      detail: ca
        ? 'No install needed: run eval "$(mem0-tray env)" in a terminal; Node clients there trust the CA, nothing else does.'
        : 'No CA yet: it is created when capture starts.',
    };
  }

  async install(): Promise<void> {
    // nothing to install: the CA path travels in the environment
  }

  async remove(): Promise<number> {
    return 0;
  }
}
