/**
 * `discord-update-manager/sqlite`: a durable `UpdateRepository` in one SQLite file, through better-sqlite3 (an
 * optional peer dependency: `npm install better-sqlite3@12`).
 *
 * @example
 * ```ts
 * import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
 *
 * const repository = new SqliteUpdateRepository({ filename: './data/updates.db' });
 * await repository.migrate();
 * await repository.close();
 * ```
 *
 * @module discord-update-manager/sqlite
 */
export { SqliteUpdateRepository } from './sqlite-update-repository.js';
export type { SqliteUpdateRepositoryOptions } from './sqlite-update-repository.js';
export type {
  SqliteDatabaseLike,
  SqliteDriver,
  SqliteRunResultLike,
  SqliteStatementLike,
  SqliteTransactionLike,
} from './sqlite-database-like.js';
export { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-migrations.js';
export type { SqliteMigration } from './sqlite-migrations.js';
