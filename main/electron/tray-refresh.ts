// Tray renders, coalesced. The core announces a `status` and a `capture` event for every captured
// turn, and a render reads the core's status and connections: during a burst of turns the tray
// renders at most once per interval. Each render reads the state when it runs, and a request that
// arrives during a render is followed by one more, so the last state is always shown.

/** Short enough to feel immediate after a click, long enough to merge a turn's events. */
export const TRAY_RENDER_INTERVAL_MS = 250;

export interface TrayRefresh {
  /** Asks for a render; returns at once. */
  request(): void;
  /** No render starts after this (the tray is going away). */
  stop(): void;
}

/** render must not reject: it reports its own errors. */
export function coalescedRefresh(
  render: () => Promise<void>,
  intervalMs = TRAY_RENDER_INTERVAL_MS,
): TrayRefresh {
  let requested = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let rendering = false;
  let stopped = false;
  let lastStart = -Infinity;

  const schedule = () => {
    if (stopped || !requested || timer || rendering) return;
    timer = setTimeout(run, Math.max(0, lastStart + intervalMs - Date.now()));
  };

  const run = () => {
    timer = null;
    if (stopped) return;
    requested = false;
    rendering = true;
    lastStart = Date.now();
    void render().finally(() => {
      rendering = false;
      schedule();
    });
  };

  return {
    request() {
      requested = true;
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
