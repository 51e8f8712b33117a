/**
 * "This Equipment's Settings" under an item's embed (scenarios 32–35, the per-item part of 35): one ephemeral menu,
 * edited in place, for server administrators and members with an admin role only. Admin rights are checked when the
 * menu opens and again at every click and submission (a role can be taken away while the menu is open).
 *
 * - **Change State** → Available / Unavailable (Unavailable asks for a reason in a modal). When the change would
 *   delete reservations, they are listed under "The following reservations will be automatically deleted.
 *   Proceed?" with Proceed / ← Back; Proceed DMs their owners (closed DMs do not stop it: the admin is told whom to
 *   tell), then the reservations go and the state changes. **Edit Unavailable Reason** (while Unavailable) opens the
 *   same modal.
 * - **Rename** (modal; 1 to 100 characters, unique in the server); **Assign Tag** and **Default Return Location**
 *   (see `item-settings-choosers.ts`).
 * - **Log**: the item's entries in a period (see `item-log.ts`), a page at a time.
 * - **Delete**: asks to confirm; the item's message leaves the channel, its reservations' owners are DM'd.
 *
 * Every change is a domain service (one transaction, logged); the channel is then re-rendered — `structure` when the
 * order can change (rename, tag, delete), `action` otherwise. Final buttons (Proceed, Save, Yes, Delete) take the
 * session, so a double click writes once; the menu then goes on in a new session.
 *
 * @module
 */
import { InteractionType } from 'discord-api-types/v10';
import { MAX_NAME_LENGTH } from '../../db/errors.js';
import type { EquipmentView, Reservation } from '../../domain/model.js';
import {
  deleteEquipment,
  forceState,
  previewForcedState,
  renameEquipment,
  type ForcedState,
} from '../../domain/services/equipment-admin.js';
import { formatJstRange } from '../../domain/time.js';
import type { InteractionContext } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { modal, readModal, selectedValues } from '../interactions/ui.js';
import { FlowText, isAdmin, reposOf, type FlowDeps } from './flow-deps.js';
import { LOG_LIMIT, LOG_PERIODS, logEmbed, logPeriodBounds } from './item-log.js';
import { registerItemChoosers } from './item-settings-choosers.js';
import { itemFlowKit, type ItemSession } from './item-settings-kit.js';
import {
  deleteScreen,
  forceConfirmScreen,
  itemId,
  logScreen,
  problemScreen,
  stateScreen,
} from './item-settings-screens.js';
import {
  ItemSettingsText as T,
  MAX_REASON_LENGTH,
  nameProblem,
  reasonProblem,
  REASON_FIELDS,
  RENAME_FIELDS,
} from './item-settings-text.js';
import { logNames } from './log-entry-text.js';
import { parsePeriod } from './period-picker.js';

export { ItemSettingsText } from './item-settings-text.js';

/**
 * Routes "This Equipment's Settings" and its steps.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerItemSettingsFlow(router: InteractionRouter, deps: FlowDeps): void {
  const kit = itemFlowKit(router, deps);
  const { sessions } = deps;
  const { step, finish, fresh, load, showMenu, continueWith, tellOwners, summary } = kit;

  // ---- Opening (scenario 32) -----------------------------------------------------------------------------------

  router.on('item', 'open', async (ctx, id) => {
    if (ctx.guildId === undefined) return ctx.show({ content: FlowText.guildOnly });
    if (!(await isAdmin(deps, ctx))) return ctx.show({ content: FlowText.adminOnly });
    const equipmentId = Number(id.arg);
    const view = Number.isSafeInteger(equipmentId) ? await load(ctx.guildId, equipmentId) : null;
    if (view === null) return ctx.show({ content: FlowText.noSuchItem });
    await showMenu(ctx, await sessions.create('item', ctx.userId, ctx.guildId, fresh(equipmentId)), view);
  });

  step('menu', async (ctx, session, view) => {
    session.data.pending = null;
    session.data.chooser = null;
    await showMenu(ctx, session, view);
  });

  // ---- Forced state and reason (scenarios 33, 34) ---------------------------------------------------------------

  type Force = { readonly state: ForcedState; readonly reason: string | null };

  const apply = async (
    ctx: InteractionContext,
    session: ItemSession,
    view: EquipmentView,
    force: Force,
    owners: readonly Reservation[],
  ) => {
    const { name } = view.equipment;
    const text = (reservation: Reservation) => {
      const range = formatJstRange(reservation.startAt, reservation.endAt);
      return force.state === 'Unavailable'
        ? T.dmUnavailable(name, range, force.reason ?? '')
        : T.dmAvailable(name, range);
    };
    // Scenario 33: the owners are told first, then the reservations go and the state changes.
    const missed = await tellOwners(owners, text);
    const input = { guildId: session.guildId, equipmentId: view.equipment.id, actorId: ctx.userId };
    const result = await forceState(deps.database, { ...input, state: force.state, reason: force.reason }, deps.now());
    if (!result.ok) return ctx.show({ content: FlowText.noSuchItem });
    // A reservation made between the list and the change went too: its owner is told now.
    const told = new Set(owners.map((reservation) => reservation.id));
    const late = result.value.cancelled.filter((reservation) => !told.has(reservation.id));
    for (const userId of await tellOwners(late, text)) missed.add(userId);
    await deps.refresh(session.guildId, { kind: 'action', equipmentId: view.equipment.id });
    const first =
      force.state === 'Unavailable'
        ? T.forcedUnavailable(name, result.value.equipment.unavailableReason ?? '')
        : T.forcedAvailable(name);
    await continueWith(ctx, session, summary(first, result.value.cancelled.length, missed));
  };

  /** Lists what a forced state would delete and asks; with nothing to delete, applies it at once. */
  const propose = async (ctx: InteractionContext, session: ItemSession, view: EquipmentView, force: Force) => {
    const where = { guildId: session.guildId, equipmentId: view.equipment.id };
    const hits = await previewForcedState(deps.database, where, force.state, deps.now());
    if (hits.length > 0) {
      session.data.pending = { ...force, reservationIds: hits.map((reservation) => reservation.id) };
      return ctx.show(forceConfirmScreen(session.id, hits));
    }
    // Nothing to ask: end the session before writing, so that a second click cannot apply it twice.
    if ((await sessions.take(session.id, 'item', ctx.userId)) === undefined) return ctx.defer();
    await apply(ctx, session, view, force, []);
  };

  step('state', (ctx, session, view) => ctx.show(stateScreen(session.id, view)));

  step('available', (ctx, session, view) => propose(ctx, session, view, { state: 'Available', reason: null }));

  step('unavailable', async (ctx, session, view) => {
    const reason = session.data.draftReason ?? session.data.pending?.reason ?? view.equipment.unavailableReason;
    const values = reason === null || reason === '' ? {} : { reason: reason.slice(0, MAX_REASON_LENGTH) };
    await ctx.showModal(modal(itemId('reason', session.id), T.reasonModalTitle, REASON_FIELDS, values));
  });

  step('reason', async (ctx, session, view, _id, interaction) => {
    if (interaction.type !== InteractionType.ModalSubmit) return;
    const { reason } = readModal(interaction, REASON_FIELDS);
    const problem = reasonProblem(reason);
    session.data.draftReason = problem === null ? null : reason;
    if (problem !== null) return ctx.show(problemScreen(session.id, problem, 'unavailable'));
    await propose(ctx, session, view, { state: 'Unavailable', reason });
  });

  finish('proceed', async (ctx, session, view) => {
    const pending = session.data.pending;
    if (pending === null) return continueWith(ctx, session, T.unchanged);
    const where = { guildId: session.guildId, equipmentId: view.equipment.id };
    const hits = await previewForcedState(deps.database, where, pending.state, deps.now());
    const listed = new Set(pending.reservationIds);
    if (hits.some((reservation) => !listed.has(reservation.id))) {
      // More would go than the admin was shown: show the list again rather than delete what they did not see.
      const next = await sessions.create('item', ctx.userId, session.guildId, {
        ...session.data,
        pending: { ...pending, reservationIds: hits.map((reservation) => reservation.id) },
      });
      return ctx.show(forceConfirmScreen(next.id, hits, T.forceListChanged));
    }
    await apply(ctx, session, view, pending, hits);
  });

  // ---- Rename (scenario 34) ----------------------------------------------------------------------------------------

  step('rename', async (ctx, session, view) => {
    const name = (session.data.draftName ?? view.equipment.name).slice(0, MAX_NAME_LENGTH);
    await ctx.showModal(modal(itemId('rename-submit', session.id), T.renameModalTitle, RENAME_FIELDS, { name }));
  });

  step('rename-submit', async (ctx, session, view, _id, interaction) => {
    if (interaction.type !== InteractionType.ModalSubmit) return;
    const { name } = readModal(interaction, RENAME_FIELDS);
    const refuse = (problem: string) => {
      session.data.draftName = name;
      return ctx.show(problemScreen(session.id, problem, 'rename'));
    };
    const problem = nameProblem(name);
    if (problem !== null) return refuse(problem);
    session.data.draftName = null;
    if (name === view.equipment.name) return showMenu(ctx, session, view, T.sameName);
    const input = { guildId: session.guildId, equipmentId: view.equipment.id, actorId: ctx.userId, name };
    const result = await renameEquipment(deps.database, input, deps.now());
    if (!result.ok) {
      if (result.reason === 'duplicate-name') return refuse(T.duplicateName(name));
      await sessions.take(session.id, 'item', ctx.userId);
      return ctx.show({ content: FlowText.noSuchItem });
    }
    await deps.refresh(session.guildId, { kind: 'structure' });
    const after = (await load(session.guildId, view.equipment.id)) ?? view;
    await showMenu(ctx, session, after, T.renamed(view.equipment.name, result.value.name));
  });

  // ---- Tag and default return location (scenario 34) --------------------------------------------------------------

  registerItemChoosers(kit);

  // ---- Delete (scenario 34) ------------------------------------------------------------------------------------------

  step('delete', async (ctx, session, view) => {
    const confirmed = await reposOf(deps).reservations.listConfirmed(view.equipment.id);
    await ctx.show(deleteScreen(session.id, view.equipment.name, confirmed.length));
  });

  finish('delete-confirm', async (ctx, session, view) => {
    const input = { guildId: session.guildId, equipmentId: view.equipment.id, actorId: ctx.userId };
    const result = await deleteEquipment(deps.database, input, deps.now());
    if (!result.ok) return ctx.show({ content: FlowText.noSuchItem });
    await deps.refresh(session.guildId, { kind: 'structure' });
    const { name } = view.equipment;
    const { cancelled } = result.value;
    const missed = await tellOwners(cancelled, (reservation) =>
      T.dmDeleted(name, formatJstRange(reservation.startAt, reservation.endAt)),
    );
    await ctx.show({ content: summary(T.deleted(name), cancelled.length, missed) });
  });

  // ---- Log (scenario 35) -----------------------------------------------------------------------------------------------

  const showLog = async (ctx: InteractionContext, session: ItemSession, view: EquipmentView) => {
    const repos = reposOf(deps);
    const { guildId } = session;
    const period = session.data.logPeriod;
    const bounds = logPeriodBounds(period, deps.now());
    const entries = await repos.logs.list({ guildId, equipmentId: view.equipment.id, ...bounds, limit: LOG_LIMIT });
    const names = logNames(await repos.tags.list(guildId), await repos.locations.list(guildId));
    const shown = logEmbed({ itemName: view.equipment.name, entries, period, page: session.data.logPage, names });
    session.data.logPage = shown.page;
    await ctx.show(logScreen(session.id, shown.embed, period, shown.page, shown.pages));
  };

  step('log', async (ctx, session, view, id) => {
    session.data.logPage = id.arg === undefined ? 0 : Math.max(0, Number(id.arg) || 0);
    await showLog(ctx, session, view);
  });

  step('log-period', async (ctx, session, view, _id, interaction) => {
    const chosen = parsePeriod(LOG_PERIODS, selectedValues(interaction)[0]);
    if (chosen !== undefined) session.data.logPeriod = chosen;
    session.data.logPage = 0;
    await showLog(ctx, session, view);
  });
}
