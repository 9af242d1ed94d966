// Turns a stream of full-history requests into turns, each stored once. Claude clients resend the
// whole conversation on every request, so only the *last* thing the user typed is considered, and
// only once Claude's final answer to it has arrived (after any tool loop). Seen turns are kept by a
// stable key in SQLite, so retries, restarts, --continue and context compaction add nothing twice.
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import type { ParsedRequest, ParsedResponse } from './anthropic-types.js';
import {
  conversationIdOf,
  historyTurnsOf,
  newestTurnOf,
  type HistoryTurn,
  type NewestTurn,
} from './request-turns.js';

export const CAPTURE_MIGRATIONS = [
  `CREATE TABLE capture_conversations (
     id TEXT PRIMARY KEY,
     project_path TEXT,
     first_seen TEXT NOT NULL,
     last_seen TEXT NOT NULL,
     turns INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE capture_turns (
     turn_key TEXT PRIMARY KEY,
     conversation_id TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX capture_turns_by_time ON capture_turns (created_at);`,
  // Exchanges accepted for capture but not yet stored: no content, only keys and the turn's place.
  // Written (and committed) before the reply completes, so a turn whose batch died with the core can
  // be taken from the history the client resends with its next turn. A row goes once the turn is
  // stored or deliberately skipped. capture_state holds whether the core is running (clean stop).
  `CREATE TABLE capture_accepted (
     turn_key TEXT PRIMARY KEY,
     conversation_id TEXT NOT NULL,
     position INTEGER NOT NULL,
     accepted_at TEXT NOT NULL
   );
   CREATE INDEX capture_accepted_by_conversation ON capture_accepted (conversation_id);
   CREATE TABLE capture_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** stop_reason values that end a turn; tool_use and pause_turn mean the client will call again. */
export const FINAL_STOP_REASONS = ['end_turn', 'max_tokens', 'stop_sequence'] as const;
const CONTINUING_STOP_REASONS = new Set(['tool_use', 'pause_turn']);

export interface Turn {
  conversationId: string;
  /** Stable across resends of the same turn: sha256(conversation, user text, preceding answer). */
  turnKey: string;
  /** Index of the user's message in the request's messages (its place in the conversation). */
  position: number;
  /** The user's own words (client-injected text removed; privacy not yet applied). */
  userText: string;
  /** Claude's final answer: the text blocks of the last response. */
  answerText: string;
  /** Tools Claude used on the way to the answer, in first-use order. */
  tools: string[];
  model: string | null;
  stopReason: string;
}

export type TurnSkipReason = 'tool_loop' | 'no_user_text' | 'no_answer' | 'stop_reason' | 'duplicate';

export type TurnAnalysis =
  { kind: 'turn'; turn: Turn } | { kind: 'skip'; reason: TurnSkipReason; conversationId?: string };

/** A turn accepted for capture and not stored yet. */
export interface AcceptedTurn {
  turnKey: string;
  conversationId: string;
  position: number;
  acceptedAt: string;
}

export interface TrackerOptions {
  finalStopReasons?: readonly string[];
  now?: () => Date;
}

export class ConversationTracker {
  private readonly stmt;
  private readonly finalStops: Set<string>;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: TrackerOptions = {},
  ) {
    applyMigrations(db, 'capture', CAPTURE_MIGRATIONS);
    this.finalStops = new Set(options.finalStopReasons ?? FINAL_STOP_REASONS);
    this.now = options.now ?? (() => new Date());
    this.stmt = withDbErrors(db.name, () => ({
      seen: db.prepare('SELECT 1 FROM capture_turns WHERE turn_key = ?'),
      claim: db.prepare(
        'INSERT OR IGNORE INTO capture_turns (turn_key, conversation_id, created_at) VALUES (?, ?, ?)',
      ),
      touch: db.prepare(
        `INSERT INTO capture_conversations (id, project_path, first_seen, last_seen, turns) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, turns = turns + 1,
           project_path = COALESCE(excluded.project_path, project_path)`,
      ),
      projectOf: db.prepare('SELECT project_path FROM capture_conversations WHERE id = ?'),
      since: db.prepare('SELECT COUNT(*) AS n FROM capture_turns WHERE created_at >= ?'),
      prune: db.prepare('DELETE FROM capture_turns WHERE created_at < ?'),
      accept: db.prepare(
        `INSERT OR IGNORE INTO capture_accepted (turn_key, conversation_id, position, accepted_at)
         SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM capture_turns WHERE turn_key = ?)`,
      ),
      resolve: db.prepare('DELETE FROM capture_accepted WHERE turn_key = ?'),
      outstanding: db.prepare(
        `SELECT turn_key AS turnKey, conversation_id AS conversationId, position, accepted_at AS acceptedAt
         FROM capture_accepted WHERE conversation_id = ? ORDER BY position`,
      ),
      outstandingCount: db.prepare('SELECT COUNT(*) AS n FROM capture_accepted'),
      pruneAccepted: db.prepare('DELETE FROM capture_accepted WHERE accepted_at < ?'),
      getState: db.prepare('SELECT value FROM capture_state WHERE key = ?'),
      setState: db.prepare(
        'INSERT INTO capture_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    }));
  }

  /** Which conversation a request belongs to (conversationIdOf). */
  conversationId(request: ParsedRequest, headers: Record<string, string> = {}): string | null {
    return conversationIdOf(request, headers);
  }

  /** Finds the turn a finished exchange completes, without recording anything. */
  analyse(
    request: ParsedRequest,
    response: ParsedResponse,
    headers: Record<string, string> = {},
  ): TurnAnalysis {
    const conversationId = this.conversationId(request, headers) ?? undefined;
    const stopReason = response.stopReason ?? '';
    if (CONTINUING_STOP_REASONS.has(stopReason)) return { kind: 'skip', reason: 'tool_loop', conversationId };
    if (!this.finalStops.has(stopReason)) return { kind: 'skip', reason: 'stop_reason', conversationId };

    const newest = this.newestTurn(request, headers);
    if (!newest) return { kind: 'skip', reason: 'no_user_text', conversationId };
    const { turnKey, userText, position: h } = newest;
    const messages = request.messages;

    const answerText = response.blocks
      .flatMap((b) => (b.type === 'text' ? [b.text] : []))
      .join('\n\n')
      .trim();
    if (!answerText) return { kind: 'skip', reason: 'no_answer', conversationId };

    const tools: string[] = [];
    const addTool = (name: string) => {
      if (!tools.includes(name)) tools.push(name);
    };
    for (let i = h + 1; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.role !== 'assistant') continue;
      for (const b of m.blocks) if (b.type === 'tool_use') addTool(b.name);
    }
    for (const b of response.blocks) if (b.type === 'tool_use') addTool(b.name);

    if (this.hasSeen(turnKey)) return { kind: 'skip', reason: 'duplicate', conversationId };
    return {
      kind: 'turn',
      turn: {
        conversationId: newest.conversationId,
        turnKey,
        position: h,
        userText,
        answerText,
        tools,
        model: response.model ?? request.model,
        stopReason,
      },
    };
  }

  /**
   * The newest thing the user typed in a request and its key, from the request alone. Only the
   * newest turn of a request is ever stored live, so history rewritten by compaction or replayed
   * by --continue adds nothing; earlier turns come back only through recovery (historyTurns).
   */
  newestTurn(request: ParsedRequest, headers: Record<string, string> = {}): NewestTurn | null {
    // A request is asked for it up to three times (accepted, finished, analysed): computed once.
    const session = headers['x-claude-code-session-id'];
    const known = this.newestOf.get(request);
    if (known && known.session === session) return known.newest;
    const newest = newestTurnOf(request, headers);
    this.newestOf.set(request, { session, newest });
    return newest;
  }

  /** Newest turns by request, with the session header they were found with (newestTurn). */
  private readonly newestOf = new WeakMap<
    ParsedRequest,
    { session: string | undefined; newest: NewestTurn | null }
  >();

  /** The turns a request's history shows before its newest one (historyTurnsOf). */
  historyTurns(request: ParsedRequest, conversationId: string, before: number): HistoryTurn[] {
    return historyTurnsOf(request, conversationId, before);
  }

  /** Records that a turn was accepted for capture (nothing when it is already stored). */
  accept(turn: Pick<NewestTurn, 'turnKey' | 'conversationId' | 'position'>): void {
    withDbErrors(this.db.name, () => {
      this.stmt.accept.run(
        turn.turnKey,
        turn.conversationId,
        turn.position,
        this.now().toISOString(),
        turn.turnKey,
      );
    });
  }

  /** A turn accepted for capture is settled (stored, skipped on purpose, or given up). */
  resolve(turnKey: string): void {
    withDbErrors(this.db.name, () => this.stmt.resolve.run(turnKey));
  }

  /** Accepted turns of a conversation not stored yet, in conversation order. */
  outstanding(conversationId: string): AcceptedTurn[] {
    return withDbErrors(this.db.name, () => this.stmt.outstanding.all(conversationId) as AcceptedTurn[]);
  }

  outstandingCount(): number {
    return withDbErrors(this.db.name, () => (this.stmt.outstandingCount.get() as { n: number }).n);
  }

  /** A small persistent flag (e.g. whether the core is running, to tell an unclean stop). */
  state(key: string): string | null {
    return withDbErrors(this.db.name, () => {
      const row = this.stmt.getState.get(key) as { value: string } | undefined;
      return row?.value ?? null;
    });
  }

  setState(key: string, value: string): void {
    withDbErrors(this.db.name, () => this.stmt.setState.run(key, value));
  }

  hasSeen(turnKey: string): boolean {
    return withDbErrors(this.db.name, () => this.stmt.seen.get(turnKey) !== undefined);
  }

  /**
   * Records a turn as stored; false when it already was (another exchange won the race). Call it
   * in the same transaction as the outbox insert so a turn is never marked without being queued.
   */
  claim(turn: Pick<Turn, 'turnKey' | 'conversationId'>, projectPath: string | null): boolean {
    return withDbErrors(this.db.name, () => {
      const at = this.now().toISOString();
      const inserted = this.stmt.claim.run(turn.turnKey, turn.conversationId, at).changes === 1;
      if (inserted) this.stmt.touch.run(turn.conversationId, projectPath, at, at);
      this.stmt.resolve.run(turn.turnKey);
      return inserted;
    });
  }

  /** The working directory last seen for a conversation (requests after compaction may lack it). */
  projectPathOf(conversationId: string): string | null {
    return withDbErrors(this.db.name, () => {
      const row = this.stmt.projectOf.get(conversationId) as { project_path: string | null } | undefined;
      return row?.project_path ?? null;
    });
  }

  /** Turns recorded since a moment (for "captures today"). */
  countSince(since: Date): number {
    return withDbErrors(this.db.name, () => (this.stmt.since.get(since.toISOString()) as { n: number }).n);
  }

  /** Forgets turn keys older than the given age; a turn resent after that would be stored again. */
  prune(olderThanDays: number): number {
    const cutoff = new Date(this.now().getTime() - olderThanDays * 86_400_000).toISOString();
    return withDbErrors(this.db.name, () => this.stmt.prune.run(cutoff).changes);
  }

  /** Gives up accepted turns no later request recovered; returns how many (lost beyond recovery). */
  pruneAccepted(olderThanDays: number): number {
    const cutoff = new Date(this.now().getTime() - olderThanDays * 86_400_000).toISOString();
    return withDbErrors(this.db.name, () => this.stmt.pruneAccepted.run(cutoff).changes);
  }
}
