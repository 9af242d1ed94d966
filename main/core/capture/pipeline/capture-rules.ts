// The settings that decide whether a request is captured at all: background calls (title
// generation, …) and excluded projects. Each is compiled once and again only when its setting changes.
import type { Settings } from '../../config/settings.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { resolveBackgroundRules, type BackgroundRule } from '../background-rules.js';
import { createExcludeMatcher, type ExcludeMatcher } from '../path-glob.js';

export class CaptureRules {
  private rulesKey = '';
  private rules: BackgroundRule[] = resolveBackgroundRules();
  private excludeKey = '';
  private exclude: ExcludeMatcher = createExcludeMatcher([]);

  /** `configured`: background rules given to the pipeline, which then win over the setting. */
  constructor(
    private readonly configured: unknown,
    private readonly log: Logger,
  ) {}

  background(settings: Settings): BackgroundRule[] {
    const setting = this.configured ?? settings.captureRules;
    const key = JSON.stringify(setting ?? null);
    if (key !== this.rulesKey) {
      this.rulesKey = key;
      try {
        this.rules = resolveBackgroundRules(setting);
      } catch (err) {
        this.rules = resolveBackgroundRules();
        this.log.warn('capture.rules_invalid', { error: describeError(err) });
      }
    }
    return this.rules;
  }

  /** Whether a working directory lies in a project the user excluded from capture. */
  excluded(settings: Settings, cwd: string | null): boolean {
    if (!cwd) return false;
    const key = settings.excludedProjects.join('\0');
    if (key !== this.excludeKey) {
      this.excludeKey = key;
      this.exclude = createExcludeMatcher(settings.excludedProjects);
    }
    return Boolean(this.exclude.match(cwd));
  }
}
