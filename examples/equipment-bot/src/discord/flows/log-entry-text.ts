/**
 * How an `equipment_logs` entry reads, in both logs that show entries: the overall log of Overall Management
 * (`admin-log.ts`) and one item's log (`item-log.ts`). One table, {@link LOG_ACTION_TEXT}, holds the words of every
 * action for both; the lines share their JST time stamp, their actor and their length cut. What entries a log shows,
 * for which period, and how it pages them stays with each log.
 *
 * The two logs word an action differently: the overall log says what was done to which item, then lists the entry's
 * details (`**Drill**: renamed the equipment (previous name: Saw, name: Drill)`); the item log, which names its item
 * in the title, tells it as a sentence (`Renamed "Saw" to "Drill"`).
 *
 * @module
 */
import { SYSTEM_USER, type LogAction, type LogDetail, type LogEntry } from '../../db/log-repository.js';
import type { Snowflake } from '../../domain/model.js';
import { formatJst, formatJstRange } from '../../domain/time.js';

/** Names of the guild's tags and locations now, to show the ids entries store. */
export interface LogNames {
  readonly tags: ReadonlyMap<number, string>;
  readonly locations: ReadonlyMap<number, string>;
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

/** The words of log entries that are not an action's. */
export const LogEntryText = {
  /** The overall log's name for the bot, its empty value, and a tag or location deleted since. */
  overall: {
    bot: 'Bot',
    none: 'none',
    deleted: (id: number) => `#${id} (deleted)`,
  },
  /** The item log's name for the bot, and a tag or location deleted since. */
  item: {
    bot: 'the bot',
    deleted: (id: number) => `#${id} (since deleted)`,
  },
} as const;

/** An entry's details as the item log's sentences read them. */
export interface EntryWords {
  /** A string detail, or null. */
  text(key: string): string | null;
  /** Two time details as a JST range, or "a reservation" when either is missing. */
  range(startKey: string, endKey: string): string;
  /** A tag id detail as the tag's name, or `none` when there is none. */
  tag(key: string, none: string): string;
  /** A location id detail as the location's name, or `none` when there is none. */
  location(key: string, none: string): string;
  /** A user id detail as a mention, or "someone". */
  user(key: string): string;
  /** `; N reservations deleted` when the entry cancelled reservations, else nothing. */
  cancelled(): string;
}

/** The words of one action in each log. */
export interface LogActionText {
  /** The overall log's words, after who and the item, before the details. */
  readonly overall: string;
  /**
   * The item log's sentence. Guild-wide actions (tags, locations, settings) have none: they name no item, so the
   * item log never shows them (an entry without one reads as its action's name).
   */
  readonly item?: (words: EntryWords) => string;
}

/** How each action reads, in the overall log and in an item's log. */
export const LOG_ACTION_TEXT = {
  'equipment.created': { overall: 'added the equipment', item: () => 'Added the item' },
  'equipment.renamed': {
    overall: 'renamed the equipment',
    item: (w) => `Renamed "${w.text('previousName') ?? '?'}" to "${w.text('name') ?? '?'}"`,
  },
  'equipment.tag-set': { overall: 'set the tag', item: (w) => `Set the tag to ${w.tag('tagId', 'No tag')}` },
  'equipment.unavailable-set': {
    overall: 'made the equipment unavailable',
    item: (w) => `Made it Unavailable: ${w.text('reason') ?? 'no reason given'}${w.cancelled()}`,
  },
  'equipment.available-set': {
    overall: 'made the equipment available',
    item: (w) => `Made it Available${w.cancelled()}`,
  },
  'equipment.locations-set': {
    overall: 'set the default return location',
    item: (w) => `Set the default return location to ${w.location('defaultReturnLocationId', 'none')}`,
  },
  'equipment.deleted': { overall: 'deleted the equipment', item: () => 'Deleted the item' },
  'reservation.created': { overall: 'reserved', item: (w) => `Reserved ${w.range('startAt', 'endAt')}` },
  'reservation.changed': {
    overall: 'changed a reservation',
    item: (w) =>
      `Changed a reservation from ${w.range('previousStartAt', 'previousEndAt')} to ${w.range('startAt', 'endAt')}`,
  },
  'reservation.cancelled': {
    overall: 'cancelled a reservation',
    item: (w) => `Cancelled the reservation ${w.range('startAt', 'endAt')}`,
  },
  'reservation.cancelled-by-admin': {
    overall: 'cancelled a reservation (administrator)',
    item: (w) => `Deleted ${w.user('ownerId')}'s reservation ${w.range('startAt', 'endAt')}`,
  },
  'reservation.returned': {
    overall: 'returned the equipment',
    item: (w) => `Returned it to ${w.location('locationId', 'no location')}`,
  },
  'reservation.return-cancelled': { overall: 'cancelled a return', item: () => 'Cancelled a return' },
  'reservation.return-location-corrected': {
    overall: 'corrected the return location',
    item: (w) => `Corrected the return location to ${w.location('locationId', 'no location')}`,
  },
  'transfer.requested': {
    overall: 'asked to hand over a reservation',
    item: (w) => `Asked ${w.user('toUserId')} to take over a reservation`,
  },
  'transfer.approved': {
    overall: 'approved a handover',
    item: (w) => `Took over ${w.user('fromUserId')}'s reservation`,
  },
  'transfer.denied': {
    overall: 'denied a handover',
    item: (w) => `Declined to take over ${w.user('fromUserId')}'s reservation`,
  },
  'transfer.expired': {
    overall: 'handover request expired',
    item: (w) => `A request to hand a reservation to ${w.user('toUserId')} expired`,
  },
  'tag.created': { overall: 'added a tag' },
  'tag.renamed': { overall: 'renamed a tag' },
  'tag.deleted': { overall: 'deleted a tag' },
  'tag.reordered': { overall: 'reordered the tags' },
  'location.created': { overall: 'added a location' },
  'location.renamed': { overall: 'renamed a location' },
  'location.deleted': { overall: 'deleted a location' },
  'settings.channel-set': { overall: 'set the reservation channel' },
  'settings.admin-roles-set': { overall: 'set the admin roles' },
  'settings.overdue-repeat-set': { overall: 'set the overdue reminder interval' },
} as const satisfies Record<LogAction, LogActionText>;

/**
 * One entry of the overall log as a line: JST time, who, the item (its name when the entry was written), what, and
 * the details (times in JST, users, roles and channels as mentions, tags and locations by name).
 *
 * @param entry - the entry
 * @param names - the guild's tags and locations
 * @param maxLength - the longest line; a longer one is cut with an ellipsis
 * @returns the line
 */
export function overallLogLine(entry: LogEntry, names: LogNames, maxLength: number): string {
  const item = entry.equipmentName === null ? '' : ` **${entry.equipmentName}**`;
  const details = describeDetail(entry.detail ?? {}, names);
  const who = actor(entry, LogEntryText.overall.bot);
  const what = actionText(entry)?.overall ?? entry.action;
  return clip(
    `${stamp(entry)} ${who}${item}: ${what}${details.length === 0 ? '' : ` (${details.join(', ')})`}`,
    maxLength,
  );
}

/**
 * One entry of an item's log as a line: `` `YYYY/MM/DD HH:MM` · <@actor> · what ``.
 *
 * @param entry - the entry
 * @param names - the guild's tags and locations
 * @param maxLength - the longest line; a longer one is cut with an ellipsis
 * @returns the line
 */
export function itemLogLine(entry: LogEntry, names: LogNames, maxLength: number): string {
  return clip(`${stamp(entry)} · ${actor(entry, LogEntryText.item.bot)} · ${itemSentence(entry, names)}`, maxLength);
}

/** What an entry says in the item log, in words, with its times in JST (without the time and the actor). */
function itemSentence(entry: LogEntry, names: LogNames): string {
  const sentence = actionText(entry)?.item;
  return sentence === undefined ? entry.action : sentence(entryWords(entry.detail, names));
}

/** The action's words; undefined for an action this version does not know (the row's text is not checked). */
function actionText(entry: LogEntry): LogActionText | undefined {
  return (LOG_ACTION_TEXT as Partial<Record<string, LogActionText>>)[entry.action];
}

/** The entry's JST time, as code. */
function stamp(entry: LogEntry): string {
  return `\`${formatJst(entry.createdAt)}\``;
}

/** Who wrote the entry: a mention, or the log's name for the bot. */
function actor(entry: LogEntry, bot: string): string {
  return entry.userId === SYSTEM_USER ? bot : `<@${entry.userId}>`;
}

/** The line, or its first `maxLength - 1` characters and an ellipsis. */
function clip(line: string, maxLength: number): string {
  return line.length <= maxLength ? line : `${line.slice(0, maxLength - 1)}…`;
}

function entryWords(detail: LogDetail | null, names: LogNames): EntryWords {
  const text = (key: string): string | null => {
    const value = detail?.[key];
    return typeof value === 'string' ? value : null;
  };
  const number = (key: string): number | null => {
    const value = detail?.[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const named = (map: ReadonlyMap<number, string>, key: string, none: string): string => {
    const id = number(key);
    return id === null ? none : (map.get(id) ?? LogEntryText.item.deleted(id));
  };
  return {
    text,
    range: (startKey, endKey) => {
      const start = number(startKey);
      const end = number(endKey);
      return start === null || end === null ? 'a reservation' : formatJstRange(start, end);
    },
    tag: (key, none) => named(names.tags, key, none),
    location: (key, none) => named(names.locations, key, none),
    user: (key) => {
      const id = text(key);
      return id === null ? 'someone' : `<@${id}>`;
    },
    cancelled: () => {
      const count = number('cancelledReservations') ?? 0;
      return count === 0 ? '' : `; ${count} reservation${count === 1 ? '' : 's'} deleted`;
    },
  };
}

/** Detail keys that are internal ids, not worth a reader's attention. */
const HIDDEN_KEYS = new Set(['reservationId', 'transferId']);

function describeDetail(detail: LogDetail, names: LogNames): string[] {
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
  if (value === null || value === '') return LogEntryText.overall.none;
  const named = (map: ReadonlyMap<number, string>, id: number) => map.get(id) ?? LogEntryText.overall.deleted(id);
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
