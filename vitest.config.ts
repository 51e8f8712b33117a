import { defineConfig } from 'vitest/config';

// One project per test folder (STYLE.md): `npm test` runs them all; `vitest run --project unit` runs one.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      // Model and fuzz tests (fast-check, fixed seeds); the SQLite and Postgres outbox models run in their projects.
      { test: { name: 'property', include: ['test/property/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'simulator', include: ['test/simulator/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'sqlite', include: ['test/integration/sqlite/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'postgres', include: ['test/integration/postgres/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'redis', include: ['test/integration/redis/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
