// Retry delays for the outbox: exponential with "equal jitter" (half fixed, half random), so many
// captures failing together during an outage do not all retry at the same instant.

export interface BackoffOptions {
  /** Delay after the first failure (before jitter). */
  baseMs?: number;
  /** Upper bound for any delay. */
  maxMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 5 * 60_000 } as const;

/** Delay before attempt `attempt + 1`, given that `attempt` (1-based) attempts have failed. */
export function nextDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const exp = Math.min(max, base * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
