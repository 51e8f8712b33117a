/**
 * The SQL of the Postgres adapter, built once per schema. Values are always bind parameters; the only text spliced
 * in is the schema name, validated and quoted by `quotePostgresSchema` before it gets here.
 *
 * @module
 */

/**
 * The database clock in milliseconds. `clock_timestamp()` (not `now()`, frozen at the start of the transaction) so a
 * lease counted inside a transaction starts when the statement runs.
 */
export const POSTGRES_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The outbox columns in {@link OutboxRow} order; `body` as text so JSON parsing never depends on pool type parsers. */
const OUTBOX_COLUMNS = `target_key, desired, channel_id, message_id, managed_key, body::text AS body, priority,
  enqueued_at, deadline_at, version, nonce, nonce_version, attempts, not_before, lease_token, lease_expires_at,
  last_error, dead_at`;

/** Best first, as `compareRows` of the memory repository (`target_key` uses the "C" collation). */
const BEST_FIRST = `priority DESC, enqueued_at, target_key`;

/**
 * A row is claimable when it is live, its lease is free or expired, and its retry time has come. The clock is read
 * once per statement (`clock` below): a one-row CTE read through sub-selects, which PostgreSQL runs once, rather than
 * a join, which would make the filter a join filter and keep the scan from delivering rows in index order.
 */
const CLAIMABLE = `o.dead_at IS NULL
  AND (o.lease_token IS NULL OR COALESCE(o.lease_expires_at, 0) <= (SELECT now_ms FROM clock))
  AND o.not_before <= (SELECT now_ms FROM clock)`;

/**
 * An idle row of `t`: live, no lease, no retry time; claimable whatever the clock says. Exactly the rows of
 * `outbox_idle_idx` (schema version 3), written as its `WHERE` so that PostgreSQL sees the index applies.
 */
const idle = (t: string): string => `${t}.dead_at IS NULL AND ${t}.lease_token IS NULL AND ${t}.not_before = 0`;

/** A live row of `t` that is not idle: leased, or given a retry time. Exactly the rows of `outbox_waiting_idx`. */
const waiting = (t: string): string =>
  `${t}.dead_at IS NULL AND (${t}.lease_token IS NOT NULL OR ${t}.not_before <> 0)`;

/**
 * When a waiting row of `t` becomes claimable (database time, ms): its retry time, or the end of its lease if it has
 * one and that is later. A waiting row is claimable exactly when this is at most now (the clock is never negative),
 * so the claimable rows are the idle ones and the waiting ones whose time has come. The key of `outbox_waiting_idx`,
 * as the migration writes it: PostgreSQL uses an expression index only for the same expression.
 */
const readyAt = (t: string): string =>
  `GREATEST(${t}.not_before, CASE WHEN ${t}.lease_token IS NULL THEN 0 ELSE COALESCE(${t}.lease_expires_at, 0) END)`;

/** Whether the claim must create a message and has no nonce yet (columns of `o`). */
const NEEDS_NONCE = `(o.desired = 'present' AND o.message_id IS NULL AND o.nonce IS NULL) AS needs_nonce`;

/** A row is leased when it has a token whose lease has not ended (database clock). */
const LEASED = `(lease_token IS NOT NULL AND COALESCE(lease_expires_at, 0) > ${POSTGRES_NOW_MS})`;

/**
 * The rows of a batch of folded upserts, as `u`. The scalar columns come as one typed array each (`unnest` zips them
 * back into rows): $1 keys, $2 desired, $3 channels, $4 message ids, $5 managed keys, $7 priorities, $8 enqueue times,
 * $9 deadlines, $10 versions. The bodies come as one JSON array, $6, element `i` for row `i` (already JSON, so nothing
 * to escape); a row whose desired state is `absent` has no body. A fixed number of parameters whatever the batch
 * size, so a batch of thousands is one short statement with nothing but bind parameters.
 */
const BATCH_ROWS = `(SELECT r.*, CASE WHEN r.desired = 'present' THEN $6::jsonb -> (r.ord - 1)::int END AS body
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::float8[], $8::bigint[], $9::bigint[],
      $10::bigint[]) WITH ORDINALITY
    AS r(target_key, desired, channel_id, message_id, managed_key, priority, enqueued_at, deadline_at, version, ord)
  ) AS u`;

/** {@link BATCH_ROWS} with one more column, `op` from $11: the write to make (`drop`, `fresh` or `merge`). */
const PLANNED_BATCH_ROWS = `(SELECT r.*, CASE WHEN r.desired = 'present' THEN $6::jsonb -> (r.ord - 1)::int END AS body
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::float8[], $8::bigint[], $9::bigint[],
      $10::bigint[], $11::text[]) WITH ORDINALITY
    AS r(target_key, desired, channel_id, message_id, managed_key, priority, enqueued_at, deadline_at, version, op, ord)
  ) AS u`;

/** Every statement of the adapter for one schema. */
export type PostgresStatements = ReturnType<typeof buildPostgresStatements>;

/**
 * Builds the adapter's SQL for one schema.
 *
 * @param s - the quoted schema name (from `quotePostgresSchema`)
 * @returns the statements, keyed by use
 */
export function buildPostgresStatements(s: string) {
  const outbox = `${s}.outbox`;
  const statements = {
    /**
     * The merge of one upsert into its row (coalescing happens here): the newest body and desired state, the known
     * message id kept, the highest priority, the earliest enqueue time, a deadline only while every part has one, the
     * version plus one, and a dead letter revived. `channel_id` is the first upsert's (as the memory repository).
     * $1 key, $2 desired, $3 channel, $4 message id, $5 managed key, $6 body (JSON text), $7 priority, $8 enqueued
     * at, $9 deadline.
     */
    upsert: `INSERT INTO ${outbox} AS o (target_key, desired, channel_id, message_id, managed_key, body, priority,
        enqueued_at, deadline_at, version)
      VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, 1)
      ON CONFLICT (target_key) DO UPDATE SET
        desired = EXCLUDED.desired,
        body = EXCLUDED.body,
        message_id = COALESCE(o.message_id, EXCLUDED.message_id),
        managed_key = COALESCE(EXCLUDED.managed_key, o.managed_key),
        priority = GREATEST(o.priority, EXCLUDED.priority),
        enqueued_at = LEAST(o.enqueued_at, EXCLUDED.enqueued_at),
        deadline_at = CASE WHEN o.deadline_at IS NULL OR EXCLUDED.deadline_at IS NULL THEN NULL
                           ELSE GREATEST(o.deadline_at, EXCLUDED.deadline_at) END,
        version = o.version + 1,
        attempts = CASE WHEN o.dead_at IS NULL THEN o.attempts ELSE 0 END,
        not_before = CASE WHEN o.dead_at IS NULL THEN o.not_before ELSE 0 END,
        dead_at = NULL
      RETURNING version`,

    /**
     * {@link upsert} for a whole batch whose upserts never depend on the stored row, each target's upserts folded into
     * one (see `postgres-batch.ts`): the same merge, with `version` carrying the number of upserts folded, added to
     * the stored version. Rows are taken in key order, so batches that overlap wait for each other instead of
     * deadlocking. Rows as {@link BATCH_ROWS}, keys unique. Returns each key's new version.
     */
    upsertBatch: `INSERT INTO ${outbox} AS o (target_key, desired, channel_id, message_id, managed_key, body, priority,
        enqueued_at, deadline_at, version)
      SELECT u.target_key, u.desired, u.channel_id, u.message_id, u.managed_key, u.body, u.priority,
        u.enqueued_at, u.deadline_at, u.version
      FROM ${BATCH_ROWS}
      ORDER BY u.target_key COLLATE "C"
      ON CONFLICT (target_key) DO UPDATE SET
        desired = EXCLUDED.desired,
        body = EXCLUDED.body,
        message_id = COALESCE(o.message_id, EXCLUDED.message_id),
        managed_key = COALESCE(EXCLUDED.managed_key, o.managed_key),
        priority = GREATEST(o.priority, EXCLUDED.priority),
        enqueued_at = LEAST(o.enqueued_at, EXCLUDED.enqueued_at),
        deadline_at = CASE WHEN o.deadline_at IS NULL OR EXCLUDED.deadline_at IS NULL THEN NULL
                           ELSE GREATEST(o.deadline_at, EXCLUDED.deadline_at) END,
        version = o.version + EXCLUDED.version,
        attempts = CASE WHEN o.dead_at IS NULL THEN o.attempts ELSE 0 END,
        not_before = CASE WHEN o.dead_at IS NULL THEN o.not_before ELSE 0 END,
        dead_at = NULL
      RETURNING target_key, version`,

    /**
     * Locks the rows of a batch that holds deletes depending on the stored row, in key order, and reads what decides
     * them. A missing row gets a placeholder (version 0, never committed: the batch replaces or deletes it), so a
     * target is locked even when it has no row yet and a concurrent enqueue of it waits for this batch. The no-op
     * update locks an existing row and returns its latest committed state. $1 keys (unique).
     */
    lockBatch: `INSERT INTO ${outbox} AS o (target_key, desired, channel_id, priority, enqueued_at, version)
      SELECT k.target_key, 'absent', '', 0, 0, 0 FROM unnest($1::text[]) AS k(target_key)
      ORDER BY k.target_key COLLATE "C"
      ON CONFLICT (target_key) DO UPDATE SET version = o.version
      RETURNING target_key, version, (message_id IS NULL AND nonce IS NULL AND NOT ${LEASED}) AS droppable`,

    /**
     * Writes a batch planned against the rows {@link lockBatch} locked: `u.op` is `drop` (delete the row or the
     * placeholder), `fresh` (every column from the batch: a new row, or one dropped and re-created) or `merge` (the
     * merge of {@link upsert}). Rows as {@link PLANNED_BATCH_ROWS}, keys unique, `version` the final one (the rows
     * are locked: nothing changed them since they were read).
     */
    applyBatch: `WITH u AS (SELECT * FROM ${PLANNED_BATCH_ROWS}),
      dropped AS (DELETE FROM ${outbox} AS o USING u WHERE u.op = 'drop' AND o.target_key = u.target_key)
      UPDATE ${outbox} AS o SET
        desired = u.desired,
        body = u.body,
        channel_id = CASE WHEN u.op = 'fresh' THEN u.channel_id ELSE o.channel_id END,
        message_id = CASE WHEN u.op = 'fresh' THEN u.message_id ELSE COALESCE(o.message_id, u.message_id) END,
        managed_key = CASE WHEN u.op = 'fresh' THEN u.managed_key ELSE COALESCE(u.managed_key, o.managed_key) END,
        priority = CASE WHEN u.op = 'fresh' THEN u.priority ELSE GREATEST(o.priority, u.priority) END,
        enqueued_at = CASE WHEN u.op = 'fresh' THEN u.enqueued_at ELSE LEAST(o.enqueued_at, u.enqueued_at) END,
        deadline_at = CASE WHEN u.op = 'fresh' THEN u.deadline_at
                           WHEN o.deadline_at IS NULL OR u.deadline_at IS NULL THEN NULL
                           ELSE GREATEST(o.deadline_at, u.deadline_at) END,
        version = u.version,
        nonce = CASE WHEN u.op = 'fresh' THEN NULL ELSE o.nonce END,
        nonce_version = CASE WHEN u.op = 'fresh' THEN NULL ELSE o.nonce_version END,
        attempts = CASE WHEN u.op = 'fresh' OR o.dead_at IS NOT NULL THEN 0 ELSE o.attempts END,
        not_before = CASE WHEN u.op = 'fresh' OR o.dead_at IS NOT NULL THEN 0 ELSE o.not_before END,
        lease_token = CASE WHEN u.op = 'fresh' THEN NULL ELSE o.lease_token END,
        lease_expires_at = CASE WHEN u.op = 'fresh' THEN NULL ELSE o.lease_expires_at END,
        last_error = CASE WHEN u.op = 'fresh' THEN NULL ELSE o.last_error END,
        dead_at = NULL
      FROM u WHERE u.op <> 'drop' AND o.target_key = u.target_key`,

    /** Locks a row before a delete decides whether it is the whole job. $1 key. */
    lockForDelete: `SELECT version, message_id, nonce, ${LEASED} AS leased
      FROM ${outbox} WHERE target_key = $1 FOR UPDATE`,

    /** $1 key. */
    remove: `DELETE FROM ${outbox} WHERE target_key = $1`,

    /**
     * Locks up to $1 claimable rows, best first, skipping rows other transactions hold, and says which need a nonce.
     * The filter re-runs on the latest row version after a wait, so a row claimed meanwhile is never taken twice.
     *
     * Two branches, of which PostgreSQL runs one (each is gated by a one-time filter on `due`: one probe of
     * `outbox_waiting_idx` for a waiting row whose time has come):
     * - none is due (the usual case): the claimable rows are the idle ones, locked from the front of
     *   `outbox_idle_idx`: $1 entries, each a row taken, plus those skipped because another claim holds them. No
     *   sort, and nothing that grows with the outbox or with the rows leased or backing off.
     * - some are: the best $1 idle rows and the best $1 claimable waiting rows (a range of `outbox_waiting_idx`,
     *   sorted: the only sort, of the rows whose time has come), each locked in its order, then the best $1 of both.
     *   The same rows as a walk of every claimable row best first; the other rows locked (at most $1) are only held
     *   until the claim commits, and other claims skip them meanwhile as they skip any row being claimed.
     * Each branch reads a bounded number of rows whatever the statistics say, so the plan stays cheap (no hash of the
     * outbox, no sort of the idle rows).
     */
    claimLock: `WITH clock AS (SELECT ${POSTGRES_NOW_MS} AS now_ms),
      due AS (SELECT EXISTS (SELECT 1 FROM ${outbox} AS w
        WHERE ${waiting('w')} AND ${readyAt('w')} <= (SELECT now_ms FROM clock)) AS found)
      SELECT idle_rows.target_key, idle_rows.needs_nonce FROM (
        SELECT o.target_key, ${NEEDS_NONCE}
        FROM ${outbox} AS o
        WHERE ${idle('o')} AND NOT (SELECT found FROM due)
        ORDER BY ${BEST_FIRST}
        LIMIT $1
        FOR UPDATE OF o SKIP LOCKED
      ) AS idle_rows
      UNION ALL
      SELECT due_rows.target_key, due_rows.needs_nonce FROM (
        SELECT * FROM (
          SELECT o.target_key, ${NEEDS_NONCE}, o.priority, o.enqueued_at
          FROM ${outbox} AS o
          WHERE ${idle('o')}
          ORDER BY ${BEST_FIRST}
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED
        ) AS idle_part
        UNION ALL
        SELECT * FROM (
          SELECT o.target_key, ${NEEDS_NONCE}, o.priority, o.enqueued_at
          FROM ${outbox} AS o
          WHERE ${waiting('o')} AND ${readyAt('o')} <= (SELECT now_ms FROM clock)
          ORDER BY ${BEST_FIRST}
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED
        ) AS waiting_part
        ORDER BY priority DESC, enqueued_at, target_key
        LIMIT $1
      ) AS due_rows
      WHERE (SELECT found FROM due)`,

    /** As {@link claimLock}, for one target only ($2): a primary-key lookup. */
    claimLockKey: `WITH clock AS (SELECT ${POSTGRES_NOW_MS} AS now_ms)
      SELECT o.target_key, ${NEEDS_NONCE}
      FROM ${outbox} AS o
      WHERE ${CLAIMABLE} AND o.target_key = $2
      LIMIT $1
      FOR UPDATE OF o SKIP LOCKED`,

    /**
     * As {@link claimLock}, among the keys in $2 only: a primary-key lookup per key, then a sort of the rows found (at
     * most one per key given).
     */
    claimLockKeys: `WITH clock AS (SELECT ${POSTGRES_NOW_MS} AS now_ms)
      SELECT o.target_key, ${NEEDS_NONCE}
      FROM ${outbox} AS o
      WHERE ${CLAIMABLE} AND o.target_key = ANY($2::text[])
      ORDER BY ${BEST_FIRST}
      LIMIT $1
      FOR UPDATE OF o SKIP LOCKED`,

    /**
     * Leases the locked rows: $1 keys, $2 lease tokens, $3 nonces (null when the row keeps its own), $4 lease length
     * in ms, counted from the database clock (read once, so every row of the claim gets the same end). Returns the
     * claimed rows in no particular order (the caller has the best-first order from the lock).
     */
    claimLease: `UPDATE ${outbox} SET
        lease_token = c.claim_token,
        lease_expires_at = (clock.now_ms + $4::float8)::bigint,
        nonce = COALESCE(c.claim_nonce, nonce),
        nonce_version = CASE WHEN c.claim_nonce IS NULL THEN nonce_version ELSE version END
      FROM unnest($1::text[], $2::text[], $3::text[]) AS c(claim_key, claim_token, claim_nonce),
        (SELECT ${POSTGRES_NOW_MS} AS now_ms) AS clock
      WHERE target_key = c.claim_key
      RETURNING ${OUTBOX_COLUMNS}`,

    /** The ack of the latest version: $1 key, $2 lease token, $3 version. */
    ackDone: `DELETE FROM ${outbox} WHERE target_key = $1 AND lease_token = $2 AND version = $3`,

    /**
     * The acks of several targets at once, each of its latest version: $1 keys, $2 lease tokens, $3 versions. Returns
     * the keys and tokens acknowledged (the others were newer, or lost their lease).
     */
    ackDoneMany: `DELETE FROM ${outbox} AS o
      USING unnest($1::text[], $2::text[], $3::bigint[]) AS a(ack_key, ack_token, ack_version)
      WHERE o.target_key = a.ack_key AND o.lease_token = a.ack_token AND o.version = a.ack_version
      RETURNING o.target_key, o.lease_token`,

    /**
     * The ack of an older version: releases the lease for the newer one and learns the message id of a create.
     * $1 key, $2 lease token, $3 message id or null.
     */
    ackNewer: `UPDATE ${outbox} SET
        lease_token = NULL,
        lease_expires_at = NULL,
        attempts = 0,
        not_before = 0,
        message_id = COALESCE(message_id, $3::text),
        nonce = CASE WHEN message_id IS NULL AND $3::text IS NOT NULL THEN NULL ELSE nonce END,
        nonce_version = CASE WHEN message_id IS NULL AND $3::text IS NOT NULL THEN NULL ELSE nonce_version END
      WHERE target_key = $1 AND lease_token = $2`,

    /** $1 key, $2 lease token, $3 attempts, $4 retry delay in ms (database clock), $5 error, $6 message id or null. */
    release: `UPDATE ${outbox} SET
        lease_token = NULL,
        lease_expires_at = NULL,
        attempts = $3,
        not_before = (${POSTGRES_NOW_MS} + $4::float8)::bigint,
        last_error = $5,
        message_id = COALESCE(message_id, $6::text),
        nonce = CASE WHEN message_id IS NULL AND $6::text IS NOT NULL THEN NULL ELSE nonce END,
        nonce_version = CASE WHEN message_id IS NULL AND $6::text IS NOT NULL THEN NULL ELSE nonce_version END
      WHERE target_key = $1 AND lease_token = $2`,

    /** $1 key, $2 lease token, $3 error. */
    deadLetter: `UPDATE ${outbox} SET
        lease_token = NULL,
        lease_expires_at = NULL,
        dead_at = ${POSTGRES_NOW_MS},
        last_error = $3
      WHERE target_key = $1 AND lease_token = $2`,

    /** $1 limit (null for all). */
    listDeadLetters: `SELECT ${OUTBOX_COLUMNS} FROM ${outbox}
      WHERE dead_at IS NOT NULL ORDER BY dead_at, target_key LIMIT $1`,

    /** $1 key. */
    redrive: `UPDATE ${outbox} SET dead_at = NULL, attempts = 0, not_before = 0
      WHERE target_key = $1 AND dead_at IS NOT NULL`,

    /** $1 limit (null for all). */
    listPending: `SELECT ${OUTBOX_COLUMNS} FROM ${outbox} WHERE dead_at IS NULL ORDER BY ${BEST_FIRST} LIMIT $1`,

    /** $1 key. */
    getRow: `SELECT ${OUTBOX_COLUMNS} FROM ${outbox} WHERE target_key = $1`,

    listManaged: `SELECT key, channel_id, message_id, content_hash, sort_order
      FROM ${s}.managed_messages ORDER BY sort_order, key`,

    /** $1 key, $2 channel, $3 message id, $4 content hash, $5 sort order. */
    saveManaged: `INSERT INTO ${s}.managed_messages (key, channel_id, message_id, content_hash, sort_order)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (key) DO UPDATE SET channel_id = EXCLUDED.channel_id, message_id = EXCLUDED.message_id,
        content_hash = EXCLUDED.content_hash, sort_order = EXCLUDED.sort_order`,

    /** $1 key. */
    deleteManaged: `DELETE FROM ${s}.managed_messages WHERE key = $1`,

    /** The seed's columns, in its order. */
    recordSnapshot: `INSERT INTO ${s}.performance_metrics
        ("timestamp", messages_updated, average_update_time_ms, queue_size, rate_limit_hits, failed_updates)
      VALUES ($1, $2, $3, $4, $5, $6)`,

    /** $1 first timestamp (inclusive). Insertion order, as the memory repository (snapshots are appended in time). */
    listSnapshots: `SELECT "timestamp", messages_updated, average_update_time_ms, queue_size, rate_limit_hits,
        failed_updates
      FROM ${s}.performance_metrics WHERE "timestamp" >= $1 ORDER BY id`,
  } as const;
  return {
    ...statements,
    /** {@link claimLock} and the lease in one statement: $1 limit, then as {@link leaseLocked} from $2. */
    claim: leaseLocked(outbox, statements.claimLock, 2),
    /** {@link claimLockKey} and the lease in one statement: $1 limit, $2 key, then as {@link leaseLocked} from $3. */
    claimKey: leaseLocked(outbox, statements.claimLockKey, 3),
    /** {@link claimLockKeys} and the lease in one statement: $1 limit, $2 keys, then as {@link leaseLocked} from $3. */
    claimKeys: leaseLocked(outbox, statements.claimLockKeys, 3),
  } as const;
}

/**
 * A claim in one statement (one round trip, atomic on its own): the rows `lock` locks (a materialized CTE, so they are
 * locked once, `SKIP LOCKED` as in `lock` alone), ranked best first, then leased. Parameters from `$first`: the lease
 * length in ms (counted from the database clock, read once, so every row of the claim gets the same end), the lease
 * tokens and the nonces, as text arrays indexed by rank (row `r` gets token `r`, and nonce `r` if it needs one; the
 * caller passes at least as many as the claim's limit). Returns the claimed rows with their rank (`claim_rank`).
 */
function leaseLocked(outbox: string, lock: string, first: number): string {
  const [leaseMs, tokens, nonces] = [first, first + 1, first + 2].map((n) => `$${n}`);
  return `WITH locked AS MATERIALIZED (${lock}),
      ranked AS (
        SELECT l.target_key AS claimed_key, l.needs_nonce,
          row_number() OVER (ORDER BY r.priority DESC, r.enqueued_at, r.target_key) AS claim_rank
        FROM locked AS l JOIN ${outbox} AS r ON r.target_key = l.target_key
      )
    UPDATE ${outbox} AS o SET
        lease_token = (${tokens}::text[])[ranked.claim_rank],
        lease_expires_at = (clock.now_ms + ${leaseMs}::float8)::bigint,
        nonce = CASE WHEN ranked.needs_nonce THEN (${nonces}::text[])[ranked.claim_rank] ELSE o.nonce END,
        nonce_version = CASE WHEN ranked.needs_nonce THEN o.version ELSE o.nonce_version END
      FROM ranked, (SELECT ${POSTGRES_NOW_MS} AS now_ms) AS clock
      WHERE o.target_key = ranked.claimed_key
      RETURNING ranked.claim_rank, ${OUTBOX_COLUMNS}`;
}
