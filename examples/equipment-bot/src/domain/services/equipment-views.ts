/**
 * What the channel shows: every item of a guild with its derived status, in display order. Two queries, whatever
 * the number of items (no N+1): the items with their tag and current location, then every confirmed reservation of
 * the guild's items with its location.
 *
 * Status: **Unavailable** when the admin flag is set; else **Loaned** when a confirmed reservation has started
 * (`start_at <= now`; it stays Loaned past its end until it is returned); else **Available**.
 *
 * @module
 */
import type { BotExecutor } from '../../db/schema.js';
import { CONFIRMED, num, numOrNull, toEquipment, toReservation } from '../../db/rows.js';
import type { Equipment, EquipmentStatus, EquipmentView, EpochMs, Reservation, Snowflake, Tag } from '../model.js';

/** Item names are compared as people read them: case-insensitively, "PC 2" before "PC 10". */
const NAME_ORDER = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The items of a guild (or one item) with their tag and current location's name, grouped by tag in creation order
 * (the order of `idx_equipment_composite` (guild_id, tag_id, created_at), which the query reads; the display order
 * is applied after). Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param filter - a guild's items, or one item
 * @returns the query
 */
export function equipmentListingQuery(
  db: BotExecutor,
  filter: { readonly guildId: Snowflake } | { readonly equipmentId: number },
) {
  const query = db
    .selectFrom('equipment as e')
    .leftJoin('tags as t', 't.id', 'e.tag_id')
    .leftJoin('locations as l', 'l.id', 'e.current_location_id')
    .leftJoin('locations as d', 'd.id', 'e.default_return_location_id')
    .selectAll('e')
    .select([
      't.name as tag_name',
      't.sort_order as tag_sort_order',
      'l.name as current_location_name',
      'd.name as default_return_location_name',
    ]);
  return 'guildId' in filter
    ? query.where('e.guild_id', '=', filter.guildId)
    : query.where('e.id', '=', filter.equipmentId);
}

/**
 * Every confirmed reservation of a guild's items (or of one item), with its location's name: the loans in
 * progress, the overdue ones and the upcoming ones. Joins the guild's items (a guild_id index) to their confirmed
 * reservations by `idx_reservations_confirmed` (equipment_id, start_at) WHERE confirmed. Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param filter - a guild's items, or one item
 * @returns the query
 */
export function confirmedReservationsQuery(
  db: BotExecutor,
  filter: { readonly guildId: Snowflake } | { readonly equipmentId: number },
) {
  const query = db
    .selectFrom('reservations as r')
    .innerJoin('equipment as e', 'e.id', 'r.equipment_id')
    .leftJoin('locations as l', 'l.id', 'r.location_id')
    .selectAll('r')
    .select('l.name as location_name')
    .where('r.status', '=', CONFIRMED);
  return 'guildId' in filter
    ? query.where('e.guild_id', '=', filter.guildId)
    : query.where('e.id', '=', filter.equipmentId);
}

/**
 * The derived-status query: a guild's items in one status at `now`. Unavailable reads the flag
 * (`idx_equipment_guild_status`: guild_id, unavailable); Loaned and Available add an EXISTS probe on
 * `idx_reservations_confirmed` (equipment_id, start_at <= now, WHERE confirmed). Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param guildId - the guild
 * @param status - the status
 * @param now - epoch ms
 * @returns the query
 */
export function equipmentByStatusQuery(db: BotExecutor, guildId: Snowflake, status: EquipmentStatus, now: EpochMs) {
  const query = db
    .selectFrom('equipment as e')
    .selectAll('e')
    .where('e.guild_id', '=', guildId)
    .where('e.unavailable', '=', status === 'Unavailable' ? 1 : 0);
  if (status === 'Unavailable') return query;
  return query.where((eb) => {
    const started = eb
      .selectFrom('reservations as r')
      .select('r.id')
      .whereRef('r.equipment_id', '=', 'e.id')
      .where('r.status', '=', CONFIRMED)
      .where('r.start_at', '<=', now);
    return status === 'Loaned' ? eb.exists(started) : eb.not(eb.exists(started));
  });
}

/**
 * Every item of a guild as the channel shows it at `now`, sorted by tag sort order (then tag name), then item
 * name; untagged items last. Two queries. For one consistent snapshot, call it in
 * `database.readTransaction((trx) => listEquipmentViews(trx, guildId, now))`.
 *
 * @param db - the database (`database.db`) or a transaction
 * @param guildId - the guild
 * @param now - epoch ms
 * @returns the views, in display order
 */
export async function listEquipmentViews(db: BotExecutor, guildId: Snowflake, now: EpochMs): Promise<EquipmentView[]> {
  return loadViews(db, { guildId }, now);
}

/**
 * One item as the channel shows it at `now` (the same two queries, for one item).
 *
 * @param db - the database or a transaction
 * @param equipmentId - the item
 * @param now - epoch ms
 * @returns its view, or null when there is no such item
 */
export async function getEquipmentView(
  db: BotExecutor,
  equipmentId: number,
  now: EpochMs,
): Promise<EquipmentView | null> {
  const [view] = await loadViews(db, { equipmentId }, now);
  return view ?? null;
}

/**
 * A guild's items in one derived status (see {@link equipmentByStatusQuery}).
 *
 * @param db - the database or a transaction
 * @param guildId - the guild
 * @param status - the status
 * @param now - epoch ms
 * @returns the items, by name
 */
export async function listEquipmentByStatus(
  db: BotExecutor,
  guildId: Snowflake,
  status: EquipmentStatus,
  now: EpochMs,
): Promise<Equipment[]> {
  const rows = await equipmentByStatusQuery(db, guildId, status, now).execute();
  return rows.map(toEquipment).sort((a, b) => NAME_ORDER.compare(a.name, b.name) || a.id - b.id);
}

/**
 * Derives an item's status from its flag and its confirmed reservations.
 *
 * @param equipment - the item
 * @param confirmed - its confirmed reservations, any order
 * @param now - epoch ms
 * @returns the status, the loan in progress (the earliest started one) and the others still to come (waiting ones
 *   included), soonest first
 */
export function deriveStatus(
  equipment: Pick<Equipment, 'unavailable'>,
  confirmed: readonly Reservation[],
  now: EpochMs,
): { status: EquipmentStatus; currentLoan: Reservation | null; upcoming: Reservation[] } {
  const byStart = [...confirmed].sort((a, b) => a.startAt - b.startAt || a.id - b.id);
  const started = byStart.find((reservation) => reservation.startAt <= now) ?? null;
  // Every other confirmed reservation is still to come — also one whose start has passed while an overdue loan
  // still holds the item: it waits, and must stay visible.
  const upcoming = byStart.filter((reservation) => reservation !== started);
  if (equipment.unavailable) return { status: 'Unavailable', currentLoan: null, upcoming };
  if (started !== null) return { status: 'Loaned', currentLoan: started, upcoming };
  return { status: 'Available', currentLoan: null, upcoming };
}

async function loadViews(
  db: BotExecutor,
  filter: { readonly guildId: Snowflake } | { readonly equipmentId: number },
  now: EpochMs,
): Promise<EquipmentView[]> {
  const items = await equipmentListingQuery(db, filter).execute();
  const reservations = await confirmedReservationsQuery(db, filter).execute();
  const byItem = new Map<number, { reservation: Reservation; locationName: string | null }[]>();
  for (const row of reservations) {
    const reservation = toReservation(row);
    const list = byItem.get(reservation.equipmentId) ?? [];
    list.push({ reservation, locationName: row.location_name });
    byItem.set(reservation.equipmentId, list);
  }
  const views = items.map((row): EquipmentView => {
    const equipment = toEquipment(row);
    const tagId = numOrNull(row.tag_id);
    const tag: Tag | null =
      tagId === null || row.tag_name === null || row.tag_sort_order === null
        ? null
        : { id: tagId, guildId: equipment.guildId, name: row.tag_name, sortOrder: num(row.tag_sort_order) };
    const own = byItem.get(equipment.id) ?? [];
    const { status, currentLoan, upcoming } = deriveStatus(
      equipment,
      own.map((entry) => entry.reservation),
      now,
    );
    const loanLocation = own.find((entry) => entry.reservation.id === currentLoan?.id)?.locationName ?? null;
    return {
      equipment,
      tag,
      status,
      currentLoan,
      locationName: currentLoan === null ? row.current_location_name : loanLocation,
      defaultReturnLocationName: row.default_return_location_name,
      upcoming,
    };
  });
  return views.sort(compareViews);
}

/**
 * The display order: tagged items first, by tag sort order, tag name and tag id; then by item name and id.
 *
 * @param a - a view
 * @param b - another view
 * @returns negative when `a` comes first
 */
export function compareViews(a: EquipmentView, b: EquipmentView): number {
  if (a.tag === null || b.tag === null) {
    if (a.tag !== b.tag) return a.tag === null ? 1 : -1;
  } else if (a.tag.id !== b.tag.id) {
    return a.tag.sortOrder - b.tag.sortOrder || NAME_ORDER.compare(a.tag.name, b.tag.name) || a.tag.id - b.tag.id;
  }
  return NAME_ORDER.compare(a.equipment.name, b.equipment.name) || a.equipment.id - b.equipment.id;
}
