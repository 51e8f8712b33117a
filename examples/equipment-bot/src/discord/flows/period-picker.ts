/**
 * The period selects of the flows — the overall log's and the export's (JST calendar days and months, see
 * `admin-periods.ts`) and an item's log (rolling windows, see `item-log.ts`): the periods a select offers, its
 * options, and the period a choice names. What a period spans is each picker's own.
 *
 * @module
 */
import type { APISelectMenuOption } from 'discord-api-types/v10';

/** A period a select offers: its value and its label. */
export interface PeriodChoice<P extends string = string> {
  readonly id: P;
  readonly label: string;
}

/**
 * The options of a period select, the chosen one marked as the default.
 *
 * @param periods - the periods offered, in order
 * @param chosen - the one chosen
 * @returns the options
 */
export function periodOptions<P extends string>(periods: readonly PeriodChoice<P>[], chosen: P): APISelectMenuOption[] {
  return periods.map((period) => ({ label: period.label, value: period.id, default: period.id === chosen }));
}

/**
 * Reads a chosen period (a select's value), refusing one the select does not offer.
 *
 * @param periods - the periods offered
 * @param value - the value chosen
 * @returns the period, or `undefined` for anything else
 */
export function parsePeriod<P extends string>(periods: readonly PeriodChoice<P>[], value: unknown): P | undefined {
  return periods.find((period) => period.id === value)?.id;
}

/**
 * A period's label.
 *
 * @param periods - the periods offered
 * @param period - one of them
 * @returns its label (its id, should it not be offered)
 */
export function periodLabel<P extends string>(periods: readonly PeriodChoice<P>[], period: P): string {
  return periods.find((candidate) => candidate.id === period)?.label ?? period;
}
