/**
 * The screens of the return flow (scenarios 24–27): the return screen (a location select with the item's default
 * return location chosen), the "Are you sure this location is correct?" check, the answer after a return with its
 * Cancel Return / Correct Location buttons, and the two correction screens. Built from the flow's state and what the
 * flow read; nothing here reads the database.
 *
 * @module
 */
import { ButtonStyle, type APISelectMenuOption } from 'discord-api-types/v10';
import type { CorrectionRefusal, ReturnRefusal } from '../../domain/services/returns.js';
import type { EpochMs, Location } from '../../domain/model.js';
import { CORRECTION_CLOSED_MESSAGE, MAX_SELECT_OPTIONS, paginate } from '../../domain/slots.js';
import { formatJst } from '../../domain/time.js';
import { customId } from '../custom-id.js';
import type { Screen } from '../interactions/context.js';
import {
  BACK_LABEL,
  button,
  buttonRow,
  PAGE_LABELS,
  pageButtons,
  rows,
  selectRow,
  type Row,
} from '../interactions/ui.js';

/** What the return wizard remembers between its steps. */
export interface ReturnState {
  readonly equipmentId: number;
  readonly itemName: string;
  /** The loan being returned. */
  readonly reservationId: number;
  /** The item's default return location, when it has one. */
  readonly defaultLocationId: number | null;
  /** Where the member says they put it (the default at first); null: not chosen, or no location exists. */
  locationId: number | null;
  /** The page of the location select, 0-based. */
  page: number;
}

/** What the Correct Location screen remembers. */
export interface CorrectState {
  readonly reservationId: number;
  readonly itemName: string;
  /** Where the return said the item was put. */
  readonly returnedLocationId: number | null;
  /** The location chosen instead. */
  locationId: number | null;
  page: number;
}

/** What the Cancel Return confirmation remembers. */
export interface UndoState {
  readonly reservationId: number;
  readonly itemName: string;
}

/** Every text the return flow shows. `confirmLocation` and `closed` are REFERENCE_BOT.md's, exactly. */
export const ReturnText = {
  noLoan: (item: string) => `You have no loan of ${item} to return.`,
  waiting: (item: string) =>
    `Your reservation of ${item} has started, but the previous borrower has not returned it yet: there is nothing for you to return.`,
  choose: (item: string, location: string | null) =>
    `Return ${item}: choose where you are putting it, then press Return.\nLocation: ${location ?? 'not chosen yet'}`,
  noLocations: (item: string) => `Return ${item}? No locations are registered, so its location stays as it is.`,
  confirmLocation: 'Are you sure this location is correct?',
  returned: (item: string, location: string | null) =>
    location === null ? `${item} was returned.` : `${item} was returned to ${location}.`,
  corrected: (item: string, location: string | null) =>
    `The return location of ${item} was corrected to ${location ?? 'no location'}.`,
  correctUntil: (windowEnd: EpochMs) =>
    `You can cancel the return or correct the location until ${formatJst(windowEnd)} (JST).`,
  closed: CORRECTION_CLOSED_MESSAGE,
  confirmUndo: (item: string) => `Cancel the return of ${item}? It will show as loaned to you again.`,
  undone: (item: string, endAt: EpochMs) =>
    `The return of ${item} was cancelled: it is on loan to you again (reserved until ${formatJst(endAt)} JST).`,
  fix: (item: string, location: string | null) =>
    `Choose where ${item} really is, then press Save Location.\nLocation: ${location ?? 'no location'}`,
  page: (page: number, pages: number) => `Page ${page + 1} of ${pages}.`,
  notYours: 'Only the member who borrowed this item can return it.',
  forbidden: 'Only the member who returned this item can cancel the return or correct its location.',
  notReturned: 'This item is no longer returned: there is no return to cancel or correct.',
  conflict:
    'The return cannot be cancelled: since you returned it, someone else reserved the item for part of your loan’s period.',
  invalidLocation:
    'That location no longer exists. Nothing was changed: please start again and choose another location.',
  noSuchReservation: 'This reservation no longer exists.',
  returnLabel: 'Return',
  yesLabel: 'Yes',
  cancelReturnLabel: 'Cancel Return',
  correctLocationLabel: 'Correct Location',
  confirmUndoLabel: 'Yes, cancel the return',
  saveLabel: 'Save Location',
  previousLabel: PAGE_LABELS.previous,
  nextLabel: PAGE_LABELS.next,
  locationPlaceholder: 'Return location',
  defaultDescription: 'Default return location',
} as const;

/**
 * What a refused return says.
 *
 * @param reason - the domain's refusal
 * @param item - the item's name
 * @returns the text
 */
export function returnRefusalText(reason: ReturnRefusal, item: string): string {
  switch (reason) {
    case 'not-found':
      return ReturnText.noSuchReservation;
    case 'forbidden':
      return ReturnText.notYours;
    case 'not-loaned':
      return ReturnText.noLoan(item);
    case 'invalid':
      return ReturnText.invalidLocation;
  }
}

/**
 * What a refused Cancel Return or Correct Location says; `window-closed` is REFERENCE_BOT.md's text (scenario 27).
 *
 * @param reason - the domain's refusal
 * @returns the text
 */
export function correctionRefusalText(reason: CorrectionRefusal): string {
  switch (reason) {
    case 'not-found':
      return ReturnText.noSuchReservation;
    case 'forbidden':
      return ReturnText.forbidden;
    case 'not-returned':
      return ReturnText.notReturned;
    case 'window-closed':
      return ReturnText.closed;
    case 'invalid':
      return ReturnText.invalidLocation;
    case 'conflict':
      return ReturnText.conflict;
  }
}

/**
 * The name of a location of the list.
 *
 * @param locations - the guild's locations
 * @param locationId - a location, or null
 * @returns its name, or null
 */
export function locationName(locations: readonly Location[], locationId: number | null): string | null {
  return locations.find((location) => location.id === locationId)?.name ?? null;
}

/**
 * The page that shows a location (the first page when it is not in the list).
 *
 * @param locations - the guild's locations, in select order
 * @param locationId - the chosen location, or null
 * @returns the 0-based page
 */
export function pageOf(locations: readonly Location[], locationId: number | null): number {
  const index = locations.findIndex((location) => location.id === locationId);
  return index < 0 ? 0 : Math.floor(index / MAX_SELECT_OPTIONS);
}

/** A location select, with ◀ / ▶ pages when the guild has more than 25 locations. */
function locationRows(input: {
  readonly selectId: string;
  readonly pageId: (page: number) => string;
  readonly locations: readonly Location[];
  readonly chosen: number | null;
  readonly defaultId: number | null;
  readonly page: number;
}): { readonly rows: Row[]; readonly pageLine: string | null } {
  const page = paginate(input.locations, input.page);
  const options: APISelectMenuOption[] = page.items.map((location) => ({
    label: location.name,
    value: String(location.id),
    ...(location.id === input.defaultId ? { description: ReturnText.defaultDescription } : {}),
    ...(location.id === input.chosen ? { default: true } : {}),
  }));
  const select = selectRow(input.selectId, ReturnText.locationPlaceholder, options);
  if (page.pages === 1) return { rows: [select], pageLine: null };
  const pager = buttonRow(...pageButtons(page, input.pageId));
  return { rows: [select, pager], pageLine: ReturnText.page(page.page, page.pages) };
}

/**
 * The return screen (scenario 24): the location select with the default chosen, and Return. Return with the default
 * (or when no location exists) completes at once (`done`); with another location it asks first (`check`).
 *
 * @param sessionId - the wizard's session
 * @param state - its state
 * @param locations - the guild's locations
 * @returns the screen
 */
export function returnScreen(sessionId: string, state: ReturnState, locations: readonly Location[]): Screen {
  const done = button(ReturnText.returnLabel, customId('return', 'done', sessionId), ButtonStyle.Success);
  if (locations.length === 0) return { content: ReturnText.noLocations(state.itemName), components: [buttonRow(done)] };
  const picker = locationRows({
    selectId: customId('return', 'pick', sessionId),
    pageId: (page) => customId('return', 'page', sessionId, String(page)),
    locations,
    chosen: state.locationId,
    defaultId: state.defaultLocationId,
    page: state.page,
  });
  const chosen = state.locationId !== null && locationName(locations, state.locationId) !== null;
  const action =
    chosen && state.locationId === state.defaultLocationId
      ? done
      : button(ReturnText.returnLabel, customId('return', 'check', sessionId), ButtonStyle.Success, !chosen);
  const text = ReturnText.choose(state.itemName, locationName(locations, state.locationId));
  return {
    content: picker.pageLine === null ? text : `${text}\n${picker.pageLine}`,
    components: rows(...picker.rows, buttonRow(action)),
  };
}

/**
 * Scenario 25's check before returning to a location other than the default: Yes returns, ← Back keeps the choice.
 *
 * @param sessionId - the wizard's session
 * @returns the screen
 */
export function confirmLocationScreen(sessionId: string): Screen {
  return {
    content: ReturnText.confirmLocation,
    components: [
      buttonRow(
        button(ReturnText.yesLabel, customId('return', 'done', sessionId), ButtonStyle.Success),
        button(BACK_LABEL, customId('return', 'back', sessionId)),
      ),
    ],
  };
}

/**
 * The answer after a return (or a correction), while the returner may still act on it: Cancel Return and Correct
 * Location. These buttons carry the reservation, not a session: the window (up to an hour) outlives a wizard session,
 * and the domain checks the returner and the window at each click. Once the window is closed, the text says so and
 * the buttons are gone.
 *
 * @param input - the headline, the reservation, the window's end, now, whether a location exists to correct to
 * @returns the screen
 */
export function returnedScreen(input: {
  readonly headline: string;
  readonly reservationId: number;
  readonly windowEnd: EpochMs;
  readonly now: EpochMs;
  readonly hasLocations: boolean;
}): Screen {
  if (input.now >= input.windowEnd) return { content: `${input.headline}\n${ReturnText.closed}`, components: [] };
  const arg = String(input.reservationId);
  return {
    content: `${input.headline}\n${ReturnText.correctUntil(input.windowEnd)}`,
    components: [
      buttonRow(
        button(ReturnText.cancelReturnLabel, customId('return', 'undo', '-', arg), ButtonStyle.Danger),
        button(
          ReturnText.correctLocationLabel,
          customId('return', 'fix', '-', arg),
          ButtonStyle.Secondary,
          !input.hasLocations,
        ),
      ),
    ],
  };
}

/**
 * Cancel Return's confirmation: Yes cancels the return, ← Back shows the answer again.
 *
 * @param sessionId - the confirmation's session
 * @param reservationId - the returned reservation
 * @param item - the item's name
 * @returns the screen
 */
export function confirmUndoScreen(sessionId: string, reservationId: number, item: string): Screen {
  return {
    content: ReturnText.confirmUndo(item),
    components: [
      buttonRow(
        button(ReturnText.confirmUndoLabel, customId('return', 'undo-yes', sessionId), ButtonStyle.Danger),
        button(BACK_LABEL, customId('return', 'menu', '-', String(reservationId))),
      ),
    ],
  };
}

/**
 * Correct Location: the location select (the returned-to location chosen), ← Back to the answer, and Save Location,
 * enabled once another location is chosen.
 *
 * @param sessionId - the correction's session
 * @param state - its state
 * @param locations - the guild's locations
 * @returns the screen
 */
export function correctScreen(sessionId: string, state: CorrectState, locations: readonly Location[]): Screen {
  const picker = locationRows({
    selectId: customId('return', 'fix-pick', sessionId),
    pageId: (page) => customId('return', 'fix-page', sessionId, String(page)),
    locations,
    chosen: state.locationId,
    defaultId: null,
    page: state.page,
  });
  const changed =
    state.locationId !== null &&
    state.locationId !== state.returnedLocationId &&
    locationName(locations, state.locationId) !== null;
  const text = ReturnText.fix(state.itemName, locationName(locations, state.locationId));
  return {
    content: picker.pageLine === null ? text : `${text}\n${picker.pageLine}`,
    components: rows(
      ...picker.rows,
      buttonRow(
        button(BACK_LABEL, customId('return', 'menu', '-', String(state.reservationId))),
        button(ReturnText.saveLabel, customId('return', 'fix-save', sessionId), ButtonStyle.Primary, !changed),
      ),
    ),
  };
}
