// One rule for suites that need a system part (Chromium, certutil, the Claude Code CLI, a keychain):
// on a developer's laptop a missing part skips the suite with a loud warning; under CI=true, where
// .ci/run installs every part, it fails the run instead of skipping quietly.

/** True when the part is there; otherwise warns (or throws under CI) and returns false. */
export function partAvailable(part: string, available: boolean, installHint: string): boolean {
  if (available) return true;
  const message = `${part} is not available (${installHint})`;
  if (process.env.CI === 'true') throw new Error(`${message}: it is required when CI=true`);
  console.warn(`\n*** SKIPPED: ${message}. These tests did not run. ***\n`);
  return false;
}
