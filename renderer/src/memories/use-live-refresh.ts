// Memories change while the page is open (captures, MCP clients, other windows): each change is
// seen at once, and the lists are read again at most every REFRESH_EVERY_MS however many arrive.
import { useCallback, useEffect, useRef } from 'react';
import type { UiEvent } from '../../../main/core/ui-api/contract';
import { useUiEvents } from '../api/context';

const REFRESH_EVERY_MS = 200;

export type MemoryEvent = Extract<UiEvent, { type: 'memory.added' | 'memory.updated' | 'memory.deleted' }>;

/**
 * Calls `onEvent` for every memory event, then `refresh` (as of the latest render) once the wait
 * is over. Returns the same throttled refresh, for changes the page makes itself.
 */
export function useLiveRefresh(refresh: () => void, onEvent: (event: MemoryEvent) => void): () => void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const schedule = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, REFRESH_EVERY_MS);
  }, []);
  useUiEvents((event) => {
    if (event.type !== 'memory.added' && event.type !== 'memory.updated' && event.type !== 'memory.deleted')
      return;
    onEvent(event);
    schedule();
  });
  return schedule;
}
