// One settings file (settings.json in the data directory), validated by one schema, with
// MEM0_TRAY_* environment overrides on top. Unknown keys are errors so a typo is never ignored.
import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { backgroundRulesSettingSchema } from '../capture/background-rules.js';
import { BACKENDS, ISOLATION_MODES, type BackendKind, type IsolationMode } from './choices.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';

const port = z.number().int().min(0).max(65535);
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i, {
    message: 'must be a DNS host name such as api.anthropic.com',
  })
  .transform((h) => h.toLowerCase());
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });

export { BACKENDS, ISOLATION_MODES, type BackendKind, type IsolationMode };

export const settingsSchema = z.strictObject({
  /** Owner of captured memories; default: the OS user name. */
  userId: z.string().trim().min(1).max(200).optional(),
  backend: z.enum(BACKENDS).default('local'),
  proxyPort: port.default(8877),
  gatewayPort: port.default(8878),
  apiPort: port.default(8879),
  /** Hosts whose TLS the proxy decrypts; every other host is tunnelled untouched. */
  interceptHosts: z.array(hostname).min(1).default(['api.anthropic.com']),
  captureEnabled: z.boolean().default(true),
  /** Glob patterns of project directories never captured (e.g. "~/work/secret-*"). */
  excludedProjects: z.array(z.string().min(1)).default([]),
  /** Background-call rules (title generation, quota probes, …): {disable: [rule ids], extra: [rules]}. */
  captureRules: backgroundRulesSettingSchema.optional(),
  isolationMode: z.enum(ISOLATION_MODES).default('auto'),
  /** The one project id used when isolationMode is "manual". */
  manualProjectId: z.string().trim().min(1).default('default'),
  mem0Host: httpUrl.default('https://api.mem0.ai'),
  mem0ServerUrl: httpUrl.optional(),
  mem0Telemetry: z.boolean().default(false),
  auditRetentionDays: z.number().int().min(1).max(3650).default(90),
  /** Default lifetime of new MCP tokens in days; 0 = never expires. */
  tokenExpiryDays: z.number().int().min(0).max(3650).default(365),
  /** Send intercepted Anthropic traffic here instead (corporate gateways, tests). */
  upstream: httpUrl.optional(),
  /** Extra CA (PEM file) trusted for the upstream override. */
  upstreamCa: z.string().min(1).optional(),
  startAtLogin: z.boolean().default(false),
  /** Memories brought into Claude Code sessions by its hooks (mem0-tray claude-code hooks install). */
  recall: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Most tokens of the brief given at the start of a session (counted conservatively). */
      sessionTokens: z.number().int().min(0).max(20_000).default(800),
      /** Most tokens added to one prompt. */
      promptTokens: z.number().int().min(0).max(20_000).default(400),
    })
    .prefault({}),
});

export type Settings = z.output<typeof settingsSchema> & { userId: string };
export type SettingsFile = z.input<typeof settingsSchema>;
export type SettingsKey = keyof z.output<typeof settingsSchema>;

type EnvParser = (raw: string) => unknown;
const asInt: EnvParser = (raw) => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
const asBool: EnvParser = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  return raw;
};
const asList: EnvParser = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const asString: EnvParser = (raw) => raw.trim();

const oneOf = (values: readonly string[]) =>
  values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values.join('');

export interface EnvOverride {
  name: string;
  parse: EnvParser;
  /** What the variable accepts, in the words an error message uses ("on or off"). */
  accepts?: string;
}

/** Environment variables that override a setting, and how each is read. */
export const ENV_OVERRIDES: Partial<Record<SettingsKey, EnvOverride>> = {
  userId: { name: 'MEM0_TRAY_USER_ID', parse: asString },
  backend: { name: 'MEM0_TRAY_BACKEND', parse: asString, accepts: oneOf(BACKENDS) },
  proxyPort: { name: 'MEM0_TRAY_PROXY_PORT', parse: asInt, accepts: 'a port number from 0 to 65535' },
  gatewayPort: { name: 'MEM0_TRAY_GATEWAY_PORT', parse: asInt, accepts: 'a port number from 0 to 65535' },
  apiPort: { name: 'MEM0_TRAY_API_PORT', parse: asInt, accepts: 'a port number from 0 to 65535' },
  interceptHosts: {
    name: 'MEM0_TRAY_INTERCEPT_HOSTS',
    parse: asList,
    accepts: 'a comma-separated list of DNS host names such as api.anthropic.com',
  },
  captureEnabled: { name: 'MEM0_TRAY_CAPTURE', parse: asBool, accepts: 'on or off' },
  isolationMode: { name: 'MEM0_TRAY_ISOLATION_MODE', parse: asString, accepts: oneOf(ISOLATION_MODES) },
  mem0Host: { name: 'MEM0_TRAY_MEM0_HOST', parse: asString, accepts: 'an http:// or https:// URL' },
  mem0ServerUrl: {
    name: 'MEM0_TRAY_MEM0_SERVER_URL',
    parse: asString,
    accepts: 'an http:// or https:// URL',
  },
  upstream: { name: 'MEM0_TRAY_UPSTREAM', parse: asString, accepts: 'an http:// or https:// URL' },
  upstreamCa: { name: 'MEM0_TRAY_UPSTREAM_CA', parse: asString },
};

/**
 * Settings that cannot be used, with every problem found (not only the first): what the CLI
 * prints, what the core logs and shows in its status when an edit of the file is invalid.
 */
export class SettingsError extends UserError {
  constructor(
    message: string,
    /** One line per problem, each naming the field or the environment variable. */
    readonly problems: string[],
  ) {
    super('invalid_settings', message);
  }
}

function formatIssue(issue: z.core.$ZodIssue, source: (key: string) => string): string {
  const key = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${source(key)}: ${issue.message}`;
}

/** Each issue once, in the schema's order. */
function formatIssues(issues: z.core.$ZodIssue[], source: (key: string) => string): string[] {
  return [...new Set(issues.map((i) => formatIssue(i, source)))];
}

export function defaultUserId(): string {
  try {
    return os.userInfo().username || 'user';
  } catch {
    return process.env.USER || process.env.USERNAME || 'user';
  }
}

export interface LoadedSettings {
  settings: Settings;
  /** What the file holds (without environment overrides): what a save writes back. */
  file: SettingsFile;
  /** Settings currently forced by an environment variable, and the variable's name. */
  overridden: Partial<Record<SettingsKey, string>>;
}

export function readSettingsFile(file: string): SettingsFile {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError('invalid_settings', `Cannot read settings file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UserError(
      'invalid_settings',
      `Settings file ${file} is not valid JSON (${(err as Error).message}). Fix it or delete it to use the defaults.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError('invalid_settings', `Settings file ${file} must hold a JSON object.`);
  }
  return parsed as SettingsFile;
}

export function loadSettings(file: string, env: NodeJS.ProcessEnv = process.env): LoadedSettings {
  const fromFile = readSettingsFile(file);
  const fileCheck = settingsSchema.safeParse(fromFile);
  const fileProblems = fileCheck.success ? [] : formatIssues(fileCheck.error.issues, (k) => `"${k}"`);
  const fromEnv: Record<string, unknown> = {};
  const overridden: Partial<Record<SettingsKey, string>> = {};
  for (const [key, spec] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[spec.name];
    if (raw === undefined || raw === '') continue;
    fromEnv[key] = spec.parse(raw);
    overridden[key as SettingsKey] = spec.name;
  }
  // The variables are checked on their own, so that their problems are reported beside the file's.
  const envCheck = settingsSchema.partial().safeParse(fromEnv);
  const envProblems: string[] = [];
  if (!envCheck.success) {
    for (const issue of envCheck.error.issues) {
      const spec = ENV_OVERRIDES[String(issue.path[0]) as SettingsKey]!;
      const line = `${spec.name}=${JSON.stringify(env[spec.name])}: ${spec.accepts ? `expected ${spec.accepts}` : issue.message}`;
      if (!envProblems.includes(line)) envProblems.push(line);
    }
  }
  if (fileProblems.length > 0 || envProblems.length > 0) {
    const parts: string[] = [];
    if (fileProblems.length > 0) parts.push(`Invalid settings in ${file}: ${fileProblems.join('; ')}.`);
    if (envProblems.length > 0) parts.push(`Invalid environment variable: ${envProblems.join('; ')}.`);
    throw new SettingsError(parts.join(' '), [
      ...fileProblems,
      ...envProblems.map((p) => `${p} (environment)`),
    ]);
  }
  const result = settingsSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    const problems = formatIssues(result.error.issues, (k) => `"${k}"`);
    throw new SettingsError(`Invalid settings: ${problems.join('; ')}.`, problems);
  }
  const settings = { ...result.data, userId: result.data.userId ?? defaultUserId() };
  return { settings, file: fromFile, overridden };
}

/** Validates and writes a change to the settings file; returns the new effective settings. */
export function saveSettings(
  file: string,
  patch: Partial<SettingsFile>,
  env: NodeJS.ProcessEnv = process.env,
): LoadedSettings {
  const current = readSettingsFile(file);
  const next: Record<string, unknown> = { ...current, ...patch };
  for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
  const check = settingsSchema.safeParse(next);
  if (!check.success) {
    const problems = formatIssues(check.error.issues, (k) => `"${k}"`);
    throw new SettingsError(`Invalid settings: ${problems.join('; ')}.`, problems);
  }
  writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n');
  return loadSettings(file, env);
}
