// PagedRows: pages load as they come into view; a new list (filter) drops rows, total and late answers.
import { describe, expect, it } from 'vitest';
import type { MemoryDto } from '../../main/core/ui-api/contract';
import { PagedRows, type FetchPage } from '../../renderer/src/memories/paged-rows';
import { memory } from './fake-client';

/** A fetch whose answers are released by hand, and the requests it saw. */
function gatedFetch(items: MemoryDto[]) {
  const pending: Array<() => void> = [];
  const seen: number[] = [];
  const fetch: FetchPage = (offset, limit, withTotal) => {
    seen.push(offset);
    return new Promise((resolve) =>
      pending.push(() =>
        resolve({ items: items.slice(offset, offset + limit), total: withTotal ? items.length : null }),
      ),
    );
  };
  const release = async () => {
    for (const p of pending.splice(0)) p();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { fetch, seen, release };
}

describe('PagedRows', () => {
  it('serves rows through a new getter with every snapshot', async () => {
    const all = gatedFetch(Array.from({ length: 250 }, (_, i) => memory(i)));
    const rows = new PagedRows(all.fetch, 100);
    const before = rows.snapshot();
    rows.ensure(0, 150);
    expect(all.seen).toEqual([0, 100]);
    await all.release();
    const after = rows.snapshot();
    expect(after.get).not.toBe(before.get);
    expect(after.total).toBe(250);
    expect(after.get(150)?.id).toBe('m150');
    expect(after.get(220)).toBeUndefined();
  });

  it('reads another list only for another fetch, dropping rows, total and late answers', async () => {
    const all = gatedFetch(Array.from({ length: 250 }, (_, i) => memory(i)));
    const few = gatedFetch([memory(7)]);
    const rows = new PagedRows(all.fetch, 100);
    rows.ensure(0, 0);
    await all.release();
    rows.readFrom(all.fetch);
    expect(rows.snapshot().total).toBe(250);

    rows.ensure(100, 100);
    rows.readFrom(few.fetch);
    expect(rows.snapshot()).toMatchObject({ total: null });
    expect(rows.snapshot().get(0)).toBeUndefined();
    await all.release(); // the old list's answer arrives late and is ignored
    expect(rows.snapshot().get(100)).toBeUndefined();
    rows.ensure(0, 0);
    await few.release();
    expect(rows.snapshot().total).toBe(1);
    expect(rows.snapshot().get(0)?.id).toBe('m7');
  });
});
