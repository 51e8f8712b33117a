/**
 * The reservation wizard (scenarios 12–15) and changing a reservation's date and time with it (18).
 *
 * - New Reservation under an item (`reserve:open:-:<item>`) or Change Date/Time in Check/Change
 *   (`reserve:change:-:<reservation>`) opens one ephemeral wizard, edited in place: month → date → start time →
 *   duration → location (skipped when the guild has none) → confirm. ← Back keeps what was chosen.
 * - Past start times are not offered; a start inside another reservation is refused at the time step with "This time
 *   slot is already reserved. Please select another time."; the durations offered stop at the next reservation
 *   (ending exactly when it starts is fine: back-to-back).
 * - Confirm writes in one transaction that locks the item, so of two members confirming overlapping slots at the
 *   same moment exactly one gets the reservation; the other sees the conflict message at the time step again.
 *
 * @module
 */
import { selectedValues } from '../interactions/ui.js';
import { DEFAULT_MAX_HOURS, durationOptions, startTimeOptions } from '../../domain/slots.js';
import { getEquipmentView } from '../../domain/services/equipment-views.js';
import { changeReservation, createReservation } from '../../domain/services/reservations.js';
import { HOUR_MS, type WithinWrite } from '../../domain/services/support.js';
import { jstDaysOfMonth, jstMonthsFrom } from '../../domain/time.js';
import { scheduleReservationJobs } from '../../jobs/reservation-jobs.js';
import type { InteractionContext } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import { FlowText, reposOf, type FlowDeps } from './flow-deps.js';
import { reserveScreen, ReserveText, type ReserveState, type ReserveStep, type ScreenData } from './reserve-screens.js';

/** How many months the month step offers: this one and the next two. */
export const RESERVABLE_MONTHS = 3;

const STEPS: readonly ReserveStep[] = ['month', 'day', 'start', 'end', 'location', 'confirm'];

type Session = WizardSession<ReserveState>;

/**
 * Routes the reservation wizard.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerReserveFlow(router: InteractionRouter, deps: FlowDeps): void {
  const repos = () => reposOf(deps);

  /** The options the session's current step shows. */
  const dataFor = async (session: Session): Promise<ScreenData> => {
    const state = session.data;
    const now = deps.now();
    switch (state.step) {
      case 'month':
        return { months: jstMonthsFrom(now, RESERVABLE_MONTHS) };
      case 'day':
        return { days: state.month === undefined ? [] : jstDaysOfMonth(state.month.year, state.month.month, now) };
      case 'start': {
        if (state.day === undefined) return { starts: [] };
        const taken = await repos().reservations.findOverlapping(
          state.equipmentId,
          state.day.start,
          state.day.start + 24 * HOUR_MS,
          state.reservationId ?? undefined,
        );
        return { starts: startTimeOptions(state.day.start, now, taken) };
      }
      case 'end': {
        if (state.startAt === undefined) return { ends: [] };
        const taken = await repos().reservations.findOverlapping(
          state.equipmentId,
          state.startAt,
          state.startAt + DEFAULT_MAX_HOURS * HOUR_MS,
          state.reservationId ?? undefined,
        );
        return { ends: durationOptions(state.startAt, taken) };
      }
      case 'location':
        return { locations: await repos().locations.list(session.guildId) };
      case 'confirm': {
        const location = state.locationId == null ? null : await repos().locations.get(state.locationId);
        return { locationName: location?.name ?? null };
      }
    }
  };

  const show = async (ctx: InteractionContext, session: Session): Promise<void> => {
    await ctx.show(reserveScreen(session.id, session.data, await dataFor(session)));
  };

  /** Moves to a step (its first page), skipping the location step when the guild has no location. */
  const goTo = async (ctx: InteractionContext, session: Session, step: ReserveStep, notice?: string) => {
    const state = session.data;
    state.step = step;
    state.page = -1;
    if (notice === undefined) delete state.notice;
    else state.notice = notice;
    if (step === 'location' && (await repos().locations.list(session.guildId)).length === 0) {
      state.locationId = null;
      state.step = 'confirm';
    }
    await show(ctx, session);
  };

  router.on('reserve', 'open', async (ctx, id) => {
    if (ctx.guildId === undefined) return ctx.show({ content: FlowText.guildOnly });
    const view = await getEquipmentView(deps.database.db, Number(id.arg), deps.now());
    if (view === null || view.equipment.guildId !== ctx.guildId) return ctx.show({ content: FlowText.noSuchItem });
    if (view.equipment.unavailable)
      return ctx.show({ content: ReserveText.unavailable(view.equipment.unavailableReason) });
    const session = await deps.sessions.create<ReserveState>('reserve', ctx.userId, ctx.guildId, {
      equipmentId: view.equipment.id,
      itemTitle: titleOf(view.tag?.name ?? null, view.equipment.name),
      reservationId: null,
      step: 'month',
      page: 0,
      ...(view.equipment.currentLocationId === null ? {} : { locationId: view.equipment.currentLocationId }),
    });
    await show(ctx, session);
  });

  router.on('reserve', 'change', async (ctx, id) => {
    const reservation = await repos().reservations.get(Number(id.arg));
    const view =
      reservation === null ? null : await getEquipmentView(deps.database.db, reservation.equipmentId, deps.now());
    if (reservation === null || view === null) return ctx.show({ content: FlowText.noSuchItem });
    if (reservation.userId !== ctx.userId) return ctx.show({ content: ReserveText.notYours });
    if (reservation.status !== 'confirmed') return ctx.show({ content: ReserveText.notChangeable });
    const session = await deps.sessions.create<ReserveState>('reserve', ctx.userId, view.equipment.guildId, {
      equipmentId: view.equipment.id,
      itemTitle: titleOf(view.tag?.name ?? null, view.equipment.name),
      reservationId: reservation.id,
      step: 'month',
      page: 0,
      locationId: reservation.locationId,
    });
    await show(ctx, session);
  });

  router.step<ReserveState>('reserve', 'month', async (ctx, session, _id, interaction) => {
    const [year, month] = (selectedValues(interaction)[0] ?? '').split('-').map(Number);
    if (year === undefined || month === undefined || !Number.isInteger(year) || !Number.isInteger(month)) {
      return show(ctx, session);
    }
    session.data.month = { year, month };
    await goTo(ctx, session, 'day');
  });

  router.step<ReserveState>('reserve', 'day', async (ctx, session, _id, interaction) => {
    const start = Number(selectedValues(interaction)[0]);
    const days =
      session.data.month === undefined
        ? []
        : jstDaysOfMonth(session.data.month.year, session.data.month.month, deps.now());
    const day = days.find((candidate) => candidate.start === start);
    if (day === undefined) return show(ctx, session);
    session.data.day = { start: day.start, label: day.label };
    await goTo(ctx, session, 'start');
  });

  router.step<ReserveState>('reserve', 'start', async (ctx, session, _id, interaction) => {
    const startAt = Number(selectedValues(interaction)[0]);
    const { starts = [] } = await dataFor(session);
    const start = starts.find((candidate) => candidate.startAt === startAt);
    if (start === undefined) return goTo(ctx, session, 'start', ReserveText.past);
    if (!start.free) return goTo(ctx, session, 'start', ReserveText.slotTaken);
    session.data.startAt = start.startAt;
    await goTo(ctx, session, 'end');
  });

  router.step<ReserveState>('reserve', 'end', async (ctx, session, _id, interaction) => {
    const endAt = Number(selectedValues(interaction)[0]);
    const { ends = [] } = await dataFor(session);
    if (!ends.some((candidate) => candidate.endAt === endAt)) return goTo(ctx, session, 'start', ReserveText.slotTaken);
    session.data.endAt = endAt;
    await goTo(ctx, session, 'location');
  });

  router.step<ReserveState>('reserve', 'location', async (ctx, session, _id, interaction) => {
    const value = selectedValues(interaction)[0];
    if (value === 'none') session.data.locationId = null;
    else {
      const location = await repos().locations.get(Number(value));
      if (location === null || location.guildId !== session.guildId) return show(ctx, session);
      session.data.locationId = location.id;
    }
    await goTo(ctx, session, 'confirm');
  });

  router.step<ReserveState>('reserve', 'page', async (ctx, session, id) => {
    session.data.page = Number(id.arg ?? 0) || 0;
    await show(ctx, session);
  });

  router.step<ReserveState>('reserve', 'back', async (ctx, session) => {
    let previous = STEPS[Math.max(0, STEPS.indexOf(session.data.step) - 1)]!;
    if (previous === 'location' && (await repos().locations.list(session.guildId)).length === 0) previous = 'end';
    await goTo(ctx, session, previous);
  });

  router.finish<ReserveState>('reserve', 'confirm', async (ctx, session) => {
    const state = session.data;
    if (state.startAt === undefined || state.endAt === undefined)
      return goTo(ctx, await reopen(deps, session), 'month');
    const now = deps.now();
    const input = { startAt: state.startAt, endAt: state.endAt, locationId: state.locationId ?? null };
    // The reminders and the time-driven re-renders of its (new) times, in the same transaction (a change dropped the
    // old ones): a reservation never exists without them.
    const schedule: WithinWrite = (repos, reservation) =>
      scheduleReservationJobs(repos, session.guildId, reservation, now);
    const result =
      state.reservationId === null
        ? await createReservation(
            deps.database,
            { guildId: session.guildId, equipmentId: state.equipmentId, userId: ctx.userId, ...input },
            now,
            schedule,
          )
        : await changeReservation(
            deps.database,
            { reservationId: state.reservationId, userId: ctx.userId, ...input },
            now,
            schedule,
          );
    if (!result.ok) {
      const again = await reopen(deps, session);
      switch (result.reason) {
        case 'conflict':
          return goTo(ctx, again, 'start', ReserveText.slotTaken);
        case 'past':
          return goTo(ctx, again, 'start', ReserveText.past);
        case 'unavailable':
          return ctx.show({ content: ReserveText.unavailable(null) });
        case 'forbidden':
          return ctx.show({ content: ReserveText.notYours });
        case 'not-changeable':
          return ctx.show({ content: ReserveText.notChangeable });
        case 'not-found':
          return ctx.show({ content: FlowText.noSuchItem });
        case 'invalid':
          return goTo(ctx, again, 'location');
      }
    }
    const done = state.reservationId === null ? ReserveText.reserved : ReserveText.changed;
    const location = state.locationId == null ? null : await repos().locations.get(state.locationId);
    await ctx.show({ content: `${done}: ${state.itemTitle}\n${ReserveText.summary(state, location?.name ?? null)}` });
    await deps.refresh(session.guildId, { kind: 'action', equipmentId: state.equipmentId });
  });
}

/** `[Tag] Name` or `Name`. */
function titleOf(tagName: string | null, name: string): string {
  return tagName === null ? name : `[${tagName}] ${name}`;
}

/** A new session with a finished session's choices (after a refused confirm: the user picks another time). */
function reopen(deps: FlowDeps, session: Session): Promise<Session> {
  return deps.sessions.create<ReserveState>('reserve', session.userId, session.guildId, { ...session.data });
}
