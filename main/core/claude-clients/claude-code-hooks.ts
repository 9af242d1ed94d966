// Claude Code's hooks that bring memories into its sessions (recall/recall.ts), in Claude Code's
// settings (~/.claude/settings.json, or the project's .claude/settings.local.json):
// - SessionStart: a command hook running dist/claude-hook.js (Claude Code 2.1.328 does not call an
//   http hook for SessionStart);
// - UserPromptSubmit: an http hook straight to the core's endpoint with the machine's token, so a
//   prompt costs no process start (a command hook like SessionStart's where no token or fixed port
//   is known). Claude Code fails open on it: a refused connection adds nothing and is not shown.
// Install keeps every other hook and key and backs the file up; uninstall gives back the very bytes
// the file had before (or no file, when install made it), unless it was changed meanwhile.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { HOOK_PATH } from '../recall/hook-route-path.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { backupFile, isObject, readJsonObject, type Json } from './json-config.js';

export const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit'] as const;
export type HookScope = 'user' | 'project';
/** Seconds Claude Code waits for the hook (it gives up on its own well before). */
const HOOK_TIMEOUT_S = 5;
/** How our entries are recognised: the script they run, or the endpoint they post to. */
export const HOOK_SCRIPT = 'claude-hook.js';

export interface HookLocation {
  scope: HookScope;
  /** HOME (tests use a temp one). */
  env?: NodeJS.ProcessEnv;
  /** The project directory for scope "project". */
  cwd?: string;
}

export function claudeSettingsPath({ scope, env = process.env, cwd = process.cwd() }: HookLocation): string {
  if (scope === 'project') return path.join(cwd, '.claude', 'settings.local.json');
  return path.join(env.HOME || env.USERPROFILE || os.homedir(), '.claude', 'settings.json');
}

/** How the hook runs: the runtime (Node, or the tray app's Electron as Node), the script, the data dir. */
export interface HookLaunch {
  execPath: string;
  script: string;
  dataDir: string;
  electron?: boolean;
  /** The core's endpoint and the machine's token, for the prompt hook over http. */
  http?: { url: string; token: string };
}

/** A double-quoted shell word (Claude Code runs a hook's command through the shell). */
const quote = (s: string) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;

export function hookCommand(launch: HookLaunch): string {
  const run = `${quote(launch.execPath)} ${quote(launch.script)} --data-dir ${quote(launch.dataDir)}`;
  return launch.electron ? `ELECTRON_RUN_AS_NODE=1 ${run}` : run;
}

const isOurs = (hook: unknown) =>
  isObject(hook) &&
  ((typeof hook.command === 'string' && hook.command.includes(HOOK_SCRIPT)) ||
    (hook.type === 'http' && typeof hook.url === 'string' && hook.url.includes(HOOK_PATH)));

/** Our hook for an event. */
function ourHook(event: (typeof HOOK_EVENTS)[number], launch: HookLaunch): Json {
  if (event === 'UserPromptSubmit' && launch.http)
    return {
      type: 'http',
      url: launch.http.url,
      headers: { Authorization: `Bearer ${launch.http.token}` },
      timeout: HOOK_TIMEOUT_S,
    };
  return { type: 'command', command: hookCommand(launch), timeout: HOOK_TIMEOUT_S };
}

/** The settings without our hooks: groups left empty go, an event left empty goes, and so do empty hooks. */
function withoutOurs(config: Json): Json {
  if (!isObject(config.hooks)) return config;
  const hooks: Json = {};
  for (const [event, groups] of Object.entries(config.hooks)) {
    if (!Array.isArray(groups)) {
      hooks[event] = groups;
      continue;
    }
    const kept = groups.flatMap((group: unknown) => {
      if (!isObject(group) || !Array.isArray(group.hooks) || !group.hooks.some(isOurs)) return [group];
      const others = group.hooks.filter((h: unknown) => !isOurs(h));
      return others.length > 0 ? [{ ...group, hooks: others }] : [];
    });
    if (kept.length > 0 || groups.length === 0) hooks[event] = kept;
  }
  // Keys keep their places.
  const next: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (key !== 'hooks') next[key] = value;
    else if (Object.keys(hooks).length > 0) next[key] = hooks;
  }
  return next;
}

function readSettings(file: string) {
  const read = readJsonObject(file, "Claude Code's settings");
  if (read.config.hooks !== undefined && !isObject(read.config.hooks))
    throw new UserError('invalid_input', `"hooks" in ${file} must be an object; it was left untouched.`);
  return read;
}

/** The file's mode to keep when rewriting it (a new settings file is the user's alone). */
function modeOf(file: string): number {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return 0o600;
  }
}

export interface HooksInstallResult {
  settingsPath: string;
  backupPath: string | null;
  /** Our hooks were there already (their command is replaced). */
  replaced: boolean;
}

export function installHooks(location: HookLocation, launch: HookLaunch): HooksInstallResult {
  const file = claudeSettingsPath(location);
  const { config, raw } = readSettings(file);
  const before = withoutOurs(config);
  const replaced = JSON.stringify(before) !== JSON.stringify(config);
  const hooks: Json = isObject(before.hooks) ? { ...before.hooks } : {};
  for (const event of HOOK_EVENTS) {
    const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    hooks[event] = [...groups, { hooks: [ourHook(event, launch)] }];
  }
  const backupPath = backupFile(file, raw);
  // A file that holds a token is the user's alone.
  const mode = launch.http ? 0o600 : modeOf(file);
  writeFileAtomic(file, JSON.stringify({ ...before, hooks }, null, 2) + '\n', mode);
  // What uninstall gives back when nothing else changed: the bytes before the first install.
  if (!replaced) writeFileAtomic(originalOf(file, launch.dataDir), JSON.stringify({ raw }), 0o600);
  return { settingsPath: file, backupPath, replaced };
}

/**
 * Where install keeps a settings file's bytes from before it (null: there was no file): in Mem0
 * Tray's own data directory, not beside a project's settings.
 */
const originalOf = (file: string, dataDir: string) =>
  path.join(
    dataDir,
    'claude-code-hooks',
    `${createHash('sha256').update(file).digest('hex').slice(0, 24)}.json`,
  );

/** Settings compared for what they say: in any key order, and an empty "hooks" says nothing. */
function meaning(config: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : isObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical(v[k])]),
          )
        : v;
  if (!isObject(config)) return JSON.stringify(config);
  const { hooks, ...rest } = config;
  return JSON.stringify(canonical(isObject(hooks) && Object.keys(hooks).length === 0 ? rest : config));
}

export interface HooksUninstallResult {
  settingsPath: string;
  removed: boolean;
  backupPath: string | null;
}

export function uninstallHooks(location: HookLocation, dataDir: string): HooksUninstallResult {
  const file = claudeSettingsPath(location);
  const { config, raw } = readSettings(file);
  const next = withoutOurs(config);
  if (raw === null || JSON.stringify(next) === JSON.stringify(config))
    return { settingsPath: file, removed: false, backupPath: null };
  const backupPath = backupFile(file, raw);
  let original: { raw: string | null } | null = null;
  try {
    original = JSON.parse(fs.readFileSync(originalOf(file, dataDir), 'utf8')) as { raw: string | null };
  } catch {
    // no record of the file before install: write what is left
  }
  const unchanged =
    original !== null && meaning(next) === meaning(original.raw === null ? {} : readJson(original.raw));
  if (unchanged && original!.raw === null) fs.rmSync(file, { force: true });
  else writeFileAtomic(file, unchanged ? original!.raw! : JSON.stringify(next, null, 2) + '\n', modeOf(file));
  fs.rmSync(originalOf(file, dataDir), { force: true });
  return { settingsPath: file, removed: true, backupPath };
}

function readJson(raw: string): unknown {
  try {
    return raw.trim() === '' ? {} : (JSON.parse(raw) as unknown);
  } catch {
    return undefined;
  }
}

export interface HooksStatus {
  scope: HookScope;
  settingsPath: string;
  /** Both events have our hook. */
  installed: boolean;
  /** The SessionStart hook's command, when installed. */
  command: string | null;
  /** How the prompt hook reaches the core, when installed. */
  promptHook: 'http' | 'command' | null;
}

export function hooksStatus(location: HookLocation): HooksStatus {
  const file = claudeSettingsPath(location);
  const { config } = readSettings(file);
  const hooks = isObject(config.hooks) ? config.hooks : {};
  const ours = (event: string): Json | null => {
    const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    for (const g of groups)
      if (isObject(g) && Array.isArray(g.hooks)) for (const h of g.hooks) if (isOurs(h)) return h as Json;
    return null;
  };
  const [start, prompt] = HOOK_EVENTS.map(ours);
  const installed = start !== null && prompt !== null;
  return {
    scope: location.scope,
    settingsPath: file,
    installed,
    command: installed && typeof start!.command === 'string' ? start!.command : null,
    promptHook: installed ? (prompt!.type === 'http' ? 'http' : 'command') : null,
  };
}
