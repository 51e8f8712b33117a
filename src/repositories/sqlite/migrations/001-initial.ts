import type { SqliteMigration } from '../sqlite-migrations.js';

/**
 * Schema version 1: the outbox, the managed-message map and the `performance_metrics` snapshots.
 *
 * Numbers: times are milliseconds. Columns declared `INTEGER` keep a fractional JavaScript number as a REAL
 * (SQLite's type affinity stores a value as an integer only when the conversion is lossless), so client times such
 * as `performance.timeOrigin + performance.now()` round-trip exactly. Bodies are JSON text.
 */
export const migration: SqliteMigration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE outbox (
  target_key       TEXT    NOT NULL PRIMARY KEY,
  desired          TEXT    NOT NULL CHECK (desired IN ('present', 'absent')),
  channel_id       TEXT    NOT NULL,
  message_id       TEXT,
  managed_key      TEXT,
  body             TEXT    CHECK (body IS NULL OR json_valid(body)),
  priority         INTEGER NOT NULL,
  enqueued_at      INTEGER NOT NULL,
  deadline_at      INTEGER,
  version          INTEGER NOT NULL,
  nonce            TEXT,
  nonce_version    INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  not_before       INTEGER NOT NULL DEFAULT 0,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  last_error       TEXT,
  dead_at          INTEGER
);

-- Claiming and listPending: live rows (dead_at IS NULL) walked best first, so a claim reads rows in order and stops
-- after LIMIT ready ones instead of sorting the whole backlog. Lease and retry times are checked on the rows read:
-- as index columns placed before the order they would force a sort (they are ranges, not equalities).
CREATE INDEX outbox_claim_idx ON outbox (dead_at, priority DESC, enqueued_at, target_key);

CREATE TABLE managed_messages (
  key          TEXT    NOT NULL PRIMARY KEY,
  channel_id   TEXT    NOT NULL,
  message_id   TEXT    NOT NULL,
  content_hash TEXT,
  sort_order   INTEGER NOT NULL
);

CREATE TABLE performance_metrics (
  id                     INTEGER PRIMARY KEY,
  timestamp              INTEGER NOT NULL,
  messages_updated       INTEGER NOT NULL,
  average_update_time_ms REAL    NOT NULL,
  queue_size             INTEGER NOT NULL,
  rate_limit_hits        INTEGER NOT NULL,
  failed_updates         INTEGER NOT NULL
);

CREATE INDEX performance_metrics_timestamp_idx ON performance_metrics (timestamp);
`,
};
