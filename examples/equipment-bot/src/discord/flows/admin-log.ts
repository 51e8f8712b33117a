/**
 * Overall Management → Overall Log (scenario 35, the overall part): the guild's whole log — every item's entries,
 * deleted items' included, and the guild-wide ones (tags, locations, settings) — for a period chosen from a select,
 * newest first, every time in JST, ten entries a page (well within an embed's 4096 characters). Each entry reads as
 * `log-entry-text.ts` words it.
 *
 * @module
 */
import type { APIEmbed } from 'discord-api-types/v10';
import { paginate } from '../../domain/slots.js';
import type { Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { buttonRow, pageArg, pageButtons, rows, selectRow } from '../interactions/ui.js';
import { AdminText, adminId, selectedValues, type AdminKit, type AdminSession, type AdminState } from './admin-menu.js';
import { describePeriod, LOG_PERIODS, periodBounds } from './admin-periods.js';
import { reposOf } from './flow-deps.js';
import { logNames, overallLogLine } from './log-entry-text.js';
import { parsePeriod, periodOptions } from './period-picker.js';

/** Entries a page. */
export const LOG_ENTRIES_PER_PAGE = 10;
/** Most entries read for one period (the newest); the footer says when there were more. */
export const LOG_MAX_ENTRIES = 1000;
/** Longest line of one entry (ten of them stay far below an embed description's 4096 characters). */
const MAX_LINE = 350;

/** What the log screen shows. */
export const AdminLogText = {
  title: (period: string) => `Overall log: ${period}`,
  empty: 'No log entries in this period.',
  placeholder: 'Period',
  footer: (page: number, pages: number, count: number, capped: boolean) =>
    `${AdminText.pageFooter(page, pages)} · ${count} entr${count === 1 ? 'y' : 'ies'}${
      capped ? ` (the newest ${LOG_MAX_ENTRIES}; choose a shorter period for older ones)` : ''
    } · times in JST`,
} as const;

/**
 * Routes the overall log on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminLog(router: InteractionRouter, kit: AdminKit): void {
  const { deps } = kit;

  const screen = async (session: AdminSession): Promise<Screen> => {
    const { period } = session.data.log;
    const now = deps.now();
    const { start, end } = periodBounds(period, now);
    const repos = reposOf(deps);
    const [entries, tags, locations] = await Promise.all([
      repos.logs.list({ guildId: session.guildId, from: start, to: Math.min(end, now + 1), limit: LOG_MAX_ENTRIES }),
      repos.tags.list(session.guildId),
      repos.locations.list(session.guildId),
    ]);
    const names = logNames(tags, locations);
    const page = paginate(entries, session.data.log.page, LOG_ENTRIES_PER_PAGE);
    session.data.log.page = page.page;
    const embed: APIEmbed = {
      title: AdminLogText.title(describePeriod(period, now)),
      description:
        entries.length === 0
          ? AdminLogText.empty
          : page.items.map((entry) => overallLogLine(entry, names, MAX_LINE)).join('\n'),
      footer: { text: AdminLogText.footer(page.page, page.pages, entries.length, entries.length >= LOG_MAX_ENTRIES) },
    };
    return {
      embeds: [embed],
      components: rows(
        selectRow(adminId('log-period', session.id), AdminLogText.placeholder, periodOptions(LOG_PERIODS, period)),
        buttonRow(kit.backToMenu(session), ...pageButtons(page, (to) => adminId('log-page', session.id, String(to)))),
      ),
    };
  };

  router.step<AdminState>('admin', 'log', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.show(await screen(session));
  });

  router.step<AdminState>('admin', 'log-period', async (ctx, session, _id, interaction) => {
    if (await kit.refuse(ctx)) return;
    const period = parsePeriod(LOG_PERIODS, selectedValues(interaction)[0]);
    if (period !== undefined) session.data.log = { period, page: 0 };
    await ctx.show(await screen(session));
  });

  router.step<AdminState>('admin', 'log-page', async (ctx, session, id) => {
    if (await kit.refuse(ctx)) return;
    session.data.log.page = pageArg(id.arg);
    await ctx.show(await screen(session));
  });
}
