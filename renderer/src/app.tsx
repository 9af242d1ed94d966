// The review window: a status line, the page list and the current page (chosen by the URL hash,
// so each page has an address).
import { useEffect, useState } from 'react';
import { useClient, useUiEvents } from './api/context';
import { useLoad } from './api/use-load';
import { ToastProvider } from './components/toasts';
import { CapturePage } from './pages/capture-page';
import { CertificatesPage } from './pages/certificates-page';
import { ConnectionsPage } from './pages/connections-page';
import { MemoriesPage } from './pages/memories-page';
import { SettingsPage } from './pages/settings-page';

export const PAGES = [
  { id: 'memories', label: 'Memories' },
  { id: 'capture', label: 'Capture' },
  { id: 'certificates', label: 'Certificates' },
  { id: 'connections', label: 'Connections' },
  { id: 'settings', label: 'Settings' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'memories';
}

export function App() {
  const client = useClient();
  const [page, setPage] = useState<PageId>(pageFromHash);
  const [status, reloadStatus] = useLoad(() => client.getStatus({}), [client]);
  useUiEvents((e) => {
    if (e.type === 'status' || e.type === 'capture') reloadStatus();
  });
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const s = status.value;

  return (
    <ToastProvider>
      <div className="app">
        <nav className="sidebar" aria-label="Pages">
          <div className="brand">Mem0 Tray</div>
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
          <div className="status-line" data-testid="status-line">
            {status.state === 'error' && !s ? (
              <span className="error">{status.error}</span>
            ) : s ? (
              <>
                <span>
                  <span className={`dot ${s.captureEnabled ? 'on' : 'off'}`} aria-hidden="true" />{' '}
                  {s.captureEnabled ? 'Capturing' : 'Paused'}
                  {s.settings?.heldByEnvironment.captureEnabled ? (
                    <span className="muted"> (set by {s.settings.heldByEnvironment.captureEnabled})</span>
                  ) : null}
                </span>
                {s.settings?.error ? (
                  <a href="#/settings" className="error" data-testid="settings-error-link">
                    settings.json could not be applied
                  </a>
                ) : null}
                <span className="muted">
                  {s.userId} · {s.backend}
                </span>
                {s.capturesToday !== null ? <span className="muted">{s.capturesToday} today</span> : null}
                {s.failedLogins ? <span className="error">{s.failedLogins} failed MCP logins</span> : null}
              </>
            ) : (
              <span className="muted">…</span>
            )}
          </div>
        </nav>
        <main className="content">
          {page === 'memories' ? (
            s ? (
              <MemoriesPage userId={s.userId} />
            ) : status.state === 'error' ? (
              <div className="notice error" role="alert">
                {status.error}
              </div>
            ) : (
              <p className="muted">Loading…</p>
            )
          ) : page === 'capture' ? (
            <CapturePage />
          ) : page === 'certificates' ? (
            <CertificatesPage />
          ) : page === 'connections' ? (
            <ConnectionsPage />
          ) : (
            <SettingsPage onSaved={reloadStatus} />
          )}
        </main>
      </div>
    </ToastProvider>
  );
}
