// Types for build-native.js, which vitest.config.ts imports.
export const RANK_EXTENSION: string;
export function buildRankExtension(): string | null;
