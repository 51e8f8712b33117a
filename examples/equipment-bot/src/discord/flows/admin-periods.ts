/**
 * The period pickers of Overall Management: which span of the log to show, which reservations to export. Periods
 * are JST calendar days and months (a "day" is the JST day, whatever the host's zone), computed from "now". Their
 * selects are built and read by `period-picker.ts`.
 *
 * @module
 */
import type { DayBounds } from '../../domain/time.js';
import { formatJstDate, fromJst, jstDateParts, jstDay } from '../../domain/time.js';
import type { EpochMs } from '../../domain/model.js';
import type { PeriodChoice } from './period-picker.js';

/** A period of the log picker. */
export type LogPeriod = 'today' | 'last-7-days' | 'last-30-days' | 'this-month' | 'last-month' | 'all';

/** A period of the export picker. */
export type ExportPeriod = 'this-month' | 'last-month' | 'next-month' | 'last-30-days' | 'next-30-days' | 'all';

/** The pickers' labels, in the order they are offered. */
export const PeriodText = {
  today: 'Today',
  'last-7-days': 'Last 7 days',
  'last-30-days': 'Last 30 days',
  'next-30-days': 'Next 30 days',
  'this-month': 'This month',
  'last-month': 'Last month',
  'next-month': 'Next month',
  all: 'All time',
} as const satisfies Record<LogPeriod | ExportPeriod, string>;

/** The periods of a picker, in order, with their labels. */
function choices<P extends LogPeriod | ExportPeriod>(periods: readonly P[]): readonly PeriodChoice<P>[] {
  return periods.map((id) => ({ id, label: PeriodText[id] }));
}

/** The log picker's periods, in order. */
export const LOG_PERIODS: readonly PeriodChoice<LogPeriod>[] = choices<LogPeriod>([
  'today',
  'last-7-days',
  'last-30-days',
  'this-month',
  'last-month',
  'all',
]);

/** The export picker's periods, in order. */
export const EXPORT_PERIODS: readonly PeriodChoice<ExportPeriod>[] = choices<ExportPeriod>([
  'this-month',
  'last-month',
  'next-month',
  'last-30-days',
  'next-30-days',
  'all',
]);

/** The end of "all time" for the export: the largest epoch ms a database column and `Date` both hold. */
const END_OF_TIME = 8_640_000_000_000_000;
const DAY_MS = 86_400_000;

/** The JST month `offset` months from the one containing `now`, as `[start, end)`. */
function jstMonth(now: EpochMs, offset: number): DayBounds {
  const { year, month } = jstDateParts(now);
  const index = year * 12 + (month - 1) + offset;
  const start = fromJst({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 });
  const next = index + 1;
  return { start, end: fromJst({ year: Math.floor(next / 12), month: (next % 12) + 1, day: 1 }) };
}

/**
 * The span of a period at `now`: whole JST days. "Last N days" ends with today; "next N days" starts with today;
 * "all time" starts at the epoch and, for the log, ends with today (nothing is logged later).
 *
 * @param period - the period
 * @param now - epoch ms
 * @returns `[start, end)`, epoch ms
 */
export function periodBounds(period: LogPeriod | ExportPeriod, now: EpochMs): DayBounds {
  const today = jstDay(now);
  switch (period) {
    case 'today':
      return { start: today.start, end: today.end };
    case 'last-7-days':
      return { start: jstDay(today.start - 6 * DAY_MS + DAY_MS / 2).start, end: today.end };
    case 'last-30-days':
      return { start: jstDay(today.start - 29 * DAY_MS + DAY_MS / 2).start, end: today.end };
    case 'next-30-days':
      return { start: today.start, end: jstDay(today.start + 29 * DAY_MS + DAY_MS / 2).end };
    case 'this-month':
      return jstMonth(now, 0);
    case 'last-month':
      return jstMonth(now, -1);
    case 'next-month':
      return jstMonth(now, 1);
    case 'all':
      return { start: 0, end: END_OF_TIME };
  }
}

/**
 * How a period is shown: its label and its JST dates, e.g. `This month (2027/01/01–2027/01/31)`.
 *
 * @param period - the period
 * @param now - epoch ms
 * @returns the text
 */
export function describePeriod(period: LogPeriod | ExportPeriod, now: EpochMs): string {
  if (period === 'all') return PeriodText.all;
  const { start, end } = periodBounds(period, now);
  const first = formatJstDate(start);
  const last = formatJstDate(end - 1);
  return `${PeriodText[period]} (${first === last ? first : `${first}\u2013${last}`})`;
}
