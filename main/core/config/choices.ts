// The settings that are one of a fixed list, listed once: settings.json's schema, the CLI and the
// UI contract all take them from here. It imports nothing: the renderer bundles it.
export const BACKENDS = ['local', 'mem0-platform', 'mem0-server'] as const;
export type BackendKind = (typeof BACKENDS)[number];
export const ISOLATION_MODES = ['auto', 'manual', 'global'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];
