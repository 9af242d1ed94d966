// The memories page's own actions: export what the filters show, and delete everything.
import type { MemoryFilters } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage } from '../api/use-load';
import { useToasts } from '../components/toasts';

export function MemoriesToolbar({ filters, onDeleteAll }: { filters: MemoryFilters; onDeleteAll(): void }) {
  const client = useClient();
  const toasts = useToasts();
  const exportAs = async (format: 'json' | 'jsonl') => {
    try {
      const file = await client.exportMemories({ ...filters, format });
      download(new Blob([file.content], { type: file.mimeType }), file.filename);
      toasts.show(`Exported ${file.count} memories to ${file.filename}.`);
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
    }
  };
  return (
    <div className="toolbar">
      <button type="button" onClick={() => exportAs('json')}>
        Export JSON
      </button>
      <button type="button" onClick={() => exportAs('jsonl')}>
        Export JSONL
      </button>
      <button type="button" className="danger" onClick={onDeleteAll}>
        Delete everything…
      </button>
    </div>
  );
}

/** Saves `blob` as a file through the browser's download (the sandboxed renderer has no file access). */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  // The download reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
