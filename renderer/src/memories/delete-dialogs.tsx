// The two deletes that cannot be undone, each behind a dialog that wants the exact count or the
// user id typed: the selected memories, and every memory of the user.
import { useState } from 'react';
import { useClient } from '../api/context';
import { errorMessage } from '../api/use-load';
import { ConfirmDialog } from '../components/dialog';
import { useToasts } from '../components/toasts';

interface DeleteDialogProps {
  /** After the delete: the memories are gone (the dialog has said how many). */
  onDone(): void;
  onCancel(): void;
}

/** Runs a confirmed delete: busy while it runs, its error shown in the dialog, which stays open. */
function useConfirmed(run: (typed: string) => Promise<string>, onDone: () => void) {
  const toasts = useToasts();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async (typed: string) => {
    setBusy(true);
    setError(null);
    try {
      const notice = await run(typed);
      onDone();
      toasts.show(notice);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, onConfirm: confirm };
}

export function DeleteSelectedDialog({ ids, ...props }: DeleteDialogProps & { ids: ReadonlySet<string> }) {
  const client = useClient();
  const n = ids.size;
  const state = useConfirmed(async (typed) => {
    const r = await client.deleteMemories({ ids: [...ids], confirmCount: Number(typed) });
    return `${r.deleted} ${r.deleted === 1 ? 'memory' : 'memories'} deleted.`;
  }, props.onDone);
  return (
    <ConfirmDialog
      title={`Delete ${n} ${n === 1 ? 'memory' : 'memories'}?`}
      expected={String(n)}
      prompt={`Type ${n} to confirm`}
      action={`Delete ${n}`}
      {...state}
      onCancel={props.onCancel}
    >
      <p>
        They are removed at once from the list, from search and from every MCP client. This cannot be undone;
        export them first if you may need them.
      </p>
    </ConfirmDialog>
  );
}

export function ForgetAllDialog({ userId, ...props }: DeleteDialogProps & { userId: string }) {
  const client = useClient();
  const state = useConfirmed(async (typed) => {
    const r = await client.forgetAll({ confirm: typed });
    return `All ${r.deleted} memories of ${userId} deleted.`;
  }, props.onDone);
  return (
    <ConfirmDialog
      title={`Delete every memory of ${userId}?`}
      expected={userId}
      prompt={`Type the user id “${userId}” to confirm`}
      action="Delete everything"
      {...state}
      onCancel={props.onCancel}
    >
      <p>Every memory and its history is deleted. This cannot be undone; export first if in doubt.</p>
    </ConfirmDialog>
  );
}
