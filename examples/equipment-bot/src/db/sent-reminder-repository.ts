/**
 * Notifications already sent, one row per reservation and kind: the primary key (reservation_id, kind) decides, so
 * a notification is sent at most once, also across restarts and with several processes.
 *
 * @module
 */
import type { EpochMs } from '../domain/model.js';
import type { BotExecutor } from './schema.js';

/** Reads and writes `sent_reminders`. */
export class SentReminderRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * Records that a notification is (being) sent. Call it before sending and send only when it returns `true`; if
   * the sending fails for good, {@link unmark} lets a later attempt send it.
   *
   * @param reservationId - the reservation
   * @param kind - which notification, e.g. `'end-soon'`, `'overdue:2'` (any string the caller chooses)
   * @param now - epoch ms
   * @returns `true` when recorded now, `false` when it had been recorded already
   */
  public async markSent(reservationId: number, kind: string, now: EpochMs): Promise<boolean> {
    const result = await this.#db
      .insertInto('sent_reminders')
      .values({ reservation_id: reservationId, kind, sent_at: now })
      .onConflict((conflict) => conflict.columns(['reservation_id', 'kind']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /**
   * @param reservationId - the reservation
   * @param kind - which notification
   * @returns whether it was recorded as sent
   */
  public async isSent(reservationId: number, kind: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('sent_reminders')
      .select('kind')
      .where('reservation_id', '=', reservationId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Forgets a notification, so it can be sent again (after a failed DM).
   *
   * @param reservationId - the reservation
   * @param kind - which notification
   * @returns whether it had been recorded
   */
  public async unmark(reservationId: number, kind: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('sent_reminders')
      .where('reservation_id', '=', reservationId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * @param reservationId - the reservation
   * @returns the kinds sent for it, sorted
   */
  public async listKinds(reservationId: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sent_reminders')
      .select('kind')
      .where('reservation_id', '=', reservationId)
      .orderBy('kind')
      .execute();
    return rows.map((row) => row.kind);
  }
}
