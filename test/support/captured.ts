// Waiting for captured memories: the client has its answer before the tap has decoded its copy and
// the memory is stored, so tests wait for a count rather than for idle alone.
import type { Core } from '../../main/core/core.js';
import type { Memory } from '../../main/core/memory/types.js';

/** The user's memories (newest first) once at least `atLeast` exist, or after 10 s. */
export async function capturedMemories(core: Core, userId: string, atLeast = 0): Promise<Memory[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await core.feature('capture')!.pipeline.idle();
    const items = (await core.backend().list({ userId }, { limit: 500 })).items;
    if (items.length >= atLeast || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 25));
  }
}
