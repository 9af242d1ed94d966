// What the recall feature offers the UI and the tray: what Claude Code's hooks last gave a user.
import type { Injection } from './recall-log.js';

export interface RecallHandle {
  /** The last injection for the configured user (ids and sizes), if any. */
  lastRecall(): Injection | null;
}
