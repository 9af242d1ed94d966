// Search as you type: each keystroke asks for the best few matches, and once typing pauses, the
// full list. Answers to an older query or filter are dropped, and nothing of an earlier query
// shows once the box is cleared.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExcerptDto, MemoryDto, MemoryFilters } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage } from '../api/use-load';

/**
 * A keystroke's search runs on the core's only thread and costs it per hit, so it asks for a few
 * and a cheaper ranking (preview); the full search follows when typing pauses.
 */
const TYPING_LIMIT = 10;
const SEARCH_LIMIT = 100;
const FULL_SEARCH_AFTER_MS = 300;

export interface SearchHits {
  query: string;
  /** How many were asked for: as many as that means there may be more. */
  limit: number;
  hits: Array<{ memory: MemoryDto; snippet: ExcerptDto }>;
}

export interface MemorySearch {
  query: string;
  setQuery(query: string): void;
  /** The query without surrounding spaces; searching when it is not empty. */
  trimmed: string;
  searching: boolean;
  /** The latest answer; null while the first answer to this query is awaited. */
  hits: SearchHits | null;
  error: string | null;
  /** Asks again for the full list (after a change, or to retry). */
  rerun(): void;
}

export function useMemorySearch(filters: MemoryFilters): MemorySearch {
  const client = useClient();
  const [query, setQuery] = useState('');
  const [lastHits, setHits] = useState<SearchHits | null>(null);
  const [lastError, setError] = useState<string | null>(null);
  const latestRequest = useRef(0);
  const trimmed = query.trim();
  const searching = trimmed.length > 0;

  const run = useCallback(
    (q: string, f: MemoryFilters, limit: number) => {
      const mine = ++latestRequest.current;
      client.searchMemories({ ...f, query: q, limit, preview: limit === TYPING_LIMIT }).then(
        (r) => {
          if (mine !== latestRequest.current) return;
          setHits({ query: q, limit, hits: r.hits });
          setError(null);
        },
        (err: unknown) => {
          if (mine === latestRequest.current) setError(errorMessage(err));
        },
      );
    },
    [client],
  );

  useEffect(() => {
    if (!trimmed) {
      latestRequest.current++; // an answer still on its way is for a query no longer asked
      return;
    }
    run(trimmed, filters, TYPING_LIMIT);
    const full = setTimeout(() => run(trimmed, filters, SEARCH_LIMIT), FULL_SEARCH_AFTER_MS);
    return () => clearTimeout(full);
  }, [trimmed, filters, run]);

  const rerun = useCallback(() => {
    if (trimmed) run(trimmed, filters, SEARCH_LIMIT);
  }, [trimmed, filters, run]);

  return {
    query,
    setQuery,
    trimmed,
    searching,
    hits: searching ? lastHits : null,
    error: searching ? lastError : null,
    rerun,
  };
}
