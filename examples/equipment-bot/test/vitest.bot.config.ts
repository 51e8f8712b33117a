import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Temporary config for the bot's data-layer and domain tests (run with
// `npx vitest run --root . --config examples/equipment-bot/test/vitest.bot.config.ts`), to be folded into the root
// vitest.config.ts as a project.
const root = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^discord-update-manager\/sqlite$/,
        replacement: `${root}src/repositories/sqlite/index.ts`,
      },
      {
        find: /^discord-update-manager\/postgres$/,
        replacement: `${root}src/repositories/postgres/index.ts`,
      },
      { find: /^discord-update-manager$/, replacement: `${root}src/index.ts` },
    ],
  },
  test: {
    name: 'bot-data',
    include: [
      'examples/equipment-bot/test/db/**/*.test.ts',
      'examples/equipment-bot/test/domain/services/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
