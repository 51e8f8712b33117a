import type { SqliteMigration } from '../sqlite-migrations.js';

/**
 * Schema version 2: indexes that let a claim seek instead of walking the backlog (issue 8, item 4).
 *
 * Version 1 had one index for claims and `listPending`, over every live row best first. A claim walked it from the
 * front and skipped, one by one, the rows it could not take: those leased by a sender still in flight and those
 * waiting for a retry time, which sit at the front because they were the best when they were claimed. With 2 % of
 * the rows in each state a claim read 40,000 index entries at 1,000,000 rows (17 ms). Version 2 splits the live rows
 * by whether the clock matters:
 *
 * - `outbox_claim_idx` now holds only the *idle* rows (no lease, no retry time: `lease_token IS NULL AND
 *   not_before = 0`), which a claim may take whatever the time, best first. Every entry read is a row the claim
 *   takes, so a claim reads `limit` entries. The key columns are those of version 1 (`dead_at` first, always null
 *   here), so the claim's `dead_at IS NULL` is an equality the plan shows as a seek.
 * - `outbox_waiting_idx` holds the other live rows, keyed by the database time they become claimable again: the
 *   retry time, or the end of the lease if that is later. "Is any waiting row claimable now?" is one seek; when one
 *   is, the claim merges the claimable waiting rows (few: expired leases and retries that came due) with the idle
 *   rows.
 * - `outbox_pending_idx` is version 1's index under a new name, for `listPending` (every live row, best first) and
 *   `listDeadLetters`.
 *
 * The rows a claim returns, and their order, are those of version 1. Migrating rebuilds the indexes inside one
 * `BEGIN IMMEDIATE` transaction, which holds the write lock meanwhile (3.2 s for 1,000,000 rows on the bench machine). The key of `outbox_waiting_idx` must stay
 * written exactly as the claim statements write it (`READY_AT` in `sqlite-statements.ts`), or SQLite cannot use it;
 * the plan tests check that it does.
 */
export const migration: SqliteMigration = {
  version: 2,
  name: 'claimable-indexes',
  sql: `
DROP INDEX outbox_claim_idx;

CREATE INDEX outbox_pending_idx ON outbox (dead_at, priority DESC, enqueued_at, target_key);

CREATE INDEX outbox_claim_idx ON outbox (dead_at, priority DESC, enqueued_at, target_key)
  WHERE dead_at IS NULL AND lease_token IS NULL AND not_before = 0;

CREATE INDEX outbox_waiting_idx
  ON outbox (max(not_before, CASE WHEN lease_token IS NULL THEN 0 ELSE COALESCE(lease_expires_at, 0) END))
  WHERE dead_at IS NULL AND (lease_token IS NOT NULL OR not_before <> 0);
`,
};
