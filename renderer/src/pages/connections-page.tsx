// Connections: Claude Desktop, Claude Code (its server, recall hooks and token, and what the hooks
// last gave a session), MCP tokens and the audit log (every entry on this machine, failed sign-ins
// with an unknown token included).
import { useState, type ReactNode } from 'react';
import {
  AUDIT_OUTCOMES,
  type ConnectionsInfo,
  type RecallInjectionDto,
  type TokenDto,
} from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { CopyField, LoadState, Unavailable, formatTime } from '../components/bits';
import { useToasts } from '../components/toasts';

type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  success: 'sign-in succeeded',
  failed: 'sign-in failed',
  ok: 'access ok',
  denied: 'access denied',
  not_found: 'not found',
};

/** Revoked and expired tokens are both refused; say which, and never "Active" for either. */
function tokenStatus(tok: TokenDto): string {
  if (tok.revoked) return 'Revoked';
  if (tok.expired) return 'Expired';
  return tok.enabled ? 'Active' : 'Disabled';
}

const RECALL_EVENTS: Record<RecallInjectionDto['event'], string> = {
  session: 'session start',
  prompt: 'prompt',
};

/** "<time> · prompt · 3 memories · ~420 tokens": a count and a size; the ids are in the tooltip. */
function recallSummary(r: RecallInjectionDto): string {
  const n = r.memoryIds.length;
  return `${formatTime(r.at)} · ${RECALL_EVENTS[r.event]} · ${n} ${n === 1 ? 'memory' : 'memories'} · ~${r.tokens} tokens`;
}

function ClaudeCodeSection({
  code,
  command,
  onConnect,
  onDisconnect,
}: {
  code: ConnectionsInfo['claudeCode'];
  command: string;
  onConnect(): void;
  onDisconnect(): void;
}) {
  const manual = (
    <>
      <p className="muted">
        Or by hand: create a token below and run this with it in place of &lt;TOKEN&gt;:
      </p>
      <CopyField label="Command" value={command} />
    </>
  );
  if (!code.available)
    return (
      <ClaudeCodeFrame>
        <Unavailable reason={code.reason} />
        {manual}
      </ClaudeCodeFrame>
    );
  const anything = code.mcpRegistered || code.token !== null || code.hooks.some((h) => h.installed);
  const last = code.lastInjection;
  return (
    <ClaudeCodeFrame>
      <div className="row-actions">
        <span className={code.connected ? 'ok' : 'muted'} data-testid="claude-code-state">
          {code.connected ? 'Connected' : anything ? 'Partly connected' : 'Not connected'}
        </span>
        {code.connected ? null : (
          <button type="button" onClick={onConnect}>
            Connect
          </button>
        )}
        {anything ? (
          <button type="button" onClick={onDisconnect}>
            Disconnect
          </button>
        ) : null}
      </div>
      <dl className="facts" data-testid="claude-code-facts">
        <dt>MCP server</dt>
        <dd>{code.mcpRegistered ? 'Registered' : 'Not registered'}</dd>
        <dt>Recall hooks</dt>
        <dd>
          {code.hooks.map((h) => (
            <div key={h.scope}>
              {h.scope}: {h.installed ? 'installed' : 'not installed'}{' '}
              <span className="muted mono">{h.settingsPath}</span>
            </div>
          ))}
        </dd>
        <dt>Token</dt>
        <dd>
          {code.token ? (
            <>
              <span className="mono">{code.token.id}</span> ({code.token.userId}){' '}
              {code.token.working ? 'active' : 'revoked or expired'}
            </>
          ) : (
            'none'
          )}
        </dd>
        <dt>Last recall</dt>
        <dd data-testid="last-recall" title={last ? last.memoryIds.join(', ') : undefined}>
          {last ? recallSummary(last) : 'none yet'}
        </dd>
      </dl>
      {manual}
    </ClaudeCodeFrame>
  );
}

function ClaudeCodeFrame({ children }: { children: ReactNode }) {
  return (
    <section aria-labelledby="claude-code-title">
      <h2 id="claude-code-title">Claude Code</h2>
      {children}
    </section>
  );
}

export function ConnectionsPage() {
  const client = useClient();
  const toasts = useToasts();
  const [conn, reloadConn, setConn] = useLoad(() => client.getConnections({}), [client]);
  const [tokens, reloadTokens, setTokens] = useLoad(() => client.listTokens({}), [client]);
  const [created, setCreated] = useState<{ token: TokenDto; secret: string } | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [auditFilter, setAuditFilter] = useState<{ tokenId: string; outcome: AuditOutcome | '' }>({
    tokenId: '',
    outcome: '',
  });
  const [audit, reloadAudit] = useLoad(
    () =>
      client.auditLog({
        offset: 0,
        limit: 100,
        ...(auditFilter.tokenId ? { tokenId: auditFilter.tokenId } : {}),
        ...(auditFilter.outcome ? { outcome: auditFilter.outcome } : {}),
      }),
    [client, auditFilter],
  );

  const fail = (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' });
  // Connecting makes (and may revoke) a token, disconnecting revokes it: the token list follows.
  const claudeCode = (call: () => Promise<ConnectionsInfo>) =>
    call().then((r) => {
      setConn(r);
      reloadTokens();
      reloadAudit();
    }, fail);
  const tokenAction = async (fn: () => Promise<{ tokens: TokenDto[] }>) => {
    try {
      const r = await fn();
      setTokens({ available: true, tokens: r.tokens });
      reloadAudit();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section className="page" aria-labelledby="conn-title">
      <header className="page-head">
        <h1 id="conn-title">Connections</h1>
      </header>
      <LoadState loaded={conn} onRetry={reloadConn}>
        {(c) => (
          <>
            <h2>Claude Desktop</h2>
            {!c.claudeDesktop.available ? (
              <Unavailable reason={c.claudeDesktop.reason} />
            ) : (
              <div className="row-actions">
                <span className={c.claudeDesktop.connected ? 'ok' : 'muted'}>
                  {c.claudeDesktop.connected ? 'Connected' : 'Not connected'}
                </span>
                <span className="muted mono">{c.claudeDesktop.configPath}</span>
                <button
                  type="button"
                  onClick={() =>
                    (c.claudeDesktop.available && c.claudeDesktop.connected
                      ? client.disconnectClaudeDesktop({})
                      : client.connectClaudeDesktop({})
                    ).then(setConn, fail)
                  }
                >
                  {c.claudeDesktop.connected ? 'Disconnect' : 'Connect'}
                </button>
              </div>
            )}
            <ClaudeCodeSection
              code={c.claudeCode}
              command={c.claudeCodeCommand}
              onConnect={() => claudeCode(() => client.connectClaudeCode({}))}
              onDisconnect={() => claudeCode(() => client.disconnectClaudeCode({}))}
            />
          </>
        )}
      </LoadState>

      <h2>Tokens</h2>
      {created ? (
        <div className="notice ok" role="alert" data-testid="new-token">
          <p>
            Token <strong>{created.token.name}</strong> created. Copy it now: it is shown only this once.
          </p>
          <CopyField label="Token" value={created.secret} />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          client
            .createToken({ name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}) })
            .then((r) => {
              setCreated(r);
              setName('');
              setEmail('');
              reloadTokens();
              reloadAudit();
            }, fail);
        }}
      >
        <input
          aria-label="Token name"
          placeholder="Name (e.g. laptop)"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          aria-label="Email"
          type="email"
          placeholder="Email (optional)"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" className="primary" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      <LoadState loaded={tokens} onRetry={reloadTokens}>
        {(t) =>
          !t.available ? (
            <Unavailable reason={t.reason} />
          ) : t.tokens.length === 0 ? (
            <p className="muted">No tokens yet.</p>
          ) : (
            <table className="table" data-testid="tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Prefix</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>Status</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {t.tokens.map((tok) => (
                  <tr key={tok.id} data-testid="token-row">
                    <td>{tok.name}</td>
                    <td className="mono">{tok.prefix}…</td>
                    <td>{formatTime(tok.createdAt)}</td>
                    <td>{tok.expiresAt ? formatTime(tok.expiresAt) : 'never'}</td>
                    <td>{formatTime(tok.lastUsedAt)}</td>
                    <td data-testid="token-status">{tokenStatus(tok)}</td>
                    <td className="row-actions">
                      {tok.revoked || !tok.enabled ? (
                        <button
                          type="button"
                          onClick={() => tokenAction(() => client.enableToken({ id: tok.id }))}
                        >
                          Enable
                        </button>
                      ) : (
                        <button
                          type="button"
                          onClick={() => tokenAction(() => client.revokeToken({ id: tok.id }))}
                        >
                          Revoke
                        </button>
                      )}
                      <button
                        type="button"
                        className="danger"
                        onClick={() => tokenAction(() => client.deleteToken({ id: tok.id }))}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadState>

      <h2>Audit log</h2>
      <div className="filters">
        <select
          aria-label="Token"
          value={auditFilter.tokenId}
          onChange={(e) => setAuditFilter({ ...auditFilter, tokenId: e.target.value })}
        >
          <option value="">All tokens</option>
          {(tokens.value?.available ? tokens.value.tokens : []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Outcome"
          value={auditFilter.outcome}
          onChange={(e) => setAuditFilter({ ...auditFilter, outcome: e.target.value as AuditOutcome | '' })}
        >
          <option value="">All outcomes</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      <LoadState loaded={audit} onRetry={reloadAudit}>
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
    </section>
  );
}
