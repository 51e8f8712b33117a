import { setImmediate } from 'node:timers';
import { decodeSnapshot, type SnapshotRecord } from '../outbox-record.js';
import { InvalidConfigError, RepositoryClosedError, RepositoryError } from '../../errors/message-update-error.js';
import { compareRows } from '../update-repository.js';
import type {
  AckInput,
  AckResult,
  ClaimedRow,
  ClaimOptions,
  ManagedMessage,
  OutboxRow,
  OutboxUpsert,
  PerformanceSnapshot,
  ReleaseInput,
  UpdateRepository,
} from '../update-repository.js';
import {
  missingSqliteMethod,
  type SqliteDatabaseLike,
  type SqliteDriver,
  type SqliteStatementLike,
} from './sqlite-database-like.js';
import { folderProblem, loadBetterSqlite3, openSqliteFile } from './sqlite-driver.js';
import { applySqliteMigrations, assertSqliteSchemaCurrent } from './sqlite-migrations.js';
import {
  ACK_DONE,
  ACK_NEWER,
  ANY_ROW_DUE,
  CLAIM_DUE_ROWS,
  CLAIM_ROWS,
  CLAIM_TARGET_ROW,
  CLAIM_TARGET_ROWS,
  DEAD_LETTER_ROW,
  DELETE_MANAGED,
  DELETE_ROW,
  INSERT_ROW,
  INSERT_SNAPSHOT,
  LIST_DEAD_LETTERS,
  LIST_MANAGED,
  LIST_PENDING,
  LIST_SNAPSHOTS,
  REDRIVE_ROW,
  RELEASE_ROW,
  SAVE_MANAGED,
  SELECT_ROW,
  SELECT_ROW_FOR_UPSERT,
  SET_NONCE,
  TOUCH_NONCE,
  UPDATE_ROW,
  decodeManaged,
  decodeOutboxRow,
  encodeBody,
  sqlLimit,
  type ManagedRecord,
  type OutboxRecord,
} from './sqlite-statements.js';

/**
 * Options of {@link SqliteUpdateRepository}. Give exactly one of `filename` (the repository opens, configures and
 * closes the database) or `database` (you open, configure and close it).
 */
export interface SqliteUpdateRepositoryOptions {
  /**
   * Path of the database file, created if missing; its folder must exist. Opened on first use (`migrate()` or any
   * other method) with better-sqlite3 and the pragmas described on {@link SqliteUpdateRepository}.
   */
  readonly filename?: string;
  /**
   * A better-sqlite3 `Database` you opened (writable, open). The repository never closes it and sets no pragma on
   * it: WAL mode and a busy timeout are recommended, e.g. `db.pragma('journal_mode = WAL')`.
   */
  readonly database?: SqliteDatabaseLike;
  /**
   * The constructor `filename` is opened with. Only with `filename`.
   * @defaultValue better-sqlite3's `Database`, loaded on first use
   */
  readonly driver?: SqliteDriver;
  /**
   * How long a statement waits for another connection's write lock before failing with `SQLITE_BUSY`, in
   * milliseconds, from 0 to 2147483647. Only with `filename`.
   * @defaultValue 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * `PRAGMA synchronous`. `'FULL'` syncs every commit to disk, so an accepted update survives a power cut;
   * `'NORMAL'` (safe in WAL mode against process crashes) is faster but may lose the last commits on a power cut.
   * Only with `filename`. With `'FULL'`, a claim that hands out no nonce still commits without waiting for the disk,
   * as the Postgres adapter's claims do: a lease lost in a power cut belonged to a process that is gone too.
   * @defaultValue `'FULL'`
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

const DEFAULTS = {
  busyTimeoutMs: 5000,
  synchronous: 'FULL',
} as const satisfies Required<Pick<SqliteUpdateRepositoryOptions, 'busyTimeoutMs' | 'synchronous'>>;

const MAX_BUSY_TIMEOUT_MS = 2_147_483_647;

/**
 * How long the repository's statements may hold the event loop without a break, in ms. better-sqlite3 is synchronous
 * and a call's promise settles without the event loop turning, so a caller that loops over `await claim()` and
 * `await ack()` would otherwise hold it for the whole loop (100,000 rows drained: 42 s without a timer firing).
 */
const SLICE_MS = 10;

/** Rows a list reads between two looks at the clock (a few ms at most). */
const LIST_CHUNK = 256;

/** One queued call: runs a part of its work and says whether it is finished. */
type Task = () => boolean;

/** An open database with its statement cache and the queue its calls run in. */
interface Connection {
  readonly database: SqliteDatabaseLike;
  /** Whether the repository opened the database itself (so nothing else uses the connection). */
  readonly owned: boolean;
  /** The prepared statement for `sql`, compiled once per connection. */
  statement(sql: string): SqliteStatementLike;
  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT`, rolled back if it throws. */
  immediate<R>(fn: () => R): R;
  /**
   * Runs `work` once the calls made before it have run (calls run in the order they were made), and settles with its
   * result. At once when nothing waits and the event loop had a turn in the last {@link SLICE_MS} ms; otherwise on
   * the event loop's next turn (`setImmediate`), so timers and I/O run between calls.
   */
  run<R>(work: () => R): Promise<R>;
  /**
   * Reads every row of a query, {@link LIST_CHUNK} at a time, letting the event loop turn every {@link SLICE_MS} ms
   * when the connection is the repository's own (one statement throughout: one consistent snapshot; the calls made
   * meanwhile wait their turn). On a connection passed in, whose owner may use it between two turns, in one go.
   */
  list<R, T>(sql: string, params: readonly unknown[], decode: (record: R) => T): Promise<T[]>;
}

function connect(database: SqliteDatabaseLike, owned: boolean): Connection {
  const statements = new Map<string, SqliteStatementLike>();
  const runner = database.transaction((fn: () => unknown): unknown => fn());
  const statement = (sql: string): SqliteStatementLike => {
    let prepared = statements.get(sql);
    if (prepared === undefined) {
      prepared = database.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const queue: Task[] = [];
  // When the running slice began, or `undefined` once the event loop has had a turn since.
  let sliceStartedAt: number | undefined;
  let paused = false;
  const endSlice = (): void => {
    sliceStartedAt = undefined;
  };
  const resume = (): void => {
    paused = false;
    sliceStartedAt = undefined;
    pump();
  };
  const pump = (): void => {
    for (let task = queue[0]; task !== undefined; task = queue[0]) {
      const now = performance.now();
      if (sliceStartedAt === undefined) {
        sliceStartedAt = now;
        // Fires on the event loop's next turn, which ends the slice.
        setImmediate(endSlice);
      } else if (now - sliceStartedAt >= SLICE_MS) {
        paused = true;
        setImmediate(resume);
        return;
      }
      if (task()) queue.shift();
    }
  };
  const enqueue = (task: Task): void => {
    queue.push(task);
    // A task never queues another while it runs (its promise settles later), so a queue that is not paused is empty.
    if (!paused) pump();
  };
  const run = <R>(work: () => R): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      enqueue(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
        return true;
      });
    });
  return {
    database,
    owned,
    statement,
    immediate: <R>(fn: () => R): R => runner.immediate(fn) as R,
    run,
    list<R, T>(sql: string, params: readonly unknown[], decode: (record: R) => T): Promise<T[]> {
      // Statements are prepared in their turn: a connection reading a list cannot prepare another.
      if (!owned) return run(() => (statement(sql).all(...params) as R[]).map(decode));
      return new Promise<T[]>((resolve, reject) => {
        let rows: Iterator<unknown> | undefined;
        const decoded: T[] = [];
        enqueue(() => {
          try {
            if (rows === undefined) {
              const prepared = statement(sql);
              if (typeof prepared.iterate !== 'function') {
                resolve((prepared.all(...params) as R[]).map(decode));
                return true;
              }
              rows = prepared.iterate(...params);
            }
            for (let read = 0; read < LIST_CHUNK; read++) {
              const next = rows.next();
              if (next.done === true) {
                resolve(decoded);
                return true;
              }
              decoded.push(decode(next.value as R));
            }
            return false;
          } catch (error) {
            // Closes the statement, so the connection can run the next call.
            rows?.return?.();
            reject(error);
            return true;
          }
        });
      });
    },
  };
}

/**
 * A durable {@link UpdateRepository} in one SQLite file, through better-sqlite3 (an optional peer dependency:
 * `npm install better-sqlite3@12`). It passes the same contract suite as the memory repository, with the same
 * semantics; several processes may share the file (claims run in `BEGIN IMMEDIATE` transactions, and leases,
 * retry times and dead-letter times use the database clock).
 *
 * A database opened from `filename` is configured with `busy_timeout`
 * ({@link SqliteUpdateRepositoryOptions.busyTimeoutMs}, 5000 ms by default), `journal_mode = WAL`, `synchronous`
 * ({@link SqliteUpdateRepositoryOptions.synchronous}, `FULL` by default) and `foreign_keys = ON`. A `database` passed
 * in is used as configured by its owner. Nothing is opened until the first call: the constructor only validates.
 *
 * The peer is loaded with a dynamic `import('better-sqlite3')` on first use, which works from both the ESM and the
 * CommonJS build; a missing peer is reported then, with the command to install it.
 *
 * better-sqlite3 runs each statement synchronously, on the event loop. Calls run one after another in the order they
 * were made, and once they have held the event loop for 10 ms without a break the next one waits for its next turn,
 * so that timers and I/O keep running under a caller that drains the outbox with `await claim()` / `await ack()`. On a
 * database the repository opened itself, long lists (`listPending()`, `listManaged()`...) are read a slice at a time,
 * as one consistent snapshot. A single call is one transaction and is not split: keep batches and `limit`s moderate.
 *
 * @example
 * ```ts
 * import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
 *
 * const repository = new SqliteUpdateRepository({ filename: './data/updates.db' });
 * await repository.migrate();
 * // ... hand it to the manager ...
 * await repository.close(); // closes the file: the repository opened it
 * ```
 */
export class SqliteUpdateRepository implements UpdateRepository {
  readonly #filename: string | undefined;
  readonly #database: SqliteDatabaseLike | undefined;
  readonly #driver: SqliteDriver | undefined;
  readonly #busyTimeoutMs: number;
  readonly #synchronous: 'NORMAL' | 'FULL';
  /** How messages name the database. */
  readonly #location: string;
  #connection: Promise<Connection> | undefined;
  #schemaChecked = false;
  #closed = false;

  /**
   * Validates the options; opens nothing (the first method call does).
   *
   * @param options - see {@link SqliteUpdateRepositoryOptions}
   * @throws {@link discord-update-manager!InvalidConfigError} when neither or both of `filename` and `database` are
   *   given, when `database` is not an open, writable better-sqlite3 `Database`, when the folder of `filename` does not
   *   exist (no file is created), or when an option is out of range
   */
  public constructor(options: SqliteUpdateRepositoryOptions) {
    const { filename, database, driver, busyTimeoutMs, synchronous } = (options ?? {}) as SqliteUpdateRepositoryOptions;
    const either =
      'Pass `filename` (the repository opens and closes the database) or `database` ' +
      '(a better-sqlite3 Database you opened and close yourself)';
    if (filename !== undefined && database !== undefined) {
      throw new InvalidConfigError('filename', filename, 'undefined when `database` is given', `${either}, not both.`);
    }
    if (filename === undefined && database === undefined) {
      throw new InvalidConfigError('filename', filename, 'a path to a database file', `${either}.`);
    }
    if (database !== undefined) {
      const missing = missingSqliteMethod(database);
      if (missing !== undefined) {
        throw new InvalidConfigError(
          'database',
          database,
          'a better-sqlite3 Database (with prepare(), exec(), transaction() and close())',
          `It has no ${missing}() method. Open one with \`new Database(path)\` from better-sqlite3, or pass \`filename\`.`,
        );
      }
      if (database.open === false) {
        throw new InvalidConfigError('database', database, 'an open better-sqlite3 Database', 'It was closed.');
      }
      if (database.readonly === true) {
        throw new InvalidConfigError(
          'database',
          database,
          'a writable better-sqlite3 Database',
          'It was opened with `readonly: true`.',
        );
      }
      for (const [field, value] of [
        ['driver', driver],
        ['busyTimeoutMs', busyTimeoutMs],
        ['synchronous', synchronous],
      ] as const) {
        if (value !== undefined) {
          throw new InvalidConfigError(
            field,
            value,
            'undefined when `database` is given',
            'It only applies to a database the repository opens from `filename`; configure your own connection yourself.',
          );
        }
      }
    }
    if (filename !== undefined) {
      if (typeof filename !== 'string' || filename === '') {
        throw new InvalidConfigError('filename', filename, 'a non-empty path to a database file (or `:memory:`)');
      }
      const problem = folderProblem(filename);
      if (problem !== undefined) {
        throw new InvalidConfigError('filename', filename, 'a path to a database file in an existing folder', problem);
      }
    }
    if (driver !== undefined && typeof driver !== 'function') {
      throw new InvalidConfigError('driver', driver, "a constructor like better-sqlite3's Database");
    }
    if (
      busyTimeoutMs !== undefined &&
      !(Number.isInteger(busyTimeoutMs) && busyTimeoutMs >= 0 && busyTimeoutMs <= MAX_BUSY_TIMEOUT_MS)
    ) {
      throw new InvalidConfigError('busyTimeoutMs', busyTimeoutMs, `an integer from 0 to ${MAX_BUSY_TIMEOUT_MS} (ms)`);
    }
    if (synchronous !== undefined && synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new InvalidConfigError('synchronous', synchronous, "`'FULL'` or `'NORMAL'`");
    }
    this.#filename = filename;
    this.#database = database;
    this.#driver = driver;
    this.#busyTimeoutMs = busyTimeoutMs ?? DEFAULTS.busyTimeoutMs;
    this.#synchronous = synchronous ?? DEFAULTS.synchronous;
    this.#location = filename ?? database?.name ?? '(passed as `database`)';
  }

  /**
   * Creates or upgrades the schema: applies, each in its own `BEGIN IMMEDIATE` transaction, the migrations not yet
   * recorded in `schema_migrations`. Idempotent, and safe to run from several processes at once.
   *
   * @returns when the schema is current
   * @throws {@link discord-update-manager!SchemaVersionError} when the database records a schema version newer than
   *   this release supports (upgrade discord-update-manager); {@link discord-update-manager!MissingPeerDependencyError}
   *   when better-sqlite3 is missing; {@link discord-update-manager!MessageUpdateError} (`INVALID_CONFIG`) when the
   *   file cannot be opened; {@link RepositoryClosedError} after {@link SqliteUpdateRepository.close}
   * @example
   * ```ts
   * await repository.migrate(); // once at start, before any other call
   * ```
   */
  public async migrate(): Promise<void> {
    try {
      const connection = await this.#connect('migrate');
      await connection.run(() => {
        applySqliteMigrations(connection.database, this.#location);
        // A database that cannot be written (read-only file, folder or mount) would pass a migration already applied
        // and fail every enqueue later: find out now. A write of no row still needs a write transaction.
        connection.database.prepare('DELETE FROM schema_migrations WHERE 0').run();
      });
    } catch (error) {
      throw this.#unusable(error) ?? error;
    }
    this.#schemaChecked = true;
  }

  /** A typed error naming the file for SQLite's "this file cannot be used" errors, or `undefined` for others. */
  #unusable(error: unknown): RepositoryError | undefined {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return undefined;
    const what: Record<string, string> = {
      SQLITE_NOTADB: 'It is not a SQLite database (or is encrypted): point `filename` at another file',
      SQLITE_CORRUPT: 'It is damaged: restore it from a backup (see docs/guides/persistence.md)',
      SQLITE_READONLY: 'It cannot be written (a read-only file, folder or mount): give the process write access',
      SQLITE_CANTOPEN: 'It cannot be opened: check the path and its permissions',
      SQLITE_PERM: 'It cannot be opened: check its permissions',
    };
    const advice = what[code.split('_').slice(0, 2).join('_')];
    if (advice === undefined) return undefined;
    return new RepositoryError(`use the SQLite database ${this.#location}`, error, advice);
  }

  /**
   * Closes the database if the repository opened it from `filename` ("we close what we create"); a `database` passed
   * in stays open. Every later call rejects. Idempotent.
   *
   * @returns when the database is closed
   * @example
   * ```ts
   * await repository.close();
   * ```
   */
  public async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opening = this.#connection;
    this.#connection = undefined;
    if (opening === undefined || this.#database !== undefined) return;
    let connection: Connection;
    try {
      connection = await opening;
    } catch {
      return; // it never opened: nothing to close
    }
    // After the calls already queued, which were accepted before close().
    await connection.run(() => connection.database.close());
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.enqueue} */
  public async enqueue(update: OutboxUpsert): Promise<{ readonly version: number }> {
    const connection = await this.#use('enqueue');
    return connection.run(() => connection.immediate(() => this.#upsert(connection, update)));
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.enqueueMany} */
  public async enqueueMany(updates: readonly OutboxUpsert[]): Promise<readonly { readonly version: number }[]> {
    const connection = await this.#use('enqueueMany');
    return connection.run(() => connection.immediate(() => updates.map((update) => this.#upsert(connection, update))));
  }

  /** The memory repository's upsert, as a read-modify-write inside the caller's immediate transaction. */
  #upsert(connection: Connection, update: OutboxUpsert): { version: number } {
    const messageId = update.messageId ?? null;
    const existing = connection.statement(SELECT_ROW_FOR_UPSERT).get(update.targetKey) as
      (OutboxRecord & { readonly leased: number | bigint }) | undefined;
    if (existing === undefined) {
      // Deleting what was never created: nothing to store.
      if (update.desired === 'absent' && messageId === null) return { version: 0 };
      connection.statement(INSERT_ROW).run({
        targetKey: update.targetKey,
        desired: update.desired,
        channelId: update.channelId,
        messageId,
        managedKey: update.managedKey ?? null,
        body: encodeBody(update),
        priority: update.priority,
        enqueuedAt: update.enqueuedAt,
        deadlineAt: update.deadlineAt ?? null,
      });
      return { version: 1 };
    }
    const version = Number(existing.version) + 1;
    if (
      update.desired === 'absent' &&
      existing.message_id === null &&
      messageId === null &&
      existing.nonce === null &&
      !Number(existing.leased)
    ) {
      // The create was never attempted: dropping it is the whole delete.
      connection.statement(DELETE_ROW).run(update.targetKey);
      return { version };
    }
    const deadlineAt =
      existing.deadline_at === null || update.deadlineAt === null
        ? null
        : Math.max(Number(existing.deadline_at), update.deadlineAt);
    connection.statement(UPDATE_ROW).run({
      targetKey: update.targetKey,
      desired: update.desired,
      body: encodeBody(update),
      messageId: existing.message_id ?? messageId,
      managedKey: update.managedKey ?? existing.managed_key,
      priority: Math.max(Number(existing.priority), update.priority),
      enqueuedAt: Math.min(Number(existing.enqueued_at), update.enqueuedAt),
      deadlineAt,
      version,
    });
    return { version };
  }

  /**
   * Claims up to `limit` rows that are not dead, not leased (or whose lease expired) and whose `notBefore` has passed
   * (database clock), best first (highest priority, then earliest enqueue), in one `BEGIN IMMEDIATE` transaction. Sets
   * a fresh lease token and, for rows that need a create, a nonce.
   *
   * Each claim costs the same whatever the outbox holds (schema version 2): one target is a primary-key lookup,
   * several are one lookup per key, and a claim of any rows reads `limit` entries of the index of idle rows after one
   * seek that finds whether a leased or retried row has become claimable (then those few are merged in). Keep `limit`
   * small (tens): better-sqlite3 is synchronous, and a claim holds the event loop for as long as it runs.
   *
   * On a database the repository opened with `synchronous: 'FULL'`, the claim commits without waiting for the disk
   * (a lease is worth nothing after a power cut: the process holding it is gone too); a claim that hands out a nonce
   * then makes it durable with one more commit that waits, before it returns.
   *
   * @param options - how many rows, the lease length (database clock), which targets, the nonce generator
   * @returns the claimed rows, best first
   * @example
   * ```ts
   * const [row] = await repository.claim({ limit: 1, leaseMs: 30_000, targetKeys: ['k:status'], newNonce });
   * ```
   */
  public async claim(options: ClaimOptions): Promise<readonly ClaimedRow[]> {
    const connection = await this.#use('claim');
    const limit = sqlLimit(options.limit);
    const { targetKeys, leaseMs } = options;
    if (limit === 0) return [];
    // A lease is worth nothing after a power cut (the process holding it is gone too), so a claim commits without
    // waiting for the disk, unless it hands out a nonce: that one must be on disk before the create is sent, or a
    // restart could send the create again under another nonce (a duplicate message).
    const relaxed = connection.owned && this.#synchronous === 'FULL';
    return connection.run(() => {
      if (relaxed) connection.database.exec('PRAGMA synchronous = NORMAL');
      let claimed: ClaimedRow[];
      const nonceKeys: string[] = [];
      try {
        claimed = connection.immediate(() => {
          let records: OutboxRecord[];
          if (targetKeys === undefined) {
            const { due } = connection.statement(ANY_ROW_DUE).get() as { readonly due: number | bigint };
            records = connection
              .statement(Number(due) ? CLAIM_DUE_ROWS : CLAIM_ROWS)
              .all({ leaseMs, limit }) as OutboxRecord[];
          } else if (targetKeys.length === 1 && typeof targetKeys[0] === 'string') {
            records = connection
              .statement(CLAIM_TARGET_ROW)
              .all({ leaseMs, targetKey: targetKeys[0] }) as OutboxRecord[];
          } else {
            records = connection
              .statement(CLAIM_TARGET_ROWS)
              .all({ leaseMs, targetKeys: JSON.stringify(targetKeys), limit }) as OutboxRecord[];
          }
          // Nonces are handed out in claim order, as the memory repository does.
          return records
            .map(decodeOutboxRow)
            .sort(compareRows)
            .map((row): ClaimedRow => {
              if (row.desired === 'present' && row.messageId === null && row.nonce === null) {
                const nonce = options.newNonce();
                connection.statement(SET_NONCE).run({ targetKey: row.targetKey, nonce });
                nonceKeys.push(row.targetKey);
                return { ...row, nonce, nonceVersion: row.version } as ClaimedRow;
              }
              return row as ClaimedRow;
            });
        });
      } finally {
        if (relaxed) connection.database.exec('PRAGMA synchronous = FULL');
      }
      if (relaxed && nonceKeys.length > 0) {
        // A durable commit syncs the whole log, the claim's commit included (SQLite cannot change the setting inside
        // a transaction, and the claim only knows it hands out a nonce once it has the rows).
        connection.immediate(() => {
          for (const targetKey of nonceKeys) connection.statement(TOUCH_NONCE).run({ targetKey });
        });
      }
      return claimed;
    });
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.ack} */
  public async ack(input: AckInput): Promise<AckResult> {
    const connection = await this.#use('ack');
    return connection.run(() =>
      connection.immediate((): AckResult => {
        const { targetKey, leaseToken } = input;
        if (connection.statement(ACK_DONE).run({ targetKey, leaseToken, version: input.version }).changes > 0) {
          return 'done';
        }
        // `||`: an empty message id teaches nothing, as in the memory repository.
        const messageId = input.messageId || null;
        return connection.statement(ACK_NEWER).run({ targetKey, leaseToken, messageId }).changes > 0 ? 'newer' : 'lost';
      }),
    );
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.release} */
  public async release(input: ReleaseInput): Promise<boolean> {
    const connection = await this.#use('release');
    const result = await connection.run(() =>
      connection.statement(RELEASE_ROW).run({
        targetKey: input.targetKey,
        leaseToken: input.leaseToken,
        attempts: input.attempts,
        retryInMs: input.retryInMs,
        error: input.error ?? null,
        messageId: input.messageId || null,
      }),
    );
    return result.changes > 0;
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.deadLetter} */
  public async deadLetter(input: {
    readonly targetKey: string;
    readonly leaseToken: string;
    readonly error: string;
  }): Promise<boolean> {
    const connection = await this.#use('deadLetter');
    const { targetKey, leaseToken, error } = input;
    return connection.run(
      () => connection.statement(DEAD_LETTER_ROW).run({ targetKey, leaseToken, error }).changes > 0,
    );
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.listDeadLetters} */
  public async listDeadLetters(limit = 1000): Promise<readonly OutboxRow[]> {
    const connection = await this.#use('listDeadLetters');
    return connection.list(LIST_DEAD_LETTERS, [sqlLimit(limit)], decodeOutboxRow);
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.redrive} */
  public async redrive(targetKey: string): Promise<boolean> {
    const connection = await this.#use('redrive');
    return connection.run(() => connection.statement(REDRIVE_ROW).run(targetKey).changes > 0);
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.listPending} */
  public async listPending(limit = 1_000_000): Promise<readonly OutboxRow[]> {
    const connection = await this.#use('listPending');
    return connection.list(LIST_PENDING, [sqlLimit(limit)], decodeOutboxRow);
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.getRow} */
  public async getRow(targetKey: string): Promise<OutboxRow | undefined> {
    const connection = await this.#use('getRow');
    const record = await connection.run(
      () => connection.statement(SELECT_ROW).get(targetKey) as OutboxRecord | undefined,
    );
    return record === undefined ? undefined : decodeOutboxRow(record);
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.remove} */
  public async remove(targetKey: string): Promise<void> {
    const connection = await this.#use('remove');
    await connection.run(() => connection.statement(DELETE_ROW).run(targetKey));
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.listManaged} */
  public async listManaged(): Promise<readonly ManagedMessage[]> {
    const connection = await this.#use('listManaged');
    return connection.list(LIST_MANAGED, [], (record: ManagedRecord) => decodeManaged(record));
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.saveManaged} */
  public async saveManaged(message: ManagedMessage): Promise<void> {
    const connection = await this.#use('saveManaged');
    await connection.run(() =>
      connection.statement(SAVE_MANAGED).run({
        key: message.key,
        channelId: message.channelId,
        messageId: message.messageId,
        contentHash: message.contentHash ?? null,
        sortOrder: message.sortOrder,
      }),
    );
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.deleteManaged} */
  public async deleteManaged(key: string): Promise<void> {
    const connection = await this.#use('deleteManaged');
    await connection.run(() => connection.statement(DELETE_MANAGED).run(key));
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.recordSnapshot} */
  public async recordSnapshot(snapshot: PerformanceSnapshot): Promise<void> {
    const connection = await this.#use('recordSnapshot');
    await connection.run(() =>
      connection.statement(INSERT_SNAPSHOT).run({
        timestamp: snapshot.timestamp,
        messagesUpdated: snapshot.messagesUpdated,
        averageUpdateTimeMs: snapshot.averageUpdateTimeMs,
        queueSize: snapshot.queueSize,
        rateLimitHits: snapshot.rateLimitHits,
        failedUpdates: snapshot.failedUpdates,
      }),
    );
  }

  /** {@inheritDoc discord-update-manager!UpdateRepository.listSnapshots} */
  public async listSnapshots(sinceMs = 0): Promise<readonly PerformanceSnapshot[]> {
    const connection = await this.#use('listSnapshots');
    return connection.list(LIST_SNAPSHOTS, [sinceMs], (record: SnapshotRecord) => decodeSnapshot(record));
  }

  /** The connection, for any call but `migrate()`: the schema must be the one this release uses. */
  async #use(action: string): Promise<Connection> {
    const connection = await this.#connect(action);
    if (!this.#schemaChecked) {
      await connection.run(() => assertSqliteSchemaCurrent(connection.database, this.#location));
      this.#schemaChecked = true;
    }
    return connection;
  }

  /** Opens the database on first use; a failed open is retried by the next call. */
  async #connect(action: string): Promise<Connection> {
    if (this.#closed) throw this.#closedError(action);
    this.#connection ??= this.#open().catch((error: unknown) => {
      this.#connection = undefined;
      throw error;
    });
    const connection = await this.#connection;
    // close() may have run while this call waited for the database to open.
    if (this.#closed) throw this.#closedError(action);
    return connection;
  }

  async #open(): Promise<Connection> {
    if (this.#database !== undefined) return connect(this.#database, false);
    const driver = this.#driver ?? (await loadBetterSqlite3());
    return connect(
      openSqliteFile(driver, this.#filename!, { busyTimeoutMs: this.#busyTimeoutMs, synchronous: this.#synchronous }),
      true,
    );
  }

  #closedError(action: string): RepositoryClosedError {
    return new RepositoryClosedError('SqliteUpdateRepository', action, this.#location);
  }
}
