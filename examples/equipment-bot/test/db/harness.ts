/**
 * Test databases for the bot's data-layer and domain tests, one suite looped over both dialects: SQLite in a temp
 * file, Postgres in a schema of its own (`POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`), dropped
 * by `cleanup()`. When Postgres is not reachable the suite fails with a message saying to start it — never skips.
 *
 * @example
 * ```ts
 * describe.each(DIALECTS)('%s', (dialect) => {
 *   const t = useTestDatabase(dialect); // migrated; tables emptied before each test
 *   it('...', async () => { await createReservation(t.database, ...); });
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openDatabase, redactDatabaseUrl, type BotDatabase, type BotDialect } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrations/index.js';

/** The dialects every suite runs on. */
export const DIALECTS = ['sqlite', 'postgres'] as const satisfies readonly BotDialect[];

/** The Postgres server of the tests. */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database made for a test suite. */
export interface TestDatabase {
  readonly dialect: BotDialect;
  /** The `DATABASE_URL` that opens it (again: a second connection for concurrency tests). */
  readonly url: string;
  readonly database: BotDatabase;
  /** Opens another, independent connection (SQLite) or pool (Postgres) to the same database. */
  openAnother(): Promise<BotDatabase>;
  /** Closes every connection opened here and deletes the database (file or schema). */
  cleanup(): Promise<void>;
}

/**
 * Makes a fresh database of a dialect (not migrated).
 *
 * @param dialect - sqlite or postgres
 * @returns the database
 * @throws Error "PostgreSQL is not reachable ... Start it ..." when the server does not answer
 */
export async function createTestDatabase(dialect: BotDialect): Promise<TestDatabase> {
  const opened: BotDatabase[] = [];
  let url: string;
  let remove: (first: BotDatabase) => Promise<void>;
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'equipment-bot-'));
    url = `sqlite:${join(folder, 'bot.db')}`;
    remove = async () => rmSync(folder, { recursive: true, force: true });
  } else {
    const schema = `bot_test_${randomBytes(6).toString('hex')}`;
    const parsed = new URL(POSTGRES_URL);
    parsed.searchParams.set('schema', schema);
    url = parsed.toString();
    remove = async (first) => {
      if (first.dialect === 'postgres') await first.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    };
  }
  const open = async (): Promise<BotDatabase> => {
    try {
      const database = await openDatabase(url, { onPoolError: () => {} });
      opened.push(database);
      return database;
    } catch (error) {
      if (dialect !== 'postgres') throw error;
      throw new Error(
        `PostgreSQL is not reachable (POSTGRES_URL=${redactDatabaseUrl(POSTGRES_URL)}): ${(error as Error).message} ` +
          'Start it (e.g. `pg_ctlcluster 15 main start`, or `docker run -d -p 5432:5432 -e ' +
          'POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16`) or point POSTGRES_URL at a server. ' +
          'These tests never skip.',
        { cause: error },
      );
    }
  };
  const database = await open();
  return {
    dialect,
    url,
    database,
    openAnother: open,
    async cleanup() {
      for (const other of opened.slice(1).reverse()) await other.close();
      await remove(database);
      await database.close();
    },
  };
}

/** Every bot table, children first (the order `resetTables` empties them in). */
export const BOT_TABLES = [
  'sent_reminders',
  'jobs',
  'transfer_requests',
  'equipment_logs',
  'reservations',
  'equipment',
  'tags',
  'locations',
  'guild_settings',
  'wizard_sessions',
] as const;

/**
 * Empties every bot table.
 *
 * @param database - the database
 */
export async function resetTables(database: BotDatabase): Promise<void> {
  await database.transaction(async (trx) => {
    for (const table of BOT_TABLES) await trx.deleteFrom(table).execute();
  });
}

/** What {@link useTestDatabase} gives a suite: filled in by `beforeAll`. */
export interface SuiteDatabase {
  /** The migrated database (valid inside tests). */
  readonly database: BotDatabase;
  /** The suite's test database (for `openAnother`, `url`). */
  readonly test: TestDatabase;
}

/**
 * Registers the hooks of a suite: a migrated database made before the suite, emptied before each test, deleted
 * after the suite.
 *
 * @param dialect - sqlite or postgres
 * @returns an object whose properties are valid inside the tests
 */
export function useTestDatabase(dialect: BotDialect): SuiteDatabase {
  let test: TestDatabase | undefined;
  const suite: SuiteDatabase = {
    get database() {
      if (test === undefined) throw new Error('the test database is not ready (beforeAll failed?)');
      return test.database;
    },
    get test() {
      if (test === undefined) throw new Error('the test database is not ready (beforeAll failed?)');
      return test;
    },
  };
  // A set-up failure (Postgres down) is rethrown by every test, so that each one fails rather than being skipped.
  let setupError: unknown;
  beforeAll(async () => {
    try {
      test = await createTestDatabase(dialect);
      await migrateToLatest(test.database);
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(async () => {
    if (setupError !== undefined) throw setupError;
    if (test !== undefined) await resetTables(test.database);
  });
  afterAll(async () => {
    await test?.cleanup();
  });
  return suite;
}

/** 2030-01-01T00:00:00Z: tests' "now", far from any real clock. */
export const T0 = Date.UTC(2030, 0, 1);

/** Minutes and hours in ms, for readable times. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/**
 * A guild with an item and a location, for the reservation tests.
 *
 * @param database - the database
 * @param options - names
 * @returns the ids
 */
export async function seedItem(
  database: BotDatabase,
  options: { readonly guildId?: string; readonly name?: string } = {},
): Promise<{ guildId: string; equipmentId: number; locationId: number; otherLocationId: number }> {
  const guildId = options.guildId ?? '100000000000000001';
  const now = T0;
  const location = await database.db
    .insertInto('locations')
    .values({ guild_id: guildId, name: `Room ${randomBytes(3).toString('hex')}`, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const other = await database.db
    .insertInto('locations')
    .values({ guild_id: guildId, name: `Shelf ${randomBytes(3).toString('hex')}`, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const item = await database.db
    .insertInto('equipment')
    .values({
      guild_id: guildId,
      name: options.name ?? 'VR headset',
      created_at: now,
      current_location_id: location.id,
      default_return_location_id: location.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { guildId, equipmentId: item.id, locationId: location.id, otherLocationId: other.id };
}
