/**
 * What the reservation wizard offers (start times, durations, pages of select options) and the time rules of
 * returns and reminders. Pure functions over epoch milliseconds: "now" and the existing reservations are passed in.
 */
import type { EpochMs } from './model.js';
import { formatJstTime, jstDayBounds } from './time.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The wizard's granularity: start times and durations are multiples of 30 minutes. */
export const SLOT_STEP_MINUTES = 30;

/** {@link SLOT_STEP_MINUTES} in milliseconds. */
export const SLOT_STEP_MS = SLOT_STEP_MINUTES * MINUTE_MS;

/** The longest reservation the duration step offers by default, hours. */
export const DEFAULT_MAX_HOURS = 72;

/** Discord's limit of options in one select menu, and the default page size of {@link paginate}. */
export const MAX_SELECT_OPTIONS = 25;

/** How long after a return the returner may undo it or correct its location. */
export const CORRECTION_WINDOW_MS = HOUR_MS;

/** The correction window closes at least this long before the next reservation starts. */
export const NEXT_RESERVATION_MARGIN_MS = 15 * MINUTE_MS;

/** The end-of-loan reminder is sent this long before the end. */
export const REMINDER_LEAD_MS = 15 * MINUTE_MS;

/** Shown when a chosen slot overlaps an existing reservation (scenario 13). */
export const SLOT_TAKEN_MESSAGE = 'This time slot is already reserved. Please select another time.';

/** Shown when a return can no longer be undone or corrected (scenario 27). */
export const CORRECTION_CLOSED_MESSAGE =
  'Operation is not possible because the next reservation is imminent or because 1 hour has passed since return.';

/** A half-open span `[startAt, endAt)`; a `Reservation` is one. */
export interface TimeRange {
  readonly startAt: EpochMs;
  readonly endAt: EpochMs;
}

/** One start time of the wizard's time step. */
export interface StartTimeOption {
  readonly startAt: EpochMs;
  /** `HH:MM` in JST. */
  readonly label: string;
  /** False when `[startAt, startAt + step)` overlaps an existing reservation: the wizard refuses it. */
  readonly free: boolean;
}

/** One end of the wizard's duration step. */
export interface DurationOption {
  readonly endAt: EpochMs;
  readonly minutes: number;
  /** `30 min`, `1 h`, `1 h 30 min`, `2 h`, … */
  readonly label: string;
}

/** One page of a list too long for one select menu. `page` is 0-based. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  /** At least 1 (an empty list has one empty page). */
  readonly pages: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

/**
 * Whether two half-open ranges share an instant: `a.startAt < b.endAt && a.endAt > b.startAt`. Ranges that only
 * touch (one ends when the other starts) do not overlap, so back-to-back reservations are allowed.
 */
export function overlaps(a: TimeRange, b: TimeRange): boolean {
  return a.startAt < b.endAt && a.endAt > b.startAt;
}

/** Whether `range` overlaps any of `taken`. */
export function overlapsAny(range: TimeRange, taken: readonly TimeRange[]): boolean {
  return taken.some((other) => overlaps(range, other));
}

/**
 * The start times of the JST day containing `dayStartMs` (normally its JST midnight), every
 * {@link SLOT_STEP_MINUTES} minutes. Times before `now` are never offered (a start equal to `now` is). A time is
 * `free: false` when its first step overlaps one of `taken` (inside a reservation, or too close before one to
 * reserve even one step); the wizard shows or drops those as it likes. `taken` holds the reservations that block
 * (the caller filters by status and excludes the one being changed).
 */
export function startTimeOptions(
  dayStartMs: EpochMs,
  now: EpochMs,
  taken: readonly TimeRange[],
): readonly StartTimeOption[] {
  const { start, end } = jstDayBounds(dayStartMs);
  const options: StartTimeOption[] = [];
  for (let startAt = start; startAt < end; startAt += SLOT_STEP_MS) {
    if (startAt < now) continue;
    const free = !overlapsAny({ startAt, endAt: startAt + SLOT_STEP_MS }, taken);
    options.push({ startAt, label: formatJstTime(startAt), free });
  }
  return options;
}

/** `30 min`, `1 h`, `1 h 30 min`, `72 h` for a whole number of minutes. */
export function formatDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes <= 0) {
    throw new RangeError(`minutes must be a positive integer, got ${String(minutes)}`);
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * The ends the duration step offers for a reservation starting at `startAt`: every {@link SLOT_STEP_MINUTES}
 * minutes up to `maxHours` hours, stopping before the first end whose range would overlap one of `taken`. Ending
 * exactly when the next reservation starts is allowed (back-to-back). Empty when `startAt` itself is taken.
 */
export function durationOptions(
  startAt: EpochMs,
  taken: readonly TimeRange[],
  maxHours: number = DEFAULT_MAX_HOURS,
): readonly DurationOption[] {
  if (!Number.isFinite(maxHours) || maxHours <= 0) {
    throw new RangeError(`maxHours must be a positive number, got ${String(maxHours)}`);
  }
  const lastEnd = startAt + maxHours * HOUR_MS;
  const options: DurationOption[] = [];
  for (let endAt = startAt + SLOT_STEP_MS; endAt <= lastEnd; endAt += SLOT_STEP_MS) {
    if (overlapsAny({ startAt, endAt }, taken)) break;
    const minutes = (endAt - startAt) / MINUTE_MS;
    options.push({ endAt, minutes, label: formatDuration(minutes) });
  }
  return options;
}

/**
 * One page of `items`, `pageSize` (a positive integer, default {@link MAX_SELECT_OPTIONS}) at a time. `page` is
 * 0-based and clamped to the pages that exist (a stale or forged page number shows the first or last page).
 */
export function paginate<T>(items: readonly T[], page: number, pageSize: number = MAX_SELECT_OPTIONS): Page<T> {
  if (!Number.isInteger(pageSize) || pageSize <= 0) {
    throw new RangeError(`pageSize must be a positive integer, got ${String(pageSize)}`);
  }
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const wanted = Number.isNaN(page) ? 0 : Math.floor(page);
  const current = Math.min(Math.max(wanted, 0), pages - 1);
  return {
    items: items.slice(current * pageSize, (current + 1) * pageSize),
    page: current,
    pages,
    hasPrevious: current > 0,
    hasNext: current < pages - 1,
  };
}

/**
 * Until when the returner may cancel the return or correct its location: `min(returnedAt + 1 h,
 * nextStartAt − 15 min)`, or `returnedAt + 1 h` with no next reservation. It may already be before `returnedAt`
 * when the next reservation is imminent (the window is then closed from the start).
 */
export function correctionWindowEnd(returnedAt: EpochMs, nextStartAt: EpochMs | null): EpochMs {
  const byHour = returnedAt + CORRECTION_WINDOW_MS;
  return nextStartAt === null ? byHour : Math.min(byHour, nextStartAt - NEXT_RESERVATION_MARGIN_MS);
}

/** Whether `now` is inside the correction window: `now < correctionWindowEnd(returnedAt, nextStartAt)`. */
export function isCorrectionAllowed(now: EpochMs, returnedAt: EpochMs, nextStartAt: EpochMs | null): boolean {
  return now < correctionWindowEnd(returnedAt, nextStartAt);
}

/** When the end-of-loan reminder DM is due: 15 minutes before `endAt`. */
export function reminderTime(endAt: EpochMs): EpochMs {
  return endAt - REMINDER_LEAD_MS;
}
