import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/database.js';
import {
  LocalMemoryBackend,
  PREVIEW_RANK_WINDOW,
  RANK_WINDOW,
} from '../../../main/core/memory/local-backend.js';
import { SNIPPET_MARK } from '../../../main/core/memory/types.js';
import { runMemoryBackendContract } from '../../contract/memory-backend.contract.js';
import { tempDir } from '../../support/tmp.js';

runMemoryBackendContract('local SQLite', async () => {
  const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
  const backend = new LocalMemoryBackend(db);
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    db.close();
  };
  return backend;
});

// What the local store ranks (its own choices, beyond the contract every backend meets).
describe('local store ranking windows', () => {
  it('ranks the newest RANK_WINDOW matches for a search, and the newest PREVIEW_RANK_WINDOW for a preview', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    const base = Date.UTC(2025, 0, 1);
    // The oldest memory is the best match by far; 1,500 newer ones mention the word once in long text.
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.repeat(4);
    backend.addBatch([
      { userId: 'u', text: 'zebra zebra zebra', source: 'manual', createdAt: new Date(base).toISOString() },
      ...Array.from({ length: 1500 }, (_, i) => ({
        userId: 'u',
        text: `${filler} zebra ${i}`,
        source: 'manual' as const,
        createdAt: new Date(base + (i + 1) * 1000).toISOString(),
      })),
    ]);
    expect(PREVIEW_RANK_WINDOW).toBeLessThan(1500);
    expect(RANK_WINDOW).toBeGreaterThan(1501);
    const full = await backend.search('zebr', { userId: 'u' }, { limit: 10, prefix: true });
    expect(full[0]!.memory.text).toBe('zebra zebra zebra');
    expect(full[0]!.snippet).toContain(`${SNIPPET_MARK.open}zebra${SNIPPET_MARK.close}`);
    const preview = await backend.search('zebr', { userId: 'u' }, { limit: 10, prefix: true, preview: true });
    expect(preview).toHaveLength(10);
    expect(preview.map((h) => h.memory.text)).not.toContain('zebra zebra zebra');
    await backend.close();
    db.close();
  });
});
