import { decodeSnapshot, type SnapshotRecord } from '../outbox-record.js';
import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  InvalidConfigError,
  MessageUpdateError,
  MissingPeerDependencyError,
  RepositoryClosedError,
  SchemaVersionError,
} from '../../errors/message-update-error.js';
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
  dependsOnRow,
  foldUpserts,
  groupByTarget,
  planLockedTarget,
  prepareUpsert,
  type LockedRowState,
  type PreparedUpsert,
} from './postgres-batch.js';
import { PostgresConnectionError, type PostgresConnectionPhase } from './postgres-connection-error.js';
import {
  describePostgresTarget,
  isPostgresConnectionString,
  postgresTargetOf,
  postgresTargetOfPool,
  redactConnectionString,
  type PostgresTarget,
} from './postgres-connection-string.js';
import {
  applyPostgresMigrations,
  assertPostgresSchemaCurrent,
  DEFAULT_POSTGRES_SCHEMA,
  POSTGRES_SCHEMA_VERSION,
  quotePostgresSchema,
} from './postgres-migrations.js';
import type {
  OwnedPgPool,
  PgPoolClientLike,
  PgPoolConstructor,
  PgPoolLike,
  PgQueryResultLike,
} from './postgres-pool-like.js';
import {
  arrayLiteral,
  decodeManaged,
  decodeOutboxRow,
  encodeBody,
  learnedMessageId,
  sqlLimit,
  wholeMs,
  type ManagedRecord,
  type OutboxRecord,
} from './postgres-rows.js';
import { buildPostgresStatements, type PostgresStatements } from './postgres-statements.js';

/**
 * Options of {@link PostgresUpdateRepository}. Give exactly one of `connectionString` (the repository creates its own
 * pool, and ends it on `close()`) and `pool` (yours: the repository never ends it).
 */
export interface PostgresUpdateRepositoryOptions {
  /**
   * Where to connect, as `pg` reads it: `postgres://user:password@host:5432/database?sslmode=require`, a `socket:`
   * URL or a socket directory. `pg` is loaded (with a dynamic `import()`) at the first call, so it must be installed
   * (`npm install pg`). Passwords never appear in error messages.
   */
  readonly connectionString?: string;
  /**
   * A `pg` `Pool` you created and will end yourself. Attach an `error` listener to it: see {@link PgPoolLike}.
   */
  readonly pool?: PgPoolLike;
  /**
   * The PostgreSQL schema holding the tables (created by {@link PostgresUpdateRepository.migrate} if missing): 1 to 63
   * lower-case letters, digits and underscores, not starting with a digit or `pg_`, not `information_schema` (system
   * schemas are refused; `public` only when you pass it). Give each bot (or each test) its
   * own schema to share one database.
   * @defaultValue `'discord_update_manager'`
   */
  readonly schema?: string;
  /**
   * Most connections the pool the repository creates may open, an integer from 1 to 1000. Only with
   * `connectionString` (size your own pool yourself).
   * @defaultValue `10`
   */
  readonly maxConnections?: number;
  /**
   * How long to wait for a new connection before failing, in ms (an integer from 1 to 2147483647). Only with
   * `connectionString`.
   * @defaultValue `10000`
   */
  readonly connectionTimeoutMs?: number;
  /**
   * Whether to run the repository's statements as named prepared statements: each is parsed and planned once per
   * connection instead of at every call (about 1 ms less per batch of 100 upserts). Turn it off behind a connection
   * pooler that does not keep prepared statements across transactions, such as PgBouncer in transaction mode before
   * 1.21 (or with `max_prepared_statements = 0`). With `pool`, it is off unless you set it, since the clients of your
   * pool must then accept `pg`'s `{ name, text, values }` query objects (those of a `pg` `Pool` do).
   * @defaultValue `true` with `connectionString`, `false` with `pool`
   */
  readonly preparedStatements?: boolean;
  /**
   * Whether the connections the repository opens start with `synchronous_commit = off` and `jit = off`, so that the
   * writes that are safe to lose (claims, acks of edits and deletes) cost one round trip each instead of three; every
   * other write then turns `synchronous_commit` back on for its own transaction, so what must survive a crash still
   * does. Turn it off behind a connection pooler in transaction mode (PgBouncer's `pool_mode = transaction`), where a
   * session's settings would reach other clients of the pooler: each such call then sets what it needs with
   * `SET LOCAL`. Only with `connectionString`: the sessions of a pool you pass are left as they are.
   * @defaultValue `true` with `connectionString`
   */
  readonly relaxedSessions?: boolean;
}

/**
 * The defaults of {@link PostgresUpdateRepositoryOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS.maxConnections; // 10
 * ```
 */
export const DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS = {
  schema: DEFAULT_POSTGRES_SCHEMA,
  maxConnections: 10,
  connectionTimeoutMs: 10_000,
} as const satisfies Required<
  Pick<PostgresUpdateRepositoryOptions, 'schema' | 'maxConnections' | 'connectionTimeoutMs'>
>;

/** The `application_name` of connections the repository opens (a connection string's own one wins). */
const APPLICATION_NAME = 'discord-update-manager';

/**
 * The most rows a claim takes in one statement: it needs a lease token and a nonce made beforehand for each row it may
 * take. A claim of more (or of all) locks, then leases, in a transaction of two statements.
 */
const ONE_STATEMENT_CLAIM_MAX = 256;

/** Tries per call when connections turn out to be dead before anything was committed (stale pooled connections). */
const MAX_ATTEMPTS = 4;

/** SQLSTATEs of a connection that is gone: admin/crash shutdown, and the whole "connection exception" class. */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '08007']);
const LOST_NODE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);
const LOST_MESSAGE = /connection terminated|not queryable|client was closed|connection is closed/i;

const URL_EXAMPLE = '`postgres://user:password@host:5432/database`';

/**
 * How a call uses its connection: `read` — statements outside a transaction (safe to re-run); `write` — one
 * `BEGIN ... COMMIT` transaction; `autocommit` — writes that are each a single statement, committed on their own
 * (atomic without a transaction, and two round trips shorter); `relaxed` — a transaction whose commit does not wait
 * for the disk (`synchronous_commit = off`): a server crash may lose its last fraction of a second, so it is only for
 * writes that are safe to lose (acks of edits and deletes: the row is sent again, and edits carry full bodies), and
 * claims; `relaxedAutocommit` — the same, for statements that are each atomic on their own (acks).
 *
 * The connections of a pool the repository opens itself start with `synchronous_commit = off` and `jit = off` (see
 * {@link RELAXED_SESSION}): a relaxed statement is then one round trip instead of three, and the durable modes say
 * `SET LOCAL synchronous_commit TO on` in their transaction (an `autocommit` write becomes a short transaction). A
 * pool passed in keeps its sessions as they are: each relaxed call sets what it needs with `SET LOCAL`.
 */
type TransactionMode = 'read' | 'write' | 'autocommit' | 'relaxed' | 'relaxedAutocommit';

/**
 * What each session of a pool the repository opens runs first. JIT off too: these statements read a handful of rows,
 * but the estimated cost of a claim's generic plan (a `LIMIT $1` of unknown size) grows with the outbox and crosses
 * `jit_above_cost` on a large one; compiling then costs some 50 ms per claim, a hundred times the claim itself.
 */
const RELAXED_SESSION = 'SET synchronous_commit TO off; SET jit = off';

/** How each mode opens its call: the statement that starts it (if any), and whether it runs in a transaction. */
function openingOf(
  mode: TransactionMode,
  relaxedSessions: boolean,
): { readonly begin: string | undefined; readonly transaction: boolean } {
  if (mode === 'read') return { begin: undefined, transaction: false };
  if (relaxedSessions) {
    if (mode === 'relaxedAutocommit') return { begin: undefined, transaction: false };
    if (mode === 'relaxed') return { begin: 'BEGIN', transaction: true };
    return { begin: 'BEGIN; SET LOCAL synchronous_commit TO on', transaction: true };
  }
  if (mode === 'autocommit') return { begin: undefined, transaction: false };
  if (mode === 'write') return { begin: 'BEGIN', transaction: true };
  return { begin: 'BEGIN; SET LOCAL synchronous_commit TO off; SET LOCAL jit = off', transaction: true };
}

/**
 * The mode of acks: an ack that records a created message's id must survive a server crash (or the message could be
 * created twice once Discord forgets the nonce), so it commits durably; acks of edits and deletes only say "sent",
 * and losing one just sends that row again: they commit without waiting for the disk.
 */
function ackMode(inputs: readonly AckInput[]): TransactionMode {
  return inputs.some((input) => learnedMessageId(input.messageId) !== null) ? 'autocommit' : 'relaxedAutocommit';
}

/**
 * The {@link UpdateRepository} for PostgreSQL (`discord-update-manager/postgres`, with the optional peer `pg`): the
 * durable outbox, the managed-message map and the `performance_metrics` snapshots, shared by every process of a
 * sharded bot. It passes the same contract suite as the memory repository, whose semantics it reproduces exactly
 * (client times — `enqueuedAt`, `deadlineAt`, snapshot `timestamp` — are stored in whole milliseconds).
 *
 * - Each method is one short transaction on a connection checked out for that call only; nothing is held across a
 *   Discord request.
 * - Claims use `FOR UPDATE SKIP LOCKED`, so concurrent senders never get the same row; leases, retry times and
 *   dead-letter times come from the database clock (`clock_timestamp()`), so skewed process clocks agree.
 * - A connection that died while idle in the pool (server restart, `pg_terminate_backend`) costs nothing: a call that
 *   meets one before committing is retried on a fresh connection.
 * - Call {@link PostgresUpdateRepository.migrate} once at start-up; the other methods check the schema version at
 *   their first call and refuse an unmigrated or newer schema.
 *
 * @example
 * ```ts
 * import { PostgresUpdateRepository } from 'discord-update-manager/postgres';
 *
 * const repository = new PostgresUpdateRepository({
 *   connectionString: process.env.DATABASE_URL!,
 *   schema: 'equipment_bot',
 * });
 * await repository.migrate();
 * const manager = new MessageUpdateManager({ transport, repository });
 * // ...
 * await repository.close(); // ends the pool it created
 * ```
 */
export class PostgresUpdateRepository implements UpdateRepository {
  /** Postgres text and jsonb cannot hold U+0000: the manager refuses keys and bodies with one at enqueue. */
  public readonly rejectsNulCharacters = true;
  readonly #schema: string;
  readonly #sql: PostgresStatements;
  /** The name of each statement when they run as prepared statements, else `undefined`. */
  readonly #names: { readonly [K in StatementName]: string } | undefined;
  readonly #givenPool: PgPoolLike | undefined;
  /** Whether the sessions of the pool this repository opens start relaxed (see `relaxedSessions`). */
  readonly #relaxedSessions: boolean;
  /** Acks made this tick, sent together (see {@link PostgresUpdateRepository.ack}). */
  #acks: { input: AckInput; resolve: (result: AckResult) => void; reject: (error: unknown) => void }[] = [];
  readonly #connectionString: string | undefined;
  readonly #maxConnections: number;
  readonly #connectionTimeoutMs: number;
  readonly #target: PostgresTarget | undefined;
  readonly #password: string | undefined;
  #ownedPool: Promise<OwnedPgPool> | undefined;
  #schemaChecked: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Checks the options; connects nothing (the first call does).
   *
   * @param options - see {@link PostgresUpdateRepositoryOptions}
   * @throws {@link discord-update-manager!InvalidConfigError} when neither or both of `connectionString` and `pool` are
   *   given, the connection string is not one `pg` reads, the pool has no `connect()`, the schema is not a plain
   *   identifier, or a pool option is out of range
   * @example
   * ```ts
   * const repository = new PostgresUpdateRepository({ connectionString: 'postgres://bot@127.0.0.1:5432/bot' });
   * ```
   */
  public constructor(options: PostgresUpdateRepositoryOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidConfigError(
        'options',
        options,
        'an object with `connectionString` or `pool`',
        `For example { connectionString: ${URL_EXAMPLE} }`,
      );
    }
    const { connectionString, pool } = options;
    if (connectionString === undefined && pool === undefined) {
      throw new InvalidConfigError(
        'connectionString',
        connectionString,
        `a PostgreSQL connection string such as ${URL_EXAMPLE}`,
        'Pass `connectionString` (the repository creates and ends its own pool) or `pool` (a pg Pool you own)',
      );
    }
    if (connectionString !== undefined && pool !== undefined) {
      throw new InvalidConfigError(
        'pool',
        pool,
        'omitted when `connectionString` is given',
        'Pass `connectionString` (the repository creates and ends its own pool) or `pool` (a pg Pool you own), not both',
      );
    }
    if (connectionString !== undefined) {
      if (typeof connectionString !== 'string' || !isPostgresConnectionString(connectionString)) {
        throw new InvalidConfigError(
          'connectionString',
          typeof connectionString === 'string' ? redactConnectionString(connectionString) : connectionString,
          `a PostgreSQL connection string such as ${URL_EXAMPLE} (or a socket: URL)`,
        );
      }
      this.#connectionString = connectionString;
      this.#target = postgresTargetOf(connectionString);
      this.#password = passwordOf(connectionString);
    } else {
      if (typeof (pool as { readonly connect?: unknown } | null)?.connect !== 'function') {
        throw new InvalidConfigError('pool', pool, 'a pg Pool (an object with a `connect()` method)');
      }
      this.#givenPool = pool;
      this.#target = postgresTargetOfPool(pool);
    }
    this.#maxConnections = poolOption(
      options,
      'maxConnections',
      DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS.maxConnections,
      1000,
    );
    this.#connectionTimeoutMs = poolOption(
      options,
      'connectionTimeoutMs',
      DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS.connectionTimeoutMs,
      2_147_483_647,
    );
    const schema = options.schema ?? DEFAULT_POSTGRES_UPDATE_REPOSITORY_OPTIONS.schema;
    this.#sql = buildPostgresStatements(quotePostgresSchema(schema));
    this.#schema = schema;
    const prepared = options.preparedStatements ?? pool === undefined;
    if (typeof prepared !== 'boolean') {
      throw new InvalidConfigError('preparedStatements', prepared, 'true or false');
    }
    this.#names = prepared ? statementNames(this.#sql) : undefined;
    const relaxed = options.relaxedSessions ?? pool === undefined;
    if (typeof relaxed !== 'boolean') {
      throw new InvalidConfigError('relaxedSessions', relaxed, 'true or false');
    }
    if (relaxed && pool !== undefined) {
      throw new InvalidConfigError(
        'relaxedSessions',
        relaxed,
        'false or unset with `pool` (the sessions of a pool you pass are left as they are)',
      );
    }
    this.#relaxedSessions = relaxed;
  }

  /** The schema this repository uses. */
  public get schema(): string {
    return this.#schema;
  }

  /**
   * Creates the schema if missing and applies the migrations it has not recorded (see `POSTGRES_MIGRATIONS`), in one
   * transaction holding an advisory lock on the schema name: processes migrating at once take turns. Idempotent.
   *
   * @returns when the schema is current
   * @throws {@link discord-update-manager!SchemaVersionError} (`SCHEMA_VERSION`) when the schema records a version
   *   newer than this package knows (upgrade the package); {@link MissingPeerDependencyError} when `pg` is not
   *   installed; {@link RepositoryClosedError} after {@link PostgresUpdateRepository.close}
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   * @example
   * ```ts
   * await repository.migrate(); // once at start-up, before the manager starts
   * ```
   */
  public async migrate(): Promise<void> {
    await this.#run('migrate', 'write', (client) => applyPostgresMigrations(client, this.#schema), false);
    this.#schemaChecked = Promise.resolve();
  }

  /**
   * Ends the pool the repository created (waiting for calls in flight); a pool passed in is left open. Later calls
   * throw. Idempotent.
   *
   * @returns when the pool is ended
   * @example
   * ```ts
   * await repository.close();
   * ```
   */
  public async close(): Promise<void> {
    this.#closing ??= (async () => {
      const pool = await this.#ownedPool?.catch(() => undefined);
      await pool?.end();
    })();
    return this.#closing;
  }

  /**
   * Upserts the desired state of a target. Committed when the promise resolves.
   *
   * @param update - the new desired state of one target
   * @returns the row's new version (`0` for a delete of something never stored)
   * @throws {@link discord-update-manager!InvalidArgumentError} when the body is not JSON-serialisable
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async enqueue(update: OutboxUpsert): Promise<{ readonly version: number }> {
    this.#assertOpen('enqueue');
    const body = encodeBody(update);
    return this.#run('enqueue', 'write', (client) => this.#upsert(client, update, body));
  }

  /**
   * Upserts several targets in one transaction, in order (the manager batches the enqueues of one tick).
   *
   * @param updates - upserts, applied in order in one transaction
   * @returns each upsert's version, in order
   * @throws {@link discord-update-manager!InvalidArgumentError} when a body is not JSON-serialisable (nothing is
   *   stored)
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async enqueueMany(updates: readonly OutboxUpsert[]): Promise<readonly { readonly version: number }[]> {
    this.#assertOpen('enqueueMany');
    if (updates.length === 0) return [];
    // One multi-row statement per batch rather than one per upsert: the upserts of each target are folded into one
    // with the same effect (versions included); a batch holding deletes that depend on the stored rows locks and reads
    // those rows first, then writes everything in a second statement. Every body is checked before anything is sent,
    // so a bad one stores nothing.
    const prepared = updates.map((update) => prepareUpsert(update, encodeBody(update)));
    const groups = groupByTarget(prepared);
    const locking = prepared.some(dependsOnRow);
    // Without row-dependent deletes the batch is one statement, atomic on its own: no transaction around it.
    return locking
      ? this.#run('enqueueMany', 'write', (client) => this.#enqueueLocked(client, prepared, groups))
      : this.#run('enqueueMany', 'autocommit', (client) => this.#enqueueFolded(client, prepared, groups));
  }

  /** A batch whose upserts never depend on the stored rows: one folded upsert per target, in one statement. */
  async #enqueueFolded(
    client: PgPoolClientLike,
    prepared: readonly PreparedUpsert[],
    groups: ReadonlyMap<string, readonly number[]>,
  ): Promise<{ version: number }[]> {
    const writes: BatchWrite[] = [];
    for (const [targetKey, indices] of groups) {
      // Most targets have one upsert in a batch: it is its own fold.
      const row = indices.length === 1 ? prepared[indices[0]!]! : foldUpserts(indices.map((index) => prepared[index]!));
      writes.push({ targetKey, row, version: indices.length });
    }
    const result = await this.#query(client, 'upsertBatch', batchParameters(writes));
    const stored = new Map(
      (result.rows as { readonly target_key: string; readonly version: Numeric }[]).map((row) => [
        row.target_key,
        Number(row.version),
      ]),
    );
    const versions: { version: number }[] = new Array(prepared.length);
    for (const [targetKey, indices] of groups) {
      // The fold added one version per upsert: the last upsert got the stored version, the earlier ones the ones below.
      const last = stored.get(targetKey);
      if (last === undefined) throw new Error(`enqueueMany: no version returned for ${targetKey}`);
      indices.forEach((index, position) => {
        versions[index] = { version: last - (indices.length - 1 - position) };
      });
    }
    return versions;
  }

  /**
   * A batch holding deletes that depend on the stored rows: locks the batch's rows (placeholders for missing ones),
   * replays each target's upserts against its state, then writes every target in one statement.
   */
  async #enqueueLocked(
    client: PgPoolClientLike,
    prepared: readonly PreparedUpsert[],
    groups: ReadonlyMap<string, readonly number[]>,
  ): Promise<{ version: number }[]> {
    const locked = await this.#query(client, 'lockBatch', [arrayLiteral([...groups.keys()])]);
    const states = new Map<string, LockedRowState | undefined>();
    for (const row of locked.rows as {
      readonly target_key: string;
      readonly version: Numeric;
      readonly droppable: boolean;
    }[]) {
      const version = Number(row.version);
      // Version 0 is the placeholder of a target without a row (stored rows start at 1).
      states.set(row.target_key, version === 0 ? undefined : { version, droppable: row.droppable });
    }
    const versions: { version: number }[] = new Array(prepared.length);
    const writes: BatchWrite[] = [];
    const ops: string[] = [];
    for (const [targetKey, indices] of groups) {
      const plan = planLockedTarget(
        indices.map((index) => prepared[index]!),
        states.get(targetKey),
      );
      indices.forEach((index, position) => {
        versions[index] = { version: plan.versions[position]! };
      });
      writes.push(plan.op === 'drop' ? { targetKey } : { targetKey, row: plan.row, version: plan.version });
      ops.push(plan.op);
    }
    await this.#query(client, 'applyBatch', [...batchParameters(writes), arrayLiteral(ops)]);
    return versions;
  }

  async #upsert(client: PgPoolClientLike, update: OutboxUpsert, body: string | null): Promise<{ version: number }> {
    const messageId = update.messageId ?? null;
    if (update.desired === 'absent' && messageId === null) {
      // The one case where the stored state decides what happens (the memory repository's two delete rules), so the
      // row is locked while deciding.
      const locked = await this.#query(client, 'lockForDelete', [update.targetKey]);
      const row = locked.rows[0] as
        | {
            readonly version: string;
            readonly message_id: string | null;
            readonly nonce: string | null;
            readonly leased: boolean;
          }
        | undefined;
      // Deleting what was never created: nothing to store.
      if (row === undefined) return { version: 0 };
      if (row.message_id === null && row.nonce === null && !row.leased) {
        // The create was never attempted: dropping it is the whole delete.
        await this.#query(client, 'remove', [update.targetKey]);
        return { version: Number(row.version) + 1 };
      }
    }
    const result = await this.#query(client, 'upsert', [
      update.targetKey,
      update.desired,
      update.channelId,
      messageId,
      update.managedKey ?? null,
      body,
      update.priority,
      wholeMs(update.enqueuedAt),
      update.deadlineAt === null ? null : wholeMs(update.deadlineAt),
    ]);
    return { version: Number((result.rows[0] as { readonly version: string }).version) };
  }

  /**
   * Claims up to `limit` rows that are not dead, not leased (or whose lease expired) and whose `notBefore` has passed
   * (database clock), best first (highest priority, then earliest enqueue), with `FOR UPDATE SKIP LOCKED`, so
   * concurrent senders never get the same row. Sets a fresh lease token and, for rows that need a create, a nonce.
   *
   * @param options - how many rows, the lease length (database clock) and the nonce generator
   * @returns the claimed rows, best first
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   * @example
   * ```ts
   * const rows = await repository.claim({ limit: 10, leaseMs: 30_000, newNonce: () => String(snowflakeNow()) });
   * for (const row of rows) {
   *   // ... send row.body to Discord, with no transaction open ...
   *   const result = await repository.ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version: row.version });
   *   if (result === 'newer') {
   *     // a newer body was enqueued meanwhile: the row is claimable again
   *   }
   * }
   * ```
   */
  public async claim(options: ClaimOptions): Promise<readonly ClaimedRow[]> {
    this.#assertOpen('claim');
    const limit = sqlLimit(options.limit);
    if (limit === 0 || options.targetKeys?.length === 0) return [];
    const only = options.targetKeys;
    const most = limit === null ? (only?.length ?? null) : Math.min(limit, only?.length ?? limit);
    if (most === null || most > ONE_STATEMENT_CLAIM_MAX) return this.#claimInTwoSteps(options, limit, only);
    // One statement (locks, ranks and leases), so one round trip on the repository's own relaxed sessions. Lease
    // tokens and nonces are made here for every row the claim may take; the statement hands out nonces by rank, to the
    // rows that need one (the others are never used).
    const tokens = Array.from({ length: most }, () => randomUUID());
    const nonces = Array.from({ length: most }, () => options.newNonce());
    return this.#run('claim', 'relaxedAutocommit', async (client) => {
      const lease = [options.leaseMs, arrayLiteral(tokens), arrayLiteral(nonces)];
      const claimed =
        only === undefined
          ? await this.#query(client, 'claim', [limit, ...lease])
          : only.length === 1 && typeof only[0] === 'string'
            ? await this.#query(client, 'claimKey', [limit, only[0], ...lease])
            : await this.#query(client, 'claimKeys', [limit, arrayLiteral(only), ...lease]);
      // Best first.
      return (claimed.rows as (OutboxRecord & { readonly claim_rank: string | number })[])
        .sort((a, b) => Number(a.claim_rank) - Number(b.claim_rank))
        .map((record) => decodeOutboxRow(record) as ClaimedRow);
    });
  }

  /** A claim of more rows than {@link ONE_STATEMENT_CLAIM_MAX} (or of all): lock, then lease, in one transaction. */
  async #claimInTwoSteps(
    options: ClaimOptions,
    limit: number | null,
    only: readonly string[] | undefined,
  ): Promise<readonly ClaimedRow[]> {
    return this.#run('claim', 'relaxed', async (client) => {
      const locked =
        only === undefined
          ? await this.#query(client, 'claimLock', [limit])
          : await this.#query(client, 'claimLockKeys', [limit, arrayLiteral(only)]);
      const rows = locked.rows as { readonly target_key: string; readonly needs_nonce: boolean }[];
      if (rows.length === 0) return [];
      const keys = rows.map((row) => row.target_key);
      const tokens = rows.map(() => randomUUID());
      const nonces = rows.map((row) => (row.needs_nonce ? options.newNonce() : null));
      const claimed = await this.#query(client, 'claimLease', [
        arrayLiteral(keys),
        arrayLiteral(tokens),
        arrayLiteral(nonces),
        options.leaseMs,
      ]);
      // Best first, in the order the rows were locked.
      const rank = new Map(keys.map((key, index) => [key, index]));
      return (claimed.rows as OutboxRecord[])
        .map((record) => decodeOutboxRow(record) as ClaimedRow)
        .sort((a, b) => rank.get(a.targetKey)! - rank.get(b.targetKey)!);
    });
  }

  /**
   * Acknowledges a sent version; see {@link AckResult}.
   *
   * @param input - the lease token, the version sent and what Discord returned
   * @returns `done`, `newer` or `lost`
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public ack(input: AckInput): Promise<AckResult> {
    // Acks made in the same tick (the answers of several requests in flight) share one statement, and so one commit:
    // each durable commit waits for the disk, and most of an ack's cost is that wait.
    return new Promise<AckResult>((resolve, reject) => {
      this.#acks.push({ input, resolve, reject });
      if (this.#acks.length === 1) queueMicrotask(() => void this.#flushAcks());
    });
  }

  /** Runs the acks queued this tick: one alone as before, several in one `DELETE` (and the rest one by one). */
  async #flushAcks(): Promise<void> {
    const batch = this.#acks;
    this.#acks = [];
    if (batch.length === 1) {
      const [only] = batch;
      await this.#ackOne(only!.input).then(only!.resolve, only!.reject);
      return;
    }
    let done: Set<string>;
    try {
      done = await this.#run('ack', ackMode(batch.map(({ input }) => input)), async (client) => {
        const result = await this.#query(client, 'ackDoneMany', [
          arrayLiteral(batch.map(({ input }) => input.targetKey)),
          arrayLiteral(batch.map(({ input }) => input.leaseToken)),
          arrayLiteral(batch.map(({ input }) => input.version)),
        ]);
        const rows = result.rows as { target_key: string; lease_token: string }[];
        return new Set(rows.map((row) => `${row.target_key}\u0000${row.lease_token}`));
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const { input, resolve, reject } of batch) {
      if (done.has(`${input.targetKey}\u0000${input.leaseToken}`)) resolve('done');
      // A newer version, or a lost lease: the ack of that one target decides which.
      else this.#ackOne(input).then(resolve, reject);
    }
  }

  async #ackOne(input: AckInput): Promise<AckResult> {
    // Two statements: when the delete matched nothing it changed nothing and held no lock, so the update after it sees
    // what it would have seen inside one transaction (each statement of a READ COMMITTED transaction reads the latest
    // committed rows anyway). The ack of a create commits on its own, durably (one round trip).
    return this.#run('ack', ackMode([input]), async (client) => {
      // Deleting only when the version is unchanged; otherwise (a newer version, or the row locked by an enqueue and
      // re-checked after it) the update below releases the lease if it is still ours.
      const done = await this.#query(client, 'ackDone', [input.targetKey, input.leaseToken, input.version]);
      if ((done.rowCount ?? 0) > 0) return 'done';
      const newer = await this.#query(client, 'ackNewer', [
        input.targetKey,
        input.leaseToken,
        learnedMessageId(input.messageId),
      ]);
      return (newer.rowCount ?? 0) > 0 ? 'newer' : 'lost';
    });
  }

  /**
   * Releases a lease after a retryable failure, recording the retry schedule.
   *
   * @param input - the lease token, the attempts so far and the retry delay (database clock)
   * @returns `false` when the lease was lost
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async release(input: ReleaseInput): Promise<boolean> {
    return this.#run('release', 'write', async (client) => {
      const result = await this.#query(client, 'release', [
        input.targetKey,
        input.leaseToken,
        input.attempts,
        input.retryInMs,
        input.error,
        learnedMessageId(input.messageId),
      ]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  /**
   * Marks a claimed row as a dead letter (kept for inspection and re-drive).
   *
   * @param input - the lease token and the error to record
   * @returns `false` when the lease was lost
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async deadLetter(input: {
    readonly targetKey: string;
    readonly leaseToken: string;
    readonly error: string;
  }): Promise<boolean> {
    return this.#run('deadLetter', 'write', async (client) => {
      const result = await this.#query(client, 'deadLetter', [input.targetKey, input.leaseToken, input.error]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  /**
   * Lists the dead letters, oldest first.
   *
   * @param limit - most rows to return
   * @returns dead letters, oldest first
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async listDeadLetters(limit = 1000): Promise<readonly OutboxRow[]> {
    return this.#run('listDeadLetters', 'read', async (client) => {
      const result = await this.#query(client, 'listDeadLetters', [sqlLimit(limit)]);
      return (result.rows as OutboxRecord[]).map(decodeOutboxRow);
    });
  }

  /**
   * Puts a dead letter back in the queue (attempts reset).
   *
   * @param targetKey - the dead letter's target
   * @returns `false` when there is no such dead letter
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async redrive(targetKey: string): Promise<boolean> {
    return this.#run('redrive', 'write', async (client) => {
      const result = await this.#query(client, 'redrive', [targetKey]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  /**
   * Lists every row that is not dead (for recovery at start), best first.
   *
   * @param limit - most rows to return
   * @returns rows that are not dead, best first
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async listPending(limit = 1_000_000): Promise<readonly OutboxRow[]> {
    return this.#run('listPending', 'read', async (client) => {
      const result = await this.#query(client, 'listPending', [sqlLimit(limit)]);
      return (result.rows as OutboxRecord[]).map(decodeOutboxRow);
    });
  }

  /**
   * Reads one row.
   *
   * @param targetKey - the target
   * @returns the row, or `undefined`
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async getRow(targetKey: string): Promise<OutboxRow | undefined> {
    return this.#run('getRow', 'read', async (client) => {
      const result = await this.#query(client, 'getRow', [targetKey]);
      const record = result.rows[0] as OutboxRecord | undefined;
      return record === undefined ? undefined : decodeOutboxRow(record);
    });
  }

  /**
   * {@inheritDoc discord-update-manager!UpdateRepository.remove}
   *
   * @param targetKey - the target
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async remove(targetKey: string): Promise<void> {
    await this.#run('remove', 'write', (client) => this.#query(client, 'remove', [targetKey]));
  }

  /**
   * Lists every managed message.
   *
   * @returns every managed message, by sort order then key
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async listManaged(): Promise<readonly ManagedMessage[]> {
    return this.#run('listManaged', 'read', async (client) => {
      const result = await this.#query(client, 'listManaged', []);
      return (result.rows as ManagedRecord[]).map(decodeManaged);
    });
  }

  /**
   * {@inheritDoc discord-update-manager!UpdateRepository.saveManaged}
   *
   * @param message - the managed message to store
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async saveManaged(message: ManagedMessage): Promise<void> {
    await this.#run('saveManaged', 'write', (client) =>
      this.#query(client, 'saveManaged', [
        message.key,
        message.channelId,
        message.messageId,
        message.contentHash,
        message.sortOrder,
      ]),
    );
  }

  /**
   * {@inheritDoc discord-update-manager!UpdateRepository.deleteManaged}
   *
   * @param key - the managed key
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async deleteManaged(key: string): Promise<void> {
    await this.#run('deleteManaged', 'write', (client) => this.#query(client, 'deleteManaged', [key]));
  }

  /**
   * {@inheritDoc discord-update-manager!UpdateRepository.recordSnapshot}
   *
   * @param snapshot - the snapshot (its `timestamp` is stored in whole ms)
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async recordSnapshot(snapshot: PerformanceSnapshot): Promise<void> {
    await this.#run('recordSnapshot', 'write', (client) =>
      this.#query(client, 'recordSnapshot', [
        wholeMs(snapshot.timestamp),
        snapshot.messagesUpdated,
        snapshot.averageUpdateTimeMs,
        snapshot.queueSize,
        snapshot.rateLimitHits,
        snapshot.failedUpdates,
      ]),
    );
  }

  /**
   * Lists the performance snapshots recorded since `sinceMs` (inclusive).
   *
   * @param sinceMs - first timestamp to include, in ms
   * @returns the snapshots, in the order they were recorded
   * @throws {@link PostgresConnectionError} when PostgreSQL cannot be reached
   */
  public async listSnapshots(sinceMs = 0): Promise<readonly PerformanceSnapshot[]> {
    this.#assertOpen('listSnapshots');
    if (Number.isNaN(sinceMs) || sinceMs === Infinity) return [];
    const since = sinceMs === -Infinity ? Number.MIN_SAFE_INTEGER : Math.ceil(sinceMs);
    return this.#run('listSnapshots', 'read', async (client) => {
      const result = await this.#query(client, 'listSnapshots', [since]);
      return (result.rows as SnapshotRecord[]).map(decodeSnapshot);
    });
  }

  /** Runs one of the repository's statements, as a named prepared statement when they are enabled. */
  #query(client: PgPoolClientLike, statement: StatementName, values: unknown[]): Promise<PgQueryResultLike> {
    const text = this.#sql[statement];
    if (this.#names === undefined) return client.query(text, values);
    // Only enabled for pg clients (ours, or a pool the caller vouched for with `preparedStatements: true`).
    return (client as unknown as PgNamedQueryClient).query({ name: this.#names[statement], text, values });
  }

  #assertOpen(action: string): void {
    if (this.#closing !== undefined) {
      throw new RepositoryClosedError('PostgresUpdateRepository', action, `schema \`${this.#schema}\``);
    }
  }

  /** Runs one call: checks the repository is open and the schema current, then runs `work` on a connection. */
  async #run<T>(
    action: string,
    mode: TransactionMode,
    work: (client: PgPoolClientLike) => Promise<T>,
    checkSchema = true,
  ): Promise<T> {
    this.#assertOpen(action);
    const pool = this.#pool();
    if (checkSchema) {
      this.#schemaChecked ??= this.#withConnection(pool, 'the schema version check', 'read', (client) =>
        assertPostgresSchemaCurrent(client, this.#schema),
      );
      try {
        await this.#schemaChecked;
      } catch (error) {
        // Checked again at the next call (after a `migrate()`, or once the server is back).
        this.#schemaChecked = undefined;
        throw error;
      }
    }
    return this.#withConnection(pool, action, mode, work);
  }

  /**
   * Checks out a connection, runs `work` (inside `BEGIN ... COMMIT` for writes), gives the connection back. A
   * connection found dead before the commit was sent means nothing was applied, so the call is retried on another one
   * (for an `autocommit` call, only when the failed statement cannot have committed: see {@link neverApplied}).
   */
  async #withConnection<T>(
    poolPromise: Promise<PgPoolLike>,
    action: string,
    mode: TransactionMode,
    work: (client: PgPoolClientLike) => Promise<T>,
  ): Promise<T> {
    const pool = await poolPromise;
    const opening = openingOf(mode, this.#relaxedSessions);
    for (let attempt = 1; ; attempt++) {
      let client: PgPoolClientLike;
      try {
        client = await pool.connect();
      } catch (error) {
        throw this.#connectError(error);
      }
      // Without a listener, a socket error between two queries would be an uncaught 'error' event.
      let broken: unknown;
      const onError = (error: Error): void => {
        broken ??= error;
      };
      client.on('error', onError);
      const giveBack = (error?: unknown): void => {
        client.removeListener('error', onError);
        client.release(error === undefined ? undefined : toError(error));
      };
      let phase: PostgresConnectionPhase = 'query';
      try {
        if (opening.begin !== undefined) await client.query(opening.begin);
        const result = await work(client);
        if (opening.transaction) {
          phase = 'commit';
          await client.query('COMMIT');
        }
        giveBack(broken);
        return result;
      } catch (error) {
        if (broken === undefined && isTransientConflict(error) && attempt < MAX_ATTEMPTS) {
          // A deadlock or serialization failure (an answer, even to COMMIT) means the whole transaction was rolled
          // back: running it again is safe.
          try {
            if (opening.transaction) await client.query('ROLLBACK');
            giveBack();
          } catch (rollbackError) {
            giveBack(rollbackError);
          }
          continue;
        }
        const lost = broken ?? (isConnectionLoss(error) ? error : undefined);
        if (lost !== undefined) {
          giveBack(lost);
          // A statement that commits on its own may have committed before its answer was lost: it is re-run only
          // when it cannot have been applied.
          const unapplied = opening.transaction || mode === 'read' || neverApplied(error);
          if (phase === 'query' && unapplied && attempt < MAX_ATTEMPTS) {
            // Lets the pool see the other connections that died with this one before the next checkout.
            await nextTurn();
            continue;
          }
          throw this.#lostError(action, unapplied ? phase : 'commit', error);
        }
        if (opening.transaction) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            giveBack(rollbackError);
            throw this.#translate(error);
          }
        }
        giveBack(broken);
        throw this.#translate(error);
      }
    }
  }

  #pool(): Promise<PgPoolLike> {
    if (this.#givenPool !== undefined) return Promise.resolve(this.#givenPool);
    this.#ownedPool ??= this.#createPool();
    return this.#ownedPool;
  }

  async #createPool(): Promise<OwnedPgPool> {
    let loaded: unknown;
    try {
      loaded = await import('pg');
    } catch (error) {
      throw missingPeerError(error);
    }
    // ESM sees pg's named exports; the CommonJS build (and some bundlers) hand over module.exports as `default`.
    const exported = loaded as { readonly Pool?: unknown; readonly default?: { readonly Pool?: unknown } };
    const Pool = (exported.Pool ?? exported.default?.Pool) as PgPoolConstructor | undefined;
    if (typeof Pool !== 'function') throw missingPeerError(undefined);
    const pool = new Pool({
      connectionString: this.#connectionString!,
      max: this.#maxConnections,
      connectionTimeoutMillis: this.#connectionTimeoutMs,
      application_name: APPLICATION_NAME,
    });
    // An idle connection that dies (server restart, pg_terminate_backend) is emitted here after the pool dropped it;
    // the next checkout opens a new one, so there is nothing to do, but an unheard 'error' would end the process.
    pool.on('error', () => {});
    // A connection killed as it opens can deliver its termination notice in the same read as its ready message: the
    // pool hands the client out (dropping its own listener) and the notice is emitted before the caller can listen.
    // This listener, attached when the pool creates the client, keeps that from ending the process; the failure
    // still reaches the next query, and a client that failed is never reused.
    const relaxed = this.#relaxedSessions;
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (!relaxed) return;
      // Queued before the query of the call that opened the connection. If it fails the connection is dead, and that
      // call's query fails too (and is retried on another connection).
      void client.query(RELAXED_SESSION).catch(() => undefined);
    });
    return pool;
  }

  #where(): string {
    return this.#target === undefined
      ? 'through the pool passed as `pool`'
      : `at ${describePostgresTarget(this.#target)}`;
  }

  #redact(text: string): string {
    const password = this.#password;
    return password !== undefined && password.length >= 4 ? text.split(password).join('***') : text;
  }

  #details(phase: PostgresConnectionPhase): { host: string; port: number; phase: PostgresConnectionPhase } {
    return { host: this.#target?.host ?? 'unknown', port: this.#target?.port ?? 0, phase };
  }

  #connectError(error: unknown): MessageUpdateError {
    if (error instanceof MessageUpdateError) return error;
    const settings = this.#givenPool === undefined ? '`connectionString`' : "your pool's configuration";
    return new PostgresConnectionError(
      `Could not connect to PostgreSQL ${this.#where()}: ${this.#redact(reasonOf(error))}. ` +
        connectHint(error, settings, this.#givenPool === undefined ? this.#connectionTimeoutMs : undefined),
      this.#details('connect'),
      error,
    );
  }

  #lostError(action: string, phase: PostgresConnectionPhase, error: unknown): PostgresConnectionError {
    const outcome =
      phase === 'commit'
        ? 'It broke while committing: the change may or may not have been applied.'
        : 'The transaction was rolled back: nothing was changed.';
    return new PostgresConnectionError(
      `Lost the connection to PostgreSQL ${this.#where()} during ${action}: ${this.#redact(reasonOf(error))}. ` +
        `${outcome} Check that the server is up; the pool opens new connections at the next call.`,
      this.#details(phase),
      error,
    );
  }

  #translate(error: unknown): unknown {
    const code = codeOf(error);
    if (code === '42P01' || code === '3F000') {
      // The tables (or the schema) were dropped after the version check: the schema is older than this release.
      return new SchemaVersionError(
        `the PostgreSQL schema \`${this.#schema}\``,
        null,
        POSTGRES_SCHEMA_VERSION,
        'older',
        {
          problem: `discord-update-manager's tables are missing: ${this.#redact(reasonOf(error))}`,
          cause: error,
        },
      );
    }
    return error;
  }
}

/** The key of one statement of {@link buildPostgresStatements}. */
type StatementName = keyof PostgresStatements;

/** A client that takes `pg`'s query objects, as a `pg` `PoolClient` does. */
interface PgNamedQueryClient {
  query(config: {
    readonly name: string;
    readonly text: string;
    readonly values: unknown[];
  }): Promise<PgQueryResultLike>;
}

/**
 * A prepared-statement name per statement: its key and a hash of its text, so that repositories of different schemas
 * sharing a pool never reuse a name for another text, and the name stays within PostgreSQL's 63 bytes.
 *
 * @param sql - the statements of one schema
 * @returns the names, keyed like the statements
 */
function statementNames(sql: PostgresStatements): { readonly [K in StatementName]: string } {
  const names = {} as { [K in StatementName]: string };
  for (const key of Object.keys(sql) as StatementName[]) {
    names[key] = `dum_${key}_${createHash('sha256').update(sql[key]).digest('hex').slice(0, 16)}`;
  }
  return names;
}

function poolOption(
  options: PostgresUpdateRepositoryOptions,
  field: 'maxConnections' | 'connectionTimeoutMs',
  defaultValue: number,
  max: number,
): number {
  const value = options[field];
  if (value === undefined) return defaultValue;
  if (options.pool !== undefined) {
    throw new InvalidConfigError(
      field,
      value,
      'omitted when `pool` is given',
      'It configures the pool the repository creates from `connectionString`; configure your own pool yourself',
    );
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidConfigError(field, value, `an integer from 1 to ${max}`);
  }
  return value;
}

function passwordOf(connectionString: string): string | undefined {
  try {
    const url = new URL(connectionString);
    const password = decodeURIComponent(url.password) || url.searchParams.get('password') || '';
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

function missingPeerError(cause: unknown): MissingPeerDependencyError {
  return new MissingPeerDependencyError('pg', 'PostgresUpdateRepository with a `connectionString`', {
    alternative: 'pass your own `pool`',
    ...(cause === undefined ? { problem: 'it did not export a Pool constructor' } : { cause }),
  });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { readonly code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (error as { readonly errors?: unknown }).errors;
  return Array.isArray(inner) ? codeOf(inner[0]) : undefined;
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(reasonOf))].join('; ');
  }
  if (error instanceof Error) return error.message || codeOf(error) || error.name;
  return String(error);
}

/** A number column as a pool returns it (a string from a default `pg` pool for `bigint`). */
type Numeric = number | string | bigint;

/**
 * One row of a batch statement: a (folded) upsert and the version to store — or, for `upsertBatch`, the number
 * of upserts folded — or only a key (a row to delete).
 */
interface BatchWrite {
  readonly targetKey: string;
  readonly row?: PreparedUpsert;
  readonly version?: number;
}

/**
 * The bind parameters of a batch statement, in the order `postgres-statements.ts` reads them: an array literal per
 * scalar column (`null` where a row to delete has no value) and, sixth, the bodies as one JSON array.
 *
 * @param writes - one entry per target
 * @returns ten parameter values
 */
function batchParameters(writes: readonly BatchWrite[]): string[] {
  const count = writes.length;
  const keys: string[] = new Array(count);
  const desired: (string | null)[] = new Array(count);
  const channels: (string | null)[] = new Array(count);
  const messageIds: (string | null)[] = new Array(count);
  const managedKeys: (string | null)[] = new Array(count);
  const bodies: string[] = new Array(count);
  const priorities: (number | null)[] = new Array(count);
  const enqueuedAts: (number | null)[] = new Array(count);
  const deadlines: (number | null)[] = new Array(count);
  const versions: (number | null)[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const { targetKey, row, version } = writes[index]!;
    keys[index] = targetKey;
    desired[index] = row?.desired ?? null;
    channels[index] = row?.channelId ?? null;
    messageIds[index] = row?.messageId ?? null;
    managedKeys[index] = row?.managedKey ?? null;
    // JSON text already (see encodeBody); `null` stands in where there is none, and is read only for `present`.
    bodies[index] = row?.body ?? 'null';
    priorities[index] = row?.priority ?? null;
    enqueuedAts[index] = row?.enqueuedAt ?? null;
    deadlines[index] = row?.deadlineAt ?? null;
    versions[index] = version ?? null;
  }
  return [
    arrayLiteral(keys),
    arrayLiteral(desired),
    arrayLiteral(channels),
    arrayLiteral(messageIds),
    arrayLiteral(managedKeys),
    `[${bodies.join(',')}]`,
    arrayLiteral(priorities),
    arrayLiteral(enqueuedAts),
    arrayLiteral(deadlines),
    arrayLiteral(versions),
  ];
}

/** Deadlock detected, serialization failure: PostgreSQL rolled the transaction back and it may simply be re-run. */
function isTransientConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === '40P01' || code === '40001';
}

/**
 * Whether a statement that failed with a lost connection certainly did not commit: `pg` refused to send it (the
 * connection was already known to be broken), or the server's answer was "terminating connection due to
 * administrator command" / "the database system is starting up or shutting down" (57P01, 57P03: sent instead of
 * running it — e.g. a connection killed while idle in the pool — or aborting it, since a terminate request is only
 * acted on outside the commit). Not 57P02: a crash of another backend stops this one at once, possibly just after
 * its commit. A socket that merely closed tells nothing either.
 */
function neverApplied(error: unknown): boolean {
  const code = codeOf(error);
  if (code === '57P01' || code === '57P03') return true;
  return error instanceof Error && /not queryable/i.test(error.message);
}

function isConnectionLoss(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (LOST_SQLSTATES.has(code) || LOST_NODE_CODES.has(code))) return true;
  return error instanceof Error && LOST_MESSAGE.test(error.message);
}

function connectHint(error: unknown, settings: string, timeoutMs: number | undefined): string {
  switch (codeOf(error)) {
    case 'ECONNREFUSED':
      return `Check that the server is running and accepts TCP connections on that host and port, and that ${settings} names them.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Check the host name in ${settings}: DNS could not resolve it.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `Check the host and port in ${settings}, and any firewall between this process and the server.`;
    case '28P01':
    case '28000':
      return `Check the user name and password in ${settings} (and pg_hba.conf on the server).`;
    case '3D000':
      return `Create the database, or fix its name in ${settings}.`;
    case '57P03':
      return 'The server is starting up or shutting down: retry in a moment.';
    case '53300':
      return 'The server has no connection slot left: lower `maxConnections` or raise max_connections on the server.';
    default:
      if (error instanceof Error && /after calling end/i.test(error.message)) {
        return 'The pool passed as `pool` was ended: keep it open while the repository is in use (close the repository first).';
      }
      if (error instanceof Error && /timeout/i.test(error.message)) {
        return (
          `No connection within ${timeoutMs === undefined ? "the pool's connection timeout" : `${timeoutMs} ms`}: ` +
          `check the host and port in ${settings} and any firewall between this process and the server.`
        );
      }
      return `Check that the server is running and that the host, port, user, password and database in ${settings} are right.`;
  }
}
