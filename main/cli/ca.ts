// `mem0-tray ca status|install|uninstall|regenerate`: trust for the capture CA, per store, by
// fingerprint. Per-user stores change without a prompt; system stores ask once per command.
// (`ca path` is registered by the CA module's own commands.)
import { Command, Option } from 'commander';
import type { ChangeReport } from '../core/certs/trust/trust-manager.js';
import { TrustService, type StagedCaPem, type TrustOverview } from '../core/certs/trust/trust-service.js';
import { formatFingerprint } from '../core/certs/trust/ca-cert.js';
import { UserError } from '../core/errors.js';
import { assertNotRunning } from '../core/runtime-file.js';
import type { CliEnv } from './env.js';

export interface CaCliDeps {
  trust(cli: CliEnv): TrustService;
}

export function defaultCaCliDeps(stageCa?: (cli: CliEnv) => Promise<StagedCaPem>): CaCliDeps {
  return {
    trust: (cli) =>
      new TrustService({
        paths: cli.paths(),
        db: cli.db(),
        env: cli.env,
        interactiveTerminal: process.stdin.isTTY === true,
        stageCa: stageCa ? () => stageCa(cli) : undefined,
      }),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** The `ca` command group: returned so the CA module can add `ca path` to the same group. */
export function registerCaCommands(
  program: Command,
  cli: CliEnv,
  deps: CaCliDeps = defaultCaCliDeps(),
): Command {
  const existing = program.commands.find((c) => c.name() === 'ca');
  const ca =
    existing ??
    program.command('ca').description('the capture CA: where it is trusted, install, remove, regenerate');

  ca.command('status')
    .description(
      'the CA and, for each trust store, whether it is trusted (by fingerprint) and earlier CAs still there',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const overview = await deps.trust(cli).status();
      cli.out(opts.json ? JSON.stringify(overview, null, 2) : formatStatus(overview));
    });

  ca.command('install')
    .description('trust the CA: by default in every per-user store (no administrator prompt)')
    .option('--store <id>', 'a store id from "ca status" (repeatable, or comma-separated)', collect, [])
    .addOption(
      new Option('--scope <scope>', 'user stores, or the system stores (one administrator prompt)')
        .choices(['user', 'system'])
        .default('user'),
    )
    .action(async (opts: { store: string[]; scope: 'user' | 'system' }) => {
      const trust = deps.trust(cli);
      const reports = await trust.install(opts.store, opts.scope);
      printReports(cli, trust, reports);
      cli.out('Clients that were already running may need a restart to see the change.');
    });

  ca.command('uninstall')
    .description('remove every CA of Mem0 Tray (current and earlier) from the given stores, or from all')
    .option('--store <id>', 'a store id from "ca status" (repeatable, or comma-separated)', collect, [])
    .option('--all', 'every store, and everything ever installed')
    .option(
      '--fingerprint <sha256>',
      'only the CA with this fingerprint (SHA-256 or SHA-1, a prefix of 8+ hex digits is enough)',
    )
    .action(async (opts: { store: string[]; all?: boolean; fingerprint?: string }) => {
      if (!opts.all && opts.store.length === 0) {
        throw new UserError('usage', 'Say where: --store <id> (see "mem0-tray ca status") or --all.');
      }
      if (opts.all && opts.store.length > 0)
        throw new UserError('usage', 'Use either --store or --all, not both.');
      const trust = deps.trust(cli);
      const reports = await trust.uninstall(opts.all ? 'all' : opts.store, opts.fingerprint);
      printReports(cli, trust, reports);
      const total = reports.reduce((n, r) => n + r.removed, 0);
      if (total === 0 && !reports.some((r) => r.skipped))
        cli.out('Nothing of Mem0 Tray was found in those stores.');
      const failed = reports.filter((r) => r.failed).map((r) => r.storeId);
      if (failed.length > 0)
        throw new UserError(
          'failure',
          `Could not remove the CA from ${failed.join(', ')} (see above); the other stores were cleaned.`,
        );
    });

  ca.command('regenerate')
    .description('make a new CA; the stores that trusted the old one trust the new one instead')
    .action(async () => {
      // A running core keeps signing with the CA it loaded: the stores would then trust only a CA
      // the proxy does not use. The app's own Regenerate switches the proxy at once.
      assertNotRunning(
        cli.paths().runtime,
        'regenerate the CA here (or use "Regenerate the CA" on its Certificates page, which switches the proxy at once)',
      );
      const trust = deps.trust(cli);
      const { fingerprint, reports } = await trust.regenerate();
      cli.out(`New CA: ${fingerprint}`);
      printReports(cli, trust, reports);
      if (reports.length === 0)
        cli.out('The old CA was not trusted anywhere; install the new one with "mem0-tray ca install".');
    });

  return ca;
}

function printReports(cli: CliEnv, trust: TrustService, reports: ChangeReport[]): void {
  for (const r of reports) {
    const label = trust.manager.store(r.storeId).label;
    const parts: string[] = [];
    if (r.removed > 0) parts.push(`removed ${r.removed} CA${r.removed === 1 ? '' : 's'} of Mem0 Tray`);
    if (r.installed)
      parts.push(
        r.storeId === 'environment' ? 'nothing to install (see "mem0-tray env")' : 'installed the CA',
      );
    if (r.skipped) parts.push(`${r.failed ? 'failed' : 'skipped'}: ${r.skipped}`);
    if (parts.length) cli.out(`${label}: ${parts.join(', then ')}${r.skipped ? '' : '.'}`);
  }
}

export function formatStatus(o: TrustOverview): string {
  const lines: string[] = [];
  if (o.caExists) {
    lines.push(`CA: ${o.caPath}`, `Fingerprint (SHA-256): ${o.fingerprint}`, `Expires: ${o.expiresAt}`);
  } else {
    lines.push(`CA: none yet (${o.caPath}); it is created when capture starts.`);
  }
  lines.push('', 'Trust stores:');
  for (const s of o.stores) {
    const state = !s.available
      ? 'unavailable'
      : s.scope === 'environment'
        ? 'no install needed'
        : s.trusted
          ? 'trusted'
          : 'not trusted';
    lines.push(
      `  ${s.id.padEnd(24)} ${state.padEnd(18)} ${s.label}${s.privileged ? ' [administrator]' : ''}`,
    );
    if (s.detail) lines.push(`  ${''.padEnd(24)} ${s.detail}`);
    for (const other of s.others) {
      const fp = other.sha256
        ? `SHA-256 ${formatFingerprint(other.sha256)}`
        : `SHA-1 ${formatFingerprint(other.sha1 ?? '')}`;
      lines.push(
        `  ${''.padEnd(24)} earlier CA "${other.subject}" (${fp}): remove only it with "mem0-tray ca uninstall --store ${s.id} --fingerprint ${other.sha256 ?? other.sha1 ?? ''}"`,
      );
    }
  }
  if (o.notice) lines.push('', o.notice);
  return lines.join('\n');
}
