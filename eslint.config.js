import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The core runs under plain Node for the CLI, headless mode and tests: Electron stays at the edge.
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'main/core must not import electron' }] },
      ],
    },
  },
  {
    // capture/net/ runs in the capture network thread: forwarding only, with nothing heavy loaded
    // there. The database and the memory store belong to the core's thread (the pipeline).
    files: ['main/core/capture/net/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'main/core must not import electron' },
            { name: 'express', message: 'the capture network thread does not load Express' },
            { name: 'better-sqlite3', message: 'the database belongs to the core thread' },
          ],
          patterns: [
            {
              group: ['**/db/*', '**/memory/*', '**/api/server.js', '../pipeline.js'],
              message: 'capture/net/ runs in the network thread, which loads no database, store or Express',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
