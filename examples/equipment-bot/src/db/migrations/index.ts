/**
 * The bot's versioned migrations, run by Kysely's `Migrator` from a static list (no file-system globbing, so they
 * work bundled). Kysely records them in `kysely_migration` (Postgres: in the bot's schema), apart from the library's
 * `schema_migrations`; both sets of migrations can be applied to one database in either order.
 *
 * @module
 */
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { BotDatabase, BotDialect } from '../database.js';
import { initialMigration } from './001_initial.js';
import { performanceMigration } from './002_performance.js';
import { wizardSessionsMigration } from './003_wizard_sessions.js';

/** The migration names, in order. */
export const MIGRATION_NAMES = ['001_initial', '002_performance', '003_wizard_sessions'] as const;

/**
 * The migrations for a dialect, by name.
 *
 * @param dialect - the database's dialect
 * @returns a provider for Kysely's `Migrator`
 */
export function migrationProvider(dialect: BotDialect): MigrationProvider {
  const migrations: Record<(typeof MIGRATION_NAMES)[number], Migration> = {
    '001_initial': initialMigration(dialect),
    '002_performance': performanceMigration(),
    '003_wizard_sessions': wizardSessionsMigration(),
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}

/** Thrown when a migration fails; nothing of the run is kept (both dialects run it in one transaction). */
export class MigrationError extends Error {
  /** The migration that failed. */
  public readonly migrationName: string;

  /**
   * @param migrationName - the failing migration
   * @param cause - the database's error
   */
  public constructor(migrationName: string, cause: unknown) {
    super(
      `database migration ${migrationName} failed: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'The database was left as it was before; fix the cause and start again.',
      { cause },
    );
    this.name = 'MigrationError';
    this.migrationName = migrationName;
  }
}

/**
 * Applies every migration not applied yet, in one transaction (SQLite: `BEGIN IMMEDIATE`, so two processes do not
 * race; Postgres: with Kysely's advisory lock).
 *
 * @param database - the open database
 * @returns the names of the migrations applied now, in order (empty when the schema was current)
 * @throws {@link MigrationError} naming the failing migration
 */
export async function migrateToLatest(database: BotDatabase): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: migrationProvider(database.dialect),
    ...(database.dialect === 'postgres' ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName ?? '(before any migration ran)', error);
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
