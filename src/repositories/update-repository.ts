import { compareCodePoints } from '../util/compare-code-points.js';
/**
 * The persistence contract: a durable outbox of desired message states, the managed-message map, and performance
 * snapshots. One contract, three implementations (memory, SQLite, Postgres), one test suite run against each.
 *
 * ## The outbox
 * One row per *target* (a message, a managed key, or an anonymous create). A row is the target's desired state:
 * `desired: 'present'` with a `body` (create it if `messageId` is null, else edit it), or `desired: 'absent'`
 * (delete it; nothing to do when it was never created). Every {@link UpdateRepository.enqueue} upserts the row and
 * increments its `version`, so coalescing happens in the table: the newest body wins, the highest priority and the
 * earliest enqueue time are kept.
 *
 * A sender {@link UpdateRepository.claim | claims} a row with a lease (times from the database clock), sends the
 * request, then {@link UpdateRepository.ack | acks} with its lease token and the version it sent. The ack deletes the
 * row only if the lease is still its own *and* the version is unchanged; a newer version enqueued meanwhile stays
 * and is sent next; a zombie whose lease expired changes nothing. Creates carry a `nonce` (kept on the row across
 * attempts and crashes) that Discord's `enforce_nonce` turns into an idempotent create.
 *
 * @module
 */

/** What a target should look like on Discord. */
export type DesiredState = 'present' | 'absent';

/** An update to store: the new desired state of one target. */
export interface OutboxUpsert {
  /** `m:<messageId>`, `k:<managedKey>` or `c:<unique id>` (anonymous create). */
  readonly targetKey: string;
  readonly desired: DesiredState;
  readonly channelId: string;
  /** Known message id; an upsert never clears one the row already has. */
  readonly messageId: string | null;
  /** Managed-message key, if any. */
  readonly managedKey: string | null;
  /** The full message body (JSON-serialisable) when `desired` is `present`, else `null`. */
  readonly body: unknown;
  readonly priority: number;
  /** Client time of the enqueue, in ms (ordering and latency; merged rows keep the earliest). */
  readonly enqueuedAt: number;
  /** Client time after which the update may be dropped, or `null`. Merged rows keep the latest (null wins). */
  readonly deadlineAt: number | null;
}

/** A stored outbox row. */
export interface OutboxRow {
  readonly targetKey: string;
  readonly desired: DesiredState;
  readonly channelId: string;
  readonly messageId: string | null;
  readonly managedKey: string | null;
  readonly body: unknown;
  readonly priority: number;
  readonly enqueuedAt: number;
  readonly deadlineAt: number | null;
  /** Increases by one on every upsert. */
  readonly version: number;
  /** Nonce of the create, set at the first claim of a row that needs a create; kept across attempts. */
  readonly nonce: string | null;
  /** The version whose body was sent with that nonce the first time (Discord returns that message for the nonce). */
  readonly nonceVersion: number | null;
  /** Failed attempts so far (reset by an ack that releases the row, a re-drive, or a newer version reviving a dead letter). */
  readonly attempts: number;
  /** Database time (ms) before which the row must not be claimed (retry backoff). */
  readonly notBefore: number;
  readonly leaseToken: string | null;
  /** Database time (ms) when the lease ends. */
  readonly leaseExpiresAt: number | null;
  readonly lastError: string | null;
  /** Database time (ms) the row became a dead letter, or `null`. Dead letters are never claimed. */
  readonly deadAt: number | null;
}

/** A row claimed by {@link UpdateRepository.claim}: the lease is yours until `leaseExpiresAt`. */
export interface ClaimedRow extends OutboxRow {
  readonly leaseToken: string;
  readonly leaseExpiresAt: number;
}

/** Options of {@link UpdateRepository.claim}. */
export interface ClaimOptions {
  /** Most rows to claim. */
  readonly limit: number;
  /** Lease length in ms, counted on the database clock. */
  readonly leaseMs: number;
  /** Claim only these targets (e.g. the one about to be sent). */
  readonly targetKeys?: readonly string[];
  /** A nonce generator for rows that need a create and have none yet. */
  readonly newNonce: () => string;
}

/** Result of {@link UpdateRepository.ack}. */
export type AckResult =
  /** The row was deleted: the version sent is the latest. */
  | 'done'
  /** A newer version was enqueued meanwhile: the row stays (lease released) and must be sent again. */
  | 'newer'
  /** The lease was no longer ours (expired and taken, or the row is gone): nothing was changed. */
  | 'lost';

/** What the sender learned, passed to {@link UpdateRepository.ack}. */
export interface AckInput {
  readonly targetKey: string;
  readonly leaseToken: string;
  /** The version whose body Discord now shows. */
  readonly version: number;
  /** The message id Discord returned for a create (stored on the row when it stays). */
  readonly messageId?: string | null;
}

/** A retryable failure to record by {@link UpdateRepository.release}. */
export interface ReleaseInput {
  readonly targetKey: string;
  readonly leaseToken: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Delay before the row may be claimed again, in ms (added to the database clock). */
  readonly retryInMs: number;
  readonly error: string | null;
  /** A message id learned before the failure (create acknowledged, later step failed). */
  readonly messageId?: string | null;
}

/** A managed message: a stable key bound to a message. */
export interface ManagedMessage {
  readonly key: string;
  readonly channelId: string;
  readonly messageId: string;
  /** Hash of the body Discord last acknowledged (see `contentHash`), so a restart does not re-send it. */
  readonly contentHash: string | null;
  /** Display order within the channel (the caller's). */
  readonly sortOrder: number;
}

/** One row of the `performance_metrics` table (the seed's columns). */
export interface PerformanceSnapshot {
  /** Client time, ms. */
  readonly timestamp: number;
  readonly messagesUpdated: number;
  readonly averageUpdateTimeMs: number;
  readonly queueSize: number;
  readonly rateLimitHits: number;
  readonly failedUpdates: number;
}

/**
 * Where the manager keeps what must survive a crash. Implementations: {@link MemoryUpdateRepository} (the default,
 * nothing durable), `SqliteUpdateRepository` (`discord-update-manager/sqlite`) and `PostgresUpdateRepository`
 * (`discord-update-manager/postgres`). Every method is atomic; none holds a transaction across calls.
 */
export interface UpdateRepository {
  /**
   * `true` when the database cannot store a NUL character (U+0000) in text (Postgres): the manager then refuses keys
   * and bodies that hold one when they are enqueued, instead of failing the write.
   */
  readonly rejectsNulCharacters?: boolean;
  /**
   * Creates or upgrades the schema; idempotent. Throws when the database is newer than this package (a
   * {@link SchemaVersionError} in the repositories of this package, whose other calls throw it too while the schema
   * is older or newer than this release's).
   */
  migrate(): Promise<void>;
  /**
   * Closes what the repository opened itself (never a database or pool passed in). Idempotent; every later call
   * rejects (with {@link RepositoryClosedError} in the repositories of this package).
   */
  close(): Promise<void>;

  /** Upserts the desired state of a target; returns the row's new version. Committed when the promise resolves. */
  enqueue(update: OutboxUpsert): Promise<{ readonly version: number }>;
  /** Upserts several targets in one transaction, in order (the manager batches the enqueues of one tick). */
  enqueueMany(updates: readonly OutboxUpsert[]): Promise<readonly { readonly version: number }[]>;
  /**
   * Claims up to `limit` rows that are not dead, not leased (or whose lease expired) and whose `notBefore` has passed
   * (database clock), best first (highest priority, then earliest enqueue). Sets a fresh lease token and, for rows
   * that need a create, a nonce. Postgres uses `FOR UPDATE SKIP LOCKED`, SQLite `BEGIN IMMEDIATE`.
   */
  claim(options: ClaimOptions): Promise<readonly ClaimedRow[]>;
  /** Acknowledges a sent version; see {@link AckResult}. */
  ack(input: AckInput): Promise<AckResult>;
  /** Releases a lease after a retryable failure, recording the retry schedule. Returns false if the lease was lost. */
  release(input: ReleaseInput): Promise<boolean>;
  /** Marks a claimed row as a dead letter (kept for inspection and re-drive). Returns false if the lease was lost. */
  deadLetter(input: {
    readonly targetKey: string;
    readonly leaseToken: string;
    readonly error: string;
  }): Promise<boolean>;
  /** Dead letters, oldest first. */
  listDeadLetters(limit?: number): Promise<readonly OutboxRow[]>;
  /** Puts a dead letter back in the queue (attempts reset). Returns false when there is no such dead letter. */
  redrive(targetKey: string): Promise<boolean>;
  /** Every row that is not dead (for recovery at start), best first. */
  listPending(limit?: number): Promise<readonly OutboxRow[]>;
  /** One row, or `undefined`. */
  getRow(targetKey: string): Promise<OutboxRow | undefined>;
  /** Deletes a row whatever its state (e.g. a delete of a message never created). */
  remove(targetKey: string): Promise<void>;

  /** Every managed message. */
  listManaged(): Promise<readonly ManagedMessage[]>;
  /** Inserts or replaces a managed message. */
  saveManaged(message: ManagedMessage): Promise<void>;
  /** Forgets a managed key. */
  deleteManaged(key: string): Promise<void>;

  /** Appends a performance snapshot. */
  recordSnapshot(snapshot: PerformanceSnapshot): Promise<void>;
  /** Snapshots since `sinceMs` (inclusive), oldest first. */
  listSnapshots(sinceMs?: number): Promise<readonly PerformanceSnapshot[]>;
}

/**
 * The order `claim` hands rows out in, the same in every adapter: highest priority first, then the earliest enqueue,
 * then the target key by code point (as SQLite's BINARY and Postgres's "C" collations order it).
 */
export function compareRows(a: OutboxRow, b: OutboxRow): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || compareCodePoints(a.targetKey, b.targetKey);
}
