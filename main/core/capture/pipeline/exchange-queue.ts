// Finished exchanges waiting for their batch. A batch starts COMMIT_WINDOW_MS after its first
// exchange arrives (memories appear that much later, invisible to a user): the longer the window,
// the more turns share a commit under load. MAX_BATCH bounds how long one batch holds the core's
// event loop; a backlog is taken a batch per turn of the event loop, so the core's other work
// (API, UI, MCP) keeps its turns in between.
import type { CapturedExchange } from '../exchange.js';

const MAX_BATCH = 128;
const COMMIT_WINDOW_MS = 50;

export class ExchangeQueue {
  private readonly queue: CapturedExchange[] = [];
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  /** `handle` processes one batch, in order; `maxQueued` exchanges beyond which push refuses. */
  constructor(
    private readonly handle: (batch: CapturedExchange[]) => void,
    private readonly maxQueued: number,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** False when the queue is full (the exchange is dropped). */
  push(exchange: CapturedExchange): boolean {
    if (this.queue.length >= this.maxQueued) return false;
    this.queue.push(exchange);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.drain(), COMMIT_WINDOW_MS);
    }
    return true;
  }

  /** Resolves once every exchange pushed so far has been handled. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Handles everything queued now, in this turn (shutdown), and releases the idle waiters. */
  flush(): void {
    while (this.queue.length > 0) this.handle(this.queue.splice(0, MAX_BATCH));
    this.releaseWaiters();
  }

  private drain(): void {
    this.scheduled = false;
    if (this.queue.length > 0) this.handle(this.queue.splice(0, MAX_BATCH));
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    } else {
      this.releaseWaiters();
    }
  }

  private releaseWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
