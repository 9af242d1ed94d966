// Memories: search as you type, filter, read, edit, delete (with undo), bulk delete after typing
// the exact count, forget everything after typing the user id, export. The parts live in
// ../memories/; this page wires them together.
import { useCallback, useMemo, useState } from 'react';
import { useClient } from '../api/context';
import { useLoad } from '../api/use-load';
import { DeleteSelectedDialog, ForgetAllDialog } from '../memories/delete-dialogs';
import { FilterBar } from '../memories/filter-bar';
import { EMPTY_FILTERS, isFiltering, toFilters, type FilterForm } from '../memories/filters';
import { ListStatus } from '../memories/list-status';
import { MemoriesToolbar } from '../memories/memories-toolbar';
import { MemoryDetail } from '../memories/memory-detail';
import { MemoryList } from '../memories/memory-list';
import { useLiveRefresh } from '../memories/use-live-refresh';
import { useMemoryRows } from '../memories/use-memory-rows';
import { useMemorySearch } from '../memories/use-memory-search';
import { useSelection } from '../memories/use-selection';
import { useUndoableDelete } from '../memories/use-undoable-delete';

export function MemoriesPage({ userId }: { userId: string }) {
  const client = useClient();
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const filters = useMemo(() => toFilters(form), [form]);
  const search = useMemorySearch(filters);
  const { rows, view } = useMemoryRows(filters);
  const [projects, reloadProjects] = useLoad(() => client.listProjects({}), [client]);
  const { searching, hits } = search;

  const count = searching ? (hits?.hits.length ?? 0) : (view.total ?? 0);
  const row = useCallback(
    (i: number) => {
      if (searching) return hits?.hits[i];
      const m = view.get(i);
      return m ? { memory: m } : undefined;
    },
    [searching, hits, view],
  );
  const onRange = useCallback(
    (start: number, end: number) => {
      if (!searching) rows.ensure(start, end);
    },
    [rows, searching],
  );

  const selection = useSelection(row);
  const [openId, setOpenId] = useState<string | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [active, setActive] = useState(0);
  const [dialog, setDialog] = useState<null | 'selected' | 'all'>(null);

  const refresh = useLiveRefresh(
    () => {
      rows.reset();
      search.rerun();
      reloadProjects();
    },
    (event) => {
      if (event.type === 'memory.updated' && event.memory.id === openId) setDetailVersion((v) => v + 1);
      if (event.type !== 'memory.deleted') return;
      if (event.all || (openId && event.ids.includes(openId))) setOpenId(null);
      if (event.all) selection.select([]);
      else selection.drop(event.ids);
    },
  );
  const deleteOne = useUndoableDelete({
    deleted() {
      setOpenId(null);
      refresh();
    },
    restored: refresh,
  });

  const listError = searching ? search.error : view.error;
  const loadingFirst = !searching && view.total === null && !view.error;

  return (
    <section className="page memories-page" aria-labelledby="memories-title">
      <header className="page-head">
        <h1 id="memories-title">Memories</h1>
        <MemoriesToolbar filters={filters} onDeleteAll={() => setDialog('all')} />
      </header>
      <FilterBar
        query={search.query}
        onQuery={search.setQuery}
        form={form}
        onForm={setForm}
        projects={projects.value?.projects ?? []}
      />
      <ListStatus
        searching={searching}
        hits={hits}
        total={view.total}
        selectedCount={selection.selected.size}
        onDeleteSelected={() => setDialog('selected')}
        onClearSelection={() => selection.select([])}
        onSelectMatches={() => selection.select(hits?.hits.map((h) => h.memory.id) ?? [])}
      />
      <div className="memories-body">
        <div
          className="list-wrap"
          data-results-for={searching ? (hits?.query ?? '') : ''}
          data-testid="list-wrap"
        >
          {listError ? (
            <div className="notice error" role="alert">
              <p>{listError}</p>
              <button
                type="button"
                onClick={() => {
                  rows.reset();
                  search.rerun();
                }}
              >
                Try again
              </button>
            </div>
          ) : loadingFirst ? (
            <p className="muted" aria-busy="true">
              Loading…
            </p>
          ) : count === 0 ? (
            <div className="empty" data-testid="empty">
              {searching
                ? `Nothing matches “${search.trimmed}”.`
                : isFiltering(form)
                  ? 'No memory matches these filters.'
                  : 'No memories yet. Turn capture on (Capture page) and use Claude Code, or add memories through MCP.'}
            </div>
          ) : (
            <MemoryList
              count={count}
              row={row}
              onRange={onRange}
              openId={openId}
              active={Math.min(active, Math.max(0, count - 1))}
              onActive={setActive}
              selected={selection.selected}
              onToggle={selection.toggle}
              onOpen={(m) => setOpenId(m.id)}
              version={view.version}
            />
          )}
        </div>
        {openId ? (
          <MemoryDetail
            id={openId}
            version={detailVersion}
            onClose={() => setOpenId(null)}
            onDelete={deleteOne}
          />
        ) : null}
      </div>
      {dialog === 'selected' ? (
        <DeleteSelectedDialog
          ids={selection.selected}
          onDone={() => {
            selection.select([]);
            setDialog(null);
            refresh();
          }}
          onCancel={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'all' ? (
        <ForgetAllDialog
          userId={userId}
          onDone={() => {
            selection.select([]);
            setOpenId(null);
            setDialog(null);
            refresh();
          }}
          onCancel={() => setDialog(null)}
        />
      ) : null}
    </section>
  );
}
