// The last steps of a turn, live or recovered from a later history: excluded projects, private
// text and secrets, the memory's metadata, then its write, marked seen in the same transaction.
import type { Settings } from '../../config/settings.js';
import type { Db } from '../../db/database.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Outbox } from '../../memory/outbox.js';
import type { MemoryService } from '../../memory/service.js';
import type { Memory, Metadata, NewMemory } from '../../memory/types.js';
import type { ConversationTracker, Turn } from '../conversation-tracker.js';
import type { CapturedExchange } from '../exchange.js';
import { cleanForStorage } from '../privacy.js';
import { attributeProject } from '../project.js';
import { formatTurnText } from '../turn-text.js';
import { BatchLost, type BatchTransactions } from './batch-transactions.js';
import type { CaptureRules } from './capture-rules.js';
import { TURN_KEY_PREFIX, type Outcome } from './outcome.js';

export interface TurnStoreParts {
  db: Db;
  memories: MemoryService;
  tracker: ConversationTracker;
  outbox: Outbox;
  transactions: BatchTransactions;
  rules: CaptureRules;
  log: Logger;
}

/** When the turn happened: the end of its exchange, or (recovered) when it was accepted. */
export interface TurnTime {
  capturedAt: string;
  recovered: boolean;
}

export class TurnStore {
  constructor(private readonly parts: TurnStoreParts) {}

  /** Exclusion, privacy and the write of one turn; `cwd` is its conversation's working directory. */
  store(turn: Turn, cwd: string | null, ex: CapturedExchange, settings: Settings, at: TurnTime): Outcome {
    const { tracker } = this.parts;
    if (this.parts.rules.excluded(settings, cwd)) {
      tracker.resolve(turn.turnKey);
      return { kind: 'skipped', reason: 'excluded_project', event: { conversationId: turn.conversationId } };
    }
    const { projectId, projectPath } = attributeProject(settings, cwd);

    const user = cleanForStorage(turn.userText);
    const answer = cleanForStorage(turn.answerText);
    // Everything the user said was private: Claude's answer would tell it anyway.
    if (!user.text || !answer.text) {
      tracker.resolve(turn.turnKey);
      return { kind: 'skipped', reason: 'private', event: { conversationId: turn.conversationId } };
    }

    const redactions: Record<string, number> = {};
    for (const counts of [user.counts, answer.counts]) {
      for (const [k, n] of Object.entries(counts)) redactions[k] = (redactions[k] ?? 0) + (n ?? 0);
    }
    const metadata: Metadata = {
      capture: {
        turnKey: turn.turnKey,
        route: ex.route,
        host: ex.host,
        client: ex.requestHeaders['user-agent'] ?? null,
        stopReason: turn.stopReason,
        capturedAt: at.capturedAt,
        ...(at.recovered ? { recovered: true, position: turn.position } : {}),
      },
      tools: turn.tools,
      projectPath,
      userChars: user.text.length,
      ...(Object.keys(redactions).length ? { redactions } : {}),
    };
    const stored = this.write(turn, projectPath, {
      userId: settings.userId,
      text: formatTurnText(user.text, answer.text),
      // Mem0 backends extract memories from the exchange itself; the local store keeps `text`.
      messages: [
        { role: 'user', content: user.text },
        { role: 'assistant', content: answer.text },
      ],
      infer: true,
      source: ex.route,
      projectId,
      conversationId: turn.conversationId,
      model: turn.model,
      metadata,
      createdAt: validTime(at.capturedAt),
    });
    if (stored === 'duplicate')
      return { kind: 'skipped', reason: 'duplicate', event: { conversationId: turn.conversationId } };
    return {
      kind: 'captured',
      event: {
        conversationId: turn.conversationId,
        projectId,
        model: turn.model ?? undefined,
        turnKey: turn.turnKey,
        // Queued: the ids follow in 'capture.stored' once the outbox has delivered it.
        ...(stored === 'queued' ? { queued: true } : { memoryIds: [stored.id] }),
      },
      added: stored === 'queued' ? [] : [stored],
      userId: settings.userId,
    };
  }

  /**
   * Marks the turn seen and stores it in one transaction: never one without the other (inside a
   * batch, the batch's transaction). When the active backend keeps its memories in this database,
   * the memory itself is written there (durable once committed); a backend elsewhere gets it
   * through the durable outbox. A conversation with captures still waiting in the outbox (from
   * before a backend switch) keeps using it, in order.
   * A memory written here carries no idempotency key: the claim in the same transaction is what
   * keeps a turn from being stored twice, and a key costs a lookup and a random page of its unique
   * index per turn. Deliveries through the outbox, which can repeat, carry it. Returns the stored
   * memory; its creation is announced once the transaction has committed.
   */
  private write(
    turn: Turn,
    projectPath: string | null,
    memory: Omit<NewMemory, 'idempotencyKey'>,
  ): Memory | 'queued' | 'duplicate' {
    const { db, memories, tracker, outbox, transactions, log } = this.parts;
    const add = memories.transactionalAdd(db);
    if (add) {
      try {
        const added = transactions.atomically(() => {
          if (outbox.hasPending(turn.conversationId)) return null;
          if (!tracker.claim(turn, projectPath)) return 'duplicate';
          return add(memory);
        });
        if (added) return added;
      } catch (err) {
        if (err instanceof BatchLost) throw err;
        // Nothing was written (the transaction rolled back): the outbox keeps it and retries.
        log.warn('capture.store_failed', { error: describeError(err) });
      }
    }
    const key = `${TURN_KEY_PREFIX}${turn.turnKey}`;
    const queued = transactions.atomically(() => {
      if (!tracker.claim(turn, projectPath)) return false;
      return outbox.enqueue({ conversationId: turn.conversationId, key, memory });
    });
    return queued ? 'queued' : 'duplicate';
  }
}

function validTime(iso: string): string | undefined {
  return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString();
}
