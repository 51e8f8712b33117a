/**
 * Rows to domain values. Every number goes through {@link num}: Postgres `BIGINT` arrives as a number from the pool
 * `openDatabase` makes, but as a string from a default `pg` pool, and the repositories must not care.
 *
 * @module
 */
import { sql, type Selectable } from 'kysely';
import type { Equipment, GuildSettings, Location, Reservation, Tag } from '../domain/model.js';
import type { EquipmentTable, GuildSettingsTable, LocationsTable, ReservationsTable, TagsTable } from './schema.js';

/**
 * `'confirmed'` as an SQL literal, for queries that must use the partial indexes `WHERE status = 'confirmed'`
 * (a planner matches a partial index's predicate against literals, not against bound parameters).
 */
export const CONFIRMED = sql.lit('confirmed' as const);

/**
 * A database number as a JavaScript number.
 *
 * @param value - a number, a numeric string or a bigint
 * @returns the number
 * @throws Error when the value is not a finite number
 */
export function num(value: number | string | bigint): number {
  const result = Number(value);
  if (!Number.isFinite(result)) throw new Error(`expected a number from the database, got ${String(value)}`);
  return result;
}

/**
 * A nullable database number.
 *
 * @param value - a number, a numeric string, a bigint or null
 * @returns the number, or null
 */
export function numOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : num(value);
}

/** A row of `guild_settings`. */
export type GuildSettingsRow = Selectable<GuildSettingsTable>;
/** A row of `tags`. */
export type TagRow = Selectable<TagsTable>;
/** A row of `locations`. */
export type LocationRow = Selectable<LocationsTable>;
/** A row of `equipment`. */
export type EquipmentRow = Selectable<EquipmentTable>;
/** A row of `reservations`. */
export type ReservationRow = Selectable<ReservationsTable>;

/**
 * @param row - a `guild_settings` row
 * @returns the settings
 */
export function toGuildSettings(row: GuildSettingsRow): GuildSettings {
  const roles: unknown = JSON.parse(row.admin_role_ids);
  return {
    guildId: row.guild_id,
    reservationChannelId: row.reservation_channel_id,
    adminRoleIds: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    overdueRepeatMinutes: num(row.overdue_repeat_minutes),
  };
}

/**
 * @param row - a `tags` row
 * @returns the tag
 */
export function toTag(row: TagRow): Tag {
  return { id: num(row.id), guildId: row.guild_id, name: row.name, sortOrder: num(row.sort_order) };
}

/**
 * @param row - a `locations` row
 * @returns the location
 */
export function toLocation(row: LocationRow): Location {
  return { id: num(row.id), guildId: row.guild_id, name: row.name };
}

/**
 * @param row - an `equipment` row
 * @returns the item
 */
export function toEquipment(row: EquipmentRow): Equipment {
  return {
    id: num(row.id),
    guildId: row.guild_id,
    name: row.name,
    tagId: numOrNull(row.tag_id),
    unavailable: num(row.unavailable) === 1,
    unavailableReason: row.unavailable_reason,
    currentLocationId: numOrNull(row.current_location_id),
    defaultReturnLocationId: numOrNull(row.default_return_location_id),
    createdAt: num(row.created_at),
  };
}

/**
 * @param row - a `reservations` row
 * @returns the reservation
 */
export function toReservation(row: ReservationRow): Reservation {
  return {
    id: num(row.id),
    equipmentId: num(row.equipment_id),
    userId: row.user_id,
    startAt: num(row.start_at),
    endAt: num(row.end_at),
    locationId: numOrNull(row.location_id),
    status: row.status,
    returnedAt: numOrNull(row.returned_at),
    returnLocationId: numOrNull(row.return_location_id),
    returnedBy: row.returned_by,
    createdAt: num(row.created_at),
  };
}
