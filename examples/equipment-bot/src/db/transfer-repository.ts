/**
 * Requests to hand a reservation over to another user. At most one is pending per reservation: the partial unique
 * index `transfer_requests_one_pending_uq` decides, so two concurrent requests cannot both be stored.
 *
 * @module
 */
import { sql, type Selectable } from 'kysely';
import type { EpochMs, Snowflake } from '../domain/model.js';
import { num, numOrNull } from './rows.js';
import type { BotExecutor, TransferRequestsTable, TransferStatusColumn } from './schema.js';

/** A transfer request's lifecycle. */
export type TransferStatus = TransferStatusColumn;

/** A request to hand a reservation from its owner to another user. */
export interface TransferRequest {
  readonly id: number;
  readonly reservationId: number;
  readonly fromUserId: Snowflake;
  readonly toUserId: Snowflake;
  readonly status: TransferStatus;
  readonly createdAt: EpochMs;
  /** After this the request can no longer be answered (see `expireDue`). */
  readonly expiresAt: EpochMs;
  /** When it was approved, denied or expired. */
  readonly answeredAt: EpochMs | null;
}

/**
 * The expiry sweep's query: pending requests whose time is up. Uses `idx_transfer_requests_status_expires`.
 * Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param now - epoch ms
 * @returns the query
 */
export function dueTransfersQuery(db: BotExecutor, now: EpochMs) {
  return db
    .selectFrom('transfer_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .orderBy('id');
}

/** Reads and writes `transfer_requests`. */
export class TransferRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * Stores a pending request, unless the reservation already has one.
   *
   * @param request - the reservation, the users and the expiry
   * @param now - epoch ms
   * @returns the stored request, or null when one is already pending (the unique index said so)
   */
  public async insertPending(
    request: {
      readonly reservationId: number;
      readonly fromUserId: Snowflake;
      readonly toUserId: Snowflake;
      readonly expiresAt: EpochMs;
    },
    now: EpochMs,
  ): Promise<TransferRequest | null> {
    const row = await this.#db
      .insertInto('transfer_requests')
      .values({
        reservation_id: request.reservationId,
        from_user_id: request.fromUserId,
        to_user_id: request.toUserId,
        status: 'pending',
        created_at: now,
        expires_at: request.expiresAt,
      })
      // The predicate is a literal, as in the index: Postgres infers a partial index only from a matching literal.
      .onConflict((conflict) => conflict.column('reservation_id').where('status', '=', sql.lit('pending')).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toTransfer(row);
  }

  /**
   * @param transferId - the request
   * @returns it, or null
   */
  public async get(transferId: number): Promise<TransferRequest | null> {
    const row = await this.#db
      .selectFrom('transfer_requests')
      .selectAll()
      .where('id', '=', transferId)
      .executeTakeFirst();
    return row === undefined ? null : toTransfer(row);
  }

  /**
   * @param reservationId - the reservation
   * @returns its pending request, or null
   */
  public async getPending(reservationId: number): Promise<TransferRequest | null> {
    const row = await this.#db
      .selectFrom('transfer_requests')
      .selectAll()
      .where('reservation_id', '=', reservationId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row === undefined ? null : toTransfer(row);
  }

  /**
   * Closes a pending request (approved, denied or expired). Does nothing to a request that is not pending, so of
   * two concurrent answers only one wins.
   *
   * @param transferId - the request
   * @param status - how it ends
   * @param now - epoch ms
   * @returns the request after the change, or null when it was not pending
   */
  public async close(
    transferId: number,
    status: Exclude<TransferStatus, 'pending'>,
    now: EpochMs,
  ): Promise<TransferRequest | null> {
    const row = await this.#db
      .updateTable('transfer_requests')
      .set({ status, answered_at: now })
      .where('id', '=', transferId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toTransfer(row);
  }

  /**
   * Marks every pending request whose time is up as expired.
   *
   * @param now - epoch ms
   * @param reservationId - only this reservation's
   * @returns the requests expired now (to tell their requesters)
   */
  public async expireDue(now: EpochMs, reservationId?: number): Promise<TransferRequest[]> {
    let query = this.#db
      .updateTable('transfer_requests')
      .set({ status: 'expired', answered_at: now })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now);
    if (reservationId !== undefined) query = query.where('reservation_id', '=', reservationId);
    const rows = await query.returningAll().execute();
    return rows.map(toTransfer).sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id);
  }
}

function toTransfer(row: Selectable<TransferRequestsTable>): TransferRequest {
  return {
    id: num(row.id),
    reservationId: num(row.reservation_id),
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    status: row.status,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    answeredAt: numOrNull(row.answered_at),
  };
}
