// The filter form of the memories page (what the inputs hold) and the UI API filters it means.
import type { MemoryFilters, MemorySourceDto } from '../../../main/core/ui-api/contract';

/** The project select's value for memories without a project (a project id is never empty). */
export const NO_PROJECT = '\u0000none';

export interface FilterForm {
  project: string;
  source: '' | MemorySourceDto;
  /** Local days, as a date input gives them (yyyy-mm-dd). */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: FilterForm = { project: '', source: '', from: '', to: '' };

export function isFiltering(f: FilterForm): boolean {
  return f.project !== '' || f.source !== '' || f.from !== '' || f.to !== '';
}

export function toFilters(f: FilterForm): MemoryFilters {
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
