// Reading every trust store spawns a tool per store (certutil, security), and the tray asks after
// every captured turn. One answer is kept for whoever asks next, until our own code changes a store
// (the owner calls invalidate()), the key changes (another CA), or it is old enough that a change
// made outside this process (a terminal, another tool) may have happened.

export class StatusCache<T> {
  private entry: { key: string; at: number; value: Promise<T> } | null = null;

  /** maxAgeMs 0 keeps nothing: every call probes. */
  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The kept answer for this key, or a new probe; callers that arrive during a probe share it. */
  get(key: string, probe: () => Promise<T>): Promise<T> {
    const now = this.now();
    const kept = this.entry;
    if (kept && kept.key === key && now - kept.at < this.maxAgeMs) return kept.value;
    const value = probe();
    const entry = { key, at: now, value };
    this.entry = entry;
    // A failed probe is not an answer to keep.
    value.catch(() => {
      if (this.entry === entry) this.entry = null;
    });
    return value;
  }

  /** The next get() probes again; a probe already running is not kept. */
  invalidate(): void {
    this.entry = null;
  }
}
