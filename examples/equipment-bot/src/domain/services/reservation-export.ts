/**
 * The CSV export of a guild's reservations (scenario 38): every reservation (any status) that starts in a period,
 * one row each, as RFC 4180 CSV with a header row and JST times. No Discord here: the admin flow sends the text as a
 * file.
 *
 * The columns, in order ({@link EXPORT_COLUMNS}):
 *
 * | header             | value                                                                    |
 * | ------------------ | ------------------------------------------------------------------------ |
 * | Reservation ID     | the reservation's id                                                     |
 * | Item               | the item's name                                                          |
 * | Tag                | the item's tag now, empty when untagged                                  |
 * | User ID            | the owner's Discord id (a snowflake, as text)                            |
 * | Start (JST)        | `YYYY/MM/DD HH:MM`                                                       |
 * | End (JST)          | `YYYY/MM/DD HH:MM`                                                       |
 * | Status             | `Confirmed`, `Returned` or `Cancelled`                                   |
 * | Location           | where it is used, empty when none (or the location was deleted)          |
 * | Returned At (JST)  | `YYYY/MM/DD HH:MM`, empty until returned                                 |
 * | Return Location    | where it was returned, empty when none                                   |
 * | Returned By        | the Discord id of who returned it, empty until returned                  |
 *
 * Encoding: UTF-8 with a byte order mark (so that spreadsheet programs read non-ASCII names right), CRLF between
 * records, a field quoted when it holds a comma, a double quote, CR or LF, and a double quote inside a field doubled
 * (RFC 4180 §2). A field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
 * prefixed with `'` (CSV injection): names are typed by administrators, but the file is opened by others.
 *
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import type { BotDatabase } from '../../db/database.js';
import { repositories } from '../../db/repositories.js';
import type { EpochMs, ReservationStatus, Snowflake } from '../model.js';
import { formatJst } from '../time.js';

/** The export's columns: the record key and the header text, in file order. */
export const EXPORT_COLUMNS = [
  { key: 'reservationId', header: 'Reservation ID' },
  { key: 'item', header: 'Item' },
  { key: 'tag', header: 'Tag' },
  { key: 'userId', header: 'User ID' },
  { key: 'start', header: 'Start (JST)' },
  { key: 'end', header: 'End (JST)' },
  { key: 'status', header: 'Status' },
  { key: 'location', header: 'Location' },
  { key: 'returnedAt', header: 'Returned At (JST)' },
  { key: 'returnLocation', header: 'Return Location' },
  { key: 'returnedBy', header: 'Returned By' },
] as const satisfies readonly { readonly key: string; readonly header: string }[];

/** One row of the export, every field as it is written (text; empty for none). */
export type ExportRow = Readonly<Record<(typeof EXPORT_COLUMNS)[number]['key'], string>>;

/** How a status is written. */
const STATUS_TEXT = {
  confirmed: 'Confirmed',
  returned: 'Returned',
  cancelled: 'Cancelled',
} as const satisfies Record<ReservationStatus, string>;

/** Which reservations to export: those of the guild starting in `[from, to)`. */
export interface ExportQuery {
  readonly guildId: Snowflake;
  /** The period's start, epoch ms. */
  readonly from: EpochMs;
  /** The period's end (exclusive), epoch ms. */
  readonly to: EpochMs;
}

/**
 * The rows of the export: the guild's reservations starting in the period, oldest first, with their item's name and
 * tag and their locations' names. Three queries in one read snapshot, whatever the number of rows (the reservations
 * by `idx_reservations_time_range`, then the guild's items and locations).
 *
 * @param database - the open database
 * @param query - the guild and the period
 * @returns the rows, by start then id
 * @example
 * ```ts
 * const rows = await listReservationsForExport(database, { guildId, from: 0, to: Date.now() });
 * ```
 */
export function listReservationsForExport(database: BotDatabase, query: ExportQuery): Promise<ExportRow[]> {
  return database.readTransaction(async (trx) => {
    const repos = repositories(trx, database.dialect);
    const reservations = await repos.reservations.listInPeriod(query.guildId, query.from, query.to);
    if (reservations.length === 0) return [];
    const tags = new Map((await repos.tags.list(query.guildId)).map((tag) => [tag.id, tag.name]));
    const tagOfItem = new Map(
      (await repos.equipment.list(query.guildId)).map((item) => [
        item.id,
        item.tagId === null ? '' : (tags.get(item.tagId) ?? ''),
      ]),
    );
    const locations = new Map((await repos.locations.list(query.guildId)).map((place) => [place.id, place.name]));
    const locationName = (id: number | null): string => (id === null ? '' : (locations.get(id) ?? ''));
    return reservations.map((reservation): ExportRow => ({
      reservationId: String(reservation.id),
      item: reservation.equipmentName,
      tag: tagOfItem.get(reservation.equipmentId) ?? '',
      userId: reservation.userId,
      start: formatJst(reservation.startAt),
      end: formatJst(reservation.endAt),
      status: STATUS_TEXT[reservation.status],
      location: locationName(reservation.locationId),
      returnedAt: reservation.returnedAt === null ? '' : formatJst(reservation.returnedAt),
      returnLocation: locationName(reservation.returnLocationId),
      returnedBy: reservation.returnedBy ?? '',
    }));
  });
}

/**
 * Writes rows as the export's CSV text (see the module's description for the format).
 *
 * @param rows - the rows, from {@link listReservationsForExport}
 * @returns the CSV: a byte order mark, the header row, then one record per row, each ending in CRLF
 * @example
 * ```ts
 * const csv = reservationsToCsv(rows);
 * const file = { name: 'reservations.csv', data: Buffer.from(csv, 'utf8') };
 * ```
 */
export function reservationsToCsv(rows: readonly ExportRow[]): string {
  return stringify([...rows], {
    bom: true,
    header: true,
    columns: EXPORT_COLUMNS.map((column) => ({ key: column.key, header: column.header })),
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    escape_formulas: true,
  });
}
