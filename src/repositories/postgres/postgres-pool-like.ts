/**
 * The small slice of `pg` the Postgres adapter uses, typed locally so the package never imports `pg` (an optional
 * peer) outside the lazy loader in `postgres-update-repository.ts`. A `pg` `Pool` satisfies {@link PgPoolLike}.
 *
 * @module
 */

/** What a query resolves to (`pg`'s `QueryResult`, reduced to what the adapter reads). */
export interface PgQueryResultLike {
  /** The rows returned, one object per row keyed by column name. */
  readonly rows: unknown[];
  /** Rows inserted, updated, deleted or returned; `null` for commands that report none. */
  readonly rowCount: number | null;
}

/**
 * A connection checked out of a pool (`pg`'s `PoolClient`). The adapter holds one only for the length of one
 * method call (one short transaction or one statement) and always gives it back with {@link PgPoolClientLike.release}.
 */
export interface PgPoolClientLike {
  /**
   * Runs a statement. With `values`, they are sent as bind parameters (`$1`, `$2`...), never spliced into the text;
   * without, the text may hold several statements (used by migrations).
   *
   * @param text - SQL text
   * @param values - bind parameters
   * @returns the rows and row count
   */
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  /**
   * Gives the connection back to the pool; with an error, the pool closes it instead of reusing it.
   *
   * @param error - the error that broke the connection, if any
   */
  release(error?: Error | boolean): void;
  /** Listens for connection errors while checked out, so a socket failure between two queries cannot crash. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Removes a listener added with {@link PgPoolClientLike.on}. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A connection pool shaped like `pg`'s `Pool`: what you pass as {@link PostgresUpdateRepositoryOptions.pool} when you
 * own the pool. The repository only calls `connect()` on it and never ends it.
 *
 * A `pg` pool emits `error` when an *idle* connection fails (the server restarted, `pg_terminate_backend`, a network
 * cut); Node.js ends the process on an `error` event nobody listens to. The repository attaches a listener to the
 * pools it creates, but not to yours: attach one yourself (`pool.on('error', ...)`) — the pool has already dropped
 * the broken connection and opens a new one on demand, so logging the error is enough. A connection killed just as it
 * opens can also emit its error in the instant the pool hands it out, before anyone listens on it: the repository
 * guards the pools it creates with a listener per new connection (`pool.on('connect', (client) =>
 * client.on('error', ...))`), and you can do the same for yours.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { PostgresUpdateRepository, type PgPoolLike } from 'discord-update-manager/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (error) => console.warn('idle PostgreSQL connection lost:', error.message));
 * const typed: PgPoolLike = pool;
 * const repository = new PostgresUpdateRepository({ pool: typed });
 * ```
 */
export interface PgPoolLike {
  /**
   * Checks out a connection (opening one when none is idle).
   *
   * @returns a connection to give back with {@link PgPoolClientLike.release}
   */
  connect(): Promise<PgPoolClientLike>;
}

/** A pool the repository created itself: it also listens for idle-connection errors and ends it on `close()`. */
export interface OwnedPgPool extends PgPoolLike {
  /** Closes every connection; resolves when all are closed. */
  end(): Promise<void>;
  /** Listens for errors of idle connections. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Listens for each connection the pool opens (before it is handed out). */
  on(event: 'connect', listener: (client: PgPoolClientLike) => void): unknown;
}

/** The `pg.Pool` constructor, as far as the repository uses it. */
export type PgPoolConstructor = new (config: {
  readonly connectionString: string;
  readonly max: number;
  readonly connectionTimeoutMillis: number;
  readonly application_name?: string;
}) => OwnedPgPool;
