/**
 * Returning an item, and undoing or correcting a return within the correction window:
 * `min(returned_at + 1 h, next reservation's start − 15 min)`. Each operation is one write transaction that locks
 * the item first, and appends an `equipment_logs` entry.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import type { Repositories } from '../../db/repositories.js';
import type { Equipment, EpochMs, Reservation, Snowflake } from '../model.js';
import { correctionWindowEnd as windowEndOf, CORRECTION_WINDOW_MS, NEXT_RESERVATION_MARGIN_MS } from '../slots.js';
import {
  expirePendingTransfer,
  inTransaction,
  isUsableLocation,
  lockReservation,
  type WithinWrite,
} from './support.js';

/** How long after a return the returner may undo or correct it (`slots.ts`' `CORRECTION_WINDOW_MS`). */
export const CORRECTION_PERIOD_MS = CORRECTION_WINDOW_MS;

/** How long before the next reservation's start the correction window closes at the latest. */
export const CORRECTION_MARGIN_BEFORE_NEXT_MS = NEXT_RESERVATION_MARGIN_MS;

/** Why a return was refused. */
export type ReturnRefusal = 'not-found' | 'forbidden' | 'not-loaned' | 'invalid';

/** Why undoing or correcting a return was refused. `conflict`: undoing would overlap a reservation made since. */
export type CorrectionRefusal = 'not-found' | 'forbidden' | 'not-returned' | 'window-closed' | 'invalid' | 'conflict';

/** A refusal. */
export interface ReturnRefused<R extends string> {
  readonly ok: false;
  readonly reason: R;
}

/** A return (or its correction) that went through. */
export interface ReturnDone {
  readonly ok: true;
  readonly reservation: Reservation;
  readonly equipment: Equipment;
  /** Until when the returner may undo or correct the return (exclusive); null after an undo. */
  readonly correctionWindowEnd: EpochMs | null;
}

/** What {@link returnReservation} returns. `jobsCancelled`: the reservation's pending jobs (reminders) deleted. */
export type ReturnResult = (ReturnDone & { readonly jobsCancelled: number }) | ReturnRefused<ReturnRefusal>;

/** What {@link cancelReturn} and {@link correctReturnLocation} return. */
export type CorrectionResult = ReturnDone | ReturnRefused<CorrectionRefusal>;

/** A return. */
export interface ReturnInput {
  readonly reservationId: number;
  /** Who returns: the owner, unless `onBehalf` is set. */
  readonly userId: Snowflake;
  /** Where the item is now; null leaves the item's current location as it was. */
  readonly locationId: number | null;
  readonly now: EpochMs;
  /** The caller checked that `userId` may return other users' loans (an admin). @defaultValue false */
  readonly onBehalf?: boolean;
}

/**
 * The end of a return's correction window: one hour after the return, but no later than 15 minutes before the next
 * reservation of the item starts. A pure function.
 *
 * @param reservation - the returned reservation
 * @param nextReservation - the item's next confirmed reservation, or null
 * @returns the end of the window (exclusive), epoch ms
 * @throws Error when the reservation has not been returned
 */
export function correctionWindowEnd(
  reservation: Pick<Reservation, 'id' | 'returnedAt'>,
  nextReservation: Pick<Reservation, 'startAt'> | null,
): EpochMs {
  if (reservation.returnedAt === null) {
    throw new Error(`reservation ${reservation.id} has not been returned: it has no correction window.`);
  }
  return windowEndOf(reservation.returnedAt, nextReservation?.startAt ?? null);
}

async function windowEnd(repos: Repositories, reservation: Reservation): Promise<EpochMs> {
  const next = await repos.reservations.nextConfirmed(reservation.equipmentId, reservation.startAt, reservation.id);
  return correctionWindowEnd(reservation, next);
}

/**
 * Returns a loan: the reservation becomes `returned` (when, where, by whom), the item's current location becomes
 * `locationId`, its pending jobs are deleted and a pending transfer request of it expires. Only a confirmed
 * reservation that has started can be returned (`not-loaned` otherwise), by its owner (or `onBehalf`).
 *
 * @param database - the open database
 * @param input - the reservation, who, where, when
 * @returns the returned reservation with its correction window, or why not
 */
export async function returnReservation(database: BotDatabase, input: ReturnInput): Promise<ReturnResult> {
  const { now } = input;
  return inTransaction(database, async (repos): Promise<ReturnResult> => {
    const locked = await lockReservation(repos, input.reservationId);
    if (locked === null) return { ok: false, reason: 'not-found' };
    const { reservation, equipment } = locked;
    if (reservation.userId !== input.userId && input.onBehalf !== true) return { ok: false, reason: 'forbidden' };
    if (reservation.status !== 'confirmed' || reservation.startAt > now) return { ok: false, reason: 'not-loaned' };
    if (!(await isUsableLocation(repos, equipment.guildId, input.locationId))) return { ok: false, reason: 'invalid' };
    await expirePendingTransfer(repos, reservation, equipment, now);
    const returned = await repos.reservations.markReturned(reservation.id, {
      at: now,
      locationId: input.locationId,
      by: input.userId,
    });
    if (returned === null) return { ok: false, reason: 'not-found' };
    const moved =
      input.locationId === null
        ? equipment
        : ((await repos.equipment.setLocations(equipment.id, { currentLocationId: input.locationId })) ?? equipment);
    const jobsCancelled = await repos.jobs.cancelByReservation(reservation.id);
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.returned',
        detail: {
          reservationId: reservation.id,
          ownerId: reservation.userId,
          locationId: input.locationId,
          endAt: reservation.endAt,
        },
      },
      now,
    );
    return {
      ok: true,
      reservation: returned,
      equipment: moved,
      correctionWindowEnd: await windowEnd(repos, returned),
      jobsCancelled,
    };
  });
}

/** Locks a returned reservation and checks the returner and the window. */
async function lockCorrectable(
  repos: Repositories,
  reservationId: number,
  userId: Snowflake,
  now: EpochMs,
): Promise<
  { ok: true; reservation: Reservation; equipment: Equipment; windowEnd: EpochMs } | ReturnRefused<CorrectionRefusal>
> {
  const locked = await lockReservation(repos, reservationId);
  if (locked === null) return { ok: false, reason: 'not-found' };
  const { reservation, equipment } = locked;
  if (reservation.status !== 'returned') return { ok: false, reason: 'not-returned' };
  if (reservation.returnedBy !== userId) return { ok: false, reason: 'forbidden' };
  const end = await windowEnd(repos, reservation);
  if (now >= end) return { ok: false, reason: 'window-closed' };
  return { ok: true, reservation, equipment, windowEnd: end };
}

/**
 * Undoes a return (back to Loaned): only the returner, only within the correction window, and only if no
 * reservation made since the return overlaps the loan's period (`conflict`).
 *
 * @param database - the open database
 * @param input - the reservation, who asks, when
 * @param within - more work in the same transaction, once it is confirmed again (its jobs, which the return deleted)
 * @returns the reservation, confirmed again, or why not
 */
export async function cancelReturn(
  database: BotDatabase,
  input: { readonly reservationId: number; readonly userId: Snowflake; readonly now: EpochMs },
  within?: WithinWrite,
): Promise<CorrectionResult> {
  return inTransaction(database, async (repos): Promise<CorrectionResult> => {
    const checked = await lockCorrectable(repos, input.reservationId, input.userId, input.now);
    if (!checked.ok) return checked;
    const { reservation, equipment } = checked;
    const overlaps = await repos.reservations.findOverlapping(
      equipment.id,
      reservation.startAt,
      reservation.endAt,
      reservation.id,
    );
    if (overlaps.length > 0) return { ok: false, reason: 'conflict' };
    const restored = await repos.reservations.unmarkReturned(reservation.id);
    if (restored === null) return { ok: false, reason: 'not-found' };
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.return-cancelled',
        detail: { reservationId: reservation.id, returnedAt: reservation.returnedAt },
      },
      input.now,
    );
    await within?.(repos, restored);
    return { ok: true, reservation: restored, equipment, correctionWindowEnd: null };
  });
}

/**
 * Corrects where a returned item was put: only the returner, only within the correction window. The item's current
 * location follows.
 *
 * @param database - the open database
 * @param input - the reservation, who asks, the right location, when
 * @returns the corrected reservation, or why not
 */
export async function correctReturnLocation(
  database: BotDatabase,
  input: {
    readonly reservationId: number;
    readonly userId: Snowflake;
    readonly locationId: number;
    readonly now: EpochMs;
  },
): Promise<CorrectionResult> {
  return inTransaction(database, async (repos): Promise<CorrectionResult> => {
    const checked = await lockCorrectable(repos, input.reservationId, input.userId, input.now);
    if (!checked.ok) return checked;
    const { reservation, equipment } = checked;
    if (!(await isUsableLocation(repos, equipment.guildId, input.locationId))) return { ok: false, reason: 'invalid' };
    const corrected = await repos.reservations.setReturnLocation(reservation.id, input.locationId);
    if (corrected === null) return { ok: false, reason: 'not-found' };
    const moved =
      (await repos.equipment.setLocations(equipment.id, { currentLocationId: input.locationId })) ?? equipment;
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: 'reservation.return-location-corrected',
        detail: {
          reservationId: reservation.id,
          previousLocationId: reservation.returnLocationId,
          locationId: input.locationId,
        },
      },
      input.now,
    );
    return { ok: true, reservation: corrected, equipment: moved, correctionWindowEnd: checked.windowEnd };
  });
}
