// A MemoryBackend wrapper for outage tests: forwards to a real backend (the local SQLite store)
// but can be down, slow, or "time out after storing" (the case idempotency keys exist for).
import type { MemoryBackend, NewMemory, Memory } from '../../../main/core/memory/types.js';
import { UserError } from '../../../main/core/errors.js';

export class FlakyBackend implements MemoryBackend {
  readonly kind = 'local' as const;
  /** While true every add fails like an unreachable server. */
  down = false;
  /** Fail this many upcoming adds. */
  failNext = 0;
  /** Store the next N adds, then throw as if the answer was lost. */
  loseAnswerNext = 0;
  /** Milliseconds each add takes; a function gives conversations different speeds. */
  latencyMs: number | ((input: NewMemory) => number) = 0;
  /** Every add attempt, in call order. */
  readonly attempts: Array<{
    key: string | undefined;
    conversationId: string | null | undefined;
    at: number;
  }> = [];
  private inFlight = new Map<string, number>();
  /** Highest number of adds in flight at once, overall and per conversation. */
  maxConcurrent = 0;
  maxPerConversation = 0;
  private concurrent = 0;

  constructor(private readonly inner: MemoryBackend) {}

  async add(input: NewMemory): Promise<Memory[]> {
    this.attempts.push({ key: input.idempotencyKey, conversationId: input.conversationId, at: Date.now() });
    const conv = input.conversationId ?? '';
    this.concurrent++;
    this.inFlight.set(conv, (this.inFlight.get(conv) ?? 0) + 1);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    this.maxPerConversation = Math.max(this.maxPerConversation, this.inFlight.get(conv)!);
    try {
      const latency = typeof this.latencyMs === 'function' ? this.latencyMs(input) : this.latencyMs;
      if (latency) await new Promise((r) => setTimeout(r, latency));
      if (this.down)
        throw new UserError('backend_unavailable', 'The memory server is unreachable (connection refused).');
      if (this.failNext > 0) {
        this.failNext--;
        throw new UserError('backend_unavailable', 'The memory server answered 503.');
      }
      const result = await this.inner.add(input);
      if (this.loseAnswerNext > 0) {
        this.loseAnswerNext--;
        throw new Error('socket hang up');
      }
      return result;
    } finally {
      this.concurrent--;
      this.inFlight.set(conv, this.inFlight.get(conv)! - 1);
    }
  }

  get: MemoryBackend['get'] = (id) => this.inner.get(id);
  update: MemoryBackend['update'] = (id, patch) => this.inner.update(id, patch);
  delete: MemoryBackend['delete'] = (id) => this.inner.delete(id);
  list: MemoryBackend['list'] = (f, o) => this.inner.list(f, o);
  search: MemoryBackend['search'] = (q, f, o) => this.inner.search(q, f, o);
  history: MemoryBackend['history'] = (id) => this.inner.history(id);
  deleteAllOfUser: MemoryBackend['deleteAllOfUser'] = (u) => this.inner.deleteAllOfUser(u);
  export: MemoryBackend['export'] = (f) => this.inner.export(f);
  close = () => this.inner.close();
}
