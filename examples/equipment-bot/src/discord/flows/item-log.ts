/**
 * One item's log (scenario 35, the per-item part): its `equipment_logs` entries in a period, newest first, in JST,
 * one embed a page.
 *
 * The period picker offers rolling windows ending now — the last 24 hours, 7 days, 30 days — and all time (the newest
 * {@link LOG_LIMIT} entries). Rolling windows rather than JST months: "what happened to this item lately" is the
 * question an administrator asks of one item, and a window never starts empty on the 1st of a month.
 *
 * A page holds {@link LOG_PAGE_SIZE} entries, each line at most {@link LOG_LINE_MAX} characters, so that a page stays
 * well inside the 4096 characters of an embed description. Each entry reads as `log-entry-text.ts` words it.
 *
 * @module
 */
import type { APIEmbed } from 'discord-api-types/v10';
import type { LogEntry } from '../../db/log-repository.js';
import type { EpochMs } from '../../domain/model.js';
import { paginate } from '../../domain/slots.js';
import { itemLogLine, type LogNames } from './log-entry-text.js';
import { periodLabel, type PeriodChoice } from './period-picker.js';

/** A day, ms. */
const DAY_MS = 86_400_000;

/** The periods of the picker: `sinceMs` before now, or all time (`null`). */
export const LOG_PERIODS = [
  { id: '24h', label: 'Last 24 hours', sinceMs: DAY_MS },
  { id: '7d', label: 'Last 7 days', sinceMs: 7 * DAY_MS },
  { id: '30d', label: 'Last 30 days', sinceMs: 30 * DAY_MS },
  { id: 'all', label: 'All time', sinceMs: null },
] as const satisfies readonly (PeriodChoice & { readonly sinceMs: number | null })[];

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
} as const;

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
  const label = periodLabel(LOG_PERIODS, input.period);
  const lines = shown.items.map((entry) => itemLogLine(entry, input.names, LOG_LINE_MAX));
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
