/**
 * Overall Management → Export CSV (scenario 38): the guild's reservations starting in a chosen period, as a CSV file
 * attached to an ephemeral message (the format is described in `domain/services/reservation-export.ts`).
 *
 * The file goes in a message of its own (a follow-up) rather than on the wizard: an edit keeps a message's
 * attachments unless it lists them again, so a file attached to the wizard would stay under every later screen.
 *
 * @module
 */
import type { RawFile } from '@discordjs/rest';
import { ButtonStyle } from 'discord-api-types/v10';
import type { EpochMs } from '../../domain/model.js';
import { listReservationsForExport, reservationsToCsv } from '../../domain/services/reservation-export.js';
import { formatJstDate } from '../../domain/time.js';
import type { Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { button, buttonRow, rows, selectRow } from '../interactions/ui.js';
import { adminId, selectedValues, type AdminKit, type AdminSession, type AdminState } from './admin-menu.js';
import { describePeriod, EXPORT_PERIODS, periodBounds, type ExportPeriod } from './admin-periods.js';
import { withNotice } from './flow-deps.js';
import { parsePeriod, periodOptions } from './period-picker.js';

/**
 * Largest file the export sends, bytes: Discord's upload limit for a server without boosts is 10 MiB; the margin
 * leaves room for the rest of the request.
 */
export const EXPORT_MAX_BYTES = 8 * 1024 * 1024;

/** What the export screen shows. */
export const AdminExportText = {
  screen: (period: string) =>
    `Export reservations as a CSV file: every reservation starting in the period, with its item, tag, user, JST times, status and locations.\nPeriod: ${period}`,
  placeholder: 'Period',
  exportLabel: 'Export CSV',
  file: (period: string, count: number) =>
    `Reservations starting in ${period}: ${count} row${count === 1 ? '' : 's'} (times in JST).`,
  sent: 'The CSV file is in the message below.',
  tooLarge: (bytes: number) =>
    `The export is ${(bytes / 1024 / 1024).toFixed(1)} MiB, more than Discord accepts (${EXPORT_MAX_BYTES / 1024 / 1024} MiB). Choose a shorter period.`,
} as const;

/**
 * The export's file name: `reservations-<first day>-<last day>.csv` (JST dates, `YYYYMMDD`), or
 * `reservations-all-<today>.csv`.
 *
 * @param period - the period
 * @param now - epoch ms
 * @returns the name
 */
export function exportFileName(period: ExportPeriod, now: EpochMs): string {
  const day = (ms: EpochMs) => formatJstDate(ms).replaceAll('/', '');
  if (period === 'all') return `reservations-all-${day(now)}.csv`;
  const { start, end } = periodBounds(period, now);
  return `reservations-${day(start)}-${day(end - 1)}.csv`;
}

/**
 * Routes the export on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminExport(router: InteractionRouter, kit: AdminKit): void {
  const { deps } = kit;

  const screen = (session: AdminSession, notice?: string): Screen => {
    const period = session.data.exportPeriod;
    return {
      content: withNotice(notice, AdminExportText.screen(describePeriod(period, deps.now()))),
      components: rows(
        selectRow(
          adminId('export-period', session.id),
          AdminExportText.placeholder,
          periodOptions(EXPORT_PERIODS, period),
        ),
        buttonRow(
          kit.backToMenu(session),
          button(AdminExportText.exportLabel, adminId('export-run', session.id), ButtonStyle.Primary),
        ),
      ),
    };
  };

  router.step<AdminState>('admin', 'export', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.show(screen(session));
  });

  router.step<AdminState>('admin', 'export-period', async (ctx, session, _id, interaction) => {
    const period = parsePeriod(EXPORT_PERIODS, selectedValues(interaction)[0]);
    if (period !== undefined) session.data.exportPeriod = period;
    await ctx.show(screen(session));
  });

  router.step<AdminState>('admin', 'export-run', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    // Reading and writing a large period can take a while: acknowledge first.
    await ctx.defer();
    const period = session.data.exportPeriod;
    const now = deps.now();
    const { start, end } = periodBounds(period, now);
    const rowsOut = await listReservationsForExport(deps.database, { guildId: session.guildId, from: start, to: end });
    const data = Buffer.from(reservationsToCsv(rowsOut), 'utf8');
    if (data.byteLength > EXPORT_MAX_BYTES) return ctx.show(screen(session, AdminExportText.tooLarge(data.byteLength)));
    const file: RawFile = { name: exportFileName(period, now), data, contentType: 'text/csv; charset=utf-8' };
    await ctx.notice({ content: AdminExportText.file(describePeriod(period, now), rowsOut.length), files: [file] });
    await ctx.show(screen(session, AdminExportText.sent));
  });
}
