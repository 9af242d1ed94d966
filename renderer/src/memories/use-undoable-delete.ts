// Deleting one memory at once, with an Undo in the notice that restores it as it was.
import type { MemoryDto } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage } from '../api/use-load';
import { useToasts } from '../components/toasts';

export function useUndoableDelete(on: {
  deleted(): void;
  restored(): void;
}): (memory: MemoryDto) => Promise<void> {
  const client = useClient();
  const toasts = useToasts();
  const restore = (m: MemoryDto) =>
    client
      .restoreMemory({
        text: m.text,
        source: m.source,
        projectId: m.projectId,
        conversationId: m.conversationId,
        model: m.model,
        metadata: m.metadata,
        createdAt: m.createdAt,
      })
      .then(
        () => {
          on.restored();
          toasts.show('Memory restored.');
        },
        (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' }),
      );
  return async (memory) => {
    try {
      const { deleted } = await client.deleteMemory({ id: memory.id });
      on.deleted();
      toasts.show('Memory deleted.', { action: { label: 'Undo', run: () => void restore(deleted) } });
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
    }
  };
}
