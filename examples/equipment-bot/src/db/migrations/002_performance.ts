/**
 * Migration 002: the seed's performance migration (`002_performance_optimization.sql`), adapted to this schema, plus
 * the indexes the bot's hot queries need. The EXPLAIN tests (`test/db/query-plans.test.ts`) check that each hot
 * query uses the index named for it here.
 *
 * The seed indexed a stored `status` column; here the status is derived (Unavailable = the admin flag; Loaned = a
 * started confirmed reservation; else Available), so each index keys what the status queries filter on instead:
 *
 * | seed                                               | here                                                    |
 * |----------------------------------------------------|---------------------------------------------------------|
 * | equipment (guild_id, status)                       | `idx_equipment_guild_status` (guild_id, unavailable)    |
 * | equipment (tag_id, status)                         | `idx_equipment_tag_status` (tag_id, unavailable)        |
 * | equipment (guild_id, status, tag_id, created_at)   | `idx_equipment_composite` (guild_id, tag_id, created_at): the listing shows every item, so the flag is not a prefix |
 * | reservations (equipment_id, status)                | `idx_reservations_equipment_status` (equipment_id, status, start_at): the overlap check and the "Loaned?" probe also range on start_at |
 * | reservations (start_time, end_time, status)        | `idx_reservations_time_range` (start_at, end_at, status) |
 * | reservations (user_id, equipment_id, status)       | `idx_reservations_user_equipment_status`, unchanged     |
 * | managed_messages (message_type, guild_id), (equipment) | none: the library's `managed_messages` is keyed by `key` (`display:<guild>:<slot>`, its primary key); it has no type, guild or equipment column, and the library owns its schema |
 * | jobs (type, status)                                | `idx_jobs_type_status`, unchanged                       |
 * | performance_metrics table                          | none: the library's migration creates `performance_metrics` (same metrics: messages updated, average update time, queue size, rate-limit hits, failed updates) with its timestamp index |
 *
 * Added for the hot queries: `idx_jobs_status_run_at` (claiming due jobs), `idx_jobs_reservation` (cancelling a
 * reservation's jobs; the cascade from reservations), `idx_transfer_requests_status_expires` (the expiry sweep),
 * `idx_transfer_requests_reservation` (the cascade), `idx_equipment_logs_guild_time` and
 * `idx_equipment_logs_equipment_time` (the overall and per-item logs, newest first), `idx_tags_guild_order`.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Every index of migration 002: name, table, columns. Exported for the plan tests. */
export const PERFORMANCE_INDEXES = [
  ['idx_equipment_guild_status', 'equipment', ['guild_id', 'unavailable']],
  ['idx_equipment_tag_status', 'equipment', ['tag_id', 'unavailable']],
  ['idx_equipment_composite', 'equipment', ['guild_id', 'tag_id', 'created_at']],
  ['idx_reservations_equipment_status', 'reservations', ['equipment_id', 'status', 'start_at']],
  ['idx_reservations_time_range', 'reservations', ['start_at', 'end_at', 'status']],
  ['idx_reservations_user_equipment_status', 'reservations', ['user_id', 'equipment_id', 'status']],
  ['idx_jobs_type_status', 'jobs', ['type', 'status']],
  ['idx_jobs_status_run_at', 'jobs', ['status', 'run_at']],
  ['idx_jobs_reservation', 'jobs', ['reservation_id']],
  ['idx_transfer_requests_status_expires', 'transfer_requests', ['status', 'expires_at']],
  ['idx_transfer_requests_reservation', 'transfer_requests', ['reservation_id']],
  ['idx_equipment_logs_guild_time', 'equipment_logs', ['guild_id', 'created_at']],
  ['idx_equipment_logs_equipment_time', 'equipment_logs', ['equipment_id', 'created_at']],
  ['idx_tags_guild_order', 'tags', ['guild_id', 'sort_order']],
] as const satisfies readonly (readonly [string, string, readonly string[]])[];

/**
 * Builds migration 002 (the same on both dialects).
 *
 * @returns the migration
 */
export function performanceMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const [name, table, columns] of PERFORMANCE_INDEXES) {
        await db.schema
          .createIndex(name)
          .on(table)
          .columns([...columns])
          .execute();
      }
    },
  };
}
