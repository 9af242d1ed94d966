// The replies a route has started and not yet finished, so stopping can let them finish: from the
// moment it starts, no new request is taken (answered 503 with Connection: close, which Claude
// clients retry), the ones in flight get up to a bound to end, and only then is anything cut.
import type http from 'node:http';

/** How long a stop lets streams already started run on (tray quit, SIGTERM, update). */
export const STOP_GRACE_MS = 10_000;

export class ActiveStreams {
  private readonly open = new Set<http.ServerResponse>();
  private stopping = false;
  private waiters: Array<() => void> = [];

  get draining(): boolean {
    return this.stopping;
  }

  get size(): number {
    return this.open.size;
  }

  add(res: http.ServerResponse): void {
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      if (this.open.size === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
      }
    });
  }

  /**
   * Takes no new stream from now on and waits (at most graceMs) for the open ones to end; cuts what
   * is left and returns how many that was.
   */
  async drain(graceMs: number): Promise<number> {
    this.stopping = true;
    if (this.open.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const cut = this.open.size;
    for (const res of this.open) res.destroy();
    return cut;
  }
}

/** A request that arrived while stopping: the client is told to retry, on a new connection. */
export function refuseStopping(req: http.IncomingMessage, res: http.ServerResponse, route: string): void {
  req.resume();
  const body = JSON.stringify({
    type: 'error',
    error: { type: 'overloaded_error', message: `Mem0 Tray ${route} is stopping; retry.` },
  });
  res.shouldKeepAlive = false;
  res.writeHead(503, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    'retry-after': '1',
    'x-should-retry': 'true',
  });
  res.end(body);
}
