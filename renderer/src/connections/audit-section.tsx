// The audit log: every sign-in and memory access on this machine (failed sign-ins with an unknown
// token included), the latest first, filtered by token and outcome.
import { useState } from 'react';
import { AUDIT_OUTCOMES, type TokenDto } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { useLoad } from '../api/use-load';
import { LoadState, Unavailable, formatTime } from '../components/bits';

type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  success: 'sign-in succeeded',
  failed: 'sign-in failed',
  ok: 'access ok',
  denied: 'access denied',
  not_found: 'not found',
};

const SHOWN = 100;

interface AuditFilter {
  tokenId: string;
  outcome: AuditOutcome | '';
}

/** The latest entries under the chosen filter; the page reloads them after it changes tokens. */
export function useAuditLog() {
  const client = useClient();
  const [filter, setFilter] = useState<AuditFilter>({ tokenId: '', outcome: '' });
  const [entries, reload] = useLoad(
    () =>
      client.auditLog({
        offset: 0,
        limit: SHOWN,
        ...(filter.tokenId ? { tokenId: filter.tokenId } : {}),
        ...(filter.outcome ? { outcome: filter.outcome } : {}),
      }),
    [client, filter],
  );
  return { filter, setFilter, entries, reload };
}

export function AuditSection({
  log,
  tokens,
}: {
  log: ReturnType<typeof useAuditLog>;
  /** The tokens to filter by. */
  tokens: readonly TokenDto[];
}) {
  const { filter, setFilter } = log;
  return (
    <>
      <h2>Audit log</h2>
      <div className="filters">
        <select
          aria-label="Token"
          value={filter.tokenId}
          onChange={(e) => setFilter({ ...filter, tokenId: e.target.value })}
        >
          <option value="">All tokens</option>
          {tokens.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Outcome"
          value={filter.outcome}
          onChange={(e) => setFilter({ ...filter, outcome: e.target.value as AuditFilter['outcome'] })}
        >
          <option value="">All outcomes</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      <LoadState loaded={log.entries} onRetry={log.reload}>
        {(a) =>
          !a.available ? (
            <Unavailable reason={a.reason} />
          ) : a.entries.length === 0 ? (
            <p className="muted">No entries.</p>
          ) : (
            <table className="table" data-testid="audit">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>User</th>
                  <th>Token</th>
                  <th>Action</th>
                  <th>Outcome</th>
                  <th>Reason</th>
                  <th>Client</th>
                </tr>
              </thead>
              <tbody>
                {a.entries.map((e) => (
                  <tr key={e.id} data-testid="audit-row">
                    <td>{formatTime(e.at)}</td>
                    <td>{e.userId ?? '—'}</td>
                    <td className={e.tokenName ? undefined : 'mono'}>
                      {e.tokenName ?? (e.tokenPrefix ? `${e.tokenPrefix}…` : (e.tokenId ?? '—'))}
                    </td>
                    <td>{e.action}</td>
                    <td className={e.outcome === 'ok' || e.outcome === 'success' ? undefined : 'error'}>
                      {e.outcome}
                    </td>
                    <td data-testid="audit-reason">{e.reason ?? e.detail ?? '—'}</td>
                    <td>{e.client ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadState>
    </>
  );
}
