// The line above the list: how many memories or matches, and what can be done with the selection.
import type { SearchHits } from './use-memory-search';

export interface ListStatusProps {
  searching: boolean;
  /** The search's latest answer; null while it is awaited. */
  hits: SearchHits | null;
  /** How many memories the filters match; null until known. */
  total: number | null;
  selectedCount: number;
  onDeleteSelected(): void;
  onClearSelection(): void;
  onSelectMatches(): void;
}

export function ListStatus(props: ListStatusProps) {
  const { searching, hits, total, selectedCount } = props;
  return (
    <div className="list-status" aria-live="polite">
      <span data-testid="memory-count">{searching ? matchesText(hits) : totalText(total)}</span>
      {selectedCount > 0 ? (
        <span className="bulk">
          <strong data-testid="selected-count">{selectedCount} selected</strong>
          <button type="button" className="danger" onClick={props.onDeleteSelected}>
            Delete selected…
          </button>
          <button type="button" className="link" onClick={props.onClearSelection}>
            Clear selection
          </button>
        </span>
      ) : searching && hits && hits.hits.length > 0 ? (
        <button type="button" className="link" onClick={props.onSelectMatches}>
          Select all matches
        </button>
      ) : null}
    </div>
  );
}

function matchesText(hits: SearchHits | null): string {
  if (!hits) return 'Searching…';
  const n = hits.hits.length;
  return `${n}${n >= hits.limit ? '+' : ''} ${n === 1 ? 'match' : 'matches'}`;
}

function totalText(total: number | null): string {
  if (total === null) return 'Loading…';
  return `${total.toLocaleString()} ${total === 1 ? 'memory' : 'memories'}`;
}
