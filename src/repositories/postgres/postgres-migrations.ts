import { InvalidConfigError, SchemaVersionError } from '../../errors/message-update-error.js';
import { migration as initial } from './migrations/001-initial.js';
import { migration as outboxFillfactor } from './migrations/002-outbox-fillfactor.js';
import { migration as claimableIndexes } from './migrations/003-claimable-indexes.js';
import type { PgPoolClientLike } from './postgres-pool-like.js';

/**
 * One versioned schema change. Migrations ship as TypeScript modules (`migrations/NNN-name.ts`) rather than `.sql`
 * files so they bundle into the ESM and CommonJS builds alike, with no file to locate at run time.
 */
export interface PostgresMigration {
  /** Schema version this migration brings the database to: 1, 2, 3... with no gaps. */
  readonly version: number;
  /** Short kebab-case name, recorded in `schema_migrations`. */
  readonly name: string;
  /**
   * The statements, run together in the migration transaction (PostgreSQL DDL is transactional). Every
   * {@link POSTGRES_SCHEMA_PLACEHOLDER} is replaced by the quoted schema name.
   */
  readonly sql: string;
}

/** Stands for the quoted schema name in {@link PostgresMigration.sql}. */
export const POSTGRES_SCHEMA_PLACEHOLDER = '{schema}';

/** The schema used when none is given. */
export const DEFAULT_POSTGRES_SCHEMA = 'discord_update_manager';

/**
 * Every migration of the PostgreSQL schema, oldest first. {@link PostgresUpdateRepository.migrate} applies the ones a
 * schema has not recorded yet.
 *
 * @example
 * ```ts
 * import { POSTGRES_MIGRATIONS } from 'discord-update-manager/postgres';
 *
 * const latest = POSTGRES_MIGRATIONS.at(-1)?.version; // the schema version this release writes
 * ```
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = Object.freeze([
  initial,
  outboxFillfactor,
  claimableIndexes,
]);

/**
 * The schema version this release of the package reads and writes (the last migration's version).
 *
 * @example
 * ```ts
 * const { rows } = await pool.query('SELECT max(version) AS v FROM discord_update_manager.schema_migrations');
 * if (Number(rows[0].v) < POSTGRES_SCHEMA_VERSION) await repository.migrate();
 * ```
 */
export const POSTGRES_SCHEMA_VERSION: number = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a schema name and quotes it for SQL. Only plain lower-case identifiers are accepted, so the quoted name is
 * the name exactly as PostgreSQL stores it and can never break out of the quotes.
 *
 * @param schema - the candidate name
 * @returns the name in double quotes, ready to use as an identifier
 * @throws {@link InvalidConfigError} (field `schema`) when it is not such an identifier, or starts with `pg_`
 *   (reserved by PostgreSQL for system schemas)
 * @example
 * ```ts
 * quotePostgresSchema('bot_updates'); // '"bot_updates"'
 * quotePostgresSchema('Bot-Updates'); // throws InvalidConfigError
 * ```
 */
export function quotePostgresSchema(schema: unknown): string {
  if (
    typeof schema !== 'string' ||
    !SCHEMA_NAME.test(schema) ||
    schema.startsWith('pg_') ||
    schema === 'information_schema' // Postgres's own catalog views: never a place for the package's tables
  ) {
    throw new InvalidConfigError(
      'schema',
      schema,
      'a PostgreSQL schema name of 1 to 63 characters: lower-case letters, digits and underscores, not starting with a digit or `pg_`, not `information_schema`',
      `For example \`${DEFAULT_POSTGRES_SCHEMA}\``,
    );
  }
  return `"${schema}"`;
}

/**
 * The SQL of a migration for one schema.
 *
 * @param migration - the migration
 * @param schema - a schema name (validated here)
 * @returns the statements with the quoted schema name substituted
 * @throws {@link InvalidConfigError} when `schema` is not a valid name
 */
export function renderPostgresMigration(migration: PostgresMigration, schema: string): string {
  return migration.sql.replaceAll(POSTGRES_SCHEMA_PLACEHOLDER, quotePostgresSchema(schema));
}

/**
 * The error for a schema migrated by a newer release: reading or writing it with older code could corrupt it.
 *
 * @param schema - the schema name
 * @param found - the version the schema records
 * @returns the error to throw
 */
export function newerPostgresSchemaError(schema: string, found: number): SchemaVersionError {
  return new SchemaVersionError(`the PostgreSQL schema \`${schema}\``, found, POSTGRES_SCHEMA_VERSION, 'newer');
}

/**
 * Reads the schema version a schema records: `0` when it has no `schema_migrations` table (or does not exist).
 *
 * @param client - a checked-out connection
 * @param schema - a valid schema name
 * @returns the highest recorded version
 */
export async function readPostgresSchemaVersion(client: PgPoolClientLike, schema: string): Promise<number> {
  const quoted = quotePostgresSchema(schema);
  const table = await client.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${quoted}.schema_migrations`]);
  if ((table.rows[0] as { readonly found: boolean } | undefined)?.found !== true) return 0;
  const result = await client.query(`SELECT max(version) AS version FROM ${quoted}.schema_migrations`);
  return Number((result.rows[0] as { readonly version: number | string | null } | undefined)?.version ?? 0);
}

/**
 * Checks that a schema is at the version this release uses, before the first read or write.
 *
 * @param client - a checked-out connection
 * @param schema - a valid schema name
 * @throws {@link SchemaVersionError} (`SCHEMA_VERSION`) when the schema is older (call `migrate()`) or newer
 *   (upgrade the package)
 */
export async function assertPostgresSchemaCurrent(client: PgPoolClientLike, schema: string): Promise<void> {
  const found = await readPostgresSchemaVersion(client, schema);
  if (found > POSTGRES_SCHEMA_VERSION) throw newerPostgresSchemaError(schema, found);
  if (found < POSTGRES_SCHEMA_VERSION) {
    throw new SchemaVersionError(`the PostgreSQL schema \`${schema}\``, found, POSTGRES_SCHEMA_VERSION, 'older');
  }
}

/**
 * Creates the schema if missing and applies the migrations it has not recorded, in order. Must run inside a
 * transaction: it takes a transaction-scoped advisory lock keyed by the schema name first, so two processes migrating
 * the same schema at once take turns, and the second finds everything applied.
 *
 * @param client - a connection inside `BEGIN`
 * @param schema - a valid schema name
 * @returns the versions applied by this call (empty when the schema was already current)
 * @throws {@link SchemaVersionError} (`SCHEMA_VERSION`) when the schema records a version newer than the last migration
 */
export async function applyPostgresMigrations(client: PgPoolClientLike, schema: string): Promise<number[]> {
  const quoted = quotePostgresSchema(schema);
  // Two int4 keys: one for the package, one for the schema, so other schemas (and other applications) never wait.
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('discord-update-manager'), hashtext($1))`, [schema]);
  const exists = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  // Checked first so that a user without CREATE on the database can use a schema an administrator made.
  if (exists.rows.length === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  const table = await client.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${quoted}.schema_migrations`]);
  if ((table.rows[0] as { readonly found: boolean } | undefined)?.found !== true) {
    await client.query(
      `CREATE TABLE ${quoted}.schema_migrations (
        version    integer     NOT NULL PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`,
    );
  }
  const recorded = await client.query(`SELECT version FROM ${quoted}.schema_migrations`);
  const applied = new Set((recorded.rows as { readonly version: number }[]).map((row) => Number(row.version)));
  const found = Math.max(0, ...applied);
  if (found > POSTGRES_SCHEMA_VERSION) throw newerPostgresSchemaError(schema, found);
  const done: number[] = [];
  for (const migration of POSTGRES_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    // No bind parameters: the simple query protocol runs the migration's several statements in one round trip.
    await client.query(renderPostgresMigration(migration, schema));
    await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
      migration.version,
      migration.name,
    ]);
    done.push(migration.version);
  }
  return done;
}
