// Who really acted when the memory service is called as someone else: in the "global" isolation
// mode callers act on the shared pool's owner id, and the audit log must still name the person.
// The caller object travels unchanged through MemoryService into the access event.
import type { Caller } from '../events.js';

const actors = new WeakMap<Caller, string>();
export function setActor(caller: Caller, actorUserId: string): Caller {
  actors.set(caller, actorUserId);
  return caller;
}
export function actorOf(caller: Caller): string {
  return actors.get(caller) ?? caller.userId;
}
