// The search box and the filters above the memory list.
import { MEMORY_SOURCES, type ProjectDto } from '../../../main/core/ui-api/contract';
import { EMPTY_FILTERS, NO_PROJECT, isFiltering, type FilterForm } from './filters';
import { shortProject } from './memory-list';

export interface FilterBarProps {
  query: string;
  onQuery(query: string): void;
  form: FilterForm;
  onForm(form: FilterForm): void;
  projects: readonly ProjectDto[];
}

export function FilterBar({ query, onQuery, form, onForm, projects }: FilterBarProps) {
  return (
    <div className="filters" role="search">
      <input
        type="search"
        className="search"
        placeholder="Search memories"
        aria-label="Search memories"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
      />
      <select
        aria-label="Project"
        value={form.project}
        onChange={(e) => onForm({ ...form, project: e.target.value })}
      >
        <option value="">All projects</option>
        {projects.map((p) => (
          <option key={p.projectId ?? NO_PROJECT} value={p.projectId ?? NO_PROJECT}>
            {p.projectId ? shortProject(p.projectId) : 'No project'} ({p.count})
          </option>
        ))}
      </select>
      <select
        aria-label="Source"
        value={form.source}
        onChange={(e) => onForm({ ...form, source: e.target.value as FilterForm['source'] })}
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
        <input type="date" value={form.from} onChange={(e) => onForm({ ...form, from: e.target.value })} />
      </label>
      <label className="date">
        To
        <input type="date" value={form.to} onChange={(e) => onForm({ ...form, to: e.target.value })} />
      </label>
      {isFiltering(form) ? (
        <button type="button" className="link" onClick={() => onForm(EMPTY_FILTERS)}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
