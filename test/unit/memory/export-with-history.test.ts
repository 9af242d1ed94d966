// MemoryService.exportWithHistory reads a few histories ahead (a remote backend answers each in a
// round trip) and still yields every memory in the export's order, failing as the backend fails.
import { describe, expect, it } from 'vitest';
import { CoreEvents } from '../../../main/core/events.js';
import { MemoryService } from '../../../main/core/memory/service.js';
import type { HistoryEntry, Memory, MemoryBackend } from '../../../main/core/memory/types.js';

const caller = { userId: 'u1', via: 'cli' as const };

function memory(i: number): Memory {
  const at = new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();
  return {
    id: `m${i}`,
    userId: 'u1',
    projectId: null,
    text: `memory ${i}`,
    source: 'manual',
    conversationId: null,
    model: null,
    metadata: {},
    createdAt: at,
    updatedAt: at,
  };
}

/** A backend of `n` memories whose history answers after a delay that shrinks with the index. */
function slowHistories(n: number, failAt?: number) {
  let inFlight = 0;
  let most = 0;
  const backend = {
    kind: 'local',
    async *export() {
      for (let i = 0; i < n; i++) yield memory(i);
    },
    async history(id: string): Promise<HistoryEntry[]> {
      const i = Number(id.slice(1));
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, (n - i) % 5));
      inFlight--;
      if (i === failAt) throw new Error('the backend could not read a history');
      return [
        {
          id: `h${i}`,
          memoryId: id,
          userId: 'u1',
          event: 'ADD',
          oldText: null,
          newText: `memory ${i}`,
          createdAt: memory(i).createdAt,
        },
      ];
    },
  } as unknown as MemoryBackend;
  return { backend, most: () => most };
}

describe('MemoryService.exportWithHistory', () => {
  it('yields every memory in order with its own history, several histories read at once', async () => {
    const { backend, most } = slowHistories(30);
    const service = new MemoryService(() => backend, new CoreEvents());
    const got: string[] = [];
    for await (const { memory: m, history } of service.exportWithHistory(caller)) {
      expect(history[0]!.memoryId).toBe(m.id);
      got.push(m.id);
    }
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(most()).toBeGreaterThan(1);
    expect(most()).toBeLessThanOrEqual(8);
  });

  it('fails with the backend’s error, after the memories before it', async () => {
    const { backend } = slowHistories(20, 12);
    const service = new MemoryService(() => backend, new CoreEvents());
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const { memory: m } of service.exportWithHistory(caller)) got.push(m.id);
      })(),
    ).rejects.toThrow('the backend could not read a history');
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });
});
