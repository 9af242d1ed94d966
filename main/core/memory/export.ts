// The one export of memories, with their history, for the CLI, REST and the UI: a stream of text
// chunks in memory order, so no front door holds every memory at once. Each front door picks the
// format and the shape of a record; the reading, the order and the audit are the same for all.
import type { Caller } from '../events.js';
import type { MemoryService, MemoryWithHistory, ScopeFilter } from './service.js';

export const EXPORT_FORMATS = ['json', 'jsonl'] as const;
/** json: one array; jsonl: one record a line (JSON Lines). */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_MIME_TYPES: Record<ExportFormat, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
};

/** A record as the CLI and the UI write it: the memory's fields and its history, oldest first. */
function exportRecord({ memory, history }: MemoryWithHistory) {
  return { ...memory, history };
}

export interface ExportStream extends AsyncIterable<string> {
  /** Memories written so far (all of them once the stream has ended). */
  readonly count: number;
}

/**
 * The caller's memories in `format`. Nothing is yielded before the first memory has been read, so
 * a front door that waits for the first chunk can still answer a failing backend with an error
 * instead of half a file.
 */
export function exportMemories(
  service: MemoryService,
  caller: Caller,
  scope: ScopeFilter,
  format: ExportFormat,
  shape: (item: MemoryWithHistory) => unknown = exportRecord,
): ExportStream {
  let count = 0;
  async function* chunks(): AsyncGenerator<string> {
    for await (const item of service.exportWithHistory(caller, scope)) {
      const json = JSON.stringify(shape(item));
      yield format === 'jsonl' ? `${json}\n` : `${count === 0 ? '[\n' : ',\n'}${json}`;
      count++;
    }
    if (format === 'json') yield count === 0 ? '[]\n' : '\n]\n';
  }
  return {
    get count() {
      return count;
    },
    [Symbol.asyncIterator]: chunks,
  };
}
