// A modal that asks the user to type an exact confirmation before a destructive action.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  /** What the user must type, exactly. */
  expected: string;
  /** Label of the input ("Type 3 to confirm"). */
  prompt: string;
  action: string;
  busy?: boolean;
  error?: string | null;
  onConfirm(typed: string): void;
  onCancel(): void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const inputId = useId();
  useEffect(() => input.current?.focus(), []);
  const matches = typed.trim() === props.expected;
  return (
    <div className="overlay" onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (matches && !props.busy) props.onConfirm(typed.trim());
          }}
        >
          <label htmlFor={inputId}>{props.prompt}</label>
          <input
            id={inputId}
            ref={input}
            value={typed}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setTyped(e.target.value)}
          />
          {props.error ? (
            <p className="error" role="alert">
              {props.error}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={!matches || props.busy}>
              {props.busy ? 'Working…' : props.action}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
