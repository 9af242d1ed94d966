// A capture the outbox delivers becomes memories only then: their ids are announced in a
// 'capture.stored' event under the capture's turn key (the 'capture' event said "queued").
import { describeError } from '../../errors.js';
import type { CoreEvents } from '../../events.js';
import type { Logger } from '../../log.js';
import type { Memory, MemoryBackend, NewMemory } from '../../memory/types.js';
import { TURN_KEY_PREFIX } from './outcome.js';

/**
 * The active backend as the outbox sees it: each capture it delivers is announced with the ids of
 * the memories it became. One wrapper per backend (the outbox asks for the backend on every delivery).
 */
export function announcingDeliveries(
  events: CoreEvents,
  log: Logger,
): (backend: MemoryBackend) => MemoryBackend {
  const wrappers = new WeakMap<MemoryBackend, MemoryBackend>();
  const announce = (key: string | undefined, added: Memory[]) => {
    if (!key?.startsWith(TURN_KEY_PREFIX)) return;
    try {
      events.emit('capture.stored', {
        at: new Date().toISOString(),
        turnKey: key.slice(TURN_KEY_PREFIX.length),
        memoryIds: added.map((m) => m.id),
      });
    } catch (err) {
      log.warn('capture.listener_failed', { error: describeError(err) });
    }
  };
  return (backend) => {
    let wrapped = wrappers.get(backend);
    if (!wrapped) {
      wrapped = new Proxy(backend, {
        get(target, prop) {
          if (prop === 'add') {
            return async (input: NewMemory): Promise<Memory[]> => {
              const added = await target.add(input);
              announce(input.idempotencyKey, added);
              return added;
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      wrappers.set(backend, wrapped);
    }
    return wrapped;
  };
}
