/**
 * Migration 002: the seed's performance migration (`002_performance_optimization.sql`), adapted to this schema, plus
 * the indexes the bot's hot queries need. The EXPLAIN tests (`test/db/query-plans.test.ts`) check that each hot
 * query uses the index named for it here, on both dialects.
 *
 * The seed indexed a stored `status` column. Here an item's status is derived (Unavailable = the admin flag; Loaned =
 * a confirmed reservation that has started; else Available), so the indexes key what the status queries filter on:
 * the flag for items, and for reservations the `confirmed` ones — few (current and upcoming), while returned and
 * cancelled rows pile up forever — hence partial indexes `WHERE status = 'confirmed'` (both dialects have them; the
 * queries write the status as a literal so that both planners can match the predicate).
 *
 * | seed                                             | here                                                        |
 * | ------------------------------------------------ | ----------------------------------------------------------- |
 * | equipment (guild_id, status)                     | `idx_equipment_guild_status` (guild_id, unavailable)        |
 * | equipment (tag_id, status)                       | `idx_equipment_tag_status` (tag_id, unavailable)            |
 * | equipment (guild_id, status, tag_id, created_at) | `idx_equipment_composite` (guild_id, tag_id, created_at)    |
 * | reservations (equipment_id, status)              | `idx_reservations_equipment_status`, unchanged              |
 * | reservations (start_time, end_time, status)      | `idx_reservations_time_range` (start_at, end_at, status)    |
 * | reservations (user_id, equipment_id, status)     | `idx_reservations_user_equipment_status`, unchanged         |
 * | managed_messages (message_type, guild_id)        | none: the library's table, keyed by `key` (see below)       |
 * | managed_messages (equipment_id)                  | none: idem                                                  |
 * | jobs (type, status)                              | `idx_jobs_type_status`, unchanged                           |
 * | performance_metrics table                        | none: the library's migration creates it (see below)        |
 *
 * - `idx_equipment_composite` drops the status: the channel listing shows every item of a guild, whatever its
 *   status, grouped by tag in creation order — the index's order, so the listing reads it without a sort.
 * - `managed_messages` is the library's table: one row per display slot, keyed by `key` (`display:<guild>:<slot>`,
 *   its primary key), with no type, guild or equipment column; the library owns its schema and its indexes.
 * - `performance_metrics` is the library's too, with the seed's columns (messages updated, average update time,
 *   queue size, rate-limit hits, failed updates) and a timestamp index; the bot does not create a second one.
 *
 * Added for the hot queries:
 * - `idx_reservations_confirmed` (equipment_id, start_at) WHERE confirmed: the derived status of a guild's items
 *   (`listEquipmentViews`, `equipmentByStatusQuery`), the overlap check, the next reservation of an item;
 * - `idx_reservations_confirmed_end` (end_at) WHERE confirmed: loans ending soon or overdue (the jobs loop);
 * - `idx_jobs_status_run_at` (claiming due jobs), `idx_jobs_reservation` (a reservation's jobs, and the cascade);
 * - `idx_transfer_requests_pending_expires` (expires_at) WHERE pending (the expiry sweep),
 *   `idx_transfer_requests_reservation` (the cascade);
 * - `idx_equipment_logs_guild_time`, `idx_equipment_logs_equipment_time` (the overall and per-item logs);
 * - `idx_tags_guild_order` (a guild's tags in order).
 *
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** An index of migration 002: name, table, columns and, for a partial index, the status it keeps. */
export type PerformanceIndex = readonly [name: string, table: string, columns: readonly string[], onlyStatus?: string];

/** Every index of migration 002. */
export const PERFORMANCE_INDEXES: readonly PerformanceIndex[] = [
  ['idx_equipment_guild_status', 'equipment', ['guild_id', 'unavailable']],
  ['idx_equipment_tag_status', 'equipment', ['tag_id', 'unavailable']],
  ['idx_equipment_composite', 'equipment', ['guild_id', 'tag_id', 'created_at']],
  ['idx_reservations_equipment_status', 'reservations', ['equipment_id', 'status']],
  ['idx_reservations_time_range', 'reservations', ['start_at', 'end_at', 'status']],
  ['idx_reservations_user_equipment_status', 'reservations', ['user_id', 'equipment_id', 'status']],
  ['idx_reservations_confirmed', 'reservations', ['equipment_id', 'start_at'], 'confirmed'],
  ['idx_reservations_confirmed_end', 'reservations', ['end_at'], 'confirmed'],
  ['idx_jobs_type_status', 'jobs', ['type', 'status']],
  ['idx_jobs_status_run_at', 'jobs', ['status', 'run_at']],
  ['idx_jobs_reservation', 'jobs', ['reservation_id']],
  ['idx_transfer_requests_pending_expires', 'transfer_requests', ['expires_at'], 'pending'],
  ['idx_transfer_requests_reservation', 'transfer_requests', ['reservation_id']],
  ['idx_equipment_logs_guild_time', 'equipment_logs', ['guild_id', 'created_at']],
  ['idx_equipment_logs_equipment_time', 'equipment_logs', ['equipment_id', 'created_at']],
  ['idx_tags_guild_order', 'tags', ['guild_id', 'sort_order']],
];

/**
 * Builds migration 002 (the same on both dialects).
 *
 * @returns the migration
 */
export function performanceMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const [name, table, columns, onlyStatus] of PERFORMANCE_INDEXES) {
        let index = db.schema
          .createIndex(name)
          .on(table)
          .columns([...columns]);
        if (onlyStatus !== undefined) index = index.where(sql.ref('status'), '=', sql.lit(onlyStatus));
        await index.execute();
      }
    },
  };
}
