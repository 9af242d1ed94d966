// Settings an environment variable holds: a change to one from the UI or the CLI would be saved
// but never take effect, so it is refused with the variable's name.
import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../errors.js';
import type { Settings, SettingsFile, SettingsKey } from './settings.js';

/** The patch without the held settings it leaves as they are; throws for one it would change. */
export function withoutHeldSettings(
  patch: Partial<SettingsFile>,
  held: Partial<Record<SettingsKey, string>>,
  current: Settings,
  env: NodeJS.ProcessEnv,
): Partial<SettingsFile> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    const variable = held[key as SettingsKey];
    if (!variable || value === undefined) {
      rest[key] = value;
      continue;
    }
    if (isDeepStrictEqual(value, current[key as keyof Settings])) continue;
    throw new UserError(
      'conflict',
      `"${key}" is held by the environment variable ${variable} (${variable}=${env[variable] ?? ''}), ` +
        `which overrides settings.json: this change would not take effect. ` +
        `Unset ${variable} and restart Mem0 Tray to change it here.`,
    );
  }
  return rest as Partial<SettingsFile>;
}
