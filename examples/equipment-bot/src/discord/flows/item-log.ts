/**
 * One item's log (scenario 35, the per-item part): its `equipment_logs` entries in a period, newest first, in JST,
 * one embed a page.
 *
 * The period picker offers rolling windows ending now — the last 24 hours, 7 days, 30 days — and all time (the newest
 * {@link LOG_LIMIT} entries). Rolling windows rather than JST months: "what happened to this item lately" is the
 * question an administrator asks of one item, and a window never starts empty on the 1st of a month.
 *
 * A page holds {@link LOG_PAGE_SIZE} entries, each line at most {@link LOG_LINE_MAX} characters, so that a page stays
 * well inside the 4096 characters of an embed description.
 *
 * @module
 */
import type { APIEmbed } from 'discord-api-types/v10';
import { SYSTEM_USER, type LogDetail, type LogEntry } from '../../db/log-repository.js';
import type { EpochMs, Snowflake } from '../../domain/model.js';
import { paginate } from '../../domain/slots.js';
import { formatJst, formatJstRange } from '../../domain/time.js';

/** A day, ms. */
const DAY_MS = 86_400_000;

/** The periods of the picker: `sinceMs` before now, or all time (`null`). */
export const LOG_PERIODS = [
  { id: '24h', label: 'Last 24 hours', sinceMs: DAY_MS },
  { id: '7d', label: 'Last 7 days', sinceMs: 7 * DAY_MS },
  { id: '30d', label: 'Last 30 days', sinceMs: 30 * DAY_MS },
  { id: 'all', label: 'All time', sinceMs: null },
] as const;

/** A period of the picker. */
export type LogPeriodId = (typeof LOG_PERIODS)[number]['id'];

/** The period the log opens with. */
export const DEFAULT_LOG_PERIOD: LogPeriodId = '7d';

/** Entries on one page. */
export const LOG_PAGE_SIZE = 10;

/** Longest line (an entry's description is cut with an ellipsis past it). */
export const LOG_LINE_MAX = 300;

/** Most entries read for one period (the newest). */
export const LOG_LIMIT = 1000;

/** The texts of the item log. */
export const ItemLogText = {
  title: (name: string) => `Log: ${name}`,
  empty: 'No entries in this period.',
  footer: (period: string, page: number, pages: number, capped: boolean) =>
    `${period}${capped ? ` (newest ${LOG_LIMIT})` : ''} · page ${page} of ${pages} · times in JST`,
  periodPlaceholder: 'Period',
  bot: 'the bot',
} as const;

/**
 * Whether a value is one of the picker's periods.
 *
 * @param value - a select value
 * @returns whether it is a {@link LogPeriodId}
 */
export function isLogPeriod(value: string): value is LogPeriodId {
  return LOG_PERIODS.some((period) => period.id === value);
}

/**
 * The instants a period covers, `[from, to)`.
 *
 * @param period - the period
 * @param now - epoch ms
 * @returns its bounds (an entry written at `now` is included)
 */
export function logPeriodBounds(period: LogPeriodId, now: EpochMs): { from: EpochMs; to: EpochMs } {
  const { sinceMs } = LOG_PERIODS.find((candidate) => candidate.id === period) ?? LOG_PERIODS[1];
  return { from: sinceMs === null ? 0 : Math.max(0, now - sinceMs), to: now + 1 };
}

/** Names of the guild's tags and locations by id, for the entries that only store ids. */
export interface LogNames {
  readonly tags: ReadonlyMap<number, string>;
  readonly locations: ReadonlyMap<number, string>;
}

/**
 * What an entry says, in words, with its times in JST.
 *
 * @param entry - the entry
 * @param names - the guild's tag and location names
 * @returns one line (without the time and the actor)
 */
export function describeLogEntry(entry: LogEntry, names: LogNames): string {
  const detail = entry.detail;
  const range = (start: string, end: string): string => {
    const a = numberOf(detail, start);
    const b = numberOf(detail, end);
    return a === null || b === null ? 'a reservation' : formatJstRange(a, b);
  };
  const named = (map: ReadonlyMap<number, string>, key: string, none: string): string => {
    const id = numberOf(detail, key);
    return id === null ? none : (map.get(id) ?? `#${id} (since deleted)`);
  };
  const cancelled = (): string => {
    const count = numberOf(detail, 'cancelledReservations') ?? 0;
    return count === 0 ? '' : `; ${count} reservation${count === 1 ? '' : 's'} deleted`;
  };
  const user = (key: string): string => {
    const id = stringOf(detail, key);
    return id === null ? 'someone' : `<@${id}>`;
  };
  switch (entry.action) {
    case 'equipment.created':
      return 'Added the item';
    case 'equipment.renamed':
      return `Renamed "${stringOf(detail, 'previousName') ?? '?'}" to "${stringOf(detail, 'name') ?? '?'}"`;
    case 'equipment.tag-set':
      return `Set the tag to ${named(names.tags, 'tagId', 'No tag')}`;
    case 'equipment.unavailable-set':
      return `Made it Unavailable: ${stringOf(detail, 'reason') ?? 'no reason given'}${cancelled()}`;
    case 'equipment.available-set':
      return `Made it Available${cancelled()}`;
    case 'equipment.locations-set':
      return `Set the default return location to ${named(names.locations, 'defaultReturnLocationId', 'none')}`;
    case 'equipment.deleted':
      return 'Deleted the item';
    case 'reservation.created':
      return `Reserved ${range('startAt', 'endAt')}`;
    case 'reservation.changed':
      return `Changed a reservation from ${range('previousStartAt', 'previousEndAt')} to ${range('startAt', 'endAt')}`;
    case 'reservation.cancelled':
      return `Cancelled the reservation ${range('startAt', 'endAt')}`;
    case 'reservation.cancelled-by-admin':
      return `Deleted ${user('ownerId')}'s reservation ${range('startAt', 'endAt')}`;
    case 'reservation.returned':
      return `Returned it to ${named(names.locations, 'locationId', 'no location')}`;
    case 'reservation.return-cancelled':
      return 'Cancelled a return';
    case 'reservation.return-location-corrected':
      return `Corrected the return location to ${named(names.locations, 'locationId', 'no location')}`;
    case 'transfer.requested':
      return `Asked ${user('toUserId')} to take over a reservation`;
    case 'transfer.approved':
      return `Took over ${user('fromUserId')}'s reservation`;
    case 'transfer.denied':
      return `Declined to take over ${user('fromUserId')}'s reservation`;
    case 'transfer.expired':
      return `A request to hand a reservation to ${user('toUserId')} expired`;
    default:
      return entry.action;
  }
}

/**
 * One line of the log: `` `YYYY/MM/DD HH:MM` · <@actor> · what ``.
 *
 * @param entry - the entry
 * @param names - the guild's tag and location names
 * @returns the line, at most {@link LOG_LINE_MAX} characters
 */
export function logLine(entry: LogEntry, names: LogNames): string {
  const actor = entry.userId === SYSTEM_USER ? ItemLogText.bot : `<@${entry.userId}>`;
  const line = `\`${formatJst(entry.createdAt)}\` · ${actor} · ${describeLogEntry(entry, names)}`;
  return line.length <= LOG_LINE_MAX ? line : `${line.slice(0, LOG_LINE_MAX - 1)}…`;
}

/**
 * The embed of one page of an item's log.
 *
 * @param input - the item's name, its entries (newest first), the period, the page (0-based, clamped), the names
 * @returns the embed and the page actually shown, with the number of pages
 */
export function logEmbed(input: {
  readonly itemName: string;
  readonly entries: readonly LogEntry[];
  readonly period: LogPeriodId;
  readonly page: number;
  readonly names: LogNames;
}): { embed: APIEmbed; page: number; pages: number } {
  const shown = paginate(input.entries, input.page, LOG_PAGE_SIZE);
  const label = LOG_PERIODS.find((period) => period.id === input.period)?.label ?? input.period;
  const lines = shown.items.map((entry) => logLine(entry, input.names));
  return {
    embed: {
      title: ItemLogText.title(input.itemName),
      description: lines.length === 0 ? ItemLogText.empty : lines.join('\n'),
      footer: { text: ItemLogText.footer(label, shown.page + 1, shown.pages, input.entries.length >= LOG_LIMIT) },
    },
    page: shown.page,
    pages: shown.pages,
  };
}

/**
 * The names of a guild's tags and locations by id.
 *
 * @param tags - its tags
 * @param locations - its locations
 * @returns the maps
 */
export function logNames(
  tags: readonly { readonly id: number; readonly name: string; readonly guildId: Snowflake }[],
  locations: readonly { readonly id: number; readonly name: string; readonly guildId: Snowflake }[],
): LogNames {
  return {
    tags: new Map(tags.map((tag) => [tag.id, tag.name])),
    locations: new Map(locations.map((location) => [location.id, location.name])),
  };
}

function numberOf(detail: LogDetail | null, key: string): number | null {
  const value = detail?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringOf(detail: LogDetail | null, key: string): string | null {
  const value = detail?.[key];
  return typeof value === 'string' ? value : null;
}
