// The memory list when nothing is searched: rows of the filtered list, paged as they come into
// view (PagedRows), started over whenever the filters change.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { MemoryFilters } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { PagedRows, type FetchPage, type RowsSnapshot } from './paged-rows';

export function useMemoryRows(filters: MemoryFilters): { rows: PagedRows; view: RowsSnapshot } {
  const client = useClient();
  const fetchPage = useMemo<FetchPage>(
    () => (offset, limit, withTotal) => client.listMemories({ ...filters, offset, limit, withTotal }),
    [client, filters],
  );
  const [rows] = useState(() => new PagedRows(fetchPage));
  const view = useSyncExternalStore(rows.subscribe, rows.snapshot);
  useEffect(() => rows.readFrom(fetchPage), [rows, fetchPage]);
  // The first page (and the total) as soon as the page opens, and again after every reset.
  useEffect(() => rows.ensure(0, 0), [rows, view.version]);
  return { rows, view };
}
