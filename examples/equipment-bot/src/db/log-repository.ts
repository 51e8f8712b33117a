/**
 * The audit log (`equipment_logs`): who did what, when. Entries are only ever appended, and outlive their item.
 *
 * @module
 */
import type { EpochMs, Snowflake } from '../domain/model.js';
import { num, numOrNull } from './rows.js';
import type { BotExecutor } from './schema.js';

/** What happened. `equipment.*` and `reservation.*` / `transfer.*` entries name an item. */
export type LogAction =
  | 'equipment.created'
  | 'equipment.renamed'
  | 'equipment.tag-set'
  | 'equipment.unavailable-set'
  | 'equipment.available-set'
  | 'equipment.locations-set'
  | 'equipment.deleted'
  | 'reservation.created'
  | 'reservation.changed'
  | 'reservation.cancelled'
  | 'reservation.cancelled-by-admin'
  | 'reservation.returned'
  | 'reservation.return-cancelled'
  | 'reservation.return-location-corrected'
  | 'transfer.requested'
  | 'transfer.approved'
  | 'transfer.denied'
  | 'transfer.expired'
  | 'tag.created'
  | 'tag.renamed'
  | 'tag.deleted'
  | 'tag.reordered'
  | 'location.created'
  | 'location.renamed'
  | 'location.deleted'
  | 'settings.channel-set'
  | 'settings.admin-roles-set'
  | 'settings.overdue-repeat-set';

/** The user id of entries written by the bot itself (expiries, jobs). */
export const SYSTEM_USER = 'system';

/** Structured details of an entry (ids, times in epoch ms, names): rendered by the display, in JST. */
export type LogDetail = Readonly<Record<string, string | number | boolean | null>>;

/** One log entry. */
export interface LogEntry {
  readonly id: number;
  readonly guildId: Snowflake;
  /** The item, or null for guild-wide entries. Kept after the item is deleted. */
  readonly equipmentId: number | null;
  /** The item's name when the entry was written. */
  readonly equipmentName: string | null;
  /** Who acted, or {@link SYSTEM_USER}. */
  readonly userId: Snowflake;
  readonly action: LogAction;
  readonly detail: LogDetail | null;
  readonly createdAt: EpochMs;
}

/** What to append. */
export interface NewLogEntry {
  readonly guildId: Snowflake;
  readonly equipment?: { readonly id: number; readonly name: string } | null;
  readonly userId: Snowflake;
  readonly action: LogAction;
  readonly detail?: LogDetail | null;
}

/** Which entries to list: `[from, to)`, newest first. */
export interface LogQuery {
  readonly guildId: Snowflake;
  /** Only this item's entries; all of the guild's when left out. */
  readonly equipmentId?: number;
  readonly from: EpochMs;
  readonly to: EpochMs;
  /** At most this many (the newest). @defaultValue 1000 */
  readonly limit?: number;
}

/**
 * The query behind {@link LogRepository.list}: `idx_equipment_logs_equipment_time` for one item,
 * `idx_equipment_logs_guild_time` for the guild. Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param query - what to list
 * @returns the query, newest first
 */
export function logsQuery(db: BotExecutor, query: LogQuery) {
  let select = db.selectFrom('equipment_logs').selectAll();
  select =
    query.equipmentId === undefined
      ? select.where('guild_id', '=', query.guildId)
      : select.where('equipment_id', '=', query.equipmentId).where('guild_id', '=', query.guildId);
  return select
    .where('created_at', '>=', query.from)
    .where('created_at', '<', query.to)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit ?? 1000);
}

/** Appends to and reads `equipment_logs`. */
export class LogRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction (append inside the change's transaction) */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * @param entry - what happened
   * @param now - when, epoch ms
   * @returns the stored entry
   */
  public async append(entry: NewLogEntry, now: EpochMs): Promise<LogEntry> {
    const row = await this.#db
      .insertInto('equipment_logs')
      .values({
        guild_id: entry.guildId,
        equipment_id: entry.equipment?.id ?? null,
        equipment_name: entry.equipment?.name ?? null,
        user_id: entry.userId,
        action: entry.action,
        detail: entry.detail === undefined || entry.detail === null ? null : JSON.stringify(entry.detail),
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toLogEntry(row);
  }

  /**
   * @param query - the guild, optionally an item, and the period
   * @returns the entries, newest first
   */
  public async list(query: LogQuery): Promise<LogEntry[]> {
    const rows = await logsQuery(this.#db, query).execute();
    return rows.map(toLogEntry);
  }
}

function toLogEntry(row: {
  id: number;
  guild_id: string;
  equipment_id: number | null;
  equipment_name: string | null;
  user_id: string;
  action: string;
  detail: string | null;
  created_at: number;
}): LogEntry {
  return {
    id: num(row.id),
    guildId: row.guild_id,
    equipmentId: numOrNull(row.equipment_id),
    equipmentName: row.equipment_name,
    userId: row.user_id,
    action: row.action as LogAction,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as LogDetail),
    createdAt: num(row.created_at),
  };
}
