// The detail pane: the full text, where it came from, its history and who read it; edit and delete.
import { useState } from 'react';
import type { MemoryDto } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { LoadState, Unavailable, formatTime } from '../components/bits';

export interface MemoryDetailProps {
  id: string;
  onClose(): void;
  onDelete(memory: MemoryDto): void;
  /** Bumped when this memory changed elsewhere (live events). */
  version: number;
}

export function MemoryDetail({ id, onClose, onDelete, version }: MemoryDetailProps) {
  const client = useClient();
  const [detail, reload, setDetail] = useLoad(() => client.getMemory({ id }), [id, version]);
  const [access] = useLoad(() => client.memoryAccessLog({ id }), [id, version]);
  const [editing, setEditing] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    if (editing === null) return;
    setSaving(true);
    setError(null);
    try {
      const memory = await client.updateMemory({ id, text: editing });
      const history = (await client.getMemory({ id })).history;
      setDetail({ memory, history });
      setEditing(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <aside className="detail" aria-label="Memory details" data-testid="memory-detail">
      <div className="detail-head">
        <h2>Memory</h2>
        <button type="button" className="link" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <LoadState loaded={detail} onRetry={reload}>
        {({ memory, history }) => (
          <>
            {editing === null ? (
              <p className="detail-text" data-testid="detail-text">
                {memory.text}
              </p>
            ) : (
              <textarea
                aria-label="Memory text"
                value={editing}
                rows={8}
                onChange={(e) => setEditing(e.target.value)}
                autoFocus
              />
            )}
            {error ? (
              <p className="error" role="alert">
                {error}
              </p>
            ) : null}
            <div className="row-actions">
              {editing === null ? (
                <>
                  <button type="button" onClick={() => setEditing(memory.text)}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => onDelete(memory)}>
                    Delete
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="primary"
                    disabled={saving || !editing.trim()}
                    onClick={save}
                  >
                    {saving ? 'Saving…' : 'Save'}
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </>
              )}
            </div>
            <h3>Provenance</h3>
            <dl className="facts">
              <dt>Project</dt>
              <dd>{memory.projectId ?? 'none'}</dd>
              <dt>Source</dt>
              <dd>{memory.source}</dd>
              <dt>Conversation</dt>
              <dd>{memory.conversationId ?? '—'}</dd>
              <dt>Model</dt>
              <dd>{memory.model ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{formatTime(memory.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{formatTime(memory.updatedAt)}</dd>
              <dt>Id</dt>
              <dd className="mono">{memory.id}</dd>
            </dl>
            <h3>History</h3>
            <ol className="history">
              {history.map((h) => (
                <li key={h.id}>
                  <strong>{h.event}</strong> <time>{formatTime(h.createdAt)}</time>
                  {h.event === 'UPDATE' && h.oldText !== null ? (
                    <div className="muted">was: {h.oldText.slice(0, 200)}</div>
                  ) : null}
                </li>
              ))}
            </ol>
            <h3>Access log</h3>
            <LoadState loaded={access}>
              {(log) =>
                !log.available ? (
                  <Unavailable reason={log.reason} />
                ) : log.entries.length === 0 ? (
                  <p className="muted">No client has read this memory yet.</p>
                ) : (
                  <ul className="history">
                    {log.entries.map((a, i) => (
                      <li key={i}>
                        <time>{formatTime(a.at)}</time> {a.action} via {a.via}
                        {a.tokenName ? ` (${a.tokenName})` : ''} — {a.outcome}
                      </li>
                    ))}
                  </ul>
                )
              }
            </LoadState>
          </>
        )}
      </LoadState>
    </aside>
  );
}
