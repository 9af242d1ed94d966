// Certificates: the local CA and whether each trust store on this machine trusts it.
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
                      </td>
                      <td>
                        {s.trusted ? (
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
              </div>
            </>
          )
        }
      </LoadState>
    </section>
  );
}
