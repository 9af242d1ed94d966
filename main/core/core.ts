// The composition root: builds every service from the settings, starts the features (features.ts)
// in order, writes runtime.json, and stops everything softly. The Electron shell, `mem0-tray serve` and the
// tests all start the core through here.
import { dataPaths, resolveDataDir, type DataPaths } from './config/paths.js';
import { isDeepStrictEqual } from 'node:util';
import {
  SettingsError,
  loadSettings,
  readSettingsFile,
  saveSettings,
  type Settings,
  type SettingsFile,
  type SettingsKey,
} from './config/settings.js';
import { withoutHeldSettings } from './config/settings-held.js';
import { watchSettingsFile, type SettingsWatch } from './config/settings-watch.js';
import { openDatabase, type Db } from './db/database.js';
import { UserError, describeError } from './errors.js';
import { CoreEvents } from './events.js';
import type { CoreStatus, SettingsStatus } from './core-context.js';
import type { AnyFeature, Feature, FeatureContext, FeatureLookup, StartedFeature } from './feature.js';
import type { FeatureHandles, FeatureId } from './feature-handles.js';
import { writeFileAtomic } from './fs-atomic.js';
import { createLogger, type Logger } from './log.js';
import { SwitchableBackend } from './memory/backend-factory.js';
import { MemoryService } from './memory/service.js';
import type { MemoryBackend } from './memory/types.js';
import { startApiServer, type ApiServer } from './api/server.js';
import { FEATURES } from './features.js';
import { preparePrivateDataDir, reportTightened } from './private-fs.js';
import {
  keepRuntimeFileCurrent,
  removeRuntimeFile,
  runningCore,
  writeRuntimeFile,
  type RuntimeInfo,
} from './runtime-file.js';
import { VERSION } from './version.js';

/** How long Core.stop waits for features by default: capture's stream grace (10 s) and a margin. */
export const STOP_TIMEOUT_MS = 15_000;

export interface CoreOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Print log lines to stderr as well as the log file. */
  console?: boolean;
  /** Default: FEATURES. Tests and embedded cores may start fewer; their peers then see them absent. */
  features?: readonly AnyFeature[];
  /** Write runtime.json (serve and the tray do; embedded tests may not want to). */
  writeRuntime?: boolean;
}

export class Core {
  readonly memories: MemoryService;
  private readonly started: Array<{ id: FeatureId; feature: StartedFeature<unknown> }> = [];
  /** The started features' handles by id: what feature() answers. */
  private readonly handles: Partial<FeatureHandles> = {};
  private stopping: Promise<void> | null = null;
  private readonly startedAt = new Date().toISOString();
  private heldByEnvironment: Partial<Record<SettingsKey, string>> = {};
  private settingsError: SettingsStatus['error'] = null;
  private settingsWatch: SettingsWatch | null = null;
  /** Settings changes (from the file or from updateSettings) are applied one at a time. */
  private settingsChain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly paths: DataPaths,
    private current: Settings,
    readonly env: NodeJS.ProcessEnv,
    readonly db: Db,
    readonly log: Logger,
    private readonly backends: SwitchableBackend,
    readonly events: CoreEvents,
    readonly api: ApiServer,
    readonly runtime: RuntimeInfo,
    private readonly writesRuntime: boolean,
  ) {
    this.memories = new MemoryService(backends.current, events);
  }

  static async start(options: CoreOptions = {}): Promise<Core> {
    const env = options.env ?? process.env;
    const paths = dataPaths(resolveDataDir(env));
    // Made (or put back to) private before anything is read or written there.
    const tightened = preparePrivateDataDir(paths.dataDir);
    const { settings, overridden } = loadSettings(paths.settings, env);
    const writesRuntime = options.writeRuntime ?? true;
    if (writesRuntime) {
      const other = runningCore(paths.runtime);
      if (other) {
        throw new UserError(
          'conflict',
          `Mem0 Tray is already running on ${paths.dataDir} (pid ${other.pid}, API ${other.apiPort}). Use that one, or set MEM0_TRAY_HOME to another directory.`,
        );
      }
    }
    const log = options.log ?? createLogger({ file: paths.log, console: options.console ?? false });
    reportTightened(log, paths.dataDir, tightened);
    const db = openDatabase(paths.database);
    let api: ApiServer | undefined;
    try {
      const backends = new SwitchableBackend({ db, env, log }, settings);
      api = await startApiServer({ port: settings.apiPort, log: log.child('api') });
      const runtime: RuntimeInfo = {
        pid: process.pid,
        proxyPort: null,
        gatewayPort: null,
        apiPort: api.port,
        uiUrl: null,
        caPath: null,
      };
      const core = new Core(
        paths,
        settings,
        env,
        db,
        log,
        backends,
        new CoreEvents(),
        api,
        runtime,
        writesRuntime,
      );
      core.heldByEnvironment = overridden;
      api.setHealth(() => ({ status: 'ok', version: VERSION, backend: backends.current().kind }));
      await core.startFeatures(options.features ?? FEATURES);
      // An edit of settings.json (by hand, a script, the CLI) takes effect while the core runs.
      core.settingsWatch = watchSettingsFile(paths.settings, () => void core.reloadSettings());
      if (writesRuntime) {
        writeRuntimeFile(paths.runtime, runtime);
        keepRuntimeFileCurrent(paths.runtime, runtime, {
          events: core.events,
          log,
          stopping: () => !!core.stopping,
        });
      }
      log.info('core.ready', { pid: process.pid, apiPort: api.port, features: core.started.length });
      return core;
    } catch (err) {
      await api?.close();
      db.close();
      throw err;
    }
  }

  private context(): FeatureContext {
    return {
      paths: this.paths,
      settings: () => this.current,
      env: this.env,
      db: this.db,
      log: this.log,
      events: this.events,
      memories: this.memories,
      backend: this.backends.current,
      api: { router: this.api.router, port: this.api.port, baseUrl: this.api.baseUrl },
      runtime: this.runtime,
      feature: this.feature,
      status: () => this.status(),
      settingsStatus: () => this.settingsStatus(),
      featureIds: () => this.featureIds(),
      updateSettings: (patch) => this.updateSettings(patch),
    };
  }

  private async startFeatures(features: readonly AnyFeature[]): Promise<void> {
    const ids = features.map((f) => f.id);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length > 0) throw new Error(`Features listed twice: ${[...new Set(twice)].join(', ')}.`);
    for (const feature of features) await this.startFeature(feature);
  }

  private async startFeature<K extends FeatureId>(feature: Feature<K>): Promise<void> {
    const t0 = performance.now();
    const started = await feature.start({ ...this.context(), log: this.log.child(feature.id) });
    this.started.push({ id: feature.id, feature: started });
    this.handles[feature.id] = started.handle;
    this.log.info('feature.started', { feature: feature.id, ms: Math.round(performance.now() - t0) });
  }

  settings(): Settings {
    return this.current;
  }

  backend(): MemoryBackend {
    return this.backends.current();
  }

  /** A started feature's handle: core.feature('capture') is a CaptureHandle, or undefined. */
  readonly feature: FeatureLookup = (id) => this.handles[id];

  /**
   * Saves a settings change, switches the memory backend if it changed, and tells every feature.
   * A backend that cannot be built (e.g. mem0-server without a URL) undoes the change. A change
   * to a setting an environment variable holds is refused: it would not take effect.
   */
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings> {
    return this.oneSettingsChangeAtATime(async () => {
      const previous = this.current;
      const change = withoutHeldSettings(patch, this.heldByEnvironment, this.current, this.env);
      // Nothing left to change (only what the environment already holds): the file is left alone.
      if (Object.keys(change).length === 0 && Object.keys(patch).length > 0) return previous;
      const previousFile = readSettingsFile(this.paths.settings);
      const { settings, overridden } = saveSettings(this.paths.settings, change, this.env);
      try {
        this.backends.apply(settings);
      } catch (err) {
        writeFileAtomic(this.paths.settings, JSON.stringify(previousFile, null, 2) + '\n');
        throw err;
      }
      this.heldByEnvironment = overridden;
      this.settingsError = null;
      await this.applySettings(settings, previous);
      return settings;
    });
  }

  /** Reads settings.json again after it changed on disk; an invalid file leaves the settings as they are. */
  reloadSettings(): Promise<void> {
    return this.oneSettingsChangeAtATime(async () => {
      if (this.stopping) return;
      const previous = this.current;
      const hadError = this.settingsError !== null;
      try {
        const { settings, overridden } = loadSettings(this.paths.settings, this.env);
        this.heldByEnvironment = overridden;
        if (!isDeepStrictEqual(settings, previous)) this.backends.apply(settings);
        this.settingsError = null;
        if (isDeepStrictEqual(settings, previous)) {
          if (hadError) {
            this.log.info('settings.valid_again');
            this.events.emit('status');
          }
          return;
        }
        const changed = [...new Set([...Object.keys(settings), ...Object.keys(previous)])].filter(
          (k) => !isDeepStrictEqual(settings[k as keyof Settings], previous[k as keyof Settings]),
        );
        this.log.info('settings.reloaded', { changed: changed.join(',') });
        await this.applySettings(settings, previous);
      } catch (err) {
        const problems = err instanceof SettingsError ? err.problems : [describeError(err)];
        const message = err instanceof Error ? err.message : describeError(err);
        this.settingsError = { message, problems, at: new Date().toISOString() };
        this.log.warn('settings.invalid_edit', { problems: problems.length, error: message });
        this.events.emit('status');
      }
    });
  }

  private oneSettingsChangeAtATime<T>(change: () => Promise<T>): Promise<T> {
    const run = this.settingsChain.then(change, change);
    this.settingsChain = run.catch(() => undefined);
    return run;
  }

  private async applySettings(settings: Settings, previous: Settings): Promise<void> {
    this.current = settings;
    for (const { id, feature } of this.started) {
      try {
        await feature.onSettingsChanged?.(settings, previous);
      } catch (err) {
        this.log.error('feature.settings_change_failed', { feature: id, error: describeError(err) });
      }
    }
    this.events.emit('status');
  }

  status(): CoreStatus {
    const features: Record<string, Record<string, unknown>> = {};
    for (const { id, feature } of this.started) {
      try {
        features[id] = feature.status?.() ?? {};
      } catch (err) {
        features[id] = { error: describeError(err) };
      }
    }
    return {
      version: VERSION,
      pid: process.pid,
      startedAt: this.startedAt,
      dataDir: this.paths.dataDir,
      userId: this.current.userId,
      backend: this.backends.current().kind,
      runtime: this.runtime,
      settings: this.settingsStatus(),
      features,
    };
  }

  featureIds(): FeatureId[] {
    return this.started.map((s) => s.id);
  }

  settingsStatus(): SettingsStatus {
    return {
      file: this.paths.settings,
      error: this.settingsError,
      heldByEnvironment: { ...this.heldByEnvironment },
    };
  }

  /**
   * Stops features in reverse order, softly; after timeoutMs the rest is abandoned. Every feature
   * first hears that the core is stopping, so capture takes no new request while others stop; the
   * default leaves room for capture's grace for streams in flight (10 s).
   */
  stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    this.stopping ??= (async () => {
      this.settingsWatch?.close();
      for (const { id, feature } of this.started) {
        try {
          feature.stopping?.();
        } catch (err) {
          this.log.error('feature.stop_failed', { feature: id, error: describeError(err) });
        }
      }
      const soft = (async () => {
        for (const { id, feature } of [...this.started].reverse()) {
          try {
            await feature.stop();
          } catch (err) {
            this.log.error('feature.stop_failed', { feature: id, error: describeError(err) });
          }
        }
        await this.api.close();
      })();
      let timer: NodeJS.Timeout | undefined;
      const hard = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.log.warn('core.stop_timeout', { ms: timeoutMs });
          resolve();
        }, timeoutMs);
      });
      await Promise.race([soft, hard]);
      clearTimeout(timer);
      await this.backends.close();
      if (this.writesRuntime) removeRuntimeFile(this.paths.runtime);
      this.db.close();
      this.log.info('core.stopped');
    })();
    return this.stopping;
  }
}
