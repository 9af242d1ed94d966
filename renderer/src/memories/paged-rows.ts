// Random access to a long, sorted list of memories for a virtualised view: rows are fetched in
// fixed-size pages by offset when they come into view, and dropped all at once when the list
// changes (a filter, a new capture, a delete). Answers from before a reset are ignored.
import type { MemoryDto } from '../../../main/core/ui-api/contract';

export type FetchPage = (
  offset: number,
  limit: number,
  withTotal: boolean,
) => Promise<{ items: MemoryDto[]; total: number | null }>;

export interface RowsSnapshot {
  /** Bumped whenever rows or the total change. */
  version: number;
  total: number | null;
  error: string | null;
  /** A row, if loaded: a new function with every snapshot, so what reads rows re-renders. */
  get(index: number): MemoryDto | undefined;
}

export class PagedRows {
  private pages = new Map<number, MemoryDto[]>();
  private loading = new Set<number>();
  /** Pages whose load failed: not retried until reset(), so an outage is one error, not a request storm. */
  private failed = new Set<number>();
  private generation = 0;
  private needTotal = true;
  private listeners = new Set<() => void>();
  private snap: RowsSnapshot = { version: 0, total: null, error: null, get: (i) => this.get(i) };

  constructor(
    private fetchPage: FetchPage,
    readonly pageSize = 100,
  ) {}

  get total(): number | null {
    return this.snap.total;
  }

  /** For useSyncExternalStore: a new object after every change. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  readonly snapshot = (): RowsSnapshot => this.snap;

  get(index: number): MemoryDto | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Loads every page that holds a row in [start, end]; one request at a time carries the total. */
  ensure(start: number, end: number): void {
    const first = Math.max(0, Math.floor(start / this.pageSize));
    const last = Math.max(first, Math.floor(end / this.pageSize));
    for (let p = first; p <= last; p++) this.load(p);
  }

  private load(page: number): void {
    if (this.pages.has(page) || this.loading.has(page) || this.failed.has(page)) return;
    if (!this.needTotal && this.total !== null && page > 0 && page * this.pageSize >= this.total) return;
    const gen = this.generation;
    const withTotal = this.needTotal;
    this.needTotal = false;
    this.loading.add(page);
    this.fetchPage(page * this.pageSize, this.pageSize, withTotal).then(
      (r) => {
        if (gen !== this.generation) return;
        this.loading.delete(page);
        this.pages.set(page, r.items);
        this.changed({ total: r.total ?? this.snap.total, error: null });
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        this.loading.delete(page);
        this.failed.add(page);
        if (withTotal) this.needTotal = true;
        this.changed({ error: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  /** Reads another list from now on (a new filter): every row goes, the total too. */
  readFrom(fetchPage: FetchPage): void {
    if (fetchPage === this.fetchPage) return;
    this.fetchPage = fetchPage;
    this.forget({ total: null });
  }

  /** Forgets every row. The old total stays until the next answer so the list does not flash empty. */
  reset(): void {
    this.forget({});
  }

  private forget(patch: Partial<Pick<RowsSnapshot, 'total'>>): void {
    this.generation++;
    this.pages = new Map();
    this.loading = new Set();
    this.failed = new Set();
    this.needTotal = true;
    this.changed(patch);
  }

  private changed(patch: Partial<Pick<RowsSnapshot, 'total' | 'error'>>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1, get: (i) => this.get(i) };
    for (const l of this.listeners) l();
  }
}
