/**
 * Return and correction (scenarios 24–27), from the Return button under an item's embed.
 *
 * 1. The caller's loan in progress of the item (the earliest confirmed reservation that has started, theirs) opens
 *    the return screen: a location select with the item's default return location chosen. Return to the default
 *    completes at once; another location first asks "Are you sure this location is correct?" (Yes / ← Back).
 * 2. The answer says where it was returned, with Cancel Return and Correct Location while the correction window
 *    `min(return + 1 h, next start − 15 min)` is open. Only the returner may use them (the domain checks the returner
 *    and the window again in its transaction); outside the window they answer `CORRECTION_CLOSED_MESSAGE`.
 * 3. Without a loan, a member who returned the item within the window sees that answer again (the correction menu);
 *    anyone else is told they have no loan of it to return.
 *
 * @module
 */
import type { Equipment, EpochMs, Location, Reservation, Snowflake } from '../../domain/model.js';
import { deriveStatus } from '../../domain/services/equipment-views.js';
import {
  cancelReturn,
  CORRECTION_PERIOD_MS,
  correctionWindowEnd,
  correctReturnLocation,
  returnReservation,
  type CorrectionRefusal,
} from '../../domain/services/returns.js';
import { scheduleReservationJobs } from '../../jobs/reservation-jobs.js';
import type { InteractionContext } from '../interactions/context.js';
import type { ComponentOrModal, InteractionRouter } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import { pageArg, selectedValues } from '../interactions/ui.js';
import { FlowText, reposOf, type FlowDeps } from './flow-deps.js';
import {
  confirmLocationScreen,
  confirmUndoScreen,
  correctionRefusalText,
  correctScreen,
  locationName,
  pageOf,
  returnedScreen,
  returnRefusalText,
  returnScreen,
  ReturnText,
  type CorrectState,
  type ReturnState,
  type UndoState,
} from './return-screens.js';

export { ReturnText } from './return-screens.js';

/** A returned reservation the caller may still undo or correct, as read outside a transaction. */
type Correctable =
  | { readonly ok: true; readonly reservation: Reservation; readonly equipment: Equipment; readonly windowEnd: EpochMs }
  | { readonly ok: false; readonly reason: CorrectionRefusal };

/**
 * Routes the return flow: `return:open` (the channel's Return button), its wizard steps, and the correction buttons.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerReturnFlow(router: InteractionRouter, deps: FlowDeps): void {
  const locationsOf = (guildId: Snowflake): Promise<Location[]> => reposOf(deps).locations.list(guildId);

  /** Whether the caller may still act on a returned reservation: the domain's checks, read without a lock. */
  const correctable = async (guildId: Snowflake, reservationId: number, userId: Snowflake): Promise<Correctable> => {
    const repos = reposOf(deps);
    const reservation = await repos.reservations.get(reservationId);
    const equipment = reservation === null ? null : await repos.equipment.get(reservation.equipmentId);
    if (reservation === null || equipment === null || equipment.guildId !== guildId) {
      return { ok: false, reason: 'not-found' };
    }
    if (reservation.status !== 'returned') return { ok: false, reason: 'not-returned' };
    if (reservation.returnedBy !== userId) return { ok: false, reason: 'forbidden' };
    const next = await repos.reservations.nextConfirmed(equipment.id, reservation.startAt, reservation.id);
    const windowEnd = correctionWindowEnd(reservation, next);
    if (deps.now() >= windowEnd) return { ok: false, reason: 'window-closed' };
    return { ok: true, reservation, equipment, windowEnd };
  };

  /** The answer after a return, with its buttons while the window is open. */
  const answer = async (
    headline: (item: string, location: string | null) => string,
    reservation: Reservation,
    equipment: Equipment,
    windowEnd: EpochMs,
  ) => {
    const locations = await locationsOf(equipment.guildId);
    return returnedScreen({
      headline: headline(equipment.name, locationName(locations, reservation.returnLocationId)),
      reservationId: reservation.id,
      windowEnd,
      now: deps.now(),
      hasLocations: locations.length > 0,
    });
  };

  /** The caller's latest return of the item within the last correction period, if any. */
  const recentReturnOf = async (guildId: Snowflake, equipmentId: number, userId: Snowflake): Promise<number | null> => {
    const now = deps.now();
    const entries = await reposOf(deps).logs.list({
      guildId,
      equipmentId,
      from: now - CORRECTION_PERIOD_MS,
      to: now + 1,
      limit: 100,
    });
    const mine = entries.find((entry) => entry.action === 'reservation.returned' && entry.userId === userId);
    const reservationId = mine?.detail?.['reservationId'];
    return typeof reservationId === 'number' ? reservationId : null;
  };

  router.on('return', 'open', async (ctx, id) => {
    const guildId = ctx.guildId;
    if (guildId === undefined) return ctx.show({ content: FlowText.guildOnly });
    const repos = reposOf(deps);
    const equipment = await repos.equipment.get(idArg(id.arg));
    if (equipment === null || equipment.guildId !== guildId) return ctx.show({ content: FlowText.noSuchItem });
    // The loan in progress is the earliest started confirmed reservation (the Unavailable flag aside: a loan can
    // always be returned). A later one that has started waits for it.
    const confirmed = await repos.reservations.listConfirmed(equipment.id);
    const { currentLoan } = deriveStatus({ unavailable: false }, confirmed, deps.now());
    if (currentLoan !== null && currentLoan.userId === ctx.userId) {
      const locations = await locationsOf(guildId);
      const defaultLocationId =
        locationName(locations, equipment.defaultReturnLocationId) !== null ? equipment.defaultReturnLocationId : null;
      const session = await deps.sessions.create<ReturnState>('return', ctx.userId, guildId, {
        equipmentId: equipment.id,
        itemName: equipment.name,
        reservationId: currentLoan.id,
        defaultLocationId,
        locationId: defaultLocationId,
        page: pageOf(locations, defaultLocationId),
      });
      return ctx.show(returnScreen(session.id, session.data, locations));
    }
    const recent = await recentReturnOf(guildId, equipment.id, ctx.userId);
    const checked = recent === null ? null : await correctable(guildId, recent, ctx.userId);
    if (checked?.ok === true) {
      return ctx.show(await answer(ReturnText.returned, checked.reservation, checked.equipment, checked.windowEnd));
    }
    if (checked?.ok === false && checked.reason === 'window-closed') return ctx.show({ content: ReturnText.closed });
    const waiting = confirmed.some(
      (reservation) => reservation.userId === ctx.userId && reservation.startAt <= deps.now(),
    );
    return ctx.show({ content: waiting ? ReturnText.waiting(equipment.name) : ReturnText.noLoan(equipment.name) });
  });

  /** The steps of a location select (`locationRows`): a location chosen, or a page turned, then the screen again. */
  const routeLocationSelect = <S extends { locationId: number | null; page: number }>(
    actions: { readonly pick: string; readonly page: string },
    show: (ctx: InteractionContext, session: WizardSession<S>) => Promise<void>,
  ): void => {
    router.step<S>('return', actions.pick, async (ctx, session, _id, interaction) => {
      const picked = selectedId(interaction);
      if (picked !== null) session.data.locationId = picked;
      await show(ctx, session);
    });
    router.step<S>('return', actions.page, async (ctx, session, id) => {
      session.data.page = pageArg(id.arg);
      await show(ctx, session);
    });
  };

  const showReturn = async (ctx: InteractionContext, session: WizardSession<ReturnState>) => {
    await ctx.show(returnScreen(session.id, session.data, await locationsOf(session.guildId)));
  };
  routeLocationSelect<ReturnState>({ pick: 'pick', page: 'page' }, showReturn);

  router.step<ReturnState>('return', 'check', async (ctx, session) => {
    await ctx.show(confirmLocationScreen(session.id));
  });

  router.step<ReturnState>('return', 'back', async (ctx, session) => {
    await showReturn(ctx, session);
  });

  router.finish<ReturnState>('return', 'done', async (ctx, session) => {
    const { data } = session;
    const result = await returnReservation(deps.database, {
      reservationId: data.reservationId,
      userId: ctx.userId,
      locationId: data.locationId,
      now: deps.now(),
    });
    if (!result.ok) return ctx.show({ content: returnRefusalText(result.reason, data.itemName) });
    deps.logger.debug(
      `reservation ${result.reservation.id} returned; ${result.jobsCancelled} pending job(s) of it cancelled`,
    );
    const windowEnd = result.correctionWindowEnd ?? deps.now();
    await ctx.show(await answer(ReturnText.returned, result.reservation, result.equipment, windowEnd));
    await deps.refresh(session.guildId, { kind: 'action', equipmentId: data.equipmentId });
  });

  /** The correction buttons' checks: in a guild, a reservation id, the caller the returner, the window open. */
  const correctableFromClick = async (
    ctx: InteractionContext,
    arg: string | undefined,
  ): Promise<Extract<Correctable, { ok: true }> | undefined> => {
    if (ctx.guildId === undefined) {
      await ctx.show({ content: FlowText.guildOnly });
      return undefined;
    }
    const checked = await correctable(ctx.guildId, idArg(arg), ctx.userId);
    if (checked.ok) return checked;
    await ctx.show({ content: correctionRefusalText(checked.reason) });
    return undefined;
  };

  router.on('return', 'menu', async (ctx, id) => {
    const checked = await correctableFromClick(ctx, id.arg);
    if (checked === undefined) return;
    await ctx.show(await answer(ReturnText.returned, checked.reservation, checked.equipment, checked.windowEnd));
  });

  router.on('return', 'undo', async (ctx, id) => {
    const checked = await correctableFromClick(ctx, id.arg);
    if (checked === undefined) return;
    const { reservation, equipment } = checked;
    const session = await deps.sessions.create<UndoState>('return', ctx.userId, equipment.guildId, {
      reservationId: reservation.id,
      itemName: equipment.name,
    });
    await ctx.show(confirmUndoScreen(session.id, reservation.id, equipment.name));
  });

  router.finish<UndoState>('return', 'undo-yes', async (ctx, session) => {
    const now = deps.now();
    // The return deleted the loan's jobs: its reminder, overdue notices (from the next round not sent) and re-renders
    // are scheduled again in the undo's own transaction.
    const result = await cancelReturn(
      deps.database,
      { reservationId: session.data.reservationId, userId: ctx.userId, now },
      (repos, reservation) => scheduleReservationJobs(repos, session.guildId, reservation, now),
    );
    if (!result.ok) return ctx.show({ content: correctionRefusalText(result.reason) });
    await ctx.show({ content: ReturnText.undone(session.data.itemName, result.reservation.endAt) });
    await deps.refresh(session.guildId, { kind: 'action', equipmentId: result.equipment.id });
  });

  router.on('return', 'fix', async (ctx, id) => {
    const checked = await correctableFromClick(ctx, id.arg);
    if (checked === undefined) return;
    const { reservation, equipment } = checked;
    const locations = await locationsOf(equipment.guildId);
    const session = await deps.sessions.create<CorrectState>('return', ctx.userId, equipment.guildId, {
      reservationId: reservation.id,
      itemName: equipment.name,
      returnedLocationId: reservation.returnLocationId,
      locationId: reservation.returnLocationId,
      page: pageOf(locations, reservation.returnLocationId),
    });
    await ctx.show(correctScreen(session.id, session.data, locations));
  });

  routeLocationSelect<CorrectState>({ pick: 'fix-pick', page: 'fix-page' }, async (ctx, session) => {
    await ctx.show(correctScreen(session.id, session.data, await locationsOf(session.guildId)));
  });

  router.finish<CorrectState>('return', 'fix-save', async (ctx, session) => {
    const { locationId, reservationId } = session.data;
    if (locationId === null) return ctx.show({ content: ReturnText.invalidLocation });
    const result = await correctReturnLocation(deps.database, {
      reservationId,
      userId: ctx.userId,
      locationId,
      now: deps.now(),
    });
    if (!result.ok) return ctx.show({ content: correctionRefusalText(result.reason) });
    const windowEnd = result.correctionWindowEnd ?? deps.now();
    await ctx.show(await answer(ReturnText.corrected, result.reservation, result.equipment, windowEnd));
    await deps.refresh(session.guildId, { kind: 'action', equipmentId: result.equipment.id });
  });
}

/** A numeric id from a custom id's argument (0, which matches nothing, when it is not one). */
function idArg(arg: string | undefined): number {
  const value = Number(arg);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** The location a string select chose, or null. */
function selectedId(interaction: ComponentOrModal): number | null {
  const values = selectedValues(interaction);
  const value = idArg(values[0]);
  return value === 0 ? null : value;
}
