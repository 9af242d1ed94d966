// What the UI API's handlers share: the part of the core they use (UiHost), the handler table's
// type, and the context each domain's handlers are built from.
import type { Settings, SettingsFile } from '../config/settings.js';
import type { DataPaths } from '../config/paths.js';
import type { Caller, CoreEvents } from '../events.js';
import type { RuntimeInfo } from '../runtime-file.js';
import type { MemoryService } from '../memory/service.js';
import type { CaptureEventDto, SettingsStateDto, UiMethod, UiOutput, UiParsed } from './contract.js';
import type { UiServices } from './services.js';

/** What the UI API uses of the core (the Core class and a feature's context both provide it). */
export interface UiHost {
  readonly paths: DataPaths;
  readonly env: NodeJS.ProcessEnv;
  readonly runtime: RuntimeInfo;
  readonly memories: MemoryService;
  readonly events: CoreEvents;
  settings(): Settings;
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings>;
  /** The core's settings status: which variable holds which setting, and an invalid edit of the file. */
  settingsStatus(): {
    heldByEnvironment: Partial<Record<string, string>>;
    error: SettingsStateDto['error'];
  };
  /** The ids of the features this core runs. */
  featureIds(): string[];
}

export type UiHandlers = { [M in UiMethod]: (input: UiParsed<M>) => Promise<UiOutput<M>> };

/** What each domain's handlers are built from (memory-handlers.ts, capture-handlers.ts, …). */
export interface HandlerContext {
  host: UiHost;
  services: UiServices;
  /** The UI's caller: the settings' user, via 'ui'. */
  caller(): Caller;
  /** The capture feed's newest turns (ui-events.ts). */
  recentCaptures(): CaptureEventDto[];
}

/** The settings the environment holds and the last invalid edit, as the UI shows them. */
export function settingsState(host: UiHost): SettingsStateDto {
  const { heldByEnvironment, error } = host.settingsStatus();
  const held: Record<string, string> = {};
  for (const [key, variable] of Object.entries(heldByEnvironment)) if (variable) held[key] = variable;
  return {
    heldByEnvironment: held,
    error: error ? { message: error.message, problems: [...error.problems], at: error.at } : null,
  };
}

/** A refusal the dispatcher passes on as invalid_input with its message. */
export function invalid(message: string): { code: 'invalid_input'; message: string } & Error {
  return Object.assign(new Error(message), { code: 'invalid_input' as const });
}
