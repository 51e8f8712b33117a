/**
 * PostgreSQL persistence (`discord-update-manager/postgres`): {@link PostgresUpdateRepository}, a durable outbox shared
 * by every process of a sharded bot, with versioned migrations shipped in the package. Needs the optional peer `pg`
 * (`npm install pg`), loaded only when a repository first connects with a `connectionString`.
 *
 * @example
 * ```ts
 * import { PostgresUpdateRepository } from 'discord-update-manager/postgres';
 *
 * const repository = new PostgresUpdateRepository({ connectionString: process.env.DATABASE_URL!, schema: 'my_bot' });
 * await repository.migrate();
 * // ... new MessageUpdateManager({ transport, repository }) ...
 * await repository.close();
 * ```
 * @module discord-update-manager/postgres
 */
export { DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS, PostgresUpdateRepository } from './postgres-update-repository.js';
export type { PostgresUpdateRepositoryOptions } from './postgres-update-repository.js';
export { PostgresConnectionError } from './postgres-connection-error.js';
export type { PostgresConnectionPhase } from './postgres-connection-error.js';
export type { PgPoolClientLike, PgPoolLike, PgQueryResultLike } from './postgres-pool-like.js';
export {
  DEFAULT_POSTGRES_SCHEMA,
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_PLACEHOLDER,
  POSTGRES_SCHEMA_VERSION,
} from './postgres-migrations.js';
export type { PostgresMigration } from './postgres-migrations.js';
