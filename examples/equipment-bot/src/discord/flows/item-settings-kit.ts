/**
 * What the steps of the per-item settings share: loading the item, the admin check at every click and submission,
 * the menu, going on after a final button, and telling reservation owners by DM.
 *
 * @module
 */
import type { EquipmentView, Reservation, Snowflake } from '../../domain/model.js';
import { getEquipmentView } from '../../domain/services/equipment-views.js';
import type { ParsedCustomId } from '../custom-id.js';
import type { InteractionContext } from '../interactions/context.js';
import type { ComponentOrModal, InteractionRouter } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import { FlowText, isAdmin, reposOf, type FlowDeps } from './flow-deps.js';
import { DEFAULT_LOG_PERIOD } from './item-log.js';
import { menuScreen, type ItemSettingsState } from './item-settings-screens.js';
import { ItemSettingsText as T } from './item-settings-text.js';

/** A session of the per-item settings. */
export type ItemSession = WizardSession<ItemSettingsState>;

/** A step of the per-item settings: the caller is an admin and the item exists (`view` is it now). */
export type ItemHandler = (
  ctx: InteractionContext,
  session: ItemSession,
  view: EquipmentView,
  id: ParsedCustomId,
  interaction: ComponentOrModal,
) => Promise<void>;

/** The shared parts, built once per router by {@link itemFlowKit}. */
export interface ItemFlowKit {
  readonly deps: FlowDeps;
  /** Routes a step (`router.step`) behind the admin and item checks. */
  step(action: string, handler: ItemHandler): void;
  /** Routes a final button (`router.finish`: the session is taken first) behind the same checks. */
  finish(action: string, handler: ItemHandler): void;
  /** A new session's state for an item. */
  fresh(equipmentId: number, logPeriod?: ItemSettingsState['logPeriod']): ItemSettingsState;
  /** The item as the channel shows it now, or null when it is not (any more) in the guild. */
  load(guildId: Snowflake, equipmentId: number): Promise<EquipmentView | null>;
  /** The name of the item's default return location, or null. */
  locationNameOf(view: EquipmentView): Promise<string | null>;
  /** Shows the menu, with a line on top. */
  showMenu(ctx: InteractionContext, session: ItemSession, view: EquipmentView, notice?: string): Promise<void>;
  /** After a final button (its session taken): the menu again in a new session, with what the change did. */
  continueWith(ctx: InteractionContext, session: ItemSession, notice: string): Promise<void>;
  /** DMs each reservation's owner; answers whom it could not reach (that never stops a change). */
  tellOwners(reservations: readonly Reservation[], text: (reservation: Reservation) => string): Promise<Set<Snowflake>>;
  /** What a change did: its line, the reservations deleted, the owners to tell by hand. */
  summary(first: string, deleted: number, missed: ReadonlySet<Snowflake>): string;
}

/**
 * Builds the shared parts of the per-item settings.
 *
 * @param router - the router the steps go on
 * @param deps - the flows' parts
 * @returns the kit
 */
export function itemFlowKit(router: InteractionRouter, deps: FlowDeps): ItemFlowKit {
  const { sessions } = deps;
  const fresh = (equipmentId: number, logPeriod = DEFAULT_LOG_PERIOD): ItemSettingsState => ({
    equipmentId,
    pending: null,
    chooser: null,
    logPeriod,
    logPage: 0,
    draftName: null,
    draftReason: null,
  });
  const load = async (guildId: Snowflake, equipmentId: number): Promise<EquipmentView | null> => {
    const view = await getEquipmentView(deps.database.db, equipmentId, deps.now());
    return view !== null && view.equipment.guildId === guildId ? view : null;
  };
  const locationNameOf = async (view: EquipmentView): Promise<string | null> => {
    const locationId = view.equipment.defaultReturnLocationId;
    return locationId === null ? null : ((await reposOf(deps).locations.get(locationId))?.name ?? null);
  };
  const showMenu = async (ctx: InteractionContext, session: ItemSession, view: EquipmentView, notice?: string) =>
    ctx.show(menuScreen(session.id, view, await locationNameOf(view), notice));

  /** A non-admin (a role can be taken away while the menu is open), or an item deleted meanwhile, ends the session. */
  const guard = async (ctx: InteractionContext, session: ItemSession): Promise<EquipmentView | null> => {
    const admin = await isAdmin(deps, ctx);
    const view = admin ? await load(session.guildId, session.data.equipmentId) : null;
    if (view === null) {
      await sessions.take(session.id, 'item', ctx.userId);
      await ctx.show({ content: admin ? FlowText.noSuchItem : FlowText.adminOnly });
    }
    return view;
  };

  return {
    deps,
    step: (action, handler) =>
      void router.step<ItemSettingsState>('item', action, async (ctx, session, id, interaction) => {
        const view = await guard(ctx, session);
        if (view !== null) await handler(ctx, session, view, id, interaction);
      }),
    finish: (action, handler) =>
      void router.finish<ItemSettingsState>('item', action, async (ctx, session, id, interaction) => {
        const view = await guard(ctx, session);
        if (view !== null) await handler(ctx, session, view, id, interaction);
      }),
    fresh,
    load,
    locationNameOf,
    showMenu,
    continueWith: async (ctx, session, notice) => {
      const view = await load(session.guildId, session.data.equipmentId);
      if (view === null) return ctx.show({ content: notice });
      const next = await sessions.create(
        'item',
        ctx.userId,
        session.guildId,
        fresh(view.equipment.id, session.data.logPeriod),
      );
      await showMenu(ctx, next, view, notice);
    },
    tellOwners: async (reservations, text) => {
      const missed = new Set<Snowflake>();
      for (const reservation of reservations) {
        try {
          const delivered = await deps.notifier.dm(reservation.userId, text(reservation));
          if (delivered === 'closed') missed.add(reservation.userId);
        } catch (error) {
          deps.logger.warn(`could not DM the owner of reservation ${reservation.id}: ${String(error)}`);
          missed.add(reservation.userId);
        }
      }
      return missed;
    },
    summary: (first, deleted, missed) =>
      [
        first,
        ...(deleted > 0 ? [T.deletedReservations(deleted)] : []),
        ...(missed.size > 0 ? [T.notDelivered([...missed])] : []),
      ].join('\n'),
  };
}
