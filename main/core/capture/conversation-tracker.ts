// Turns a stream of full-history requests into turns, each stored once. Claude clients resend the
// whole conversation on every request, so only the *last* thing the user typed is considered, and
// only once Claude's final answer to it has arrived (after any tool loop). Seen turns are kept by a
// stable key in SQLite, so retries, restarts, --continue and context compaction add nothing twice.
import { createHash } from 'node:crypto';
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import { textOf, type ParsedRequest, type ParsedResponse } from './anthropic-types.js';
import { humanText, normaliseForKey } from './user-text.js';

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
];

/** stop_reason values that end a turn; tool_use and pause_turn mean the client will call again. */
export const FINAL_STOP_REASONS = ['end_turn', 'max_tokens', 'stop_sequence'] as const;
const CONTINUING_STOP_REASONS = new Set(['tool_use', 'pause_turn']);

export interface Turn {
  conversationId: string;
  /** Stable across resends of the same turn: sha256(conversation, user text, preceding answer). */
  turnKey: string;
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

export interface TrackerOptions {
  finalStopReasons?: readonly string[];
  now?: () => Date;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

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
    }));
  }

  /**
   * Which conversation a request belongs to: Claude Code's session id (metadata.user_id, else the
   * x-claude-code-session-id header), otherwise a hash of the first thing the user said.
   */
  conversationId(request: ParsedRequest, headers: Record<string, string> = {}): string | null {
    if (request.sessionId) return request.sessionId;
    const header = headers['x-claude-code-session-id']?.trim();
    if (header) return header;
    for (const m of request.messages) {
      const t = humanText(m);
      if (t) return 'h-' + sha256(normaliseForKey(t)).slice(0, 24);
    }
    return null;
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

    const messages = request.messages;
    let h = -1;
    let userText = '';
    for (let i = messages.length - 1; i >= 0; i--) {
      userText = humanText(messages[i]!);
      if (userText) {
        h = i;
        break;
      }
    }
    if (h === -1 || !conversationId) return { kind: 'skip', reason: 'no_user_text', conversationId };

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

    // What the user was answering: tells "yes" after one answer from "yes" after another, while a
    // retry or a resend of the same turn yields the same key. Only the newest turn of a request is
    // ever considered, so history rewritten by compaction or replayed by --continue adds nothing.
    let previousAnswer = '';
    for (let i = h - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (m.role === 'assistant') {
        previousAnswer = textOf(m.blocks.filter((b) => b.type === 'text'));
        if (previousAnswer) break;
      }
    }
    const turnKey = sha256(
      [conversationId, normaliseForKey(userText), normaliseForKey(previousAnswer).slice(0, 4000)].join(
        '\u0000',
      ),
    );
    if (this.hasSeen(turnKey)) return { kind: 'skip', reason: 'duplicate', conversationId };
    return {
      kind: 'turn',
      turn: {
        conversationId,
        turnKey,
        userText,
        answerText,
        tools,
        model: response.model ?? request.model,
        stopReason,
      },
    };
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
}
