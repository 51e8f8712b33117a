import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per test folder (the folders mirror src/, see docs/guides/architecture.md): `npm test` runs them all; `vitest run --project unit` runs one.
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
      // The reference bot (examples/equipment-bot): its data layer and domain on SQLite and Postgres, and its scenarios
      // against the DiscordSimulator. It imports the package by its public names, like the docs.
      {
        resolve: { alias: packageAliases() },
        test: {
          name: 'bot',
          include: ['examples/equipment-bot/test/**/*.test.ts'],
          testTimeout: 60_000,
          // The query-plan tests seed thousands of rows per dialect before they EXPLAIN.
          hookTimeout: 120_000,
        },
      },
      // Scenario 16: what the bot shows is JST whatever the host's zone is — its time and display tests again, on a
      // host in Los Angeles.
      {
        resolve: { alias: packageAliases() },
        test: {
          name: 'bot-tz',
          include: [
            'examples/equipment-bot/test/domain/{time,slots}.test.ts',
            'examples/equipment-bot/test/domain/host-zone.tz-test.ts',
            'examples/equipment-bot/test/display/render.test.ts',
          ],
          env: { TZ: 'America/Los_Angeles' },
        },
      },
      // The docs' code blocks (examples/snippets/, checked equal to README.md and docs/guides/ by test/docs/): they import
      // the package by its public names, resolved here to the sources as tsconfig.json's `paths` do for tsc.
      {
        resolve: { alias: packageAliases() },
        test: {
          name: 'docs',
          include: ['test/docs/**/*.test.ts', 'examples/snippets/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});

/** `discord-update-manager` and its subpaths (package.json `exports`) mapped to their entry files in src/. */
function packageAliases(): { find: RegExp; replacement: string }[] {
  const entries: Record<string, string> = {
    '': 'src/index.ts',
    '/testing': 'src/testing/index.ts',
    '/sqlite': 'src/repositories/sqlite/index.ts',
    '/postgres': 'src/repositories/postgres/index.ts',
    '/redis': 'src/redis/index.ts',
    '/prometheus': 'src/prometheus/index.ts',
  };
  return Object.entries(entries).map(([subpath, file]) => ({
    find: new RegExp(`^discord-update-manager${subpath}$`),
    replacement: fileURLToPath(new URL(`./${file}`, import.meta.url)),
  }));
}
