import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
import { PostgresUpdateRepository } from 'discord-update-manager/postgres';
import { openDatabase, redactDatabaseUrl, type BotDatabase } from '../../src/db/database.js';
import { MIGRATION_NAMES, MigrationError, migrateToLatest } from '../../src/db/migrations/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './harness.js';

describe('openDatabase URLs', () => {
  it.each([
    ['mysql://root:hunter2@db/bot', 'unknown scheme'],
    ['', 'unknown scheme'],
    ['sqlite:', 'the path after sqlite: is empty'],
    ['sqlite://data/bot.db', 'not sqlite://'],
    ['postgres://bot:hunter2@db/bot?schema=Bad-Name', 'schema "Bad-Name" is not allowed'],
    ['postgres://bot:hunter2@db/bot?schema=pg_catalog', 'schema "pg_catalog" is not allowed'],
  ])('refuses %j, naming DATABASE_URL, the value without its password and what is allowed', async (url, problem) => {
    const error = await openDatabase(url).then(
      () => null,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toContain('DATABASE_URL');
    expect(error?.message).toContain(problem);
    expect(error?.message).toContain('sqlite:./data/bot.db');
    expect(error?.message).toContain('postgres://');
    expect(error?.message).not.toContain('hunter2');
  });

  it('redacts passwords', () => {
    expect(redactDatabaseUrl('postgres://bot:s3cret@db:5432/bot')).toBe('postgres://bot:***@db:5432/bot');
    expect(redactDatabaseUrl('postgres://bot@db/bot')).toBe('postgres://bot@db/bot');
  });

  it('fails with a clear message when Postgres does not answer', async () => {
    const error = await openDatabase('postgres://bot:hunter2@127.0.0.1:1/bot').then(
      () => null,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(
      /could not connect to PostgreSQL \(DATABASE_URL=postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/bot\)/,
    );
    expect(error?.message).toContain('Start the server or fix DATABASE_URL');
  });
});

describe('SQLite files', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('resolves a relative path against the working directory, creates the folder, sets WAL, foreign keys, busy timeout', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'equipment-bot-cwd-'));
    folders.push(cwd);
    const database = await openDatabase('sqlite:./data/nested/bot.db', { cwd, busyTimeoutMs: 1234 });
    try {
      expect(database.dialect).toBe('sqlite');
      if (database.dialect !== 'sqlite') return;
      expect(database.filename).toBe(join(cwd, 'data', 'nested', 'bot.db'));
      expect(existsSync(join(cwd, 'data', 'nested', 'bot.db'))).toBe(true);
      expect(database.database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.database.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(database.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      await database.close();
      await database.close(); // idempotent
    }
  });

  it('opens sqlite::memory:', async () => {
    const database = await openDatabase('sqlite::memory:');
    expect(await migrateToLatest(database)).toEqual([...MIGRATION_NAMES]);
    await database.close();
  });

  it('begins write transactions with BEGIN IMMEDIATE (the lock is held before the first statement)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'equipment-bot-lock-'));
    folders.push(folder);
    const file = join(folder, 'bot.db');
    const database = await openDatabase(`sqlite:${file}`);
    const other = new Database(file, { timeout: 0 });
    try {
      await migrateToLatest(database);
      let attempt: unknown = 'not tried';
      await database.transaction(async () => {
        // Nothing written or read yet: a deferred BEGIN would hold no lock, so the other connection would get one.
        try {
          other.exec('BEGIN IMMEDIATE');
          other.exec('ROLLBACK');
          attempt = 'got the lock';
        } catch (error) {
          attempt = (error as { code?: unknown }).code;
        }
      });
      expect(attempt).toBe('SQLITE_BUSY');
      // Read-only transactions take no lock.
      await database.readTransaction(async () => {
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
      });
    } finally {
      other.close();
      await database.close();
    }
  });

  it('waits for another connection of the same process without blocking the event loop', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'equipment-bot-wait-'));
    folders.push(folder);
    const url = `sqlite:${join(folder, 'bot.db')}`;
    const first = await openDatabase(url);
    const second = await openDatabase(url);
    try {
      await migrateToLatest(first);
      const order: string[] = [];
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const holder = first.transaction(async () => {
        order.push('first has the lock');
        await held;
        order.push('first commits');
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const waiter = second.transaction(async () => {
        order.push('second has the lock');
      });
      setTimeout(() => {
        order.push('timer ran');
        release();
      }, 30);
      await Promise.all([holder, waiter]);
      expect(order).toEqual(['first has the lock', 'timer ran', 'first commits', 'second has the lock']);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe.each(DIALECTS)('%s database', (dialect) => {
  const made: TestDatabase[] = [];
  const fresh = async (): Promise<TestDatabase> => {
    const test = await createTestDatabase(dialect);
    made.push(test);
    return test;
  };
  afterEach(async () => {
    for (const test of made.splice(0)) await test.cleanup();
  });

  it('applies every migration once: a second run applies nothing', async () => {
    const { database } = await fresh();
    expect(await migrateToLatest(database)).toEqual([...MIGRATION_NAMES]);
    expect(await migrateToLatest(database)).toEqual([]);
    const another = await made[0]!.openAnother();
    expect(await migrateToLatest(another)).toEqual([]);
  });

  it('names the failing migration and leaves nothing of the run behind', async () => {
    const { database } = await fresh();
    await sql`CREATE TABLE tags (id integer)`.execute(database.db);
    const error = await migrateToLatest(database).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migrationName).toBe('001_initial');
    expect((error as Error).message).toMatch(/database migration 001_initial failed: .*tags/);
    expect(await tableNames(database)).not.toContain('guild_settings');
    await sql`DROP TABLE tags`.execute(database.db);
    expect(await migrateToLatest(database)).toEqual([...MIGRATION_NAMES]);
  });

  it("shares its connection with the library's repository: both migrations, one database, performance_metrics is the library's", async () => {
    const { database } = await fresh();
    const library =
      database.dialect === 'sqlite'
        ? new SqliteUpdateRepository({ database: database.database })
        : new PostgresUpdateRepository({ pool: database.pool, schema: database.schema });
    await library.migrate();
    await migrateToLatest(database);
    await library.saveManaged({ key: 'display:1:0', channelId: '2', messageId: '3', contentHash: null, sortOrder: 0 });
    await library.recordSnapshot({
      timestamp: 1,
      messagesUpdated: 2,
      averageUpdateTimeMs: 3,
      queueSize: 4,
      rateLimitHits: 5,
      failedUpdates: 6,
    });
    expect((await library.listManaged()).map((message) => message.key)).toEqual(['display:1:0']);
    const tables = await tableNames(database);
    for (const table of ['managed_messages', 'outbox', 'performance_metrics', 'equipment', 'jobs']) {
      expect(tables).toContain(table);
    }
    await library.close();
  });

  it('reads BIGINT epoch-ms columns and counts as numbers', async () => {
    const { database } = await fresh();
    await migrateToLatest(database);
    const big = Date.UTC(2100, 0, 1);
    await database.db
      .insertInto('guild_settings')
      .values({ guild_id: '1', created_at: big, updated_at: big })
      .execute();
    const row = await database.db
      .selectFrom('guild_settings')
      .select(['created_at', (eb) => eb.fn.countAll().as('count')])
      .groupBy('created_at')
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe(big);
    expect(row.count).toBe(1);
  });

  if (dialect === 'postgres') {
    it("puts the bot's tables in the URL's schema (search_path on every connection)", async () => {
      const test = await fresh();
      const database = test.database;
      if (database.dialect !== 'postgres') return;
      await migrateToLatest(database);
      const schemas = await Promise.all(
        [1, 2, 3].map(() => database.pool.query<{ schema: string }>('SELECT current_schema() AS schema')),
      );
      expect(schemas.map((result) => result.rows[0]?.schema)).toEqual([
        database.schema,
        database.schema,
        database.schema,
      ]);
      const where = await database.pool.query<{ table_schema: string }>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'equipment' AND table_schema = $1",
        [database.schema],
      );
      expect(where.rowCount).toBe(1);
    });
  }
});

/** The tables of the database (Postgres: of its schema only; other suites run in theirs at the same time). */
async function tableNames(database: BotDatabase): Promise<string[]> {
  if (database.dialect === 'sqlite') {
    const tables = await database.db.introspection.getTables();
    return tables.map((table) => table.name);
  }
  const result = await database.pool.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [database.schema],
  );
  return result.rows.map((row) => row.table_name);
}
