// Settings: backend and its URL, the Mem0 API key (set or clear; never shown back), ports,
// isolation mode, user id. Values forced by an environment variable are read-only and say which
// variable holds them; an edit of settings.json that could not be applied is shown with every problem.
import { useState, type FormEvent } from 'react';
import { BACKEND_KINDS, ISOLATION_MODES, type SettingsView } from '../../../main/core/ui-api/contract';
import { useClient, useUiEvents } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { LoadState, formatTime } from '../components/bits';
import { useToasts } from '../components/toasts';

type Draft = Partial<
  Pick<
    SettingsView,
    | 'userId'
    | 'backend'
    | 'mem0Host'
    | 'mem0ServerUrl'
    | 'proxyPort'
    | 'gatewayPort'
    | 'apiPort'
    | 'isolationMode'
    | 'manualProjectId'
  >
>;

export function SettingsPage({ onSaved }: { onSaved?(): void }) {
  const client = useClient();
  const toasts = useToasts();
  const [view, reload, setView] = useLoad(() => client.getSettings({}), [client]);
  const [draft, setDraft] = useState<Draft>({});
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  // settings.json edited elsewhere (by hand, the CLI): the core says so with a status event.
  useUiEvents((e) => {
    if (e.type === 'status') reload();
  });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const next = await client.updateSettings({ patch: draft });
      setView(next);
      setDraft({});
      onSaved?.();
      const portsChanged = ['proxyPort', 'gatewayPort', 'apiPort'].some((k) => k in draft);
      toasts.show(portsChanged ? 'Saved. New ports apply after a restart.' : 'Settings saved.');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="page-head">
        <h1 id="settings-title">Settings</h1>
      </header>
      <LoadState loaded={view} onRetry={reload}>
        {(v) => {
          const val = <K extends keyof Draft>(k: K) => (k in draft ? draft[k] : v[k]);
          const locked = (k: string) => (v.overridden[k] ? `set by ${v.overridden[k]}` : undefined);
          const heldNote = (k: string) =>
            locked(k) ? (
              <small className="muted" data-testid={`held-${k}`}>
                {locked(k)}
              </small>
            ) : null;
          const field = (k: keyof Draft, label: string, type: 'text' | 'number' = 'text') => (
            <label className="field">
              <span>{label}</span>
              <input
                type={type}
                value={String(val(k) ?? '')}
                disabled={Boolean(locked(k))}
                title={locked(k)}
                onChange={(e) =>
                  setDraft({
                    ...draft,
                    [k]:
                      type === 'number'
                        ? Number(e.target.value)
                        : k === 'mem0ServerUrl' && !e.target.value
                          ? null
                          : e.target.value,
                  })
                }
              />
              {heldNote(k)}
            </label>
          );
          return (
            <>
              {v.error ? (
                <div className="notice error" role="alert" data-testid="settings-file-error">
                  <strong>settings.json has an edit that could not be applied</strong>{' '}
                  <span className="muted">({formatTime(v.error.at)})</span>
                  <ul>
                    {v.error.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                  <p>Mem0 Tray keeps using the settings shown below until the file is fixed.</p>
                </div>
              ) : null}
              <form className="settings" onSubmit={save}>
                <fieldset>
                  <legend>Memory backend</legend>
                  <label className="field">
                    <span>Backend</span>
                    <select
                      value={val('backend')}
                      disabled={Boolean(locked('backend'))}
                      title={locked('backend')}
                      onChange={(e) =>
                        setDraft({ ...draft, backend: e.target.value as SettingsView['backend'] })
                      }
                    >
                      {BACKEND_KINDS.map((b) => (
                        <option key={b} value={b}>
                          {b === 'local'
                            ? 'Local (SQLite on this machine)'
                            : b === 'mem0-platform'
                              ? 'Mem0 Platform'
                              : 'Self-hosted Mem0 server'}
                        </option>
                      ))}
                    </select>
                    {heldNote('backend')}
                  </label>
                  {val('backend') === 'mem0-platform' ? field('mem0Host', 'Mem0 Platform URL') : null}
                  {val('backend') === 'mem0-server' ? field('mem0ServerUrl', 'Mem0 server URL') : null}
                </fieldset>
                <fieldset>
                  <legend>Identity and isolation</legend>
                  {field('userId', 'User id')}
                  <label className="field">
                    <span>Project isolation</span>
                    <select
                      value={val('isolationMode')}
                      disabled={Boolean(locked('isolationMode'))}
                      title={locked('isolationMode')}
                      onChange={(e) =>
                        setDraft({ ...draft, isolationMode: e.target.value as SettingsView['isolationMode'] })
                      }
                    >
                      {ISOLATION_MODES.map((m) => (
                        <option key={m} value={m}>
                          {m}
                        </option>
                      ))}
                    </select>
                    {heldNote('isolationMode')}
                  </label>
                  {val('isolationMode') === 'manual' ? field('manualProjectId', 'Project id') : null}
                </fieldset>
                <fieldset>
                  <legend>Ports (127.0.0.1)</legend>
                  {field('proxyPort', 'Proxy', 'number')}
                  {field('gatewayPort', 'Gateway', 'number')}
                  {field('apiPort', 'API, MCP and this UI', 'number')}
                </fieldset>
                {error ? (
                  <p className="error" role="alert">
                    {error}
                  </p>
                ) : null}
                <div className="row-actions">
                  <button type="submit" className="primary" disabled={Object.keys(draft).length === 0}>
                    Save
                  </button>
                  <button
                    type="button"
                    disabled={Object.keys(draft).length === 0}
                    onClick={() => setDraft({})}
                  >
                    Discard
                  </button>
                </div>
              </form>
              <form
                className="settings"
                onSubmit={(e) => {
                  e.preventDefault();
                  client.setApiKey({ key }).then(
                    (apiKey) => {
                      setKey('');
                      setView({ ...v, apiKey });
                      toasts.show('API key stored in the keychain.');
                    },
                    (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' }),
                  );
                }}
              >
                <fieldset>
                  <legend>Mem0 API key</legend>
                  <p data-testid="api-key-status">
                    {v.apiKey.set
                      ? `Set${v.apiKey.hint ? ` (${v.apiKey.hint})` : ''}, from the ${v.apiKey.source ?? 'keychain'}.`
                      : 'Not set.'}
                    {!v.apiKey.keychainAvailable && v.apiKey.detail ? (
                      <span className="muted"> {v.apiKey.detail}</span>
                    ) : null}
                  </p>
                  <label className="field">
                    <span>New key</span>
                    <input
                      type="password"
                      autoComplete="off"
                      value={key}
                      onChange={(e) => setKey(e.target.value)}
                      placeholder="m0-…"
                    />
                  </label>
                  <div className="row-actions">
                    <button type="submit" className="primary" disabled={key.trim().length < 8}>
                      Store key
                    </button>
                    <button
                      type="button"
                      disabled={!v.apiKey.set || v.apiKey.source === 'environment'}
                      onClick={() =>
                        client.clearApiKey({}).then(
                          (apiKey) => setView({ ...v, apiKey }),
                          (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' }),
                        )
                      }
                    >
                      Clear key
                    </button>
                  </div>
                </fieldset>
              </form>
            </>
          );
        }}
      </LoadState>
    </section>
  );
}
