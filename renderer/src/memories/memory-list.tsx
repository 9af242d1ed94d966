// The virtualised list: only the rows in view (plus a few) exist in the DOM, so 100,000 memories
// scroll like 100. Keyboard: arrows/Page/Home/End move, Enter opens, Space selects.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ExcerptDto, MemoryDto } from '../../../main/core/ui-api/contract';
import { SnippetText } from './snippet';

export const ROW_HEIGHT = 58;

export interface MemoryListProps {
  count: number;
  row(index: number): { memory: MemoryDto; snippet?: ExcerptDto } | undefined;
  /** Called with the visible range so the owner can load those rows. */
  onRange(start: number, end: number): void;
  openId: string | null;
  active: number;
  onActive(index: number): void;
  selected: ReadonlySet<string>;
  onToggle(memory: MemoryDto, index: number, range: boolean): void;
  onOpen(memory: MemoryDto): void;
  /** Bumped when rows arrive, so the list re-renders. */
  version: number;
}

export function MemoryList(props: MemoryListProps) {
  const parent = useRef<HTMLDivElement>(null);
  // The virtualiser's getters are meant to be called on every render; the compiler skips memoising here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: props.count,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 800, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const start = items[0]?.index ?? 0;
  const end = items[items.length - 1]?.index ?? 0;
  const { onRange } = props;
  useEffect(() => {
    if (props.count > 0) onRange(start, end);
  }, [start, end, props.count, props.version, onRange]);

  const move = (index: number) => {
    const i = Math.max(0, Math.min(props.count - 1, index));
    props.onActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((parent.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const current = props.row(props.active);
    switch (e.key) {
      case 'ArrowDown':
        move(props.active + 1);
        break;
      case 'ArrowUp':
        move(props.active - 1);
        break;
      case 'PageDown':
        move(props.active + page);
        break;
      case 'PageUp':
        move(props.active - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(props.count - 1);
        break;
      case 'Enter':
        if (current) props.onOpen(current.memory);
        break;
      case ' ':
        if (current) props.onToggle(current.memory, props.active, e.shiftKey);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div
      ref={parent}
      className="memory-list"
      role="listbox"
      aria-label="Memories"
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={props.count > 0 ? `memory-row-${props.active}` : undefined}
      onKeyDown={onKeyDown}
      data-testid="memory-list"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((item) => {
          const r = props.row(item.index);
          const m = r?.memory;
          const isSelected = m ? props.selected.has(m.id) : false;
          return (
            <div
              key={m?.id ?? `placeholder-${item.index}`}
              id={`memory-row-${item.index}`}
              role="option"
              aria-selected={isSelected}
              className={`memory-row${m && m.id === props.openId ? ' open' : ''}${
                item.index === props.active ? ' active' : ''
              }`}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              data-testid={m ? 'memory-row' : 'memory-row-loading'}
              data-id={m?.id}
              onClick={(e) => {
                props.onActive(item.index);
                if (!m) return;
                if (e.shiftKey || e.metaKey || e.ctrlKey) props.onToggle(m, item.index, e.shiftKey);
                else props.onOpen(m);
              }}
            >
              {m ? (
                <>
                  <input
                    type="checkbox"
                    tabIndex={-1}
                    aria-label="Select"
                    checked={isSelected}
                    onClick={(e) => e.stopPropagation()}
                    onChange={(e) => props.onToggle(m, item.index, (e.nativeEvent as MouseEvent).shiftKey)}
                  />
                  <div className="memory-row-main">
                    <div className="memory-row-text">
                      {r?.snippet ? <SnippetText snippet={r.snippet} /> : m.text}
                    </div>
                    <div className="memory-row-meta">
                      <span>{m.projectId ? shortProject(m.projectId) : 'no project'}</span>
                      <span>{m.source}</span>
                      <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString()}</time>
                    </div>
                  </div>
                </>
              ) : (
                <div className="memory-row-main">
                  <div className="skeleton" />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function shortProject(projectId: string): string {
  const parts = projectId.split(/[\\/]/).filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : projectId;
}
