// Waiting in tests for what another thread, process or timer does: polls until the probe returns
// something truthy (a condition that holds, or the value waited for) and returns it; fails with
// what it waited for.
export async function until<T>(
  probe: () => T | Promise<T>,
  what = 'a condition',
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
