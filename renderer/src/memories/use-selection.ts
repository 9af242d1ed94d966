// Which memories are selected, by id: a click toggles one, a shift-click every row from the last
// one toggled.
import { useRef, useState } from 'react';
import type { MemoryDto } from '../../../main/core/ui-api/contract';

export interface Selection {
  selected: ReadonlySet<string>;
  toggle(memory: MemoryDto, index: number, range: boolean): void;
  /** Selects exactly these (none: clears the selection). */
  select(ids: Iterable<string>): void;
  /** Unselects memories that are gone. */
  drop(ids: readonly string[]): void;
}

export function useSelection(row: (index: number) => { memory: MemoryDto } | undefined): Selection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<number | null>(null);
  return {
    selected,
    toggle(memory, index, range) {
      const from = anchor.current;
      setSelected((s) => {
        const next = new Set(s);
        if (range && from !== null) {
          for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
            const r = row(i);
            if (r) next.add(r.memory.id);
          }
        } else if (next.has(memory.id)) next.delete(memory.id);
        else next.add(memory.id);
        return next;
      });
      anchor.current = index;
    },
    select: (ids) => setSelected(new Set(ids)),
    drop(ids) {
      const gone = new Set(ids);
      setSelected((s) => new Set([...s].filter((id) => !gone.has(id))));
    },
  };
}
