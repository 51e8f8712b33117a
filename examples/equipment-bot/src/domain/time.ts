/**
 * JST at the edges: the bot stores UTC epoch milliseconds and shows every time in Japan Standard Time
 * (`Asia/Tokyo`), whatever the host's `TZ` is. Every calendar computation goes through `@date-fns/tz`'s `TZDate`
 * (never the host zone, never a hand-written offset). Pure functions: "now" is always passed in.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, format, getDaysInMonth, startOfDay } from 'date-fns';
import type { EpochMs } from './model.js';

/** The IANA zone every displayed time is in. */
export const JST_ZONE = 'Asia/Tokyo';

/**
 * Joins the two ends of a range: an en dash (U+2013) with no spaces, as in `2027/01/01 09:00–10:30`
 * or `2027/01/01 22:00–2027/01/02 10:00`.
 */
export const RANGE_SEPARATOR = '\u2013';

/** A half-open span `[start, end)` of epoch milliseconds. */
export interface DayBounds {
  readonly start: EpochMs;
  readonly end: EpochMs;
}

/** The JST wall-clock fields of an instant. `month` is 1–12; `weekday` is 0 (Sunday) to 6 (Saturday). */
export interface JstDateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
}

/** A JST wall-clock time to convert to an instant. `month` is 1–12; `hour` and `minute` default to 0. */
export interface JstDateInput {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
}

/** A JST calendar day: its date, weekday (0 = Sunday) and bounds `[start, end)`. */
export interface JstDay extends DayBounds {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  /** `YYYY/MM/DD`. */
  readonly label: string;
}

/** A JST calendar month, as the wizard's year/month step offers it. `month` is 1–12. */
export interface JstMonth {
  readonly year: number;
  readonly month: number;
  /** `YYYY/MM`. */
  readonly label: string;
}

/** The instant as a date in JST. */
function jst(ms: EpochMs): TZDate {
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid instant: ${String(ms)}`);
  return new TZDate(ms, JST_ZONE);
}

/** `YYYY/MM/DD HH:MM` in JST, e.g. 2026-12-31T15:30:00Z is `2027/01/01 00:30`. */
export function formatJst(ms: EpochMs): string {
  return memo(`f${ms}`, () => format(jst(ms), 'yyyy/MM/dd HH:mm'));
}

/** `YYYY/MM/DD` in JST. */
export function formatJstDate(ms: EpochMs): string {
  return format(jst(ms), 'yyyy/MM/dd');
}

/** `HH:MM` in JST. */
export function formatJstTime(ms: EpochMs): string {
  return format(jst(ms), 'HH:mm');
}

/**
 * A range in JST: `YYYY/MM/DD HH:MM–HH:MM` when both ends fall on the same JST calendar date, otherwise both ends
 * in full, `YYYY/MM/DD HH:MM–YYYY/MM/DD HH:MM` (see {@link RANGE_SEPARATOR}). An end at exactly midnight belongs to
 * the next date, so `22:00` to midnight is shown in full rather than as the ambiguous `22:00–00:00`.
 */
export function formatJstRange(startMs: EpochMs, endMs: EpochMs): string {
  return memo(`r${startMs}:${endMs}`, () => {
    const sameDate = formatJstDate(startMs) === formatJstDate(endMs);
    return `${formatJst(startMs)}${RANGE_SEPARATOR}${sameDate ? formatJstTime(endMs) : formatJst(endMs)}`;
  });
}

/**
 * Formatting in a time zone costs tens of microseconds, and every re-render of the channel formats every
 * reservation again: the results (pure functions of their instants) are kept, at most this many.
 */
const FORMAT_CACHE_LIMIT = 20_000;
const formatted = new Map<string, string>();

function memo(key: string, compute: () => string): string {
  let value = formatted.get(key);
  if (value === undefined) {
    if (formatted.size >= FORMAT_CACHE_LIMIT) formatted.clear();
    value = compute();
    formatted.set(key, value);
  }
  return value;
}

/** The JST calendar day containing `ms`, as epoch ms `[start, end)` (JST midnight to the next JST midnight). */
export function jstDayBounds(ms: EpochMs): DayBounds {
  const start = startOfDay(jst(ms));
  return { start: start.getTime(), end: addDays(start, 1).getTime() };
}

/** The JST wall-clock fields of an instant. */
export function jstDateParts(ms: EpochMs): JstDateParts {
  const d = jst(ms);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    weekday: d.getDay(),
  };
}

/** The JST calendar day containing `ms`, with its date fields and bounds. */
export function jstDay(ms: EpochMs): JstDay {
  const bounds = jstDayBounds(ms);
  const { year, month, day, weekday } = jstDateParts(bounds.start);
  return { year, month, day, weekday, label: formatJstDate(bounds.start), ...bounds };
}

/** Today in JST: the JST calendar day containing `now` (not the host's day). */
export function jstToday(now: EpochMs): JstDay {
  return jstDay(now);
}

/** Throws unless `value` is an integer in `[min, max]`, naming the field. */
function checkField(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Invalid JST date: ${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/**
 * The instant of a JST wall-clock time. Throws a `RangeError` naming the field and value for an impossible date
 * (e.g. `day must be an integer from 1 to 28, got 29` for 2027/02/29) instead of rolling over to another date.
 * Years are limited to 1970–9999.
 */
export function fromJst(input: JstDateInput): EpochMs {
  const { year, month, day, hour = 0, minute = 0 } = input;
  checkField('year', year, 1970, 9999);
  checkField('month', month, 1, 12);
  checkField('day', day, 1, getDaysInMonth(new TZDate(year, month - 1, 1, JST_ZONE)));
  checkField('hour', hour, 0, 23);
  checkField('minute', minute, 0, 59);
  return new TZDate(year, month - 1, day, hour, minute, JST_ZONE).getTime();
}

/**
 * The months the wizard's year/month step offers: the JST month containing `now`, then the next `count − 1`
 * (across year ends: 2026/12, 2027/01, …). `count` must be a non-negative integer.
 */
export function jstMonthsFrom(now: EpochMs, count: number): readonly JstMonth[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${String(count)}`);
  }
  const { year, month } = jstDateParts(now);
  const first = new TZDate(year, month - 1, 1, JST_ZONE);
  const months: JstMonth[] = [];
  for (let i = 0; i < count; i++) {
    const d = addMonths(first, i);
    months.push({ year: d.getFullYear(), month: d.getMonth() + 1, label: format(d, 'yyyy/MM') });
  }
  return months;
}

/**
 * The JST days of `year`/`month` (1–12) not entirely in the past: those whose end is after `now`. Today is
 * included (even late in the day); a month wholly in the past gives an empty list. Throws for an invalid month.
 */
export function jstDaysOfMonth(year: number, month: number, now: EpochMs): readonly JstDay[] {
  const first = fromJst({ year, month, day: 1 });
  const days: JstDay[] = [];
  for (let day = jstDay(first); day.month === month; day = jstDay(day.end)) {
    if (day.end > now) days.push(day);
  }
  return days;
}
