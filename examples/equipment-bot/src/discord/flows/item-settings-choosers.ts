/**
 * The tag and default-return-location steps of the per-item settings (scenario 34): a select of the server's tags
 * (with "No tag") or locations (with "No default location"), 25 options a page, opened on the page of the current
 * choice, with Save (a final button) and ← Back. Assigning a tag re-sorts the channel.
 *
 * @module
 */
import type { EquipmentView, Snowflake } from '../../domain/model.js';
import { setDefaultReturnLocation, setEquipmentTag } from '../../domain/services/equipment-admin.js';
import { MAX_SELECT_OPTIONS } from '../../domain/slots.js';
import type { InteractionContext } from '../interactions/context.js';
import { BACK_LABEL, button, buttonRow, selectedValues } from '../interactions/ui.js';
import { FlowText, reposOf } from './flow-deps.js';
import type { ItemFlowKit, ItemHandler, ItemSession } from './item-settings-kit.js';
import { chooserScreen, itemId, NONE, type Chooser } from './item-settings-screens.js';
import { ItemSettingsText as T } from './item-settings-text.js';

/**
 * Routes Assign Tag and Default Return Location.
 *
 * @param kit - the per-item settings' shared parts
 */
export function registerItemChoosers(kit: ItemFlowKit): void {
  const { deps, step, finish, load, locationNameOf, showMenu, continueWith } = kit;
  const { sessions } = deps;
  const currentValue = (view: EquipmentView, kind: Chooser['kind']): string => {
    const chosen = kind === 'tag' ? view.equipment.tagId : view.equipment.defaultReturnLocationId;
    return chosen === null ? NONE : String(chosen);
  };
  const optionsOf = async (guildId: Snowflake, kind: Chooser['kind']) => {
    const repos = reposOf(deps);
    const named = kind === 'tag' ? await repos.tags.list(guildId) : await repos.locations.list(guildId);
    const none = { value: NONE, label: kind === 'tag' ? T.noTag : T.noLocation };
    return [none, ...named.map((entry) => ({ value: String(entry.id), label: entry.name }))];
  };
  const showChooser = async (ctx: InteractionContext, session: ItemSession, view: EquipmentView, notice?: string) => {
    const chooser = session.data.chooser;
    if (chooser === null) return showMenu(ctx, session, view);
    const options = await optionsOf(session.guildId, chooser.kind);
    if (chooser.kind === 'location' && options.length === 1) {
      return ctx.show({
        content: T.noLocations,
        components: [buttonRow(button(BACK_LABEL, itemId('menu', session.id)))],
      });
    }
    // Opened on the page of the current choice.
    if (chooser.page < 0) {
      chooser.page = Math.floor(
        Math.max(
          0,
          options.findIndex((o) => o.value === chooser.chosen),
        ) / MAX_SELECT_OPTIONS,
      );
    }
    const { name } = view.equipment;
    const content =
      chooser.kind === 'tag'
        ? T.tagChoice(name, view.tag?.name ?? T.noTag)
        : T.locationChoice(name, (await locationNameOf(view)) ?? T.noLocation);
    await ctx.show(chooserScreen(session.id, chooser, content, options, notice));
  };
  const openChooser = (kind: Chooser['kind']): ItemHandler => {
    return async (ctx, session, view) => {
      session.data.chooser = { kind, chosen: currentValue(view, kind), page: -1 };
      await showChooser(ctx, session, view);
    };
  };

  step('tag', openChooser('tag'));
  step('location', openChooser('location'));

  step('choose', async (ctx, session, view, _id, interaction) => {
    const [chosen] = selectedValues(interaction);
    if (session.data.chooser !== null && chosen !== undefined) session.data.chooser.chosen = chosen;
    await showChooser(ctx, session, view);
  });

  step('page', async (ctx, session, view, id) => {
    if (session.data.chooser !== null) session.data.chooser.page = Math.max(0, Number(id.arg) || 0);
    await showChooser(ctx, session, view);
  });

  finish('save', async (ctx, session, view) => {
    const chooser = session.data.chooser;
    if (chooser === null || chooser.chosen === currentValue(view, chooser.kind)) {
      return continueWith(ctx, session, T.unchanged);
    }
    const chosenId = chooser.chosen === NONE ? null : Number(chooser.chosen);
    const input = { guildId: session.guildId, equipmentId: view.equipment.id, actorId: ctx.userId };
    const now = deps.now();
    const result =
      chosenId !== null && !Number.isSafeInteger(chosenId)
        ? null
        : chooser.kind === 'tag'
          ? await setEquipmentTag(deps.database, { ...input, tagId: chosenId }, now)
          : await setDefaultReturnLocation(deps.database, { ...input, locationId: chosenId }, now);
    if (result === null || !result.ok) {
      if (result?.reason === 'not-found') return ctx.show({ content: FlowText.noSuchItem });
      // The tag or location was deleted meanwhile: choose again (in a new session: this one is finished).
      const retry = { ...chooser, chosen: currentValue(view, chooser.kind), page: -1 };
      const next = await sessions.create('item', ctx.userId, session.guildId, { ...session.data, chooser: retry });
      return showChooser(ctx, next, view, T.notUsable);
    }
    const tagged = chooser.kind === 'tag';
    await deps.refresh(
      session.guildId,
      tagged ? { kind: 'structure' } : { kind: 'action', equipmentId: input.equipmentId },
    );
    const after = (await load(session.guildId, view.equipment.id)) ?? view;
    const notice = tagged
      ? T.tagSet(after.equipment.name, after.tag?.name ?? T.noTag)
      : T.locationSet(after.equipment.name, (await locationNameOf(after)) ?? T.noLocation);
    await continueWith(ctx, session, notice);
  });
}
