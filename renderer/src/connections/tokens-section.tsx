// MCP tokens: create one (its secret shown only once), and enable, revoke or delete each.
import { useState } from 'react';
import type { Maybe, TokenDto } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import type { Loaded } from '../api/use-load';
import { CopyField, LoadState, Unavailable, formatTime } from '../components/bits';

export interface TokensSectionProps {
  tokens: Loaded<Maybe<{ tokens: TokenDto[] }>>;
  onRetry(): void;
  /** A token was created (the list and the audit log have news). */
  onCreated(): void;
  /** A token changed: the list as it is now. */
  onTokens(tokens: TokenDto[]): void;
  onError(err: unknown): void;
}

/** Revoked and expired tokens are both refused; say which, and never "Active" for either. */
function tokenStatus(tok: TokenDto): string {
  if (tok.revoked) return 'Revoked';
  if (tok.expired) return 'Expired';
  return tok.enabled ? 'Active' : 'Disabled';
}

export function TokensSection({ tokens, onRetry, onCreated, onTokens, onError }: TokensSectionProps) {
  const client = useClient();
  const [created, setCreated] = useState<{ token: TokenDto; secret: string } | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const act = (call: () => Promise<{ tokens: TokenDto[] }>) =>
    call().then((r) => onTokens(r.tokens), onError);

  return (
    <>
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
              onCreated();
            }, onError);
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
      <LoadState loaded={tokens} onRetry={onRetry}>
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
                        <button type="button" onClick={() => act(() => client.enableToken({ id: tok.id }))}>
                          Enable
                        </button>
                      ) : (
                        <button type="button" onClick={() => act(() => client.revokeToken({ id: tok.id }))}>
                          Revoke
                        </button>
                      )}
                      <button
                        type="button"
                        className="danger"
                        onClick={() => act(() => client.deleteToken({ id: tok.id }))}
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
    </>
  );
}
