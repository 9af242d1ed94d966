// Memories as the UI contract carries them, and the UI's filters as a MemoryService scope.
import type { ScopeFilter } from '../memory/service.js';
import type { HistoryEntry, Memory } from '../memory/types.js';
import type { HistoryDto, MemoryDto, MemoryFilters } from './contract.js';

export function toMemoryDto(m: Memory): MemoryDto {
  return {
    id: m.id,
    userId: m.userId,
    projectId: m.projectId,
    text: m.text,
    source: m.source,
    conversationId: m.conversationId,
    model: m.model,
    metadata: m.metadata,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

export function toHistoryDto(h: HistoryEntry): HistoryDto {
  return { id: h.id, event: h.event, oldText: h.oldText, newText: h.newText, createdAt: h.createdAt };
}

export function scopeOf(f: MemoryFilters): ScopeFilter {
  const scope: ScopeFilter = {};
  if (f.projectId !== undefined) scope.projectId = f.projectId;
  if (f.source) scope.source = f.source;
  if (f.since) scope.since = f.since;
  if (f.until) scope.until = f.until;
  return scope;
}
