/**
 * Check/Change Reservation (scenarios 17 and 19): the button under an item's embed opens one ephemeral interface,
 * edited in place.
 *
 * 1. The caller's own confirmed reservations of that item (current, upcoming, and an overdue loan not returned yet),
 *    in JST, as a select paginated 25 at a time; with none, it says so.
 * 2. Choosing one shows its details and the actions: Change Date/Time (routed by the reservation wizard, see
 *    {@link changeButtonId}), Cancel Reservation, Transfer Owner (routed in `transfer-flow.ts`), ← Back to the list.
 * 3. Cancel Reservation asks to confirm (with ← Back); confirming cancels it (the service logs it and deletes its
 *    pending reminder jobs) and re-renders the item's embed.
 *
 * Every screen reads the reservations again, so a reservation cancelled, returned or handed over meanwhile is never
 * acted on: the service checks again at the final click anyway.
 *
 * @module
 */
import { ButtonStyle, type APISelectMenuOption } from 'discord-api-types/v10';
import type { Equipment, EpochMs, Reservation } from '../../domain/model.js';
import { cancelReservation, listOwnReservations } from '../../domain/services/reservations.js';
import { paginate } from '../../domain/slots.js';
import { formatJst, formatJstRange } from '../../domain/time.js';
import { customId } from '../custom-id.js';
import type { InteractionContext, Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import {
  BACK_LABEL,
  button,
  buttonRow,
  pageArg,
  pageButtons,
  rows,
  selectedValues,
  selectRow,
} from '../interactions/ui.js';
import { FlowText, reposOf, withNotice, type FlowDeps } from './flow-deps.js';

/** What the Check/Change interface remembers between steps (the transfer steps share it). */
export interface MineState {
  readonly equipmentId: number;
  /** The list's page, 0-based. */
  page: number;
  /** The reservation chosen, or null on the list. */
  reservationId: number | null;
}

/** Where a reservation stands, for its details. */
export type ReservationPhase = 'upcoming' | 'in-progress' | 'overdue';

/** What Check/Change shows (English). */
export const MineText = {
  list: (item: string, page: number, pages: number) =>
    `Your current and upcoming reservations of ${item} (times in JST). Choose one to see or change it.${
      pages > 1 ? ` Page ${page + 1} of ${pages}.` : ''
    }`,
  none: (item: string) => `You have no current or upcoming reservations of ${item}.`,
  placeholder: 'Choose one of your reservations',
  previousLabel: 'Previous Page',
  nextLabel: 'Next Page',
  phase: {
    upcoming: 'Upcoming',
    'in-progress': 'In progress',
    overdue: 'Overdue (not returned yet)',
  } satisfies Record<ReservationPhase, string>,
  overdueHint: 'Return it, or change its end time to extend it.',
  details: (item: string, range: string, location: string | null, phase: string) =>
    `Your reservation of ${item}\nTime: ${range} (JST)\nLocation: ${location ?? 'none'}\nStatus: ${phase}`,
  pendingTransfer: (toUserId: string, expiresAt: EpochMs) =>
    `Handover to <@${toUserId}> pending (until ${formatJst(expiresAt)} JST).`,
  changeLabel: 'Change Date/Time',
  cancelLabel: 'Cancel Reservation',
  transferLabel: 'Transfer Owner',
  confirmCancel: (item: string, range: string) =>
    `Cancel your reservation of ${item}, ${range} (JST)? This cannot be undone.`,
  confirmCancelLabel: 'Yes, Cancel Reservation',
  cancelled: (item: string, range: string) => `Your reservation of ${item}, ${range} (JST), was cancelled.`,
  notCancellable:
    'This reservation can no longer be cancelled: it was cancelled or returned, it has ended, or it is no longer yours. Nothing was changed.',
  gone: 'That reservation is no longer one of your current or upcoming ones (it was cancelled, returned or handed over).',
} as const;

/**
 * The `custom_id` of a reservation's Change Date/Time button: the reservation wizard routes it (`reserve:change`),
 * this flow only shows it.
 *
 * @param reservationId - the reservation
 * @returns `v1:reserve:change:-:<reservationId>`
 */
export function changeButtonId(reservationId: number): string {
  return customId('reserve', 'change', '-', String(reservationId));
}

/**
 * Where a confirmed reservation stands.
 *
 * @param reservation - a confirmed reservation
 * @param now - epoch ms
 * @returns upcoming (not started), in progress, or overdue (ended, not returned)
 */
export function phaseOf(reservation: Reservation, now: EpochMs): ReservationPhase {
  if (reservation.endAt <= now) return 'overdue';
  return reservation.startAt <= now ? 'in-progress' : 'upcoming';
}

/**
 * A custom id of the Check/Change interface.
 *
 * @param action - the step
 * @param session - the session id
 * @param arg - an argument (a page)
 * @returns the custom id
 */
export function mineId(action: string, session: string, arg?: string): string {
  return customId('mine', action, session, arg);
}

/** The chosen reservation, still the caller's and confirmed, with its item; or why not. */
export type ChosenReservation =
  | { readonly ok: true; readonly equipment: Equipment; readonly reservation: Reservation }
  | { readonly ok: false; readonly screen: Screen };

/**
 * Starts the interface again from a session that was taken (a final click that was refused): same choices, a new
 * session, so that ← Back works.
 *
 * @param deps - the flows' parts
 * @param session - the taken session
 * @returns the new session
 */
export function reopen(deps: FlowDeps, session: WizardSession<MineState>): Promise<WizardSession<MineState>> {
  return deps.sessions.create<MineState>('mine', session.userId, session.guildId, { ...session.data });
}

/**
 * The list screen: the caller's reservations of the item, one page.
 *
 * @param deps - the flows' parts
 * @param session - the session
 * @param notice - shown above the list
 * @returns the screen
 */
export async function listScreen(deps: FlowDeps, session: WizardSession<MineState>, notice?: string): Promise<Screen> {
  const equipment = await reposOf(deps).equipment.get(session.data.equipmentId);
  if (equipment === null || equipment.guildId !== session.guildId) return { content: FlowText.noSuchItem };
  const own = await listOwnReservations(deps.database, session.userId, equipment.id);
  if (own.length === 0) return { content: withNotice(notice, MineText.none(equipment.name)), components: [] };
  const page = paginate(own, session.data.page);
  session.data.page = page.page;
  const now = deps.now();
  const options: APISelectMenuOption[] = page.items.map((reservation) => ({
    label: formatJstRange(reservation.startAt, reservation.endAt),
    value: String(reservation.id),
    description: MineText.phase[phaseOf(reservation, now)],
  }));
  const labels = { previous: MineText.previousLabel, next: MineText.nextLabel };
  const pager =
    page.pages > 1 && buttonRow(...pageButtons(page, (to) => mineId('page', session.id, String(to)), { labels }));
  return {
    content: withNotice(notice, MineText.list(equipment.name, page.page, page.pages)),
    components: rows(selectRow(mineId('pick', session.id), MineText.placeholder, options), pager),
  };
}

/**
 * Reads the session's chosen reservation again: it must still be one of the caller's confirmed reservations of the
 * item. When it is not, the answer is the list with a notice (and the choice is forgotten).
 *
 * @param deps - the flows' parts
 * @param session - the session
 * @returns the item and the reservation, or the screen to show instead
 */
export async function chosenReservation(deps: FlowDeps, session: WizardSession<MineState>): Promise<ChosenReservation> {
  const equipment = await reposOf(deps).equipment.get(session.data.equipmentId);
  if (equipment === null || equipment.guildId !== session.guildId) {
    return { ok: false, screen: { content: FlowText.noSuchItem, components: [] } };
  }
  const own = await listOwnReservations(deps.database, session.userId, equipment.id);
  const reservation = own.find((candidate) => candidate.id === session.data.reservationId);
  if (reservation === undefined) {
    session.data.reservationId = null;
    return { ok: false, screen: await listScreen(deps, session, MineText.gone) };
  }
  return { ok: true, equipment, reservation };
}

/**
 * The details screen of the chosen reservation, with its actions (Cancel and Transfer Owner are disabled for an
 * overdue loan: it can only be returned or extended).
 *
 * @param deps - the flows' parts
 * @param session - the session
 * @param notice - shown above the details
 * @returns the screen
 */
export async function detailScreen(
  deps: FlowDeps,
  session: WizardSession<MineState>,
  notice?: string,
): Promise<Screen> {
  const chosen = await chosenReservation(deps, session);
  if (!chosen.ok) return chosen.screen;
  const { equipment, reservation } = chosen;
  const repos = reposOf(deps);
  const location = reservation.locationId === null ? null : await repos.locations.get(reservation.locationId);
  const pending = await repos.transfers.getPending(reservation.id);
  const phase = phaseOf(reservation, deps.now());
  const lines = [
    MineText.details(
      equipment.name,
      formatJstRange(reservation.startAt, reservation.endAt),
      location?.name ?? null,
      MineText.phase[phase],
    ),
    ...(pending === null ? [] : [MineText.pendingTransfer(pending.toUserId, pending.expiresAt)]),
  ];
  const overdue = phase === 'overdue';
  if (overdue) lines.push(MineText.overdueHint);
  return {
    content: withNotice(notice, lines.join('\n')),
    components: rows(
      buttonRow(
        button(MineText.changeLabel, changeButtonId(reservation.id), ButtonStyle.Primary),
        button(MineText.cancelLabel, mineId('cancel', session.id), ButtonStyle.Danger, overdue),
        button(MineText.transferLabel, mineId('transfer', session.id), ButtonStyle.Secondary, overdue),
        button(BACK_LABEL, mineId('back', session.id)),
      ),
    ),
  };
}

/**
 * Runs what follows a committed change (re-render, DMs) without letting its failure tell the member that nothing
 * changed: the change is made; a failed re-render is repaired by the next one.
 *
 * @param deps - the flows' parts
 * @param what - what it is, for the log
 * @param work - the follow-up
 */
export async function afterCommit(deps: FlowDeps, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.logger.warn(
      `${what} failed after the change was saved: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Routes Check/Change Reservation: the list, the details, cancelling.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerMineFlow(router: InteractionRouter, deps: FlowDeps): void {
  const show = async (ctx: InteractionContext, screen: Promise<Screen>) => ctx.show(await screen);

  router.on('mine', 'open', async (ctx, id) => {
    if (ctx.guildId === undefined) return ctx.show({ content: FlowText.guildOnly });
    const equipmentId = Number(id.arg);
    if (!Number.isSafeInteger(equipmentId)) return ctx.show({ content: FlowText.noSuchItem });
    const session = await deps.sessions.create<MineState>('mine', ctx.userId, ctx.guildId, {
      equipmentId,
      page: 0,
      reservationId: null,
    });
    await show(ctx, listScreen(deps, session));
  });

  router.step<MineState>('mine', 'page', async (ctx, session, id) => {
    session.data.page = pageArg(id.arg);
    await show(ctx, listScreen(deps, session));
  });

  router.step<MineState>('mine', 'pick', async (ctx, session, _id, interaction) => {
    const [value] = selectedValues(interaction);
    session.data.reservationId = value === undefined ? null : Number(value);
    await show(ctx, detailScreen(deps, session));
  });

  router.step<MineState>('mine', 'back', async (ctx, session) => {
    session.data.reservationId = null;
    await show(ctx, listScreen(deps, session));
  });

  router.step<MineState>('mine', 'detail', async (ctx, session) => {
    await show(ctx, detailScreen(deps, session));
  });

  router.step<MineState>('mine', 'cancel', async (ctx, session) => {
    const chosen = await chosenReservation(deps, session);
    if (!chosen.ok) return ctx.show(chosen.screen);
    const { equipment, reservation } = chosen;
    if (phaseOf(reservation, deps.now()) === 'overdue') {
      return show(ctx, detailScreen(deps, session, MineText.notCancellable));
    }
    await ctx.show({
      content: MineText.confirmCancel(equipment.name, formatJstRange(reservation.startAt, reservation.endAt)),
      components: rows(
        buttonRow(
          button(MineText.confirmCancelLabel, mineId('cancel-confirm', session.id), ButtonStyle.Danger),
          button(BACK_LABEL, mineId('detail', session.id)),
        ),
      ),
    });
  });

  router.finish<MineState>('mine', 'cancel-confirm', async (ctx, session) => {
    const reservationId = session.data.reservationId;
    const result =
      reservationId === null
        ? undefined
        : await cancelReservation(deps.database, { reservationId, userId: ctx.userId }, deps.now());
    if (result === undefined || !result.ok) {
      const again = await reopen(deps, session);
      again.data.reservationId = null;
      return show(ctx, listScreen(deps, again, MineText.notCancellable));
    }
    const { reservation, equipment } = result;
    await ctx.show({
      content: MineText.cancelled(equipment.name, formatJstRange(reservation.startAt, reservation.endAt)),
      components: [],
    });
    await afterCommit(deps, `re-render after cancelling reservation ${reservation.id}`, () =>
      deps.refresh(equipment.guildId, { kind: 'action', equipmentId: equipment.id }),
    );
  });
}
