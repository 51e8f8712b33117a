/**
 * Kysely's better-sqlite3 dialect with two changes the bot relies on:
 *
 * 1. **Write transactions begin with `BEGIN IMMEDIATE`** (Kysely's own driver sends a plain, deferred `BEGIN`). A
 *    deferred transaction takes the write lock only at its first write, so two of them can both read "no overlap"
 *    and then one fails with `SQLITE_BUSY` (or, worse with WAL, both read stale snapshots). `IMMEDIATE` takes the
 *    lock at `BEGIN`, so the check-then-insert of a reservation is serialised across connections and processes.
 *    Read-only transactions (`setAccessMode('read only')`) keep a deferred `BEGIN`: a consistent snapshot, no lock.
 * 2. **Waiting for the write lock does not block the event loop.** better-sqlite3 is synchronous: with a busy
 *    timeout, a `BEGIN IMMEDIATE` that meets another connection's lock would sleep inside SQLite, freezing the
 *    process — and if the lock holder is another connection *of the same process*, it could never finish, so the
 *    wait would always time out. The driver therefore tries `BEGIN IMMEDIATE` with the busy timeout at 0 and, while
 *    the database is busy, retries on timers (1 ms, doubling to 50 ms) until `busyTimeoutMs` has passed.
 * 3. **Migrations run in one transaction.** SQLite supports transactional DDL; Kysely's adapter says it does not,
 *    which would make the migrator run each migration statement by statement (a failure half-way leaves half a
 *    schema). The adapter here says it does, so a failed migration leaves nothing behind.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';

/** Longest pause between two attempts to take the write lock, ms. */
const MAX_RETRY_DELAY_MS = 50;

/** Thrown when the write lock could not be taken within the busy timeout. */
export class SqliteBusyError extends Error {
  /**
   * @param filename - the database file
   * @param waitedMs - how long the driver waited
   */
  public constructor(filename: string, waitedMs: number) {
    super(
      `SQLite database ${filename} stayed locked by another connection for ${waitedMs} ms (SQLITE_BUSY): ` +
        'another process holds a long write transaction; retry, or raise the busy timeout.',
    );
    this.name = 'SqliteBusyError';
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #database: BetterSqlite3.Database;
  readonly #busyTimeoutMs: number;

  public constructor(database: BetterSqlite3.Database, busyTimeoutMs: number) {
    super({ database });
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  public override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    if (settings?.accessMode === 'read only') {
      await super.beginTransaction(connection);
      return;
    }
    const started = Date.now();
    for (let delay = 1; ; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
      if (this.#tryBeginImmediate()) return;
      const waited = Date.now() - started;
      if (waited >= this.#busyTimeoutMs) throw new SqliteBusyError(this.#database.name, waited);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** `BEGIN IMMEDIATE` without SQLite's blocking busy handler; `false` when another connection holds the lock. */
  #tryBeginImmediate(): boolean {
    const database = this.#database;
    const saved = database.pragma('busy_timeout', { simple: true }) as number;
    database.pragma('busy_timeout = 0');
    try {
      database.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      database.pragma(`busy_timeout = ${Math.trunc(saved)}`);
    }
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  public override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The dialect for a better-sqlite3 database opened by `openDatabase`.
 *
 * @example
 * ```ts
 * const db = new Kysely<BotSchema>({ dialect: new ImmediateSqliteDialect(new Database('bot.db'), 5000) });
 * ```
 */
export class ImmediateSqliteDialect implements Dialect {
  readonly #database: BetterSqlite3.Database;
  readonly #busyTimeoutMs: number;

  /**
   * @param database - an open better-sqlite3 database (Kysely closes it on `destroy()`)
   * @param busyTimeoutMs - how long a write transaction waits for another connection's lock, ms
   */
  public constructor(database: BetterSqlite3.Database, busyTimeoutMs: number) {
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** @returns the driver that begins write transactions with `BEGIN IMMEDIATE` */
  public createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#database, this.#busyTimeoutMs);
  }

  /** @returns Kysely's SQLite query compiler */
  public createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  /** @returns Kysely's SQLite adapter, with transactional DDL */
  public createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  /**
   * @param db - the Kysely instance
   * @returns Kysely's SQLite introspector
   */
  public createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
