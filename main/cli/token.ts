// `mem0-tray token …`: create, list, revoke, enable and delete MCP/REST tokens, read the audit log
// and per-user figures. Works on the shared database, so it takes effect at once in a running tray
// (tokens are checked against the database on every request).
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { AuditLog } from '../core/access/audit-log.js';
import type { AuditEntry } from '../core/access/audit-query.js';
import { TokenStore, type TokenInfo } from '../core/access/tokens.js';
import type { CliEnv } from './env.js';

function tokenStore(cli: CliEnv): TokenStore {
  const settings = cli.settings().settings;
  return new TokenStore(cli.db(), { defaultExpiryDays: () => settings.tokenExpiryDays });
}

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new UserError('usage', `expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function tokenState(t: TokenInfo): 'active' | 'revoked' | 'expired' {
  return t.revoked ? 'revoked' : t.expired ? 'expired' : 'active';
}

function describeToken(t: TokenInfo): string[] {
  return [
    `id:          ${t.id}`,
    `prefix:      ${t.prefix}…`,
    `user:        ${t.userId}`,
    `name:        ${t.name}`,
    `email:       ${t.email ?? '-'}`,
    `permissions: ${t.permissions.join(', ')}`,
    `created:     ${t.createdAt}`,
    `expires:     ${t.expiresAt ?? 'never'}`,
    `state:       ${tokenState(t)}`,
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function auditLine(e: AuditEntry): string[] {
  return [
    e.at.slice(0, 19).replace('T', ' '),
    e.userId ?? '-',
    e.kind === 'auth' ? `auth ${e.outcome}` : `${e.action} ${e.outcome}`,
    e.detail ?? '',
    e.tokenPrefix ?? e.tokenId ?? '-',
    e.via ? `${e.via}${e.transport ? '/' + e.transport : ''}` : '-',
    e.client ?? '-',
  ];
}

export function registerTokenCommands(program: Command, cli: CliEnv): Command {
  const token = program.command('token').description('MCP and REST access tokens, and the audit log');

  token
    .command('create')
    .description('create a token; it is printed once and stored only as a hash')
    .requiredOption('--user-id <id>', 'the user whose memories the token reaches')
    .requiredOption('--name <name>', 'what the token is for, e.g. "laptop Claude Code"')
    .requiredOption('--email <email>', 'who holds it')
    .option(
      '--expires-days <days>',
      'days until it expires, 0 = never (default: the tokenExpiryDays setting)',
      wholeNumber(0, 3650),
    )
    .option('--read-only', 'may search and read, not add, change or delete')
    .option('--json', 'machine-readable output')
    .action(
      (opts: {
        userId: string;
        name: string;
        email: string;
        expiresDays?: number;
        readOnly?: boolean;
        json?: boolean;
      }) => {
        if (!/^[^\s@]+@[^\s@]+$/.test(opts.email.trim())) {
          throw new UserError('usage', `"${opts.email}" is not an email address.`);
        }
        const created = tokenStore(cli).create({
          userId: opts.userId,
          name: opts.name,
          email: opts.email,
          expiresDays: opts.expiresDays,
          readOnly: opts.readOnly,
          createdBy: 'cli',
        });
        if (opts.json) {
          cli.out(JSON.stringify({ token: created.token, record: created.record }, null, 2));
          return;
        }
        cli.out(`Token: ${created.token}`);
        for (const l of describeToken(created.record)) cli.err(l);
        cli.err('This is the only time the token is shown: store it now.');
      },
    );

  token
    .command('list')
    .description('every token (never their values)')
    .option('--user-id <id>', 'only this user’s tokens')
    .option('--json', 'machine-readable output')
    .action((opts: { userId?: string; json?: boolean }) => {
      const list = tokenStore(cli).list({ userId: opts.userId });
      if (opts.json) {
        cli.out(JSON.stringify(list, null, 2));
        return;
      }
      if (list.length === 0) {
        cli.out('No tokens.');
        return;
      }
      cli.out(
        table([
          ['ID', 'PREFIX', 'USER', 'NAME', 'STATE', 'PERMS', 'EXPIRES', 'LAST USED'],
          ...list.map((t) => [
            t.id,
            t.prefix,
            t.userId,
            t.name,
            tokenState(t),
            t.permissions.join(','),
            t.expiresAt?.slice(0, 10) ?? 'never',
            t.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? '-',
          ]),
        ]),
      );
    });

  token
    .command('revoke')
    .description('stop a token from working (by id or unambiguous prefix); --all revokes every token')
    .argument('[ref]', 'token id or prefix')
    .option('--all', 'revoke every token (incident response)')
    .option('--user-id <id>', 'with --all: only this user’s tokens')
    .action((ref: string | undefined, opts: { all?: boolean; userId?: string }) => {
      const store = tokenStore(cli);
      if (opts.all) {
        if (ref) throw new UserError('usage', 'Give either a token or --all, not both.');
        const n = store.revokeAll(opts.userId);
        cli.out(`Revoked ${n} token${n === 1 ? '' : 's'}${opts.userId ? ` of ${opts.userId}` : ''}.`);
        return;
      }
      if (!ref) throw new UserError('usage', 'Give a token id or prefix, or --all.');
      const t = store.revoke(ref);
      cli.out(`Revoked ${t.id} (${t.prefix}…, ${t.userId}, "${t.name}").`);
    });

  token
    .command('enable')
    .description('make a revoked token work again (by id or unambiguous prefix)')
    .argument('<ref>', 'token id or prefix')
    .action((ref: string) => {
      const t = tokenStore(cli).enable(ref);
      cli.out(
        `Enabled ${t.id} (${t.prefix}…, ${t.userId}, "${t.name}")${t.expired ? ' — but it has expired' : ''}.`,
      );
    });

  token
    .command('delete')
    .description('remove a token for good (by id or unambiguous prefix)')
    .argument('<ref>', 'token id or prefix')
    .action((ref: string) => {
      const t = tokenStore(cli).delete(ref);
      cli.out(`Deleted ${t.id} (${t.prefix}…, ${t.userId}, "${t.name}").`);
    });

  token
    .command('audit')
    .description('authentication attempts and memory accesses, newest first')
    .option('--days <days>', 'how far back (default 7)', wholeNumber(1, 3650), 7)
    .option('--user-id <id>', 'only entries about this user')
    .option('--limit <n>', 'at most this many entries (default 200)', wholeNumber(1, 1000), 200)
    .option('--json', 'machine-readable output')
    .action((opts: { days: number; userId?: string; limit: number; json?: boolean }) => {
      const audit = new AuditLog(cli.db());
      const since = new Date(Date.now() - opts.days * 86_400_000).toISOString();
      const { entries, total } = audit.query({ userId: opts.userId, since, limit: opts.limit });
      if (opts.json) {
        cli.out(JSON.stringify({ entries, total }, null, 2));
        return;
      }
      if (entries.length === 0) {
        cli.out(`No audit entries in the last ${opts.days} day(s).`);
        return;
      }
      cli.out(
        table([
          ['TIME (UTC)', 'USER', 'EVENT', 'DETAIL', 'TOKEN', 'VIA', 'CLIENT'],
          ...entries.map(auditLine),
        ]),
      );
      if (total > entries.length) cli.out(`${entries.length} of ${total} (use --limit or --days)`);
    });

  token
    .command('stats')
    .description('a user’s tokens, last use, and failed attempts (last hour, last day)')
    .argument('<userId>')
    .option('--json', 'machine-readable output')
    .action((userId: string, opts: { json?: boolean }) => {
      const stats = new AuditLog(cli.db()).userStats(tokenStore(cli), userId);
      if (opts.json) {
        cli.out(JSON.stringify(stats, null, 2));
        return;
      }
      const t = stats.tokens;
      cli.out(`user:                    ${stats.userId}`);
      cli.out(
        `tokens:                  ${t.total} (${t.active} active, ${t.revoked} revoked, ${t.expired} expired)`,
      );
      cli.out(`last used:               ${stats.lastUsedAt ?? 'never'}`);
      cli.out(`successful logins (24h): ${stats.authSuccessLast24h}`);
      cli.out(`failed attempts (1h):    ${stats.failedLastHour}`);
      cli.out(`failed attempts (24h):   ${stats.failedLast24h}`);
      const accesses = Object.entries(stats.accessesLast30Days);
      cli.out(
        `accesses (30 days):      ${accesses.length ? accesses.map(([a, n]) => `${a} ${n}`).join(', ') : 'none'}`,
      );
    });

  return token;
}
