// The core's typed event bus: what changed, for the tray, the UI's live feed and the audit log.
// Payloads carry ids and counts; memory text only travels to in-process listeners (the UI feed).
import { EventEmitter } from 'node:events';
import type { Memory } from './memory/types.js';

/** `hook`: Claude Code's hooks (recall without asking). */
export type AccessVia = 'rest' | 'mcp' | 'ui' | 'cli' | 'capture' | 'outbox' | 'hook';
export type AccessAction =
  | 'read'
  | 'search'
  | 'list'
  | 'create'
  | 'update'
  | 'delete'
  | 'history'
  | 'export'
  | 'forget'
  /** Handed to a client without its asking (Claude Code's hooks): exactly the ids given. */
  | 'recall';

export interface Caller {
  userId: string;
  via: AccessVia;
  /** The MCP/REST token that authenticated the call, if any (its id, never its value). */
  tokenId?: string;
  clientIp?: string;
  userAgent?: string;
}

export interface AccessEvent {
  caller: Caller;
  action: AccessAction;
  memoryIds: string[];
  /** Result counts for list/search, or 1/0 for single operations. */
  count: number;
  outcome: 'ok' | 'denied' | 'not_found';
}

export interface CaptureEvent {
  at: string;
  route: 'proxy' | 'gateway';
  outcome: 'captured' | 'skipped' | 'failed';
  /** Why a capture was skipped or failed: "paused", "background", "excluded_project", "non_2xx", … */
  reason?: string;
  conversationId?: string;
  projectId?: string | null;
  model?: string;
  /** A captured turn's memories, when the local store kept it at once. */
  memoryIds?: string[];
  /**
   * A captured turn waits in the outbox (a Mem0 backend, or the local store after a failed write):
   * its memory ids come later, in a 'capture.stored' event with the same turnKey.
   */
  queued?: boolean;
  /** A captured turn's key (a hash: no content), which 'capture.stored' names. */
  turnKey?: string;
}

/** A captured turn that waited in the outbox was delivered: the memories the backend made of it. */
export interface CaptureStoredEvent {
  at: string;
  turnKey: string;
  /** Empty when the backend kept nothing (Mem0 may find nothing worth remembering). */
  memoryIds: string[];
}

export interface CoreEventMap {
  'memory.added': [memories: Memory[], caller: Caller];
  'memory.updated': [memory: Memory, caller: Caller];
  'memory.deleted': [ids: string[], caller: Caller];
  'memory.access': [event: AccessEvent];
  capture: [event: CaptureEvent];
  'capture.stored': [event: CaptureStoredEvent];
  /** The capture CA was replaced without the user asking (hosts changed, near expiry). */
  'ca.replaced': [];
  /** Something in the status changed; listeners call core.status() again. */
  status: [];
}

export class CoreEvents extends EventEmitter<CoreEventMap> {
  constructor() {
    super();
    // A UI page per open window plus the audit log and tray: more than the default 10 is normal.
    this.setMaxListeners(100);
  }

  /** New memories written by the system on a caller's behalf (a capture): the UI and the audit hear it. */
  created(added: Memory[], caller: Caller): void {
    if (added.length === 0) return;
    this.emit('memory.added', added, caller);
    this.emit('memory.access', {
      caller,
      action: 'create',
      memoryIds: added.map((m) => m.id),
      count: added.length,
      outcome: 'ok',
    });
  }
}
