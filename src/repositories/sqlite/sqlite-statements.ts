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

/**
 * Leases up to `@limit` claimable rows, best first, in one statement. `@targetKeys` is a JSON array of keys or
 * `NULL` for any. Lease tokens are 128 random bits from SQLite. `RETURNING` gives no order: the caller sorts.
 */
export const CLAIM_ROWS = `
UPDATE outbox SET
  lease_token = lower(hex(randomblob(16))),
  lease_expires_at = ${SQLITE_NOW_MS} + @leaseMs
WHERE target_key IN (
  SELECT target_key FROM outbox
  WHERE dead_at IS NULL
    AND (lease_token IS NULL OR COALESCE(lease_expires_at, 0) <= ${SQLITE_NOW_MS})
    AND not_before <= ${SQLITE_NOW_MS}
    AND (@targetKeys IS NULL OR target_key IN (SELECT value FROM json_each(@targetKeys)))
  ORDER BY priority DESC, enqueued_at ASC, target_key ASC
  LIMIT @limit
)
RETURNING *`;

/** The create's nonce, for the version about to be sent; set once and kept across attempts. */
export const SET_NONCE = `
UPDATE outbox SET nonce = @nonce, nonce_version = version
WHERE target_key = @targetKey AND nonce IS NULL`;

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

/** Rows not dead, best first (the claim order). */
export const LIST_PENDING = `
SELECT * FROM outbox WHERE dead_at IS NULL ORDER BY priority DESC, enqueued_at ASC, target_key ASC LIMIT ?`;

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
