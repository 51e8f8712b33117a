import { SchemaVersionError } from '../../errors/message-update-error.js';
import { migration as initial } from './migrations/001-initial.js';
import { migration as claimableIndexes } from './migrations/002-claimable-indexes.js';
import type { SqliteDatabaseLike } from './sqlite-database-like.js';
import { SQLITE_NOW_MS } from './sqlite-statements.js';

/**
 * One versioned schema change. Migrations ship as TypeScript modules (`migrations/NNN-name.ts`) rather than `.sql`
 * files so they bundle into the ESM and CommonJS builds alike, with no file to locate at run time.
 */
export interface SqliteMigration {
  /** Schema version this migration brings the database to: 1, 2, 3... with no gaps. */
  readonly version: number;
  /** Short kebab-case name, recorded in `schema_migrations`. */
  readonly name: string;
  /** The statements, run together in one `BEGIN IMMEDIATE` transaction (SQLite DDL is transactional). */
  readonly sql: string;
}

/**
 * Every migration of the SQLite schema, oldest first. {@link SqliteUpdateRepository.migrate} applies the ones a
 * database has not recorded yet.
 *
 * @example
 * ```ts
 * import { SQLITE_MIGRATIONS } from 'discord-update-manager/sqlite';
 *
 * const latest = SQLITE_MIGRATIONS.at(-1)?.version; // the schema version this release writes
 * ```
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = Object.freeze([initial, claimableIndexes]);

/** The schema version this release of the package reads and writes. */
export const SQLITE_SCHEMA_VERSION: number = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/**
 * Reads the highest schema version recorded in a database (0 for a database never migrated).
 *
 * @param database - an open connection
 * @returns the recorded version
 */
export function readSqliteSchemaVersion(database: SqliteDatabaseLike): number {
  const table = database
    .prepare(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
    .get();
  if (table === undefined) return 0;
  const row = database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    readonly version: number | bigint | null;
  };
  return Number(row.version ?? 0);
}

/**
 * The error for a database migrated by a newer release: reading or writing it with older code could corrupt it.
 *
 * @param location - the file name, for the message
 * @param found - the version the database records
 * @returns the error to throw
 */
export function newerSchemaError(location: string, found: number): SchemaVersionError {
  return new SchemaVersionError(`the SQLite database ${location}`, found, SQLITE_SCHEMA_VERSION, 'newer');
}

/**
 * Checks that a database's schema is the one this release uses, before the first read or write.
 *
 * @param database - an open connection
 * @param location - the file name, for messages
 * @throws {@link SchemaVersionError} (`SCHEMA_VERSION`) when the schema is older (call `migrate()`) or newer
 *   (upgrade the package)
 */
export function assertSqliteSchemaCurrent(database: SqliteDatabaseLike, location: string): void {
  const found = readSqliteSchemaVersion(database);
  if (found > SQLITE_SCHEMA_VERSION) throw newerSchemaError(location, found);
  if (found < SQLITE_SCHEMA_VERSION) {
    throw new SchemaVersionError(`the SQLite database ${location}`, found, SQLITE_SCHEMA_VERSION, 'older');
  }
}

/**
 * Applies the migrations a database has not recorded, each in its own `BEGIN IMMEDIATE` transaction that re-reads
 * `schema_migrations` first, so two processes migrating at once apply each migration exactly once.
 *
 * @param database - an open connection
 * @param location - the file name, for messages
 * @returns the versions applied by this call (empty when the schema was already current)
 * @throws {@link SchemaVersionError} (`SCHEMA_VERSION`) when the database records a version newer than the last
 *   migration
 */
export function applySqliteMigrations(database: SqliteDatabaseLike, location: string): number[] {
  const step = database.transaction((migration: SqliteMigration): boolean => {
    database.exec(CREATE_MIGRATIONS_TABLE);
    const found = readSqliteSchemaVersion(database);
    if (found > SQLITE_SCHEMA_VERSION) throw newerSchemaError(location, found);
    if (database.prepare('SELECT 1 AS found FROM schema_migrations WHERE version = ?').get(migration.version)) {
      return false;
    }
    database.exec(migration.sql);
    database
      .prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ${SQLITE_NOW_MS})`)
      .run(migration.version, migration.name);
    return true;
  });
  return SQLITE_MIGRATIONS.filter((migration) => step.immediate(migration)).map((migration) => migration.version);
}
