/**
 * Reservations. The rules (no overlap, only the owner, ...) are in `domain/services/reservations.ts`; this is storage
 * and the queries those rules and the display need.
 *
 * @module
 */
import type { Reservation, ReservationStatus, Snowflake } from '../domain/model.js';
import { CONFIRMED, toReservation, type ReservationRow } from './rows.js';
import type { BotExecutor } from './schema.js';

/** What a new reservation holds. */
export interface NewReservation {
  readonly equipmentId: number;
  readonly userId: Snowflake;
  readonly startAt: number;
  readonly endAt: number;
  readonly locationId: number | null;
}

/** A reservation with the guild and item it belongs to (for exports). */
export interface ReservationWithItem extends Reservation {
  readonly guildId: Snowflake;
  readonly equipmentName: string;
}

/**
 * The query for confirmed reservations of an item that overlap `[startAt, endAt)`: `start < endAt AND end > startAt`
 * (so back-to-back reservations do not overlap). Uses `idx_reservations_confirmed` (equipment_id, start_at) WHERE
 * confirmed. Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param equipmentId - the item
 * @param startAt - the range's start, epoch ms
 * @param endAt - the range's end (exclusive), epoch ms
 * @param excludeId - a reservation to leave out (the one being changed)
 * @returns the query, soonest first
 */
export function overlappingReservationsQuery(
  db: BotExecutor,
  equipmentId: number,
  startAt: number,
  endAt: number,
  excludeId?: number,
) {
  let query = db
    .selectFrom('reservations')
    .selectAll()
    .where('equipment_id', '=', equipmentId)
    .where('status', '=', CONFIRMED)
    .where('start_at', '<', endAt)
    .where('end_at', '>', startAt);
  if (excludeId !== undefined) query = query.where('id', '<>', excludeId);
  return query.orderBy('start_at').orderBy('id');
}

/** Reservations joined with their item's guild and name: the base of the period, starting and ending queries. */
function withItem(db: BotExecutor) {
  return db
    .selectFrom('reservations as r')
    .innerJoin('equipment as e', 'e.id', 'r.equipment_id')
    .selectAll('r')
    .select(['e.guild_id', 'e.name as equipment_name']);
}

/**
 * The query for a guild's reservations (any status) that start in `[from, to)`, with their item, oldest first: what
 * a CSV export of a period reads. Uses `idx_reservations_time_range` (start_at, end_at, status). Exported for the
 * plan tests.
 *
 * @param db - the database or a transaction
 * @param guildId - the guild
 * @param from - the period's start, epoch ms
 * @param to - the period's end (exclusive), epoch ms
 * @returns the query
 */
export function reservationsInPeriodQuery(db: BotExecutor, guildId: Snowflake, from: number, to: number) {
  return withItem(db)
    .where('r.start_at', '>=', from)
    .where('r.start_at', '<', to)
    .where('e.guild_id', '=', guildId)
    .orderBy('r.start_at')
    .orderBy('r.id');
}

/**
 * The query for confirmed reservations of every guild that start in `[from, to)`, with their item: what the jobs
 * loop re-renders when a reservation starts with no user action. Uses `idx_reservations_time_range`. Exported for
 * the plan tests.
 *
 * @param db - the database or a transaction
 * @param from - epoch ms
 * @param to - epoch ms, exclusive
 * @returns the query, by start
 */
export function reservationsStartingQuery(db: BotExecutor, from: number, to: number) {
  return withItem(db)
    .where('r.start_at', '>=', from)
    .where('r.start_at', '<', to)
    .where('r.status', '=', CONFIRMED)
    .orderBy('r.start_at')
    .orderBy('r.id');
}

/**
 * The query for confirmed (not returned) reservations of every guild that end in `[from, to)`, with their item:
 * loans ending soon, or overdue ones with `from = 0, to = now + 1`. Uses `idx_reservations_confirmed_end`.
 * Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param from - epoch ms
 * @param to - epoch ms, exclusive
 * @returns the query, by end
 */
export function reservationsEndingQuery(db: BotExecutor, from: number, to: number) {
  return withItem(db)
    .where('r.end_at', '>=', from)
    .where('r.end_at', '<', to)
    .where('r.status', '=', CONFIRMED)
    .orderBy('r.end_at')
    .orderBy('r.id');
}

/** Reads and writes `reservations`. */
export class ReservationRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * Stores a confirmed reservation. Check the rules first (the services do).
   *
   * @param reservation - what to store
   * @param now - the time, epoch ms
   * @returns the stored reservation
   */
  public async insert(reservation: NewReservation, now: number): Promise<Reservation> {
    const row = await this.#db
      .insertInto('reservations')
      .values({
        equipment_id: reservation.equipmentId,
        user_id: reservation.userId,
        start_at: reservation.startAt,
        end_at: reservation.endAt,
        location_id: reservation.locationId,
        status: 'confirmed',
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toReservation(row);
  }

  /**
   * @param reservationId - the reservation
   * @returns it, or null
   */
  public async get(reservationId: number): Promise<Reservation | null> {
    const row = await this.#db
      .selectFrom('reservations')
      .selectAll()
      .where('id', '=', reservationId)
      .executeTakeFirst();
    return row === undefined ? null : toReservation(row);
  }

  /**
   * Confirmed reservations of an item overlapping `[startAt, endAt)` (see {@link overlappingReservationsQuery}).
   *
   * @param equipmentId - the item
   * @param startAt - the range's start, epoch ms
   * @param endAt - the range's end (exclusive), epoch ms
   * @param excludeId - a reservation to leave out
   * @returns them, soonest first
   */
  public async findOverlapping(
    equipmentId: number,
    startAt: number,
    endAt: number,
    excludeId?: number,
  ): Promise<Reservation[]> {
    const rows = await overlappingReservationsQuery(this.#db, equipmentId, startAt, endAt, excludeId).execute();
    return rows.map(toReservation);
  }

  /**
   * A user's confirmed reservations of an item: upcoming, in progress, and overdue loans not returned yet.
   * Uses `idx_reservations_user_equipment_status`.
   *
   * @param userId - the user
   * @param equipmentId - the item
   * @returns them, soonest first
   */
  public async listOwnConfirmed(userId: Snowflake, equipmentId: number): Promise<Reservation[]> {
    const rows = await this.#db
      .selectFrom('reservations')
      .selectAll()
      .where('user_id', '=', userId)
      .where('equipment_id', '=', equipmentId)
      .where('status', '=', CONFIRMED)
      .orderBy('start_at')
      .orderBy('id')
      .execute();
    return rows.map(toReservation);
  }

  /**
   * Every confirmed reservation of an item (what an admin's force state change would cancel).
   *
   * @param equipmentId - the item
   * @returns them, soonest first
   */
  public async listConfirmed(equipmentId: number): Promise<Reservation[]> {
    const rows = await this.#db
      .selectFrom('reservations')
      .selectAll()
      .where('equipment_id', '=', equipmentId)
      .where('status', '=', CONFIRMED)
      .orderBy('start_at')
      .orderBy('id')
      .execute();
    return rows.map(toReservation);
  }

  /**
   * The first confirmed reservation of an item starting at or after `startAt`, other than `excludeId`.
   *
   * @param equipmentId - the item
   * @param startAt - epoch ms
   * @param excludeId - the reservation to leave out
   * @returns it, or null
   */
  public async nextConfirmed(equipmentId: number, startAt: number, excludeId: number): Promise<Reservation | null> {
    const row = await this.#db
      .selectFrom('reservations')
      .selectAll()
      .where('equipment_id', '=', equipmentId)
      .where('status', '=', CONFIRMED)
      .where('start_at', '>=', startAt)
      .where('id', '<>', excludeId)
      .orderBy('start_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : toReservation(row);
  }

  /**
   * A guild's reservations starting in a period, with their items (see {@link reservationsInPeriodQuery}).
   *
   * @param guildId - the guild
   * @param from - epoch ms
   * @param to - epoch ms, exclusive
   * @returns them, oldest first
   */
  public async listInPeriod(guildId: Snowflake, from: number, to: number): Promise<ReservationWithItem[]> {
    return withItems(await reservationsInPeriodQuery(this.#db, guildId, from, to).execute());
  }

  /**
   * Confirmed reservations of every guild starting in `[from, to)` (see {@link reservationsStartingQuery}).
   *
   * @param from - epoch ms
   * @param to - epoch ms, exclusive
   * @returns them, by start
   */
  public async listStarting(from: number, to: number): Promise<ReservationWithItem[]> {
    return withItems(await reservationsStartingQuery(this.#db, from, to).execute());
  }

  /**
   * Confirmed reservations of every guild ending in `[from, to)` (see {@link reservationsEndingQuery}); the overdue
   * loans at `now` are `listEnding(0, now + 1)`.
   *
   * @param from - epoch ms
   * @param to - epoch ms, exclusive
   * @returns them, by end
   */
  public async listEnding(from: number, to: number): Promise<ReservationWithItem[]> {
    return withItems(await reservationsEndingQuery(this.#db, from, to).execute());
  }

  /**
   * @param reservationId - the reservation
   * @param change - new times and location
   * @returns the reservation after the change, or null
   */
  public update(
    reservationId: number,
    change: { readonly startAt: number; readonly endAt: number; readonly locationId: number | null },
  ): Promise<Reservation | null> {
    return this.#update(reservationId, {
      start_at: change.startAt,
      end_at: change.endAt,
      location_id: change.locationId,
    });
  }

  /**
   * @param reservationId - the reservation
   * @param status - the new status (`returned` is set with {@link markReturned})
   * @returns the reservation after the change, or null
   */
  public setStatus(reservationId: number, status: Exclude<ReservationStatus, 'returned'>): Promise<Reservation | null> {
    return this.#update(reservationId, { status });
  }

  /**
   * @param reservationId - the reservation
   * @param userId - the new owner
   * @returns the reservation after the change, or null
   */
  public setOwner(reservationId: number, userId: Snowflake): Promise<Reservation | null> {
    return this.#update(reservationId, { user_id: userId });
  }

  /**
   * Marks a reservation returned.
   *
   * @param reservationId - the reservation
   * @param returned - when, where to and by whom
   * @returns the reservation after the change, or null
   */
  public markReturned(
    reservationId: number,
    returned: { readonly at: number; readonly locationId: number | null; readonly by: Snowflake },
  ): Promise<Reservation | null> {
    return this.#update(reservationId, {
      status: 'returned',
      returned_at: returned.at,
      return_location_id: returned.locationId,
      returned_by: returned.by,
    });
  }

  /**
   * Undoes a return: confirmed again, return fields cleared.
   *
   * @param reservationId - the reservation
   * @returns the reservation after the change, or null
   */
  public unmarkReturned(reservationId: number): Promise<Reservation | null> {
    return this.#update(reservationId, {
      status: 'confirmed',
      returned_at: null,
      return_location_id: null,
      returned_by: null,
    });
  }

  /**
   * @param reservationId - the reservation
   * @param locationId - the corrected return location
   * @returns the reservation after the change, or null
   */
  public setReturnLocation(reservationId: number, locationId: number | null): Promise<Reservation | null> {
    return this.#update(reservationId, { return_location_id: locationId });
  }

  async #update(
    reservationId: number,
    set: {
      start_at?: number;
      end_at?: number;
      location_id?: number | null;
      status?: ReservationStatus;
      user_id?: string;
      returned_at?: number | null;
      return_location_id?: number | null;
      returned_by?: string | null;
    },
  ): Promise<Reservation | null> {
    const row = await this.#db
      .updateTable('reservations')
      .set(set)
      .where('id', '=', reservationId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toReservation(row);
  }
}

function withItems(
  rows: readonly (ReservationRow & { guild_id: string; equipment_name: string })[],
): ReservationWithItem[] {
  return rows.map((row) => ({ ...toReservation(row), guildId: row.guild_id, equipmentName: row.equipment_name }));
}
