// An in-memory UiClient for component tests: memories in an array, every call recorded.
import { vi } from 'vitest';
import type { UiClient } from '../../renderer/src/api/client';
import { UI_METHODS, UiApiError, type MemoryDto, type UiEvent } from '../../main/core/ui-api/contract';

export function memory(i: number, text = `Memory ${i}`): MemoryDto {
  return {
    id: `m${i}`,
    userId: 'me',
    projectId: i % 2 ? '/work/api' : null,
    text,
    source: 'proxy',
    conversationId: null,
    model: null,
    metadata: {},
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    updatedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
  };
}

export function fakeClient(initial: MemoryDto[]) {
  let items = [...initial];
  const listeners = new Set<(e: UiEvent) => void>();
  const api: Record<string, ReturnType<typeof vi.fn>> = {};
  for (const m of UI_METHODS) {
    api[m] = vi.fn(async () => {
      throw new UiApiError({ code: 'unavailable', message: `${m} not faked` });
    });
  }
  api.getStatus!.mockImplementation(async () => ({ userId: 'me', captureEnabled: true }));
  api.listProjects!.mockImplementation(async () => ({ projects: [] }));
  api.listMemories!.mockImplementation(async (i: { offset: number; limit: number; withTotal?: boolean }) => ({
    items: items.slice(i.offset, i.offset + i.limit),
    offset: i.offset,
    total: i.withTotal ? items.length : null,
  }));
  api.searchMemories!.mockImplementation(async (i: { query: string; limit?: number }) => ({
    hits: items
      .filter((m) => m.text.toLowerCase().includes(i.query.toLowerCase()))
      .slice(0, i.limit ?? 100)
      .map((m) => ({
        memory: m,
        snippet: { text: m.text, matches: occurrences(m.text, i.query) },
        score: 1,
      })),
  }));
  api.deleteMemories!.mockImplementation(async (i: { ids: string[]; confirmCount: number }) => {
    if (i.ids.length !== i.confirmCount) throw new UiApiError({ code: 'invalid_input', message: 'count' });
    items = items.filter((m) => !i.ids.includes(m.id));
    return { deleted: i.ids.length, missing: 0, denied: 0 };
  });
  const client = {
    ...(api as unknown as UiClient),
    transport: 'http' as const,
    subscribe: (l: (e: UiEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } satisfies UiClient;
  return {
    client,
    api,
    emit: (e: UiEvent) => listeners.forEach((l) => l(e)),
    add: (m: MemoryDto) => {
      items = [m, ...items];
    },
  };
}

/** Where `query` occurs in `text`, ignoring case, as the core's match ranges. */
function occurrences(text: string, query: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length))
    out.push([at, at + q.length]);
  return out;
}
