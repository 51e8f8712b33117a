/**
 * The screens of the reservation wizard (scenarios 12–14, 18): one ephemeral message edited in place, a step at a
 * time — month → date → start time → duration → location → confirm — each with ← Back and, where a list is longer
 * than a select menu's 25 options, ◀ / ▶ pages. Built from the wizard's state; nothing here reads the database.
 *
 * @module
 */
import { ButtonStyle, type APISelectMenuOption } from 'discord-api-types/v10';
import type { EpochMs, Location } from '../../domain/model.js';
import {
  MAX_SELECT_OPTIONS,
  paginate,
  SLOT_TAKEN_MESSAGE,
  type DurationOption,
  type StartTimeOption,
} from '../../domain/slots.js';
import { formatJst, type JstDay, type JstMonth } from '../../domain/time.js';
import { customId } from '../custom-id.js';
import type { Screen } from '../interactions/context.js';
import { BACK_LABEL, button, buttonRow, rows, selectRow, type Row } from '../interactions/ui.js';

/** The wizard's steps, in order. */
export type ReserveStep = 'month' | 'day' | 'start' | 'end' | 'location' | 'confirm';

/** What the wizard remembers (kept when the user goes back). */
export interface ReserveState {
  readonly equipmentId: number;
  /** `[Tag] Name`, as the channel shows it. */
  readonly itemTitle: string;
  /** The reservation being changed (scenario 18), or null for a new one. */
  readonly reservationId: number | null;
  step: ReserveStep;
  /** The page of the current step's list (0-based); −1: the page of what was chosen there. */
  page: number;
  month?: { readonly year: number; readonly month: number };
  day?: { readonly start: EpochMs; readonly label: string };
  startAt?: EpochMs;
  endAt?: EpochMs;
  /** The chosen location (null: none); undefined until chosen. */
  locationId?: number | null;
  /** A line shown above the step (a refusal), cleared at the next step. */
  notice?: string;
}

/** The wizard's texts. `SLOT_TAKEN_MESSAGE` is REFERENCE_BOT.md's, exactly. */
export const ReserveText = {
  newTitle: (item: string) => `New reservation: ${item}`,
  changeTitle: (item: string) => `Change reservation: ${item}`,
  month: 'Step 1 of 5: choose the month.',
  day: 'Step 2 of 5: choose the date.',
  start: 'Step 3 of 5: choose the start time (JST).',
  end: 'Step 4 of 5: choose how long.',
  location: 'Step 5 of 5: choose where you will use it.',
  confirm: 'Check and confirm.',
  noDays: 'No date of this month can be reserved any more. Go back and choose another month.',
  noTimes: 'No start time is left on this date. Go back and choose another date.',
  slotTaken: SLOT_TAKEN_MESSAGE,
  reserved: 'Reserved',
  changed: 'Reservation changed',
  unavailable: (reason: string | null) => `This equipment is unavailable: ${reason ?? 'no reason given'}.`,
  notYours: 'You can only change your own reservations.',
  notChangeable: 'This reservation can no longer be changed.',
  past: 'That start time has passed. Please choose a later time.',
  summary: (state: ReserveState, locationName: string | null) =>
    [
      `From: ${state.startAt === undefined ? '?' : formatJst(state.startAt)}`,
      `To: ${state.endAt === undefined ? '?' : formatJst(state.endAt)}`,
      `Location: ${locationName ?? 'none'}`,
    ].join('\n'),
  reservedPlaceholder: 'reserved',
  monthPlaceholder: 'Month',
  dayPlaceholder: 'Date',
  startPlaceholder: 'Start time',
  endPlaceholder: 'Duration',
  locationPlaceholder: 'Location',
  confirmLabel: 'Confirm',
  previousLabel: '◀ Earlier',
  nextLabel: 'Later ▶',
  noLocation: 'No particular place',
} as const;

/** What a screen needs beyond the state. */
export interface ScreenData {
  readonly months?: readonly JstMonth[];
  readonly days?: readonly JstDay[];
  readonly starts?: readonly StartTimeOption[];
  readonly ends?: readonly DurationOption[];
  readonly locations?: readonly Location[];
  /** The name of the chosen location (confirm step). */
  readonly locationName?: string | null;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * The screen of the wizard's current step.
 *
 * @param sessionId - the wizard's session
 * @param state - its state
 * @param data - the options of the step
 * @returns the screen
 */
export function reserveScreen(sessionId: string, state: ReserveState, data: ScreenData): Screen {
  const id = (action: string, arg?: string) => customId('reserve', action, sessionId, arg);
  const title =
    state.reservationId === null ? ReserveText.newTitle(state.itemTitle) : ReserveText.changeTitle(state.itemTitle);
  const text = (line: string) =>
    [title, ...(state.notice === undefined ? [] : [`**${state.notice}**`]), line].join('\n');
  const back = state.step === 'month' ? undefined : button(BACK_LABEL, id('back'));
  const paged = <T>(
    items: readonly T[],
    toOption: (item: T) => APISelectMenuOption,
    placeholder: string,
    line: string,
  ) => {
    const options = items.map(toOption);
    // A step reached by ← Back opens on the page of what was chosen there (page −1: that page).
    const chosen = options.findIndex((option) => option.default === true);
    const page = paginate(options, state.page >= 0 ? state.page : Math.max(0, Math.floor(chosen / MAX_SELECT_OPTIONS)));
    const navigation = [
      ...(back === undefined ? [] : [back]),
      ...(page.hasPrevious ? [button(ReserveText.previousLabel, id('page', String(page.page - 1)))] : []),
      ...(page.hasNext ? [button(ReserveText.nextLabel, id('page', String(page.page + 1)))] : []),
    ];
    const pageLine = page.pages > 1 ? ` (page ${page.page + 1} of ${page.pages})` : '';
    return {
      content: text(`${line}${pageLine}`),
      components: rows(
        selectRow(id(state.step), placeholder, page.items),
        navigation.length === 0 ? undefined : buttonRow(...navigation),
      ),
    };
  };
  const onlyBack = (line: string): Screen => ({
    content: text(line),
    components: back === undefined ? [] : [buttonRow(back)],
  });
  switch (state.step) {
    case 'month':
      return paged(
        data.months ?? [],
        (month) => ({
          label: month.label,
          value: `${month.year}-${month.month}`,
          default: state.month?.year === month.year && state.month.month === month.month,
        }),
        ReserveText.monthPlaceholder,
        ReserveText.month,
      );
    case 'day':
      if ((data.days ?? []).length === 0) return onlyBack(ReserveText.noDays);
      return paged(
        data.days ?? [],
        (day) => ({
          label: `${day.label} (${WEEKDAYS[day.weekday]})`,
          value: String(day.start),
          default: state.day?.start === day.start,
        }),
        ReserveText.dayPlaceholder,
        ReserveText.day,
      );
    case 'start':
      if ((data.starts ?? []).length === 0) return onlyBack(ReserveText.noTimes);
      return paged(
        data.starts ?? [],
        (start) => ({
          label: start.label,
          value: String(start.startAt),
          default: state.startAt === start.startAt,
          ...(start.free ? {} : { description: ReserveText.reservedPlaceholder }),
        }),
        ReserveText.startPlaceholder,
        ReserveText.start,
      );
    case 'end':
      return paged(
        data.ends ?? [],
        (end) => ({
          label: `${end.label} (until ${formatJst(end.endAt)})`,
          value: String(end.endAt),
          default: state.endAt === end.endAt,
        }),
        ReserveText.endPlaceholder,
        ReserveText.end,
      );
    case 'location':
      return paged(
        [null, ...(data.locations ?? [])],
        (location) =>
          location === null
            ? { label: ReserveText.noLocation, value: 'none', default: state.locationId === null }
            : { label: location.name, value: String(location.id), default: state.locationId === location.id },
        ReserveText.locationPlaceholder,
        ReserveText.location,
      );
    case 'confirm': {
      const confirmRow: Row = buttonRow(
        button(BACK_LABEL, id('back')),
        button(ReserveText.confirmLabel, id('confirm'), ButtonStyle.Success),
      );
      return {
        content: text(`${ReserveText.confirm}\n${ReserveText.summary(state, data.locationName ?? null)}`),
        components: [confirmRow],
      };
    }
  }
}
