/**
 * The SQL of the SQLite adapter and the decoding of its rows. Every value is a bound parameter; the only text
 * interpolated into SQL is {@link SQLITE_NOW_MS}, a constant.
 *
 * @module
 */
import type { ManagedMessage } from '../update-repository.js';
export { decodeOutboxRow, encodeBody, type OutboxRecord } from '../outbox-record.js';

/**
 * The database clock in integer milliseconds since the Unix epoch (`unixepoch('subsec')` needs SQLite 3.42+;
 * better-sqlite3 12 bundles 3.49+). Leases, retry times and dead-letter times use it, never the JavaScript clock, so
 * processes with skewed clocks sharing one file agree. SQLite returns the same "now" for every use within one
 * statement step.
 */
export const SQLITE_NOW_MS = `CAST(ROUND(unixepoch('subsec') * 1000) AS INTEGER)`;

/**
 * A `LIMIT` value with the memory repository's `slice(0, limit)` meaning for non-negative limits: fractions are
 * truncated, `Infinity` means no limit (`-1` in SQLite).
 *
 * @param limit - the caller's limit
 * @returns an integer SQLite accepts in `LIMIT`
 */
export function sqlLimit(limit: number): number {
  if (Number.isFinite(limit)) return Math.max(0, Math.trunc(limit));
  return limit > 0 ? -1 : 0;
}

/** One row, with whether its lease is still running on the database clock (for the never-attempted-create rule). */
export const SELECT_ROW_FOR_UPSERT = `
SELECT *, (lease_token IS NOT NULL AND COALESCE(lease_expires_at, 0) > ${SQLITE_NOW_MS}) AS leased
FROM outbox WHERE target_key = ?`;

/** A new row at version 1; the other columns take their defaults (no lease, no nonce, 0 attempts). */
export const INSERT_ROW = `
INSERT INTO outbox (target_key, desired, channel_id, message_id, managed_key, body, priority, enqueued_at, deadline_at,
  version)
VALUES (@targetKey, @desired, @channelId, @messageId, @managedKey, @body, @priority, @enqueuedAt, @deadlineAt, 1)`;

/** Writes the merged state computed by the upsert; a new desired state revives a dead letter. */
export const UPDATE_ROW = `
UPDATE outbox SET
  desired = @desired,
  body = @body,
  message_id = @messageId,
  managed_key = @managedKey,
  priority = @priority,
  enqueued_at = @enqueuedAt,
  deadline_at = @deadlineAt,
  version = @version,
  attempts = CASE WHEN dead_at IS NULL THEN attempts ELSE 0 END,
  not_before = CASE WHEN dead_at IS NULL THEN not_before ELSE 0 END,
  dead_at = NULL
WHERE target_key = @targetKey`;

/** One row by target key. */
export const SELECT_ROW = 'SELECT * FROM outbox WHERE target_key = ?';

/** Deletes one row whatever its state. */
export const DELETE_ROW = 'DELETE FROM outbox WHERE target_key = ?';

/** Best first: highest priority, then the earliest enqueue, then the key (the order of `compareRows`). */
const BEST_FIRST = 'priority DESC, enqueued_at ASC, target_key ASC';

/**
 * A row a claim may take now (database clock): live, its lease free or ended, its retry time come.
 *
 * @param row - the table alias to qualify the columns with, with its dot (`'o.'`), or `''`
 * @returns the condition
 */
function claimable(row: string): string {
  return `${row}dead_at IS NULL
    AND (${row}lease_token IS NULL OR COALESCE(${row}lease_expires_at, 0) <= ${SQLITE_NOW_MS})
    AND ${row}not_before <= ${SQLITE_NOW_MS}`;
}

/**
 * An idle row: live, no lease, no retry time; claimable whatever the clock says. Exactly the rows of
 * `outbox_claim_idx` (schema version 2), written as its `WHERE` so that SQLite sees the index applies.
 */
const IDLE = 'dead_at IS NULL AND lease_token IS NULL AND not_before = 0';

/** A live row that is not idle: leased, or given a retry time. Exactly the rows of `outbox_waiting_idx`. */
const WAITING = 'dead_at IS NULL AND (lease_token IS NOT NULL OR not_before <> 0)';

/**
 * When a waiting row becomes claimable (database time, ms): its retry time, or the end of its lease if it has one
 * and that is later. A waiting row is claimable exactly when `READY_AT <= now` (for any `now` >= 0, which the
 * database clock is), so with {@link IDLE} rows the claimable rows are `IDLE OR (WAITING AND READY_AT <= now)`. The key
 * of `outbox_waiting_idx`, written as in the migration: SQLite uses an expression index only for the same expression.
 */
const READY_AT = 'max(not_before, CASE WHEN lease_token IS NULL THEN 0 ELSE COALESCE(lease_expires_at, 0) END)';

/**
 * The database clock for comparing with {@link READY_AT}. `+ 0` drops the INTEGER affinity the `CAST` of
 * {@link SQLITE_NOW_MS} carries: an index on an expression has no affinity, and SQLite only searches an index with a
 * comparison of the same affinity (it would scan `outbox_waiting_idx` instead). The value is unchanged.
 */
const NOW_FOR_READY_AT = `${SQLITE_NOW_MS} + 0`;

/** A fresh lease: 128 random bits from SQLite, ending `@leaseMs` after now on the database clock. */
const LEASE = `lease_token = lower(hex(randomblob(16))),
  lease_expires_at = ${SQLITE_NOW_MS} + @leaseMs`;

/**
 * Whether any waiting row is claimable now: one seek on `outbox_waiting_idx`. It decides which claim statement runs,
 * in the same `BEGIN IMMEDIATE` transaction: {@link CLAIM_ROWS} when none is (the usual case), else
 * {@link CLAIM_DUE_ROWS}. (A lease or retry time that ends in the microseconds between the two statements is seen by
 * the next claim: the claim is the one due at the time of this probe.)
 */
export const ANY_ROW_DUE = `
SELECT EXISTS (
  SELECT 1 FROM outbox INDEXED BY outbox_waiting_idx WHERE ${WAITING} AND ${READY_AT} <= ${NOW_FOR_READY_AT}
) AS due`;

/**
 * Leases the best `@limit` idle rows, in one statement: the claim when no waiting row is claimable (see
 * {@link ANY_ROW_DUE}), when the idle rows are all the claimable ones. It reads the front of `outbox_claim_idx` and
 * stops after `@limit` entries, each one a row it takes: the cost does not depend on how many rows the outbox holds,
 * nor on how many are leased or backing off. `INDEXED BY` pins the plan (the statement fails to prepare rather than
 * silently scan if the index cannot serve it). `RETURNING` gives no order: the caller sorts.
 */
export const CLAIM_ROWS = `
UPDATE outbox SET ${LEASE}
WHERE target_key IN (
  SELECT target_key FROM outbox INDEXED BY outbox_claim_idx
  WHERE ${IDLE}
  ORDER BY ${BEST_FIRST}
  LIMIT @limit
)
RETURNING *`;

/**
 * Leases the best `@limit` claimable rows when some waiting rows are claimable (an expired lease, a retry come due):
 * the best `@limit` idle rows (the front of `outbox_claim_idx`) and the best `@limit` claimable waiting rows (a range
 * of `outbox_waiting_idx`, sorted), then the best `@limit` of those. Two sorts, of the waiting rows whose time has come
 * and of at most `2 × @limit` rows; the same rows as a walk of every claimable row best first. `RETURNING` gives no
 * order: the caller sorts.
 */
export const CLAIM_DUE_ROWS = `
UPDATE outbox SET ${LEASE}
WHERE target_key IN (
  SELECT target_key FROM (
    SELECT * FROM (
      SELECT target_key, priority, enqueued_at FROM outbox INDEXED BY outbox_claim_idx
      WHERE ${IDLE}
      ORDER BY ${BEST_FIRST}
      LIMIT @limit
    )
    UNION ALL
    SELECT * FROM (
      SELECT target_key, priority, enqueued_at FROM outbox INDEXED BY outbox_waiting_idx
      WHERE ${WAITING} AND ${READY_AT} <= ${NOW_FOR_READY_AT}
      ORDER BY ${BEST_FIRST}
      LIMIT @limit
    )
  )
  ORDER BY ${BEST_FIRST}
  LIMIT @limit
)
RETURNING *`;

/**
 * Leases one target's row if it is claimable: a primary-key lookup, whatever the outbox holds. The claim the manager
 * makes before each send (`targetKeys` of one key). `RETURNING` the row, or nothing.
 */
export const CLAIM_TARGET_ROW = `
UPDATE outbox SET ${LEASE}
WHERE target_key = @targetKey AND ${claimable('')}
RETURNING *`;

/**
 * Leases up to `@limit` claimable rows among the keys of `@targetKeys` (a JSON array), best first: one primary-key
 * lookup per distinct key (`CROSS JOIN` keeps the keys as the outer loop, so SQLite never walks the outbox to find
 * them), then a sort of the rows found, at most one per key given. `RETURNING` gives no order: the caller sorts.
 */
export const CLAIM_TARGET_ROWS = `
UPDATE outbox SET ${LEASE}
WHERE target_key IN (
  SELECT o.target_key
  FROM (SELECT DISTINCT value AS target_key FROM json_each(@targetKeys)) AS k
  CROSS JOIN outbox AS o ON o.target_key = k.target_key
  WHERE ${claimable('o.')}
  ORDER BY o.priority DESC, o.enqueued_at ASC, o.target_key ASC
  LIMIT @limit
)
RETURNING *`;

/** The create's nonce, for the version about to be sent; set once and kept across attempts. */
export const SET_NONCE = `
UPDATE outbox SET nonce = @nonce, nonce_version = version
WHERE target_key = @targetKey AND nonce IS NULL`;

/**
 * Rewrites a row's nonce as it is, in a commit of its own that waits for the disk: makes a nonce handed out by a claim
 * (committed without waiting) durable before the create it goes with is sent.
 */
export const TOUCH_NONCE = 'UPDATE outbox SET nonce = nonce WHERE target_key = @targetKey';

/**
 * A message id learned from Discord: stored if the row has none, and then the create is over (the nonce is
 * cleared: what follows is an edit). SET expressions all read the row as it was before the update.
 */
const LEARN_MESSAGE_ID = `
  message_id = COALESCE(message_id, @messageId),
  nonce = CASE WHEN message_id IS NULL AND @messageId IS NOT NULL THEN NULL ELSE nonce END,
  nonce_version = CASE WHEN message_id IS NULL AND @messageId IS NOT NULL THEN NULL ELSE nonce_version END`;

/** Ack of the latest version: the row is done. */
export const ACK_DONE = `
DELETE FROM outbox WHERE target_key = @targetKey AND lease_token = @leaseToken AND version = @version`;

/** Ack of an older version: release the lease so the newer version is claimed next. */
export const ACK_NEWER = `
UPDATE outbox SET
  lease_token = NULL,
  lease_expires_at = NULL,
  attempts = 0,
  not_before = 0,${LEARN_MESSAGE_ID}
WHERE target_key = @targetKey AND lease_token = @leaseToken`;

/** A retryable failure: releases the lease (if still ours) and schedules the retry on the database clock. */
export const RELEASE_ROW = `
UPDATE outbox SET
  lease_token = NULL,
  lease_expires_at = NULL,
  attempts = @attempts,
  not_before = ${SQLITE_NOW_MS} + @retryInMs,
  last_error = @error,${LEARN_MESSAGE_ID}
WHERE target_key = @targetKey AND lease_token = @leaseToken`;

/** Makes a leased row a dead letter (if the lease is still ours), stamped with the database clock. */
export const DEAD_LETTER_ROW = `
UPDATE outbox SET
  lease_token = NULL,
  lease_expires_at = NULL,
  dead_at = ${SQLITE_NOW_MS},
  last_error = @error
WHERE target_key = @targetKey AND lease_token = @leaseToken`;

/** Dead letters, oldest first. */
export const LIST_DEAD_LETTERS = `
SELECT * FROM outbox WHERE dead_at IS NOT NULL ORDER BY dead_at ASC, target_key ASC LIMIT ?`;

/** Puts a dead letter back in the queue, attempts reset. */
export const REDRIVE_ROW = `
UPDATE outbox SET dead_at = NULL, attempts = 0, not_before = 0 WHERE target_key = ? AND dead_at IS NOT NULL`;

/** Rows not dead, best first (the claim order), along `outbox_pending_idx`. */
export const LIST_PENDING = `
SELECT * FROM outbox WHERE dead_at IS NULL ORDER BY ${BEST_FIRST} LIMIT ?`;

/** A `managed_messages` row. */
export interface ManagedRecord {
  readonly key: string;
  readonly channel_id: string;
  readonly message_id: string;
  readonly content_hash: string | null;
  readonly sort_order: number | bigint;
}

/**
 * Turns a `managed_messages` record into a {@link ManagedMessage}.
 *
 * @param record - the stored row
 * @returns the managed message
 */
export function decodeManaged(record: ManagedRecord): ManagedMessage {
  return {
    key: record.key,
    channelId: record.channel_id,
    messageId: record.message_id,
    contentHash: record.content_hash,
    sortOrder: Number(record.sort_order),
  };
}

/** Managed messages in display order. */
export const LIST_MANAGED = `
SELECT key, channel_id, message_id, content_hash, sort_order FROM managed_messages ORDER BY sort_order ASC, key ASC`;

/** Inserts or replaces a managed message. */
export const SAVE_MANAGED = `
INSERT INTO managed_messages (key, channel_id, message_id, content_hash, sort_order)
VALUES (@key, @channelId, @messageId, @contentHash, @sortOrder)
ON CONFLICT (key) DO UPDATE SET
  channel_id = excluded.channel_id,
  message_id = excluded.message_id,
  content_hash = excluded.content_hash,
  sort_order = excluded.sort_order`;

/** Forgets a managed key. */
export const DELETE_MANAGED = 'DELETE FROM managed_messages WHERE key = ?';

/** Appends a performance snapshot. */
export const INSERT_SNAPSHOT = `
INSERT INTO performance_metrics
  (timestamp, messages_updated, average_update_time_ms, queue_size, rate_limit_hits, failed_updates)
VALUES (@timestamp, @messagesUpdated, @averageUpdateTimeMs, @queueSize, @rateLimitHits, @failedUpdates)`;

/** Insertion order, as the memory repository returns them. */
export const LIST_SNAPSHOTS = `
SELECT timestamp, messages_updated, average_update_time_ms, queue_size, rate_limit_hits, failed_updates
FROM performance_metrics WHERE timestamp >= ? ORDER BY id ASC`;
