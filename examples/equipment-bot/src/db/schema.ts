/**
 * The bot's tables as Kysely sees them. Column names are snake_case, as in SQL; the repositories map rows to the
 * domain types of `domain/model.ts`.
 *
 * One set of types serves both dialects:
 * - times are UTC epoch milliseconds in `BIGINT` columns (SQLite: INTEGER affinity; Postgres: `int8`, which the pool
 *   made by `openDatabase` parses as a JavaScript number, and which the repositories pass through `Number()` anyway);
 * - flags are `INTEGER` 0 / 1 (SQLite has no boolean type, and one code path must read both);
 * - Discord ids are `TEXT` (snowflakes exceed 2^53);
 * - JSON values are `TEXT` (`admin_role_ids`, `jobs.payload`, `equipment_logs.detail`).
 *
 * The library's own tables (`outbox`, `managed_messages`, `performance_metrics`, `schema_migrations`) are not listed:
 * only the library reads and writes them.
 *
 * @module
 */
import type { Generated, Kysely } from 'kysely';

/** What the repositories run their queries on: the database, or a transaction (a `Transaction` is a `Kysely`). */
export type BotExecutor = Kysely<BotSchema>;

/** Every table of the bot, by name. */
export interface BotSchema {
  guild_settings: GuildSettingsTable;
  tags: TagsTable;
  locations: LocationsTable;
  equipment: EquipmentTable;
  reservations: ReservationsTable;
  equipment_logs: EquipmentLogsTable;
  transfer_requests: TransferRequestsTable;
  jobs: JobsTable;
  sent_reminders: SentRemindersTable;
  wizard_sessions: WizardSessionsTable;
}

/** One row per guild that has been set up or configured. */
export interface GuildSettingsTable {
  guild_id: string;
  reservation_channel_id: string | null;
  /** JSON array of role id strings. */
  admin_role_ids: Generated<string>;
  overdue_repeat_minutes: Generated<number>;
  created_at: number;
  updated_at: number;
}

/** Tags group items in the channel; `sort_order` orders the groups. Name unique per guild. */
export interface TagsTable {
  id: Generated<number>;
  guild_id: string;
  name: string;
  sort_order: number;
  created_at: number;
}

/** Places items are kept or returned to. Name unique per guild. */
export interface LocationsTable {
  id: Generated<number>;
  guild_id: string;
  name: string;
  created_at: number;
}

/** Lendable items. Status is derived (see `domain/services/equipment-views.ts`), not stored. */
export interface EquipmentTable {
  id: Generated<number>;
  guild_id: string;
  /** Unique per guild (`equipment_guild_name_uq`). */
  name: string;
  /** `tags.id`, set to NULL when the tag is deleted. */
  tag_id: number | null;
  /** 1 when an admin marked the item Unavailable, else 0. */
  unavailable: Generated<number>;
  unavailable_reason: string | null;
  current_location_id: number | null;
  default_return_location_id: number | null;
  created_at: number;
}

/** Values of `reservations.status`. */
export type ReservationStatusColumn = 'confirmed' | 'returned' | 'cancelled';

/** A reservation of an item for `[start_at, end_at)`. Deleted with its item. */
export interface ReservationsTable {
  id: Generated<number>;
  equipment_id: number;
  user_id: string;
  start_at: number;
  end_at: number;
  location_id: number | null;
  status: ReservationStatusColumn;
  returned_at: number | null;
  return_location_id: number | null;
  returned_by: string | null;
  created_at: number;
}

/**
 * The audit log. `equipment_id` has no foreign key on purpose: entries outlive their item (ids are never reused:
 * SQLite AUTOINCREMENT, Postgres identity), and `equipment_name` keeps the name the item had.
 */
export interface EquipmentLogsTable {
  id: Generated<number>;
  guild_id: string;
  /** NULL for guild-wide entries (tags, locations, settings). */
  equipment_id: number | null;
  equipment_name: string | null;
  /** Who acted (a Discord user id), or `'system'` for the bot's own jobs. */
  user_id: string;
  action: string;
  /** JSON object text, or NULL. */
  detail: string | null;
  created_at: number;
}

/** Values of `transfer_requests.status`. */
export type TransferStatusColumn = 'pending' | 'approved' | 'denied' | 'expired';

/** A request to hand a reservation over to another user. At most one pending per reservation (partial unique index). */
export interface TransferRequestsTable {
  id: Generated<number>;
  reservation_id: number;
  from_user_id: string;
  to_user_id: string;
  status: TransferStatusColumn;
  created_at: number;
  expires_at: number;
  answered_at: number | null;
}

/** Values of `jobs.status`. */
export type JobStatusColumn = 'pending' | 'running' | 'done' | 'failed';

/** Background work that survives restarts. */
export interface JobsTable {
  id: Generated<number>;
  type: string;
  /** JSON text. */
  payload: string;
  run_at: number;
  status: Generated<JobStatusColumn>;
  attempts: Generated<number>;
  /** Unique when not NULL: a second job with the same key is not enqueued. */
  dedupe_key: string | null;
  /** The reservation the job is about, if any: its pending jobs can be cancelled together; deleted with it. */
  reservation_id: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Notifications already sent: one row per reservation and kind (unique), so each is sent at most once. */
export interface SentRemindersTable {
  reservation_id: number;
  kind: string;
  sent_at: number;
}

/** Wizard state of the interaction flows, when kept in the database (migration 003). */
export interface WizardSessionsTable {
  id: string;
  flow: string;
  user_id: string;
  guild_id: string;
  /** The session's data, JSON. */
  data: string;
  expires_at: number;
  /** When a final button took it; null while live. */
  finished_at: number | null;
}
