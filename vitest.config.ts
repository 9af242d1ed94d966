import { defineConfig } from 'vitest/config';

// One project per environment: Node for the core, the CLI and the Electron shell (mocked electron),
// jsdom for renderer components.
export default defineConfig({
  // Code run from source starts the capture network thread from its built bundle (globalSetup
  // builds it).
  define: {
    __CAPTURE_NET_WORKER__: JSON.stringify(
      new URL('./dist/main/capture-net-worker.js', import.meta.url).href,
    ),
  },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Tests spawn the real CLI (bin/mem0-tray.js): bundle the current sources first.
    globalSetup: ['./test/support/build-cli.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
        },
      },
    ],
  },
});
