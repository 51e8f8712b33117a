/**
 * The screens of the per-item settings (see `item-settings-flow.ts`): what each step shows and which buttons it
 * offers. Pure functions of the session and the item; the flow loads the data and routes the clicks.
 *
 * @module
 */
import { ButtonStyle, type APIEmbed, type APISelectMenuOption } from 'discord-api-types/v10';
import type { EquipmentView, Reservation } from '../../domain/model.js';
import type { ForcedState } from '../../domain/services/equipment-admin.js';
import { paginate } from '../../domain/slots.js';
import { formatJstRange } from '../../domain/time.js';
import { statusLine } from '../../display/render.js';
import { customId } from '../custom-id.js';
import type { Screen } from '../interactions/context.js';
import { BACK_LABEL, button, buttonRow, pageButtons, rows, selectRow } from '../interactions/ui.js';
import { withNotice } from './flow-deps.js';
import { ItemSettingsText as T } from './item-settings-text.js';
import { ItemLogText, LOG_PERIODS, type LogPeriodId } from './item-log.js';
import { periodOptions } from './period-picker.js';

/** A forced state waiting for the administrator's Proceed. */
export interface PendingForce {
  readonly state: ForcedState;
  /** For Unavailable. */
  readonly reason: string | null;
  /** The reservations listed on the confirmation: Proceed asks again when more would go. */
  readonly reservationIds: readonly number[];
}

/** The tag or location select, while it is open. */
export interface Chooser {
  readonly kind: 'tag' | 'location';
  /** The chosen option's value: {@link NONE} or an id. */
  chosen: string;
  page: number;
}

/** What the per-item settings remember between steps. */
export interface ItemSettingsState {
  readonly equipmentId: number;
  pending: PendingForce | null;
  chooser: Chooser | null;
  logPeriod: LogPeriodId;
  logPage: number;
  /** What was last typed in a modal that was refused, to fill it in again. */
  draftName: string | null;
  draftReason: string | null;
}

/** The option value of "No tag" / "No default location". */
export const NONE = 'none';

/** Reservations listed on a confirmation (the rest are counted), to stay inside 2000 characters of content. */
const LISTED_RESERVATIONS = 15;

/** A custom id of this flow. */
export const itemId = (action: string, session: string, arg?: string): string => customId('item', action, session, arg);

/**
 * `[Tag] Name`, as the channel titles the item.
 *
 * @param view - the item
 * @returns its title
 */
export function itemTitle(view: EquipmentView): string {
  return view.tag === null ? view.equipment.name : `[${view.tag.name}] ${view.equipment.name}`;
}

/**
 * The settings menu.
 *
 * @param sid - the session
 * @param view - the item now
 * @param locationName - its default return location's name, or null
 * @param notice - a line on top (what the last change did, or why it was refused)
 * @returns the screen
 */
export function menuScreen(sid: string, view: EquipmentView, locationName: string | null, notice?: string): Screen {
  const menu = T.menu(itemTitle(view), statusLine(view), view.tag?.name ?? T.noTag, locationName ?? T.noLocation);
  return {
    content: withNotice(notice, menu),
    components: rows(
      view.equipment.unavailable
        ? buttonRow(
            button(T.changeStateLabel, itemId('state', sid), ButtonStyle.Primary),
            button(T.editReasonLabel, itemId('unavailable', sid)),
          )
        : buttonRow(button(T.changeStateLabel, itemId('state', sid), ButtonStyle.Primary)),
      buttonRow(
        button(T.renameLabel, itemId('rename', sid)),
        button(T.tagLabel, itemId('tag', sid)),
        button(T.locationLabel, itemId('location', sid)),
      ),
      buttonRow(
        button(T.logLabel, itemId('log', sid)),
        button(T.deleteLabel, itemId('delete', sid), ButtonStyle.Danger),
      ),
    ),
  };
}

/**
 * The state step: Available (greyed out when it already is, with nothing to end) or Unavailable.
 *
 * @param sid - the session
 * @param view - the item now
 * @returns the screen
 */
export function stateScreen(sid: string, view: EquipmentView): Screen {
  return {
    content: T.state(view.equipment.name, statusLine(view)),
    components: rows(
      buttonRow(
        button(T.availableLabel, itemId('available', sid), ButtonStyle.Success, view.status === 'Available'),
        button(T.unavailableLabel, itemId('unavailable', sid), ButtonStyle.Danger),
        button(BACK_LABEL, itemId('menu', sid)),
      ),
    ),
  };
}

/**
 * The lines listing reservations: `- <@user> YYYY/MM/DD HH:MM–HH:MM`, at most {@link LISTED_RESERVATIONS}.
 *
 * @param reservations - soonest first
 * @returns the lines
 */
export function reservationLines(reservations: readonly Reservation[]): string[] {
  const lines = reservations
    .slice(0, LISTED_RESERVATIONS)
    .map((reservation) => `- <@${reservation.userId}> ${formatJstRange(reservation.startAt, reservation.endAt)}`);
  if (reservations.length > LISTED_RESERVATIONS) lines.push(T.more(reservations.length - LISTED_RESERVATIONS));
  return lines;
}

/**
 * The confirmation of a forced state that deletes reservations (scenario 33).
 *
 * @param sid - the session
 * @param reservations - what would be deleted
 * @param notice - a line on top (the list changed)
 * @returns the screen: the quoted question, the list, Proceed / ← Back
 */
export function forceConfirmScreen(sid: string, reservations: readonly Reservation[], notice?: string): Screen {
  const body = [T.forceConfirm, ...reservationLines(reservations)].join('\n');
  return {
    content: withNotice(notice, body),
    components: rows(
      buttonRow(
        button(T.proceedLabel, itemId('proceed', sid), ButtonStyle.Danger),
        button(BACK_LABEL, itemId('state', sid)),
      ),
    ),
  };
}

/**
 * A refused form: what is wrong, Try Again (the modal again, filled in with what was typed) and ← Back.
 *
 * @param sid - the session
 * @param problem - what is wrong and what is allowed
 * @param again - the action that opens the modal again
 * @returns the screen
 */
export function problemScreen(sid: string, problem: string, again: 'rename' | 'unavailable'): Screen {
  return {
    content: problem,
    components: rows(
      buttonRow(
        button(T.tryAgainLabel, itemId(again, sid), ButtonStyle.Primary),
        button(BACK_LABEL, itemId('menu', sid)),
      ),
    ),
  };
}

/**
 * The tag or location select, a page of 25 options at a time, with Save and ← Back.
 *
 * @param sid - the session
 * @param chooser - what is chosen, on which page
 * @param content - the question
 * @param options - every option, "none" first
 * @param notice - a line on top
 * @returns the screen
 */
export function chooserScreen(
  sid: string,
  chooser: Chooser,
  content: string,
  options: readonly { readonly value: string; readonly label: string }[],
  notice?: string,
): Screen {
  const page = paginate(options, chooser.page);
  chooser.page = page.page;
  const shown: APISelectMenuOption[] = page.items.map((option) => ({
    label: option.label,
    value: option.value,
    ...(option.value === chooser.chosen ? { default: true } : {}),
  }));
  const placeholder = chooser.kind === 'tag' ? T.tagPlaceholder : T.locationPlaceholder;
  const text = page.pages > 1 ? `${content}\n${T.page(page.page + 1, page.pages)}` : content;
  return {
    content: withNotice(notice, text),
    components: rows(
      selectRow(itemId('choose', sid), placeholder, shown),
      page.pages > 1 && buttonRow(...pageButtons(page, (to) => itemId('page', sid, String(to)))),
      buttonRow(button(BACK_LABEL, itemId('menu', sid)), button(T.saveLabel, itemId('save', sid), ButtonStyle.Success)),
    ),
  };
}

/**
 * The delete confirmation.
 *
 * @param sid - the session
 * @param name - the item's name
 * @param reservations - how many confirmed reservations go with it
 * @returns the screen
 */
export function deleteScreen(sid: string, name: string, reservations: number): Screen {
  return {
    content: T.deleteConfirm(name, reservations),
    components: rows(
      buttonRow(
        button(T.confirmDeleteLabel, itemId('delete-confirm', sid), ButtonStyle.Danger),
        button(BACK_LABEL, itemId('menu', sid)),
      ),
    ),
  };
}

/**
 * A page of the item's log: the embed, the period picker, ◀ Previous / Next ▶ and ← Back.
 *
 * @param sid - the session
 * @param embed - the page (see `logEmbed`)
 * @param period - the period shown
 * @param page - the page shown, 0-based
 * @param pages - how many pages
 * @returns the screen
 */
export function logScreen(sid: string, embed: APIEmbed, period: LogPeriodId, page: number, pages: number): Screen {
  const position = { page, pages, hasPrevious: page > 0, hasNext: page < pages - 1 };
  return {
    embeds: [embed],
    components: rows(
      selectRow(itemId('log-period', sid), ItemLogText.periodPlaceholder, periodOptions(LOG_PERIODS, period)),
      buttonRow(
        // Unlike the other lists, the item log shows them on a single page too (both disabled).
        ...pageButtons(position, (to) => itemId('log', sid, String(to)), { evenForOnePage: true }),
        button(BACK_LABEL, itemId('menu', sid)),
      ),
    ),
  };
}
