import { defineConfig } from 'tsup';

// One entry per subpath. Splitting puts shared code (errors, clock, transport) in chunks that every entry imports,
// so `instanceof MessageUpdateError` holds across `discord-update-manager` and `discord-update-manager/testing`.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'sqlite/index': 'src/repositories/sqlite/index.ts',
    'postgres/index': 'src/repositories/postgres/index.ts',
    'redis/index': 'src/redis/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  external: ['@discordjs/rest', 'discord-api-types', 'p-retry', 'better-sqlite3', 'pg', 'ioredis'],
});
