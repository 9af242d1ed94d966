// Certificates: the local CA, whether each trust store on this machine trusts it, and the earlier
// CAs of Mem0 Tray still there (each removable by fingerprint).
import { useState } from 'react';
import { useClient } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { LoadState, Unavailable, formatTime } from '../components/bits';
import { useToasts } from '../components/toasts';

export function CertificatesPage() {
  const client = useClient();
  const toasts = useToasts();
  const [certs, reload, setCerts] = useLoad(() => client.getCertificates({}), [client]);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (key: string, fn: () => ReturnType<typeof client.getCertificates>) => {
    setBusy(key);
    try {
      setCerts(await fn());
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
      // A partial change (one store failed) must not leave the table showing the old state.
      reload();
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="page" aria-labelledby="certs-title">
      <header className="page-head">
        <h1 id="certs-title">Certificates</h1>
      </header>
      <p className="muted">
        The proxy decrypts only the Anthropic API, with a local certificate authority that is limited to those
        hosts and whose key never leaves this machine.
      </p>
      <LoadState loaded={certs} onRetry={reload}>
        {(c) =>
          !c.available ? (
            <Unavailable reason={c.reason} />
          ) : (
            <>
              <dl className="facts">
                <dt>CA certificate</dt>
                <dd className="mono">{c.caPath ?? '—'}</dd>
                <dt>Fingerprint</dt>
                <dd className="mono">{c.fingerprint ?? '—'}</dd>
                <dt>Expires</dt>
                <dd>{formatTime(c.expiresAt)}</dd>
              </dl>
              {c.notice ? (
                <p className="notice error" role="alert">
                  {c.notice}
                </p>
              ) : null}
              <table className="table">
                <thead>
                  <tr>
                    <th>Trust store</th>
                    <th>Status</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.stores.map((s) => (
                    <tr key={s.id}>
                      <td>
                        {s.name}
                        {s.privileged ? <span className="muted"> (asks for your password)</span> : null}
                      </td>
                      <td className={s.trusted ? 'ok' : 'muted'}>
                        {s.trusted ? 'Trusted' : 'Not trusted'}
                        {s.detail ? <div className="muted">{s.detail}</div> : null}
                        {s.others.map((o) => (
                          <div key={o.fingerprint} className="muted">
                            Earlier CA {o.subject}{' '}
                            <span className="mono">{shortFingerprint(o.fingerprint)}</span>{' '}
                            <button
                              type="button"
                              disabled={busy !== null}
                              aria-label={`Remove earlier CA ${o.subject} (${shortFingerprint(o.fingerprint)}) from ${s.name}`}
                              onClick={() =>
                                act(`${s.id}:${o.fingerprint}`, () =>
                                  client.removeCertificate({ store: s.id, fingerprint: o.fingerprint }),
                                )
                              }
                            >
                              {busy === `${s.id}:${o.fingerprint}` ? 'Removing…' : 'Remove'}
                            </button>
                          </div>
                        ))}
                      </td>
                      <td>
                        {s.environment ? (
                          <span className="muted">Nothing to install</span>
                        ) : s.trusted ? (
                          <button
                            type="button"
                            disabled={busy !== null}
                            onClick={() => act(s.id, () => client.removeCertificate({ store: s.id }))}
                          >
                            {busy === s.id ? 'Removing…' : 'Remove'}
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="primary"
                            disabled={busy !== null}
                            onClick={() => act(s.id, () => client.installCertificate({ store: s.id }))}
                          >
                            {busy === s.id ? 'Installing…' : 'Install'}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="row-actions">
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => act('regen', () => client.regenerateCertificate({}))}
                >
                  {busy === 'regen' ? 'Regenerating…' : 'Regenerate the CA'}
                </button>
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => act('all', () => client.removeCertificateEverywhere({}))}
                >
                  {busy === 'all' ? 'Removing…' : 'Remove from every store'}
                </button>
              </div>
            </>
          )
        }
      </LoadState>
    </section>
  );
}

/** The first 16 hex digits, AB:CD:… (enough to tell CAs apart on screen). */
function shortFingerprint(hex: string): string {
  return (hex.slice(0, 16).match(/../g) ?? []).join(':').toUpperCase() + '…';
}
