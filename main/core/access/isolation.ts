// Who an authenticated MCP/REST request acts as, and which memories it may see: the one place
// where the isolation mode (settings.isolationMode) turns into an owner id and a scope filter.
// docs/isolation.md explains the modes for users.
//
//  - auto (default): per user and per project. Every call acts on the token's own user id. Reads
//    cover the project the client names (the `project` argument, else the client's default from
//    MEM0_TRAY_PROJECT for stdio or the X-MCP-Project header over HTTP) — or all of the user's
//    projects when none is named; writes are filed under that project (or none). A project may be
//    given as an id or as an absolute directory path, which maps to the same id capture gives
//    that working directory, so Claude Code can pass its cwd.
//  - manual: per user, one fixed project. Reads and writes are confined to
//    settings.manualProjectId; a project argument is ignored.
//  - global: one shared pool for a team. Every token acts on the pool, whose owner id is
//    settings.userId (set the same userId on every machine of the team, the id capture files
//    under too); projects are not separated. Memories of any other owner stay out of reach, and
//    the audit log still names the person (the token's user) next to the pool owner.
//
// Forgetting and exporting a user (REST DELETE /memories, GET /export) always act on the token's
// own user id, in every mode: they are about a person's data, not about the pool.
import path from 'node:path';
import type { IsolationMode } from '../config/settings.js';
import { projectIdForPath } from '../capture/project.js';
import type { AccessVia, Caller } from '../events.js';
import type { ScopeFilter } from '../memory/service.js';
import { setActor } from './actor.js';
import type { Permission } from './tokens.js';

/** An authenticated client: the token's user and what the request tells about itself. */
export interface Identity {
  userId: string;
  tokenId?: string;
  permissions: readonly Permission[];
  via: AccessVia;
  clientIp?: string;
  userAgent?: string;
  /** The client's default project (MEM0_TRAY_PROJECT, X-MCP-Project), used when a call names none. */
  defaultProject?: string | null;
}

export interface IsolationSettings {
  isolationMode: IsolationMode;
  manualProjectId: string;
  /** The owner of the shared pool in global mode (and of captured memories). */
  userId: string;
}

export interface Scope {
  mode: IsolationMode;
  /** The caller MemoryService checks ownership against. */
  caller: Caller;
  /** Filter for list, search, export and the recent resource. */
  read: ScopeFilter;
  /** Project filed on new memories. */
  writeProjectId: string | null;
}

const looksLikePath = (p: string) => path.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('~/');

/** A project given by a client: an id as is, or a directory path mapped like capture does. */
export function normaliseProject(value: string | null | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  return looksLikePath(v) ? projectIdForPath(v) : v;
}

function callerOf(identity: Identity, userId: string): Caller {
  return {
    userId,
    via: identity.via,
    tokenId: identity.tokenId,
    clientIp: identity.clientIp,
    userAgent: identity.userAgent,
  };
}

/** The caller and scope of one call, from the mode, the identity and an optional project argument. */
export function resolveScope(
  settings: IsolationSettings,
  identity: Identity,
  projectArg?: string | null,
): Scope {
  switch (settings.isolationMode) {
    case 'manual':
      return {
        mode: 'manual',
        caller: callerOf(identity, identity.userId),
        read: { projectId: settings.manualProjectId },
        writeProjectId: settings.manualProjectId,
      };
    case 'global': {
      const caller = setActor(callerOf(identity, settings.userId), identity.userId);
      return { mode: 'global', caller, read: {}, writeProjectId: null };
    }
    default: {
      const project = normaliseProject(projectArg) ?? normaliseProject(identity.defaultProject);
      return {
        mode: 'auto',
        caller: callerOf(identity, identity.userId),
        read: project ? { projectId: project } : {},
        writeProjectId: project,
      };
    }
  }
}

/** The token's own user, whatever the mode: for forgetting and exporting a person's data. */
export function personalCaller(identity: Identity): Caller {
  return callerOf(identity, identity.userId);
}

export function canWrite(identity: Identity): boolean {
  return identity.permissions.includes('write');
}
