// The UI's live feed: memory changes of the settings' user and captured turns, fanned out to the
// open pages, and the newest captures kept for the Capture page.
import { describeError } from '../errors.js';
import type { Caller, CaptureEvent, CaptureStoredEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { Memory } from '../memory/types.js';
import type { CaptureEventDto, UiEvent } from './contract.js';
import type { UiHost } from './host.js';
import { toMemoryDto } from './memory-dto.js';

const RECENT_CAPTURES = 50;

export interface UiEvents {
  /** Newest first. */
  recentCaptures(): CaptureEventDto[];
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: UiEvent) => void): () => void;
  dispose(): void;
}

function toCaptureDto(e: CaptureEvent, id: string): CaptureEventDto {
  return {
    id,
    at: e.at,
    route: e.route,
    outcome: e.outcome,
    reason: e.reason ?? null,
    projectId: e.projectId ?? null,
    model: e.model ?? null,
    memoryCount: e.queued ? null : (e.memoryIds?.length ?? 0),
  };
}

export function createUiEvents(host: UiHost, log: Logger): UiEvents {
  /** Newest first; a queued turn keeps its key until the outbox says what it was stored as. */
  const recent: Array<{ dto: CaptureEventDto; turnKey: string | null }> = [];
  let captureSeq = 0;
  // Ids unique across restarts too: a page still open from before must not take a new row for an old one.
  const captureIdPrefix = Date.now().toString(36);
  const listeners = new Set<(event: UiEvent) => void>();
  const emit = (event: UiEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        log.warn('ui.listener_failed', { error: describeError(err) });
      }
    }
  };
  const mine = (m: Memory) => m.userId === host.settings().userId;

  const onAdded = (memories: Memory[]) => {
    const own = memories.filter(mine);
    if (own.length) emit({ type: 'memory.added', memories: own.map(toMemoryDto) });
  };
  const onUpdated = (memory: Memory) => {
    if (mine(memory)) emit({ type: 'memory.updated', memory: toMemoryDto(memory) });
  };
  const onDeleted = (ids: string[], who: Caller) => {
    // Deletes carry no owner; ids of another user's memories are unknown to this page anyway.
    if (ids.length === 0 && who.userId !== host.settings().userId) return;
    emit({ type: 'memory.deleted', ids, all: ids.length === 0 });
  };
  const onCapture = (event: CaptureEvent) => {
    const dto = toCaptureDto(event, `${captureIdPrefix}-${++captureSeq}`);
    recent.unshift({ dto, turnKey: event.queued ? (event.turnKey ?? null) : null });
    if (recent.length > RECENT_CAPTURES) recent.length = RECENT_CAPTURES;
    emit({ type: 'capture', event: dto });
  };
  // A queued turn was delivered: its row gets its count (the same id, so the page replaces it).
  const onCaptureStored = (stored: CaptureStoredEvent) => {
    const entry = recent.find((r) => r.turnKey === stored.turnKey);
    if (!entry) return;
    entry.turnKey = null;
    entry.dto = { ...entry.dto, memoryCount: stored.memoryIds.length };
    emit({ type: 'capture', event: entry.dto });
  };
  const onStatus = () => emit({ type: 'status' });
  host.events.on('memory.added', onAdded);
  host.events.on('memory.updated', onUpdated);
  host.events.on('memory.deleted', onDeleted);
  host.events.on('capture', onCapture);
  host.events.on('capture.stored', onCaptureStored);
  host.events.on('status', onStatus);

  return {
    recentCaptures: () => recent.map((r) => r.dto),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
      host.events.off('memory.added', onAdded);
      host.events.off('memory.updated', onUpdated);
      host.events.off('memory.deleted', onDeleted);
      host.events.off('capture', onCapture);
      host.events.off('capture.stored', onCaptureStored);
      host.events.off('status', onStatus);
    },
  };
}
