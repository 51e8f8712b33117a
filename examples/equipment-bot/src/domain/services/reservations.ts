/**
 * Reservations: create, change, cancel, list one's own. Each operation is one write transaction that first locks
 * the item (Postgres `SELECT ... FOR UPDATE` on its row; SQLite `BEGIN IMMEDIATE`), so two conflicting requests at
 * the same moment yield exactly one reservation. Every change appends an `equipment_logs` entry. Returns, return
 * corrections and transfers are in `returns.ts` and `transfers.ts`, re-exported here.
 *
 * Overlap: two reservations of one item overlap when `a.start < b.end && a.end > b.start` (back-to-back is fine);
 * only `confirmed` reservations count (an overdue loan still blocks its own period, not the time after it).
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { ReservationRepository } from '../../db/reservation-repository.js';
import type { Equipment, EpochMs, Reservation, Snowflake } from '../model.js';
import {
  closeReservation,
  inTransaction,
  isEpochMs,
  isUsableLocation,
  lockReservation,
  type WithinWrite,
} from './support.js';

export * from './returns.js';
export * from './transfers.js';

/** Why a reservation was not created. */
export type CreateRefusal = 'conflict' | 'past' | 'invalid' | 'not-found' | 'unavailable';

/** Why a reservation was not changed: those of creation, plus not the owner, or no longer changeable. */
export type ChangeRefusal = CreateRefusal | 'forbidden' | 'not-changeable';

/** Why a reservation was not cancelled. */
export type CancelRefusal = 'not-found' | 'forbidden' | 'not-changeable';

/** A refusal; `conflicts` lists the reservations in the way when `reason` is `'conflict'`, else it is empty. */
export interface Refused<R extends string> {
  readonly ok: false;
  readonly reason: R;
  readonly conflicts: readonly Reservation[];
}

/** A created or changed reservation, with its item. */
export interface ReservationDone {
  readonly ok: true;
  readonly reservation: Reservation;
  readonly equipment: Equipment;
}

/** What {@link createReservation} returns. */
export type CreateReservationResult = ReservationDone | Refused<CreateRefusal>;

/** What {@link changeReservation} returns. `jobsCancelled`: the reservation's pending jobs dropped (times changed). */
export type ChangeReservationResult = (ReservationDone & { readonly jobsCancelled: number }) | Refused<ChangeRefusal>;

/** What {@link cancelReservation} returns. `jobsCancelled`: its pending jobs (reminders) deleted. */
export type CancelReservationResult = (ReservationDone & { readonly jobsCancelled: number }) | Refused<CancelRefusal>;

/** A new reservation. */
export interface CreateReservationInput {
  readonly guildId: Snowflake;
  readonly equipmentId: number;
  readonly userId: Snowflake;
  readonly startAt: EpochMs;
  readonly endAt: EpochMs;
  readonly locationId: number | null;
}

/** A change of a reservation's times (and location). */
export interface ChangeReservationInput {
  readonly reservationId: number;
  /** Who asks: must be the owner. */
  readonly userId: Snowflake;
  readonly startAt: EpochMs;
  readonly endAt: EpochMs;
  /** The new location; kept when left out. */
  readonly locationId?: number | null;
}

function refuse<R extends string>(reason: R, conflicts: readonly Reservation[] = []): Refused<R> {
  return { ok: false, reason, conflicts };
}

/**
 * Reserves an item for `[startAt, endAt)`.
 *
 * Refused with `invalid` (times not integers, `endAt <= startAt`, or a location of another guild), `past`
 * (`startAt < now`), `not-found` (no such item in the guild), `unavailable` (the admin flag is set) or `conflict`
 * (another confirmed reservation overlaps; listed in `conflicts`).
 *
 * @param database - the open database
 * @param input - the guild, item, user, period and location
 * @param now - epoch ms
 * @param within - more work in the same transaction, once the reservation is written (its jobs)
 * @returns the reservation, or why not
 */
export async function createReservation(
  database: BotDatabase,
  input: CreateReservationInput,
  now: EpochMs,
  within?: WithinWrite,
): Promise<CreateReservationResult> {
  if (!isEpochMs(input.startAt) || !isEpochMs(input.endAt) || input.endAt <= input.startAt) return refuse('invalid');
  if (input.startAt < now) return refuse('past');
  return inTransaction(database, async (repos) => {
    const equipment = await repos.equipment.getForUpdate(input.equipmentId);
    if (equipment === null || equipment.guildId !== input.guildId) return refuse('not-found');
    if (equipment.unavailable) return refuse('unavailable');
    if (!(await isUsableLocation(repos, equipment.guildId, input.locationId))) return refuse('invalid');
    const conflicts = await repos.reservations.findOverlapping(equipment.id, input.startAt, input.endAt);
    if (conflicts.length > 0) return refuse('conflict', conflicts);
    const reservation = await repos.reservations.insert(input, now);
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.created',
        detail: {
          reservationId: reservation.id,
          startAt: reservation.startAt,
          endAt: reservation.endAt,
          locationId: reservation.locationId,
        },
      },
      now,
    );
    await within?.(repos, reservation);
    return { ok: true, reservation, equipment };
  });
}

/**
 * Changes a reservation's period (and location), with the checks of creation, the reservation itself excluded from
 * the overlap check. Only its owner may, and only while it is confirmed. A changed start must not be in the past,
 * and the end must be after `now`: an overdue loan can so be extended (same start, a later end). When the times
 * change, the reservation's pending jobs (reminders) are deleted: schedule them again from the new times.
 *
 * @param database - the open database
 * @param input - the reservation, who asks, the new period and location
 * @param now - epoch ms
 * @param within - more work in the same transaction, once it is changed (scheduling its jobs again)
 * @returns the changed reservation, or why not
 */
export async function changeReservation(
  database: BotDatabase,
  input: ChangeReservationInput,
  now: EpochMs,
  within?: WithinWrite,
): Promise<ChangeReservationResult> {
  if (!isEpochMs(input.startAt) || !isEpochMs(input.endAt) || input.endAt <= input.startAt) return refuse('invalid');
  return inTransaction(database, async (repos): Promise<ChangeReservationResult> => {
    const locked = await lockReservation(repos, input.reservationId);
    if (locked === null) return refuse('not-found');
    const { reservation, equipment } = locked;
    if (reservation.userId !== input.userId) return refuse('forbidden');
    if (reservation.status !== 'confirmed') return refuse('not-changeable');
    if ((input.startAt !== reservation.startAt && input.startAt < now) || input.endAt <= now) return refuse('past');
    if (equipment.unavailable) return refuse('unavailable');
    const locationId = input.locationId === undefined ? reservation.locationId : input.locationId;
    if (!(await isUsableLocation(repos, equipment.guildId, locationId))) return refuse('invalid');
    const conflicts = await repos.reservations.findOverlapping(
      equipment.id,
      input.startAt,
      input.endAt,
      reservation.id,
    );
    if (conflicts.length > 0) return refuse('conflict', conflicts);
    const changed = await repos.reservations.update(reservation.id, {
      startAt: input.startAt,
      endAt: input.endAt,
      locationId,
    });
    if (changed === null) return refuse('not-found');
    const timesChanged = changed.startAt !== reservation.startAt || changed.endAt !== reservation.endAt;
    const jobsCancelled = timesChanged ? await repos.jobs.cancelByReservation(reservation.id) : 0;
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.changed',
        detail: {
          reservationId: reservation.id,
          previousStartAt: reservation.startAt,
          previousEndAt: reservation.endAt,
          previousLocationId: reservation.locationId,
          startAt: changed.startAt,
          endAt: changed.endAt,
          locationId: changed.locationId,
        },
      },
      now,
    );
    await within?.(repos, changed);
    return { ok: true, reservation: changed, equipment, jobsCancelled };
  });
}

/**
 * Cancels a reservation: only its owner, only while confirmed and not ended (an overdue loan must be returned).
 * Its pending jobs are deleted and a pending transfer request of it expires.
 *
 * @param database - the open database
 * @param input - the reservation and who asks
 * @param now - epoch ms
 * @returns the cancelled reservation, or why not
 */
export async function cancelReservation(
  database: BotDatabase,
  input: { readonly reservationId: number; readonly userId: Snowflake },
  now: EpochMs,
): Promise<CancelReservationResult> {
  return inTransaction(database, async (repos): Promise<CancelReservationResult> => {
    const locked = await lockReservation(repos, input.reservationId);
    if (locked === null) return refuse('not-found');
    const { reservation, equipment } = locked;
    if (reservation.userId !== input.userId) return refuse('forbidden');
    if (reservation.status !== 'confirmed' || reservation.endAt <= now) return refuse('not-changeable');
    const cancelled = await closeReservation(repos, reservation, equipment, now);
    const jobsCancelled = await repos.jobs.cancelByReservation(reservation.id);
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.cancelled',
        detail: { reservationId: reservation.id, startAt: reservation.startAt, endAt: reservation.endAt },
      },
      now,
    );
    return { ok: true, reservation: cancelled, equipment, jobsCancelled };
  });
}

/**
 * A user's confirmed reservations of an item, soonest first: the upcoming ones, the one in progress, and an overdue
 * loan not returned yet (so that it can be extended). Every confirmed reservation is one of these, so no time is
 * needed. Uses `idx_reservations_user_equipment_status`.
 *
 * @param database - the open database
 * @param userId - the user
 * @param equipmentId - the item
 * @returns the reservations
 */
export function listOwnReservations(
  database: BotDatabase,
  userId: Snowflake,
  equipmentId: number,
): Promise<Reservation[]> {
  return new ReservationRepository(database.db).listOwnConfirmed(userId, equipmentId);
}
