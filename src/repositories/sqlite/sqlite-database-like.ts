/**
 * The small slice of better-sqlite3 the SQLite adapter uses, typed locally so the package never imports
 * `better-sqlite3` (an optional peer) outside the lazy loader in `sqlite-driver.ts`.
 *
 * @module
 */

/** What a statement's `run()` reports (better-sqlite3's `RunResult`, reduced to what the adapter reads). */
export interface SqliteRunResultLike {
  /** Rows inserted, updated or deleted by the statement. */
  readonly changes: number;
}

/**
 * A prepared statement, as better-sqlite3's `Statement`. Parameters are bound positionally (`?`) or by name
 * (`@name` with an object), never spliced into the SQL text.
 */
export interface SqliteStatementLike {
  /** Runs a statement that returns no rows. */
  run(...params: unknown[]): SqliteRunResultLike;
  /** First row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every row. */
  all(...params: unknown[]): unknown[];
  /**
   * The rows one at a time (better-sqlite3). While the iterator is open the connection runs nothing else, so the
   * repository only uses it on a connection it opened itself; without it, lists are read with {@link all}.
   */
  iterate?(...params: unknown[]): IterableIterator<unknown>;
}

/** A transaction function made by {@link SqliteDatabaseLike.transaction}. */
export interface SqliteTransactionLike<A extends unknown[], R> {
  /** Runs the function inside `BEGIN IMMEDIATE ... COMMIT` (rolled back if it throws). */
  immediate(...args: A): R;
}

/**
 * A synchronous SQLite connection shaped like a better-sqlite3 `Database`: what you pass as
 * {@link SqliteUpdateRepositoryOptions.database} when you open the database yourself.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { SqliteUpdateRepository, type SqliteDatabaseLike } from 'discord-update-manager/sqlite';
 *
 * const database: SqliteDatabaseLike = new Database('./data/updates.db');
 * const repository = new SqliteUpdateRepository({ database });
 * ```
 */
export interface SqliteDatabaseLike {
  /** Compiles one SQL statement. */
  prepare(sql: string): SqliteStatementLike;
  /** Runs one or more SQL statements without parameters (migrations, pragmas). */
  exec(sql: string): unknown;
  /** Wraps a function in a transaction; the adapter uses its `immediate` variant. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransactionLike<A, R>;
  /** Closes the connection. */
  close(): unknown;
  /** `false` once closed (better-sqlite3). */
  readonly open?: boolean;
  /** `true` when opened read-only (better-sqlite3). */
  readonly readonly?: boolean;
  /** The file name it was opened with (better-sqlite3). */
  readonly name?: string;
}

/**
 * A constructor shaped like better-sqlite3's `Database` default export, for the
 * {@link SqliteUpdateRepositoryOptions.driver} option.
 */
export type SqliteDriver = new (
  filename: string,
  options?: {
    /** Busy timeout in ms. */
    readonly timeout?: number;
  },
) => SqliteDatabaseLike;

/** The methods a {@link SqliteDatabaseLike} must have; used to reject look-alikes early. */
const REQUIRED_METHODS = ['prepare', 'exec', 'transaction', 'close'] as const;

/**
 * Tells whether a value has the methods of a {@link SqliteDatabaseLike} (better-sqlite3's `Database`).
 *
 * @param value - anything
 * @returns the name of the first missing method, or `undefined` when none is missing
 */
export function missingSqliteMethod(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return REQUIRED_METHODS[0];
  const record = value as Record<string, unknown>;
  return REQUIRED_METHODS.find((method) => typeof record[method] !== 'function');
}
