// Small shared pieces: load states, copyable commands, "not available" notes.
import { useState, type ReactNode } from 'react';
import type { Loaded } from '../api/use-load';

export function LoadState<T>({
  loaded,
  children,
  onRetry,
}: {
  loaded: Loaded<T>;
  children: (value: T) => ReactNode;
  onRetry?: () => void;
}) {
  if (loaded.value !== null && loaded.state !== 'error') return <>{children(loaded.value)}</>;
  if (loaded.state === 'error') {
    return (
      <div className="notice error" role="alert">
        <p>{loaded.error}</p>
        {onRetry ? (
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <p className="muted" aria-busy="true">
      Loading…
    </p>
  );
}

export function Unavailable({ reason }: { reason: string }) {
  return (
    <div className="notice" data-testid="unavailable">
      <strong>Not available.</strong> {reason}
    </div>
  );
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code>{value}</code>
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(
            () => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            },
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
