/**
 * Handing a reservation over to another user: the owner asks, the target approves or denies within 3 hours, or the
 * request expires. At most one request is pending per reservation (the partial unique index decides, so two
 * concurrent requests cannot both be stored). Each operation is one write transaction with a log entry.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { SYSTEM_USER } from '../../db/log-repository.js';
import type { TransferRequest } from '../../db/transfer-repository.js';
import type { Equipment, EpochMs, Reservation, Snowflake } from '../model.js';
import { HOUR_MS, inTransaction, lockReservation } from './support.js';

/** How long a transfer request waits for an answer. */
export const TRANSFER_TTL_MS = 3 * HOUR_MS;

/**
 * Why a request was refused: no such reservation; not its owner; to oneself (`invalid`; bots are the caller's to
 * refuse); not confirmed or already ended (`not-changeable`); or one is pending already (`pending-exists`, with it).
 */
export type RequestTransferRefusal = 'not-found' | 'forbidden' | 'invalid' | 'not-changeable' | 'pending-exists';

/**
 * Why an answer was refused: no such request; not its target; answered or expired before (`not-pending`); its
 * time ran out now (`expired`: it is marked so); the reservation was cancelled, returned, ended or handed over
 * meanwhile (`not-changeable`: the request is marked expired).
 */
export type AnswerTransferRefusal = 'not-found' | 'forbidden' | 'not-pending' | 'expired' | 'not-changeable';

/** A transfer operation that went through. */
export interface TransferDone {
  readonly ok: true;
  readonly transfer: TransferRequest;
  /** The reservation after the operation (its new owner after an approval). */
  readonly reservation: Reservation;
  readonly equipment: Equipment;
}

/** A refusal; `transfer` is the request concerned, when there is one. */
export interface TransferRefused<R extends string> {
  readonly ok: false;
  readonly reason: R;
  readonly transfer: TransferRequest | null;
}

/** What {@link requestTransfer} returns. */
export type RequestTransferResult = TransferDone | TransferRefused<RequestTransferRefusal>;

/** What {@link answerTransfer} returns. */
export type AnswerTransferResult = TransferDone | TransferRefused<AnswerTransferRefusal>;

/** A request that {@link expireTransfers} expired, with what the requester's DM names. */
export interface ExpiredTransfer {
  readonly transfer: TransferRequest;
  readonly reservation: Reservation;
  readonly equipment: Equipment;
}

function refuse<R extends string>(reason: R, transfer: TransferRequest | null = null): TransferRefused<R> {
  return { ok: false, reason, transfer };
}

/**
 * Asks to hand a reservation to another user. A pending request of the reservation whose time is up is expired
 * first, so it does not block a new one.
 *
 * @param database - the open database
 * @param input - the reservation, the owner asking, the target, when, and the time to answer
 * @returns the pending request, or why not
 */
export async function requestTransfer(
  database: BotDatabase,
  input: {
    readonly reservationId: number;
    readonly fromUserId: Snowflake;
    readonly toUserId: Snowflake;
    readonly now: EpochMs;
    /** @defaultValue {@link TRANSFER_TTL_MS} */
    readonly ttlMs?: number;
  },
): Promise<RequestTransferResult> {
  const { now } = input;
  return inTransaction(database, async (repos): Promise<RequestTransferResult> => {
    const locked = await lockReservation(repos, input.reservationId);
    if (locked === null) return refuse('not-found');
    const { reservation, equipment } = locked;
    if (reservation.userId !== input.fromUserId) return refuse('forbidden');
    if (input.toUserId === input.fromUserId) return refuse('invalid');
    if (reservation.status !== 'confirmed' || reservation.endAt <= now) return refuse('not-changeable');
    for (const expired of await repos.transfers.expireDue(now, reservation.id)) {
      await repos.logs.append(
        {
          guildId: equipment.guildId,
          equipment,
          userId: SYSTEM_USER,
          action: 'transfer.expired',
          detail: detailOf(expired),
        },
        now,
      );
    }
    const transfer = await repos.transfers.insertPending(
      {
        reservationId: reservation.id,
        fromUserId: input.fromUserId,
        toUserId: input.toUserId,
        expiresAt: now + (input.ttlMs ?? TRANSFER_TTL_MS),
      },
      now,
    );
    if (transfer === null) return refuse('pending-exists', await repos.transfers.getPending(reservation.id));
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.fromUserId,
        action: 'transfer.requested',
        detail: detailOf(transfer),
      },
      now,
    );
    return { ok: true, transfer, reservation, equipment };
  });
}

/**
 * Approves or denies a pending request: only its target, only while pending and before it expires. Approval makes
 * the target the reservation's owner.
 *
 * @param database - the open database
 * @param input - the request, who answers, the answer, when
 * @returns the closed request and the reservation, or why not
 */
export async function answerTransfer(
  database: BotDatabase,
  input: {
    readonly transferId: number;
    readonly userId: Snowflake;
    readonly answer: 'approve' | 'deny';
    readonly now: EpochMs;
  },
): Promise<AnswerTransferResult> {
  const { now } = input;
  return inTransaction(database, async (repos): Promise<AnswerTransferResult> => {
    const found = await repos.transfers.get(input.transferId);
    if (found === null) return refuse('not-found');
    const locked = await lockReservation(repos, found.reservationId);
    const transfer = await repos.transfers.get(input.transferId);
    if (locked === null || transfer === null) return refuse('not-found');
    const { reservation, equipment } = locked;
    if (transfer.toUserId !== input.userId) return refuse('forbidden', transfer);
    if (transfer.status !== 'pending') return refuse('not-pending', transfer);
    const stillValid =
      reservation.status === 'confirmed' && reservation.endAt > now && reservation.userId === transfer.fromUserId;
    if (transfer.expiresAt <= now || !stillValid) {
      const expired = (await repos.transfers.close(transfer.id, 'expired', now)) ?? transfer;
      await repos.logs.append(
        {
          guildId: equipment.guildId,
          equipment,
          userId: SYSTEM_USER,
          action: 'transfer.expired',
          detail: detailOf(expired),
        },
        now,
      );
      return refuse(transfer.expiresAt <= now ? 'expired' : 'not-changeable', expired);
    }
    const approve = input.answer === 'approve';
    const closed = await repos.transfers.close(transfer.id, approve ? 'approved' : 'denied', now);
    if (closed === null) return refuse('not-pending', transfer);
    const after = approve
      ? ((await repos.reservations.setOwner(reservation.id, transfer.toUserId)) ?? reservation)
      : reservation;
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: input.userId,
        action: approve ? 'transfer.approved' : 'transfer.denied',
        detail: detailOf(closed),
      },
      now,
    );
    return { ok: true, transfer: closed, reservation: after, equipment };
  });
}

/**
 * Expires every pending request whose time is up (the jobs loop calls it every minute, and at start-up).
 *
 * @param database - the open database
 * @param now - epoch ms
 * @returns the requests expired now, with their reservations and items (to DM the requesters)
 */
export async function expireTransfers(database: BotDatabase, now: EpochMs): Promise<ExpiredTransfer[]> {
  return inTransaction(database, async (repos) => {
    const expired: ExpiredTransfer[] = [];
    for (const transfer of await repos.transfers.expireDue(now)) {
      const reservation = await repos.reservations.get(transfer.reservationId);
      const equipment = reservation === null ? null : await repos.equipment.get(reservation.equipmentId);
      if (reservation === null || equipment === null) continue;
      await repos.logs.append(
        {
          guildId: equipment.guildId,
          equipment,
          userId: SYSTEM_USER,
          action: 'transfer.expired',
          detail: detailOf(transfer),
        },
        now,
      );
      expired.push({ transfer, reservation, equipment });
    }
    return expired;
  });
}

function detailOf(transfer: TransferRequest): Record<string, number | string> {
  return {
    transferId: transfer.id,
    reservationId: transfer.reservationId,
    fromUserId: transfer.fromUserId,
    toUserId: transfer.toUserId,
    expiresAt: transfer.expiresAt,
  };
}

/**
 * Withdraws a pending request nobody can answer (its DM could not be delivered): it is marked expired, only while
 * still pending, and logged as `transfer.expired` with the reason. Leaving it pending would block another request
 * of the reservation until it expired.
 *
 * @param database - the open database
 * @param input - the request, its item (for the log) and why
 * @param now - epoch ms
 * @returns whether it was still pending (and is now withdrawn)
 */
export async function withdrawTransfer(
  database: BotDatabase,
  input: { readonly transferId: number; readonly equipment: Equipment; readonly reason: string },
  now: EpochMs,
): Promise<boolean> {
  return inTransaction(database, async (repos) => {
    const closed = await repos.transfers.close(input.transferId, 'expired', now);
    if (closed === null) return false;
    await repos.logs.append(
      {
        guildId: input.equipment.guildId,
        equipment: input.equipment,
        userId: SYSTEM_USER,
        action: 'transfer.expired',
        detail: { ...detailOf(closed), reason: input.reason },
      },
      now,
    );
    return true;
  });
}
