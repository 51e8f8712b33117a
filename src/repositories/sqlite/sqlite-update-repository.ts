import { decodeSnapshot, type SnapshotRecord } from '../outbox-record.js';
import { ErrorCodes, InvalidConfigError, MessageUpdateError } from '../../errors/message-update-error.js';
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
  CLAIM_ROWS,
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
   * Only with `filename`.
   * @defaultValue `'FULL'`
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

const DEFAULTS = {
  busyTimeoutMs: 5000,
  synchronous: 'FULL',
} as const satisfies Required<Pick<SqliteUpdateRepositoryOptions, 'busyTimeoutMs' | 'synchronous'>>;

const MAX_BUSY_TIMEOUT_MS = 2_147_483_647;

/** An open database with its statement cache. */
interface Connection {
  readonly database: SqliteDatabaseLike;
  /** The prepared statement for `sql`, compiled once per connection. */
  statement(sql: string): SqliteStatementLike;
  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT`, rolled back if it throws. */
  immediate<R>(fn: () => R): R;
}

function connect(database: SqliteDatabaseLike): Connection {
  const statements = new Map<string, SqliteStatementLike>();
  const runner = database.transaction((fn: () => unknown): unknown => fn());
  return {
    database,
    statement(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    immediate: <R>(fn: () => R): R => runner.immediate(fn) as R,
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
   * @throws {@link InvalidConfigError} when neither or both of `filename` and `database` are given, when `database`
   *   is not an open, writable better-sqlite3 `Database`, when the folder of `filename` does not exist (no file is
   *   created), or when an option is out of range
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
   * @throws {@link MessageUpdateError} (`INVALID_CONFIG`) when the database records a schema version newer than this
   *   release supports (upgrade discord-update-manager), when better-sqlite3 is missing or the file cannot be opened;
   *   (`MANAGER_CLOSED`) after {@link SqliteUpdateRepository.close}
   * @example
   * ```ts
   * await repository.migrate(); // once at start, before any other call
   * ```
   */
  public async migrate(): Promise<void> {
    const connection = await this.#connect('migrate');
    applySqliteMigrations(connection.database, this.#location);
    this.#schemaChecked = true;
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
    connection.database.close();
  }

  /** {@inheritDoc UpdateRepository.enqueue} */
  public async enqueue(update: OutboxUpsert): Promise<{ readonly version: number }> {
    const connection = await this.#use('enqueue');
    return connection.immediate(() => this.#upsert(connection, update));
  }

  /** {@inheritDoc UpdateRepository.enqueueMany} */
  public async enqueueMany(updates: readonly OutboxUpsert[]): Promise<readonly { readonly version: number }[]> {
    const connection = await this.#use('enqueueMany');
    return connection.immediate(() => updates.map((update) => this.#upsert(connection, update)));
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

  /** {@inheritDoc UpdateRepository.claim} */
  public async claim(options: ClaimOptions): Promise<readonly ClaimedRow[]> {
    const connection = await this.#use('claim');
    return connection.immediate(() => {
      const records = connection.statement(CLAIM_ROWS).all({
        leaseMs: options.leaseMs,
        targetKeys: options.targetKeys === undefined ? null : JSON.stringify(options.targetKeys),
        limit: sqlLimit(options.limit),
      }) as OutboxRecord[];
      // Nonces are handed out in claim order, as the memory repository does.
      return records
        .map(decodeOutboxRow)
        .sort(compareRows)
        .map((row): ClaimedRow => {
          if (row.desired === 'present' && row.messageId === null && row.nonce === null) {
            const nonce = options.newNonce();
            connection.statement(SET_NONCE).run({ targetKey: row.targetKey, nonce });
            return { ...row, nonce, nonceVersion: row.version } as ClaimedRow;
          }
          return row as ClaimedRow;
        });
    });
  }

  /** {@inheritDoc UpdateRepository.ack} */
  public async ack(input: AckInput): Promise<AckResult> {
    const connection = await this.#use('ack');
    return connection.immediate((): AckResult => {
      const { targetKey, leaseToken } = input;
      if (connection.statement(ACK_DONE).run({ targetKey, leaseToken, version: input.version }).changes > 0) {
        return 'done';
      }
      // `||`: an empty message id teaches nothing, as in the memory repository.
      const messageId = input.messageId || null;
      return connection.statement(ACK_NEWER).run({ targetKey, leaseToken, messageId }).changes > 0 ? 'newer' : 'lost';
    });
  }

  /** {@inheritDoc UpdateRepository.release} */
  public async release(input: ReleaseInput): Promise<boolean> {
    const connection = await this.#use('release');
    const result = connection.statement(RELEASE_ROW).run({
      targetKey: input.targetKey,
      leaseToken: input.leaseToken,
      attempts: input.attempts,
      retryInMs: input.retryInMs,
      error: input.error ?? null,
      messageId: input.messageId || null,
    });
    return result.changes > 0;
  }

  /** {@inheritDoc UpdateRepository.deadLetter} */
  public async deadLetter(input: {
    readonly targetKey: string;
    readonly leaseToken: string;
    readonly error: string;
  }): Promise<boolean> {
    const connection = await this.#use('deadLetter');
    const { targetKey, leaseToken, error } = input;
    return connection.statement(DEAD_LETTER_ROW).run({ targetKey, leaseToken, error }).changes > 0;
  }

  /** {@inheritDoc UpdateRepository.listDeadLetters} */
  public async listDeadLetters(limit = 1000): Promise<readonly OutboxRow[]> {
    const connection = await this.#use('listDeadLetters');
    return (connection.statement(LIST_DEAD_LETTERS).all(sqlLimit(limit)) as OutboxRecord[]).map(decodeOutboxRow);
  }

  /** {@inheritDoc UpdateRepository.redrive} */
  public async redrive(targetKey: string): Promise<boolean> {
    const connection = await this.#use('redrive');
    return connection.statement(REDRIVE_ROW).run(targetKey).changes > 0;
  }

  /** {@inheritDoc UpdateRepository.listPending} */
  public async listPending(limit = 1_000_000): Promise<readonly OutboxRow[]> {
    const connection = await this.#use('listPending');
    return (connection.statement(LIST_PENDING).all(sqlLimit(limit)) as OutboxRecord[]).map(decodeOutboxRow);
  }

  /** {@inheritDoc UpdateRepository.getRow} */
  public async getRow(targetKey: string): Promise<OutboxRow | undefined> {
    const connection = await this.#use('getRow');
    const record = connection.statement(SELECT_ROW).get(targetKey) as OutboxRecord | undefined;
    return record === undefined ? undefined : decodeOutboxRow(record);
  }

  /** {@inheritDoc UpdateRepository.remove} */
  public async remove(targetKey: string): Promise<void> {
    const connection = await this.#use('remove');
    connection.statement(DELETE_ROW).run(targetKey);
  }

  /** {@inheritDoc UpdateRepository.listManaged} */
  public async listManaged(): Promise<readonly ManagedMessage[]> {
    const connection = await this.#use('listManaged');
    return (connection.statement(LIST_MANAGED).all() as ManagedRecord[]).map(decodeManaged);
  }

  /** {@inheritDoc UpdateRepository.saveManaged} */
  public async saveManaged(message: ManagedMessage): Promise<void> {
    const connection = await this.#use('saveManaged');
    connection.statement(SAVE_MANAGED).run({
      key: message.key,
      channelId: message.channelId,
      messageId: message.messageId,
      contentHash: message.contentHash ?? null,
      sortOrder: message.sortOrder,
    });
  }

  /** {@inheritDoc UpdateRepository.deleteManaged} */
  public async deleteManaged(key: string): Promise<void> {
    const connection = await this.#use('deleteManaged');
    connection.statement(DELETE_MANAGED).run(key);
  }

  /** {@inheritDoc UpdateRepository.recordSnapshot} */
  public async recordSnapshot(snapshot: PerformanceSnapshot): Promise<void> {
    const connection = await this.#use('recordSnapshot');
    connection.statement(INSERT_SNAPSHOT).run({
      timestamp: snapshot.timestamp,
      messagesUpdated: snapshot.messagesUpdated,
      averageUpdateTimeMs: snapshot.averageUpdateTimeMs,
      queueSize: snapshot.queueSize,
      rateLimitHits: snapshot.rateLimitHits,
      failedUpdates: snapshot.failedUpdates,
    });
  }

  /** {@inheritDoc UpdateRepository.listSnapshots} */
  public async listSnapshots(sinceMs = 0): Promise<readonly PerformanceSnapshot[]> {
    const connection = await this.#use('listSnapshots');
    return (connection.statement(LIST_SNAPSHOTS).all(sinceMs) as SnapshotRecord[]).map(decodeSnapshot);
  }

  /** The connection, for any call but `migrate()`: the schema must be the one this release uses. */
  async #use(action: string): Promise<Connection> {
    const connection = await this.#connect(action);
    if (!this.#schemaChecked) {
      assertSqliteSchemaCurrent(connection.database, this.#location);
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
    if (this.#database !== undefined) return connect(this.#database);
    const driver = this.#driver ?? (await loadBetterSqlite3());
    return connect(
      openSqliteFile(driver, this.#filename!, { busyTimeoutMs: this.#busyTimeoutMs, synchronous: this.#synchronous }),
    );
  }

  #closedError(action: string): MessageUpdateError {
    return new MessageUpdateError(
      ErrorCodes.ManagerClosed,
      `Cannot ${action}: this SqliteUpdateRepository (${this.#location}) was closed. Create a new repository.`,
    );
  }
}
