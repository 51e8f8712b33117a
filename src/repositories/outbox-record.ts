import { InvalidArgumentError } from '../errors/message-update-error.js';
import type { OutboxRow, OutboxUpsert, PerformanceSnapshot } from './update-repository.js';

/** A number as a SQL driver returns it: better-sqlite3 gives numbers or bigints, pg gives strings for bigint columns. */
type Numeric = number | bigint | string;

/**
 * An `outbox` record as the SQL adapters select it: the same columns in SQLite and Postgres (snake_case, times in
 * ms, body as JSON text).
 */
export interface OutboxRecord {
  readonly target_key: string;
  readonly desired: 'present' | 'absent';
  readonly channel_id: string;
  readonly message_id: string | null;
  readonly managed_key: string | null;
  readonly body: string | null;
  readonly priority: Numeric;
  readonly enqueued_at: Numeric;
  readonly deadline_at: Numeric | null;
  readonly version: Numeric;
  readonly nonce: string | null;
  readonly nonce_version: Numeric | null;
  readonly attempts: Numeric;
  readonly not_before: Numeric;
  readonly lease_token: string | null;
  readonly lease_expires_at: Numeric | null;
  readonly last_error: string | null;
  readonly dead_at: Numeric | null;
}

const nullableNumber = (value: Numeric | null): number | null => (value === null ? null : Number(value));

/**
 * Turns an `outbox` record into the contract's {@link OutboxRow}.
 *
 * @param record - a row selected with the adapter's column list
 * @returns the decoded row (body parsed from JSON text)
 */
export function decodeOutboxRow(record: OutboxRecord): OutboxRow {
  return {
    targetKey: record.target_key,
    desired: record.desired,
    channelId: record.channel_id,
    messageId: record.message_id,
    managedKey: record.managed_key,
    body: record.body === null ? null : (JSON.parse(record.body) as unknown),
    priority: Number(record.priority),
    enqueuedAt: Number(record.enqueued_at),
    deadlineAt: nullableNumber(record.deadline_at),
    version: Number(record.version),
    nonce: record.nonce,
    nonceVersion: nullableNumber(record.nonce_version),
    attempts: Number(record.attempts),
    notBefore: Number(record.not_before),
    leaseToken: record.lease_token,
    leaseExpiresAt: nullableNumber(record.lease_expires_at),
    lastError: record.last_error,
    deadAt: nullableNumber(record.dead_at),
  };
}

/**
 * The JSON text stored for an upsert's body: the body when `desired` is `present`, else `null` (as the memory
 * repository stores it).
 *
 * @param update - the upsert
 * @returns JSON text, or `null`
 * @throws {@link InvalidArgumentError} when the body cannot be serialised (a `bigint`, a cycle)
 */
export function encodeBody(update: OutboxUpsert): string | null {
  if (update.desired !== 'present') return null;
  try {
    return JSON.stringify(update.body ?? null) ?? 'null';
  } catch {
    throw new InvalidArgumentError(
      'body',
      update.body,
      `a JSON-serialisable message body (the outbox stores bodies as JSON; target ${update.targetKey})`,
    );
  }
}

/** A `performance_metrics` record as the SQL adapters select it (without its id). */
export interface SnapshotRecord {
  readonly timestamp: Numeric;
  readonly messages_updated: Numeric;
  readonly average_update_time_ms: Numeric;
  readonly queue_size: Numeric;
  readonly rate_limit_hits: Numeric;
  readonly failed_updates: Numeric;
}

/**
 * Turns a `performance_metrics` record into a {@link PerformanceSnapshot}.
 *
 * @param record - a selected row
 * @returns the snapshot
 */
export function decodeSnapshot(record: SnapshotRecord): PerformanceSnapshot {
  return {
    timestamp: Number(record.timestamp),
    messagesUpdated: Number(record.messages_updated),
    averageUpdateTimeMs: Number(record.average_update_time_ms),
    queueSize: Number(record.queue_size),
    rateLimitHits: Number(record.rate_limit_hits),
    failedUpdates: Number(record.failed_updates),
  };
}
