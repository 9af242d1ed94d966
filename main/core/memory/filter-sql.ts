// The WHERE clause of a MemoryFilter over the memories table (aliased m): one definition for list,
// search and export.
import { UserError } from '../errors.js';
import type { MemoryFilter } from './types.js';

/** An ISO 8601 date as stored (UTC, milliseconds); now when absent. */
export function isoTime(value: string | undefined, field: string): string {
  if (value === undefined) return new Date().toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UserError('invalid_input', `${field} must be an ISO 8601 date, got "${value}".`);
  return new Date(t).toISOString();
}

export interface FilterSql {
  where: string;
  params: unknown[];
  /** The filter names only the owner and the project: the memories_filter index's columns. */
  ownerAndProjectOnly: boolean;
}

export function filterSql(filter: MemoryFilter): FilterSql {
  const clauses = ['m.user_id = ?'];
  const params: unknown[] = [filter.userId];
  if (filter.projectId === null) clauses.push('m.project_id IS NULL');
  else if (filter.projectId !== undefined) {
    clauses.push('m.project_id = ?');
    params.push(filter.projectId);
  }
  if (filter.source) {
    clauses.push('m.source = ?');
    params.push(filter.source);
  }
  if (filter.conversationId) {
    clauses.push('m.conversation_id = ?');
    params.push(filter.conversationId);
  }
  if (filter.since) {
    clauses.push('m.created_at >= ?');
    params.push(isoTime(filter.since, 'since'));
  }
  if (filter.until) {
    clauses.push('m.created_at < ?');
    params.push(isoTime(filter.until, 'until'));
  }
  return {
    where: clauses.join(' AND '),
    params,
    // Nothing was added beyond the owner's clause and the project's.
    ownerAndProjectOnly: clauses.length === (filter.projectId === undefined ? 1 : 2),
  };
}
