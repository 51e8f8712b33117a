import type { PostgresMigration } from '../postgres-migrations.js';

/**
 * Schema version 1: the outbox, the managed-message map and the `performance_metrics` snapshots.
 *
 * Times are whole milliseconds in `bigint` columns: database-clock times (`not_before`, `lease_expires_at`,
 * `dead_at`) come from `clock_timestamp()`, client times (`enqueued_at`, `deadline_at`, snapshot `timestamp`) are
 * rounded to the millisecond. `priority` and `sort_order` are `double precision` so any JavaScript number the caller
 * uses round-trips exactly (the memory repository accepts any number). Keys use the `"C"` collation so that ordering ties on `target_key` break the same way
 * in every database, whatever its locale. `{schema}` is replaced by the quoted, validated schema name.
 */
export const migration: PostgresMigration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE {schema}.outbox (
  target_key       text COLLATE "C" NOT NULL PRIMARY KEY,
  desired          text             NOT NULL CHECK (desired IN ('present', 'absent')),
  channel_id       text             NOT NULL,
  message_id       text,
  managed_key      text,
  body             jsonb,
  priority         double precision NOT NULL,
  enqueued_at      bigint           NOT NULL,
  deadline_at      bigint,
  version          bigint           NOT NULL,
  nonce            text,
  nonce_version    bigint,
  attempts         integer          NOT NULL DEFAULT 0,
  not_before       bigint           NOT NULL DEFAULT 0,
  lease_token      text,
  lease_expires_at bigint,
  last_error       text,
  dead_at          bigint
);

-- Claiming walks live rows best first and skips leased or backed-off ones; dead letters are never claimed.
CREATE INDEX outbox_claim_idx ON {schema}.outbox (priority DESC, enqueued_at, target_key) WHERE dead_at IS NULL;
-- Dead letters, oldest first.
CREATE INDEX outbox_dead_idx ON {schema}.outbox (dead_at, target_key) WHERE dead_at IS NOT NULL;

CREATE TABLE {schema}.managed_messages (
  key          text COLLATE "C" NOT NULL PRIMARY KEY,
  channel_id   text             NOT NULL,
  message_id   text             NOT NULL,
  content_hash text,
  sort_order   double precision NOT NULL
);

CREATE TABLE {schema}.performance_metrics (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "timestamp"            bigint           NOT NULL,
  messages_updated       bigint           NOT NULL,
  average_update_time_ms double precision NOT NULL,
  queue_size             bigint           NOT NULL,
  rate_limit_hits        bigint           NOT NULL,
  failed_updates         bigint           NOT NULL
);

CREATE INDEX performance_metrics_timestamp_idx ON {schema}.performance_metrics ("timestamp");
`,
};
