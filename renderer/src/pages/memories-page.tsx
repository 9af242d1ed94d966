// Memories: search as you type, filter, read, edit, delete (with undo), bulk delete after typing
// the exact count, forget everything after typing the user id, export.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import {
  MEMORY_SOURCES,
  type ExcerptDto,
  type MemoryDto,
  type MemoryFilters,
  type MemorySourceDto,
} from '../../../main/core/ui-api/contract';
import { useClient, useUiEvents } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { ConfirmDialog } from '../components/dialog';
import { useToasts } from '../components/toasts';
import { MemoryDetail } from '../memories/memory-detail';
import { MemoryList, shortProject } from '../memories/memory-list';
import { PagedRows, type FetchPage } from '../memories/paged-rows';

const NO_PROJECT = '\u0000none';
/**
 * Each keystroke asks for the best few matches (a search costs the core about 1.5 ms per hit at
 * 100,000 memories, and it runs on the core's only thread); once typing pauses, the full list.
 */
const TYPING_LIMIT = 10;
const SEARCH_LIMIT = 100;
const FULL_SEARCH_AFTER_MS = 300;

interface FilterForm {
  project: string;
  source: '' | MemorySourceDto;
  from: string;
  to: string;
}

const EMPTY_FILTERS: FilterForm = { project: '', source: '', from: '', to: '' };

function toFilters(f: FilterForm): MemoryFilters {
  const out: MemoryFilters = {};
  if (f.project) out.projectId = f.project === NO_PROJECT ? null : f.project;
  if (f.source) out.source = f.source;
  // Dates are local days: from the start of `from` to the end of `to`.
  if (f.from) out.since = new Date(`${f.from}T00:00:00`).toISOString();
  if (f.to) {
    const end = new Date(`${f.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    out.until = end.toISOString();
  }
  return out;
}

type Hits = { query: string; limit: number; hits: Array<{ memory: MemoryDto; snippet: ExcerptDto }> };

export function MemoriesPage({ userId }: { userId: string }) {
  const client = useClient();
  const toasts = useToasts();
  const [query, setQuery] = useState('');
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const filters = useMemo(() => toFilters(form), [form]);
  const filtersActive = form.project !== '' || form.source !== '' || form.from !== '' || form.to !== '';

  const fetchFor = useCallback(
    (f: MemoryFilters): FetchPage =>
      (offset, limit, withTotal) =>
        client.listMemories({ ...f, offset, limit, withTotal }),
    [client],
  );
  const [rows] = useState(() => new PagedRows(fetchFor(filters)));
  const rowsView = useSyncExternalStore(rows.subscribe, rows.snapshot);

  const [lastHits, setHits] = useState<Hits | null>(null);
  const [lastSearchError, setSearchError] = useState<string | null>(null);
  const searchSeq = useRef(0);
  const trimmed = query.trim();
  const searching = trimmed.length > 0;
  // Results and errors of an earlier query never show once the box is cleared.
  const hits = searching ? lastHits : null;
  const searchError = searching ? lastSearchError : null;

  const runSearch = useCallback(
    (q: string, f: MemoryFilters, limit = SEARCH_LIMIT) => {
      const mine = ++searchSeq.current;
      client.searchMemories({ ...f, query: q, limit, preview: limit === TYPING_LIMIT }).then(
        (r) => {
          if (mine !== searchSeq.current) return;
          setHits({ query: q, limit, hits: r.hits });
          setSearchError(null);
        },
        (err: unknown) => {
          if (mine === searchSeq.current) setSearchError(errorMessage(err));
        },
      );
    },
    [client],
  );

  // A new filter: new rows; a new query: a new search (every keystroke; stale answers are dropped).
  const firstFilters = useRef(true);
  useEffect(() => {
    if (firstFilters.current) {
      firstFilters.current = false;
      return;
    }
    rows.reset(fetchFor(filters), true);
  }, [filters, fetchFor, rows]);
  useEffect(() => {
    if (!trimmed) {
      searchSeq.current++;
      return;
    }
    runSearch(trimmed, filters, TYPING_LIMIT);
    const full = setTimeout(() => runSearch(trimmed, filters, SEARCH_LIMIT), FULL_SEARCH_AFTER_MS);
    return () => clearTimeout(full);
  }, [trimmed, filters, runSearch]);

  const [projects, reloadProjects] = useLoad(() => client.listProjects({}), [client]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState(0);
  const anchor = useRef<number | null>(null);
  const [dialog, setDialog] = useState<null | 'bulk' | 'all'>(null);
  const [busy, setBusy] = useState(false);
  const [dialogError, setDialogError] = useState<string | null>(null);

  // Live changes (captures, MCP, other windows): refresh at most every 200 ms.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ trimmed, filters });
  useEffect(() => {
    latest.current = { trimmed, filters };
  });
  const refresh = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      rows.reset();
      if (latest.current.trimmed) runSearch(latest.current.trimmed, latest.current.filters);
      reloadProjects();
    }, 200);
  }, [rows, runSearch, reloadProjects]);
  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    },
    [],
  );

  useUiEvents((event) => {
    if (event.type === 'memory.added') refresh();
    else if (event.type === 'memory.updated') {
      if (event.memory.id === openId) setDetailVersion((v) => v + 1);
      refresh();
    } else if (event.type === 'memory.deleted') {
      const gone = new Set(event.ids);
      if (event.all || (openId && gone.has(openId))) setOpenId(null);
      setSelected((s) => (event.all ? new Set() : new Set([...s].filter((id) => !gone.has(id)))));
      refresh();
    }
  });

  const count = searching ? (hits?.hits.length ?? 0) : (rowsView.total ?? 0);
  const row = useCallback(
    (i: number) => {
      if (searching) return hits?.hits[i];
      const m = rows.get(i);
      return m ? { memory: m } : undefined;
    },
    // rowsView: new rows arrived, so the accessor must change for the list to re-render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [searching, hits, rows, rowsView],
  );
  const onRange = useCallback(
    (start: number, end: number) => {
      if (!searching) rows.ensure(start, end);
    },
    [rows, searching],
  );
  // The first page (and the total) as soon as the page opens.
  useEffect(() => {
    rows.ensure(0, 0);
  }, [rows, rowsView.version]);

  const toggle = (m: MemoryDto, index: number, range: boolean) => {
    setSelected((s) => {
      const next = new Set(s);
      if (range && anchor.current !== null) {
        const [a, b] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
        for (let i = a; i <= b; i++) {
          const r = row(i);
          if (r) next.add(r.memory.id);
        }
      } else if (next.has(m.id)) next.delete(m.id);
      else next.add(m.id);
      return next;
    });
    anchor.current = index;
  };

  const deleteOne = async (memory: MemoryDto) => {
    try {
      const { deleted } = await client.deleteMemory({ id: memory.id });
      setOpenId(null);
      refresh();
      toasts.show('Memory deleted.', {
        action: {
          label: 'Undo',
          run: () => {
            client
              .restoreMemory({
                text: deleted.text,
                source: deleted.source,
                projectId: deleted.projectId,
                conversationId: deleted.conversationId,
                model: deleted.model,
                metadata: deleted.metadata,
                createdAt: deleted.createdAt,
              })
              .then(
                () => {
                  refresh();
                  toasts.show('Memory restored.');
                },
                (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' }),
              );
          },
        },
      });
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
    }
  };

  const bulkDelete = async (typed: string) => {
    setBusy(true);
    setDialogError(null);
    try {
      const r = await client.deleteMemories({ ids: [...selected], confirmCount: Number(typed) });
      setSelected(new Set());
      setDialog(null);
      refresh();
      toasts.show(`${r.deleted} ${r.deleted === 1 ? 'memory' : 'memories'} deleted.`);
    } catch (err) {
      setDialogError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const forgetAll = async (typed: string) => {
    setBusy(true);
    setDialogError(null);
    try {
      const r = await client.forgetAll({ confirm: typed });
      setSelected(new Set());
      setOpenId(null);
      setDialog(null);
      refresh();
      toasts.show(`All ${r.deleted} memories of ${userId} deleted.`);
    } catch (err) {
      setDialogError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const exportAs = async (format: 'json' | 'jsonl') => {
    try {
      const file = await client.exportMemories({ ...filters, format });
      const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toasts.show(`Exported ${file.count} memories to ${file.filename}.`);
    } catch (err) {
      toasts.show(errorMessage(err), { kind: 'error' });
    }
  };

  const listError = searching ? searchError : rowsView.error;
  const loadingFirst = !searching && rowsView.total === null && !rowsView.error;
  const resultsFor = searching ? (hits?.query ?? '') : '';

  return (
    <section className="page memories-page" aria-labelledby="memories-title">
      <header className="page-head">
        <h1 id="memories-title">Memories</h1>
        <div className="toolbar">
          <button type="button" onClick={() => exportAs('json')}>
            Export JSON
          </button>
          <button type="button" onClick={() => exportAs('jsonl')}>
            Export JSONL
          </button>
          <button type="button" className="danger" onClick={() => setDialog('all')}>
            Delete everything…
          </button>
        </div>
      </header>
      <div className="filters" role="search">
        <input
          type="search"
          className="search"
          placeholder="Search memories"
          aria-label="Search memories"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select
          aria-label="Project"
          value={form.project}
          onChange={(e) => setForm({ ...form, project: e.target.value })}
        >
          <option value="">All projects</option>
          {(projects.value?.projects ?? []).map((p) => (
            <option key={p.projectId ?? NO_PROJECT} value={p.projectId ?? NO_PROJECT}>
              {p.projectId ? shortProject(p.projectId) : 'No project'} ({p.count})
            </option>
          ))}
        </select>
        <select
          aria-label="Source"
          value={form.source}
          onChange={(e) => setForm({ ...form, source: e.target.value as FilterForm['source'] })}
        >
          <option value="">All sources</option>
          {MEMORY_SOURCES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label className="date">
          From
          <input type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label className="date">
          To
          <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        {filtersActive ? (
          <button type="button" className="link" onClick={() => setForm(EMPTY_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </div>
      <div className="list-status" aria-live="polite">
        <span data-testid="memory-count">
          {searching
            ? hits
              ? `${hits.hits.length}${hits.hits.length >= hits.limit ? '+' : ''} ${hits.hits.length === 1 ? 'match' : 'matches'}`
              : 'Searching…'
            : rowsView.total === null
              ? 'Loading…'
              : `${rowsView.total.toLocaleString()} ${rowsView.total === 1 ? 'memory' : 'memories'}`}
        </span>
        {selected.size > 0 ? (
          <span className="bulk">
            <strong data-testid="selected-count">{selected.size} selected</strong>
            <button type="button" className="danger" onClick={() => setDialog('bulk')}>
              Delete selected…
            </button>
            <button type="button" className="link" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </span>
        ) : searching && hits && hits.hits.length > 0 ? (
          <button
            type="button"
            className="link"
            onClick={() => setSelected(new Set(hits.hits.map((h) => h.memory.id)))}
          >
            Select all matches
          </button>
        ) : null}
      </div>
      <div className="memories-body">
        <div className="list-wrap" data-results-for={resultsFor} data-testid="list-wrap">
          {listError ? (
            <div className="notice error" role="alert">
              <p>{listError}</p>
              <button
                type="button"
                onClick={() => {
                  rows.reset();
                  if (trimmed) runSearch(trimmed, filters);
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
                ? `Nothing matches “${trimmed}”.`
                : filtersActive
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
              selected={selected}
              onToggle={toggle}
              onOpen={(m) => setOpenId(m.id)}
              version={rowsView.version}
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
      {dialog === 'bulk' ? (
        <ConfirmDialog
          title={`Delete ${selected.size} ${selected.size === 1 ? 'memory' : 'memories'}?`}
          expected={String(selected.size)}
          prompt={`Type ${selected.size} to confirm`}
          action={`Delete ${selected.size}`}
          busy={busy}
          error={dialogError}
          onConfirm={bulkDelete}
          onCancel={() => {
            setDialog(null);
            setDialogError(null);
          }}
        >
          <p>
            They are removed at once from the list, from search and from every MCP client. This cannot be
            undone; export them first if you may need them.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog === 'all' ? (
        <ConfirmDialog
          title={`Delete every memory of ${userId}?`}
          expected={userId}
          prompt={`Type the user id “${userId}” to confirm`}
          action="Delete everything"
          busy={busy}
          error={dialogError}
          onConfirm={forgetAll}
          onCancel={() => {
            setDialog(null);
            setDialogError(null);
          }}
        >
          <p>Every memory and its history is deleted. This cannot be undone; export first if in doubt.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
