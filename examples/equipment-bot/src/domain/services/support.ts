/**
 * What the domain services share: running one operation in one transaction with its repositories, and small checks.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { SYSTEM_USER } from '../../db/log-repository.js';
import { repositories, type Repositories } from '../../db/repositories.js';
import type { TransferRequest } from '../../db/transfer-repository.js';
import type { Equipment, EpochMs, Reservation, Snowflake } from '../model.js';

/**
 * Runs one operation in one write transaction, with the repositories over it.
 *
 * @param database - the open database
 * @param fn - the operation
 * @returns what `fn` returns (committed), or rejects with what it threw (rolled back)
 */
export function inTransaction<T>(database: BotDatabase, fn: (repos: Repositories) => Promise<T>): Promise<T> {
  return database.transaction((trx) => fn(repositories(trx, database.dialect)));
}

/**
 * @param value - a time
 * @returns whether it is usable epoch ms (a non-negative safe integer)
 */
export function isEpochMs(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Whether a location may be used by a guild: null (no location) always may; otherwise it must exist in that guild.
 *
 * @param repos - the repositories
 * @param guildId - the guild
 * @param locationId - the location, or null
 * @returns whether it is usable
 */
export async function isUsableLocation(
  repos: Repositories,
  guildId: Snowflake,
  locationId: number | null,
): Promise<boolean> {
  if (locationId === null) return true;
  const location = await repos.locations.get(locationId);
  return location !== null && location.guildId === guildId;
}

/** An hour, ms. */
export const HOUR_MS = 3_600_000;

/** A minute, ms. */
export const MINUTE_MS = 60_000;

/**
 * @param a - a time, epoch ms
 * @param b - a time, epoch ms
 * @returns the earlier
 */
export function earliest(a: EpochMs, b: EpochMs): EpochMs {
  return a < b ? a : b;
}

/**
 * Reads a reservation and locks its item (then reads the reservation again: it may have changed while waiting).
 *
 * @param repos - the transaction's repositories
 * @param reservationId - the reservation
 * @returns both, or null when either is gone
 */
export async function lockReservation(
  repos: Repositories,
  reservationId: number,
): Promise<{ reservation: Reservation; equipment: Equipment } | null> {
  const first = await repos.reservations.get(reservationId);
  if (first === null) return null;
  const equipment = await repos.equipment.getForUpdate(first.equipmentId);
  const reservation = await repos.reservations.get(reservationId);
  return equipment === null || reservation === null ? null : { reservation, equipment };
}

/**
 * Expires a reservation's pending transfer request, if any, with a log entry (the reservation is being cancelled or
 * returned, so the request can no longer be approved).
 *
 * @param repos - the transaction's repositories
 * @param reservation - the reservation
 * @param equipment - its item
 * @param now - epoch ms
 * @returns the expired request, or null when none was pending
 */
export async function expirePendingTransfer(
  repos: Repositories,
  reservation: Reservation,
  equipment: Equipment,
  now: EpochMs,
): Promise<TransferRequest | null> {
  const pending = await repos.transfers.getPending(reservation.id);
  const expired = pending === null ? null : await repos.transfers.close(pending.id, 'expired', now);
  if (expired !== null) {
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: SYSTEM_USER,
        action: 'transfer.expired',
        detail: { transferId: expired.id, reservationId: reservation.id, reason: 'reservation closed' },
      },
      now,
    );
  }
  return expired;
}

/**
 * Marks a reservation cancelled and expires its pending transfer request (the caller logs the cancellation).
 *
 * @param repos - the transaction's repositories
 * @param reservation - a confirmed reservation
 * @param equipment - its item
 * @param now - epoch ms
 * @returns the cancelled reservation
 */
export async function closeReservation(
  repos: Repositories,
  reservation: Reservation,
  equipment: Equipment,
  now: EpochMs,
): Promise<Reservation> {
  await expirePendingTransfer(repos, reservation, equipment, now);
  const cancelled = await repos.reservations.setStatus(reservation.id, 'cancelled');
  if (cancelled === null) throw new Error(`reservation ${reservation.id} vanished inside its own transaction`);
  return cancelled;
}

/**
 * Work to do in the transaction of a reservation's write, once it is written: the flows schedule the reservation's
 * jobs there, so that a reservation never exists without its reminders (a crash between two transactions would
 * leave it so).
 */
export type WithinWrite = (repos: Repositories, reservation: Reservation) => Promise<void>;
