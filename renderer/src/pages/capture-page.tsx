// Capture: whether it records, what waits in the outbox, the live feed, excluded projects and the
// commands that route a terminal through capture.
import { useState } from 'react';
import type { CaptureEventDto } from '../../../main/core/ui-api/contract';
import { useClient, useUiEvents } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { CopyField, LoadState, formatTime } from '../components/bits';
import { useToasts } from '../components/toasts';

export function CapturePage() {
  const client = useClient();
  const toasts = useToasts();
  const [info, reload, setInfo] = useLoad(() => client.getCapture({}), [client]);
  const [feed, setFeed] = useState<CaptureEventDto[]>([]);
  const [patterns, setPatterns] = useState<string | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);
  useUiEvents((e) => {
    // A known id is an update (a queued turn's memories arrived): it replaces its row in place.
    if (e.type === 'capture')
      setFeed((f) =>
        f.some((r) => r.id === e.event.id)
          ? f.map((r) => (r.id === e.event.id ? e.event : r))
          : [e.event, ...f].slice(0, 50),
      );
    if (e.type === 'status' || e.type === 'capture') reload();
  });

  const act = async (fn: () => Promise<Awaited<ReturnType<typeof client.getCapture>>>) => {
    try {
      setInfo(await fn());
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
      reload();
    }
  };

  return (
    <section className="page" aria-labelledby="capture-title">
      <header className="page-head">
        <h1 id="capture-title">Capture</h1>
      </header>
      <LoadState loaded={info} onRetry={reload}>
        {(c) => {
          const recent = [...feed, ...c.recent.filter((r) => !feed.some((f) => f.id === r.id))].slice(0, 50);
          return (
            <>
              {!c.available ? <div className="notice">{c.reason}</div> : null}
              <div className="cards">
                <div className="card">
                  <div className="card-label">Capture</div>
                  <label className="switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={c.enabled}
                      aria-label="Capture on"
                      // Held by an environment variable: a change here would not take effect.
                      disabled={c.enabledHeldBy !== null}
                      title={c.enabledHeldBy ? `set by ${c.enabledHeldBy}` : undefined}
                      onChange={(e) => {
                        const enabled = e.target.checked;
                        // Show the new state at once; the answer (or an error toast and reload) follows.
                        setInfo({ ...c, enabled });
                        void act(() => client.setCaptureEnabled({ enabled }));
                      }}
                    />
                    <span>
                      {c.enabled
                        ? 'On — new exchanges become memories'
                        : 'Paused — traffic flows, nothing is kept'}
                    </span>
                  </label>
                  {c.enabledHeldBy ? (
                    <small className="muted" data-testid="capture-held">
                      set by {c.enabledHeldBy}: unset it and restart Mem0 Tray to change it here
                    </small>
                  ) : null}
                </div>
                <div className="card">
                  <div className="card-label">Proxy</div>
                  {c.proxyPort !== null ? (
                    <>
                      <div data-testid="proxy-state">Running on 127.0.0.1:{c.proxyPort}</div>
                      <button type="button" onClick={() => setConfirmStop(true)} disabled={confirmStop}>
                        Stop proxy…
                      </button>
                    </>
                  ) : (
                    <>
                      <div className="error" data-testid="proxy-state">
                        Stopped — clients set to use it cannot connect
                      </div>
                      <button
                        type="button"
                        onClick={() => act(() => client.setProxyRunning({ running: true }))}
                      >
                        Start proxy
                      </button>
                    </>
                  )}
                </div>
                <div className="card">
                  <div className="card-label">Today</div>
                  <div className="figure" data-testid="captures-today">
                    {c.capturesToday ?? '—'}
                  </div>
                </div>
                <div className="card">
                  <div className="card-label">Waiting in the outbox</div>
                  <div className="figure">{c.pending ?? '—'}</div>
                  {c.failed ? <div className="error">{c.failed} rejected by the backend</div> : null}
                </div>
                <div className="card">
                  <div className="card-label">Last error</div>
                  {c.lastError ? (
                    <div className="error">
                      {c.lastError.message} <span className="muted">{formatTime(c.lastError.at)}</span>
                    </div>
                  ) : (
                    <div className="muted">None</div>
                  )}
                </div>
              </div>
              {confirmStop && c.proxyPort !== null ? (
                <div className="notice" role="alertdialog" aria-labelledby="stop-proxy-title">
                  <h2 id="stop-proxy-title">Stop the capture proxy?</h2>
                  <p>
                    Every client set to use it — terminals with{' '}
                    <code>HTTPS_PROXY=http://127.0.0.1:{c.proxyPort}</code> from <code>mem0-tray env</code> or
                    the shell integration, and Claude Code started from them — will fail to connect to
                    Anthropic (and to every other site) until you start it again. To stop recording without
                    breaking them, pause capture instead.
                  </p>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        setConfirmStop(false);
                        void act(() => client.setProxyRunning({ running: false }));
                      }}
                    >
                      Stop the proxy
                    </button>
                    <button type="button" autoFocus onClick={() => setConfirmStop(false)}>
                      Keep it running
                    </button>
                  </div>
                </div>
              ) : null}
              <h2>Route a terminal through capture</h2>
              <CopyField label={`Proxy (port ${c.proxyPort ?? '—'})`} value={c.commands.proxy} />
              <CopyField label={`Gateway (port ${c.gatewayPort ?? '—'})`} value={c.commands.gateway} />
              <h2>Excluded projects</h2>
              <p className="muted">
                Glob patterns of project directories that are never captured, one per line.
              </p>
              <textarea
                aria-label="Excluded projects"
                rows={4}
                value={patterns ?? c.excludedProjects.join('\n')}
                onChange={(e) => setPatterns(e.target.value)}
              />
              <div className="row-actions">
                <button
                  type="button"
                  disabled={patterns === null}
                  onClick={() =>
                    act(async () => {
                      const r = await client.setExcludedProjects({
                        patterns: (patterns ?? '')
                          .split('\n')
                          .map((s) => s.trim())
                          .filter(Boolean),
                      });
                      setPatterns(null);
                      return r;
                    })
                  }
                >
                  Save exclusions
                </button>
              </div>
              <h2>Recent captures</h2>
              {recent.length === 0 ? (
                <p className="muted" data-testid="feed-empty">
                  Nothing captured since the app started.
                </p>
              ) : (
                <table className="table" data-testid="capture-feed">
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th>Route</th>
                      <th>Outcome</th>
                      <th>Project</th>
                      <th>Model</th>
                      <th>Memories</th>
                    </tr>
                  </thead>
                  <tbody>
                    {recent.map((r) => (
                      <tr key={r.id}>
                        <td>{formatTime(r.at)}</td>
                        <td>{r.route}</td>
                        <td className={r.outcome === 'failed' ? 'error' : undefined}>
                          {r.outcome}
                          {r.reason ? ` (${r.reason})` : ''}
                        </td>
                        <td>{r.projectId ?? '—'}</td>
                        <td>{r.model ?? '—'}</td>
                        <td data-testid="capture-memories">
                          {r.memoryCount === null ? (
                            <span className="muted" title="Waiting in the outbox for the Mem0 backend">
                              queued
                            </span>
                          ) : (
                            r.memoryCount
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}
