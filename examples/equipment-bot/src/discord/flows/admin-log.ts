/**
 * Overall Management → Overall Log (scenario 35, the overall part): the guild's whole log — every item's entries,
 * deleted items' included, and the guild-wide ones (tags, locations, settings) — for a period chosen from a select,
 * newest first, every time in JST, ten entries a page (well within an embed's 4096 characters).
 *
 * @module
 */
import type { APIEmbed } from 'discord-api-types/v10';
import { SYSTEM_USER, type LogAction, type LogEntry } from '../../db/log-repository.js';
import { paginate } from '../../domain/slots.js';
import { formatJst, formatJstRange } from '../../domain/time.js';
import type { Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { buttonRow, rows, selectRow } from '../interactions/ui.js';
import {
  AdminText,
  adminId,
  pageArg,
  pageButtons,
  selectedValues,
  type AdminKit,
  type AdminSession,
  type AdminState,
} from './admin-menu.js';
import { describePeriod, LOG_PERIODS, parsePeriod, periodBounds, periodOptions } from './admin-periods.js';
import { reposOf } from './flow-deps.js';

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
  bot: 'Bot',
  none: 'none',
  deleted: (id: number) => `#${id} (deleted)`,
} as const;

/** How each action reads in the log. */
export const LOG_ACTION_TEXT = {
  'equipment.created': 'added the equipment',
  'equipment.renamed': 'renamed the equipment',
  'equipment.tag-set': 'set the tag',
  'equipment.unavailable-set': 'made the equipment unavailable',
  'equipment.available-set': 'made the equipment available',
  'equipment.locations-set': 'set the default return location',
  'equipment.deleted': 'deleted the equipment',
  'reservation.created': 'reserved',
  'reservation.changed': 'changed a reservation',
  'reservation.cancelled': 'cancelled a reservation',
  'reservation.cancelled-by-admin': 'cancelled a reservation (administrator)',
  'reservation.returned': 'returned the equipment',
  'reservation.return-cancelled': 'cancelled a return',
  'reservation.return-location-corrected': 'corrected the return location',
  'transfer.requested': 'asked to hand over a reservation',
  'transfer.approved': 'approved a handover',
  'transfer.denied': 'denied a handover',
  'transfer.expired': 'handover request expired',
  'tag.created': 'added a tag',
  'tag.renamed': 'renamed a tag',
  'tag.deleted': 'deleted a tag',
  'tag.reordered': 'reordered the tags',
  'location.created': 'added a location',
  'location.renamed': 'renamed a location',
  'location.deleted': 'deleted a location',
  'settings.channel-set': 'set the reservation channel',
  'settings.admin-roles-set': 'set the admin roles',
  'settings.overdue-repeat-set': 'set the overdue reminder interval',
} as const satisfies Record<LogAction, string>;

/** Names of the guild's tags and locations now, to show ids in details. */
export interface LogNames {
  readonly tags: ReadonlyMap<number, string>;
  readonly locations: ReadonlyMap<number, string>;
}

/** Detail keys that are internal ids, not worth a reader's attention. */
const HIDDEN_KEYS = new Set(['reservationId', 'transferId']);

/**
 * One log entry as a line: JST time, who, the item (its name when the entry was written), what, and the details
 * (times in JST, users, roles and channels as mentions, tags and locations by name).
 *
 * @param entry - the entry
 * @param names - the guild's tags and locations
 * @returns the line (at most 350 characters)
 */
export function describeLogEntry(entry: LogEntry, names: LogNames): string {
  const who = entry.userId === SYSTEM_USER ? AdminLogText.bot : `<@${entry.userId}>`;
  const item = entry.equipmentName === null ? '' : ` **${entry.equipmentName}**`;
  const details = describeDetail(entry.detail ?? {}, names);
  const line = `\`${formatJst(entry.createdAt)}\` ${who}${item}: ${LOG_ACTION_TEXT[entry.action]}${
    details.length === 0 ? '' : ` (${details.join(', ')})`
  }`;
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 1)}…`;
}

function describeDetail(detail: NonNullable<LogEntry['detail']>, names: LogNames): string[] {
  const parts: string[] = [];
  const used = new Set<string>(HIDDEN_KEYS);
  for (const prefix of ['', 'previous']) {
    const start = detail[prefix === '' ? 'startAt' : 'previousStartAt'];
    const end = detail[prefix === '' ? 'endAt' : 'previousEndAt'];
    if (typeof start === 'number' && typeof end === 'number') {
      parts.push(`${prefix === '' ? 'time' : 'previous time'}: ${formatJstRange(start, end)}`);
      used.add(prefix === '' ? 'startAt' : 'previousStartAt').add(prefix === '' ? 'endAt' : 'previousEndAt');
    }
  }
  for (const [key, value] of Object.entries(detail)) {
    if (used.has(key)) continue;
    parts.push(`${humanize(key)}: ${describeValue(key, value, names)}`);
  }
  return parts;
}

function describeValue(key: string, value: string | number | boolean | null, names: LogNames): string {
  if (value === null || value === '') return AdminLogText.none;
  const named = (map: ReadonlyMap<number, string>, id: number) => map.get(id) ?? AdminLogText.deleted(id);
  if (typeof value === 'number') {
    if (key.endsWith('At')) return formatJst(value);
    if (key === 'tagId' || key.endsWith('TagId')) return named(names.tags, value);
    if (key === 'locationId' || key.endsWith('LocationId')) return named(names.locations, value);
    return String(value);
  }
  if (typeof value === 'string') {
    if (key === 'ownerId' || key.endsWith('UserId')) return `<@${value}>`;
    if (key.endsWith('ChannelId') || key === 'channelId') return `<#${value}>`;
    if (key === 'roleIds')
      return value
        .split(',')
        .map((id) => `<@&${id}>`)
        .join(' ');
    if (key === 'tagIds') {
      return value
        .split(',')
        .map((id) => named(names.tags, Number(id)))
        .join(', ');
    }
  }
  return String(value);
}

/** `previousName` → `previous name`. */
function humanize(key: string): string {
  return key
    .replace(/Ids?$/, (suffix) => (suffix === 'Ids' ? 's' : ''))
    .replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

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
    const names: LogNames = {
      tags: new Map(tags.map((tag) => [tag.id, tag.name])),
      locations: new Map(locations.map((place) => [place.id, place.name])),
    };
    const page = paginate(entries, session.data.log.page, LOG_ENTRIES_PER_PAGE);
    session.data.log.page = page.page;
    const embed: APIEmbed = {
      title: AdminLogText.title(describePeriod(period, now)),
      description:
        entries.length === 0
          ? AdminLogText.empty
          : page.items.map((entry) => describeLogEntry(entry, names)).join('\n'),
      footer: { text: AdminLogText.footer(page.page, page.pages, entries.length, entries.length >= LOG_MAX_ENTRIES) },
    };
    return {
      embeds: [embed],
      components: rows(
        selectRow(adminId('log-period', session.id), AdminLogText.placeholder, periodOptions(LOG_PERIODS, period)),
        buttonRow(kit.backToMenu(session), ...pageButtons('log-page', session, page)),
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
