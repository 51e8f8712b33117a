// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'docs/api/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  // Layering (docs/guides/architecture.md): the core never imports an adapter or a driver, adapters never import each
  // other, and nothing in src/ imports the testing tools (tests and the bench do).
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/testing/**',
      'src/repositories/sqlite/**',
      'src/repositories/postgres/**',
      'src/redis/**',
      'src/prometheus/**',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'pg', message: 'Only the Postgres adapter (src/repositories/postgres) loads pg.' },
            {
              name: 'better-sqlite3',
              message: 'Only the SQLite adapter (src/repositories/sqlite) loads better-sqlite3.',
            },
            { name: 'ioredis', message: 'Only the Redis store (src/redis) loads ioredis.' },
            { name: 'prom-client', message: 'Only the Prometheus collector (src/prometheus) loads prom-client.' },
            {
              name: '@discordjs/rest',
              message: "The core never loads the user's REST; type it structurally.",
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: ['**/repositories/sqlite/**', '**/repositories/postgres/**'],
              message: 'The core never imports an adapter.',
            },
            { group: ['**/redis/**'], message: 'The core never imports the Redis store.' },
            { group: ['**/prometheus/**'], message: 'The core never imports the Prometheus collector.' },
            {
              group: ['**/testing/**'],
              message: 'Nothing in src/ imports the testing tools (only tests and the bench).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/repositories/sqlite/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'ioredis', 'prom-client'],
          patterns: [
            {
              group: [
                '**/repositories/postgres/**',
                '**/postgres/**',
                '**/memory/**',
                '**/redis/**',
                '**/prometheus/**',
                '**/testing/**',
              ],
              message: 'Adapters never import each other: move what they share to src/repositories/ or the core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/repositories/postgres/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['better-sqlite3', 'ioredis', 'prom-client'],
          patterns: [
            {
              group: [
                '**/repositories/sqlite/**',
                '**/sqlite/**',
                '**/memory/**',
                '**/redis/**',
                '**/prometheus/**',
                '**/testing/**',
              ],
              message: 'Adapters never import each other: move what they share to src/repositories/ or the core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/redis/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'better-sqlite3', 'prom-client'],
          patterns: [
            {
              group: [
                '**/repositories/**',
                '**/memory-rate-limit-store*',
                '**/rate-limit-state*',
                '**/prometheus/**',
                '**/testing/**',
              ],
              message: 'The Redis store implements the RateLimitStore contract; it imports no other store or adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/prometheus/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'better-sqlite3', 'ioredis'],
          patterns: [
            {
              group: ['**/repositories/**', '**/redis/**', '**/testing/**'],
              message:
                'The Prometheus collector implements the MetricsCollector contract; it imports no adapter or store.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/repositories/sqlite/**', '**/repositories/postgres/**', '**/redis/**', '**/prometheus/**'],
              message: 'The testing tools depend on the core only, never on an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
