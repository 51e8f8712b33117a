/**
 * One screen of Overall Management for a list of named things of a guild — tags (with their order) and locations:
 * the list (paginated, 25 a page), a select to choose one, then Add / Rename (modals, names checked: 1 to 100
 * characters, unique in the guild), Delete (confirmed) and, for tags, Move Up / Move Down. Every change checks the
 * admin again, and re-renders the channel.
 *
 * @module
 */
import { ButtonStyle, InteractionType, type APIEmbed } from 'discord-api-types/v10';
import type { NamedKind } from '../../db/errors.js';
import type { EpochMs, Snowflake } from '../../domain/model.js';
import type { AdminResult } from '../../domain/services/admin-support.js';
import type { GuildAction } from '../../domain/services/guild-admin.js';
import { MAX_SELECT_OPTIONS, paginate } from '../../domain/slots.js';
import type { InteractionContext, Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import {
  BACK_LABEL,
  button,
  buttonRow,
  modal,
  pageArg,
  pageButtons,
  readModal,
  rows,
  selectRow,
} from '../interactions/ui.js';
import {
  AdminText,
  adminId,
  checkName,
  nameFields,
  refusalText,
  selectedValues,
  type AdminKit,
  type AdminSession,
  type AdminState,
  type ListChoice,
} from './admin-menu.js';
import { withNotice, type FlowDeps } from './flow-deps.js';

/** A tag or a location, as the list shows it. */
export interface NamedEntry {
  readonly id: number;
  readonly name: string;
}

/** The texts of one list screen. */
export interface NamedListText {
  readonly title: string;
  readonly intro: string;
  readonly empty: string;
  readonly placeholder: string;
  readonly addLabel: string;
  readonly renameLabel: string;
  readonly deleteLabel: string;
  readonly nameLabel: string;
  readonly addTitle: string;
  readonly renameTitle: string;
  readonly created: (name: string) => string;
  readonly renamed: (before: string, after: string) => string;
  readonly confirmDelete: (name: string, consequence: string) => string;
  readonly confirmDeleteLabel: string;
  readonly deleted: (name: string) => string;
  readonly moveUpLabel?: string;
  readonly moveDownLabel?: string;
  readonly moved?: (name: string, position: number) => string;
}

/** What a list screen manages: its texts, where its choice lives, and the domain services behind it. */
export interface NamedListSpec {
  readonly kind: Extract<NamedKind, 'tag' | 'location'>;
  /** The screen's action (the menu's button) and the prefix of its other actions. */
  readonly action: string;
  readonly text: NamedListText;
  readonly choice: (state: AdminState) => ListChoice;
  /** The guild's entries, in the order shown. */
  readonly list: (deps: FlowDeps, guildId: Snowflake) => Promise<readonly NamedEntry[]>;
  readonly create: (deps: FlowDeps, input: GuildAction & { readonly name: string }) => Promise<AdminResult<NamedEntry>>;
  readonly rename: (
    deps: FlowDeps,
    input: GuildAction & { readonly id: number; readonly name: string },
  ) => Promise<AdminResult<NamedEntry>>;
  readonly remove: (deps: FlowDeps, input: GuildAction & { readonly id: number }) => Promise<AdminResult<NamedEntry>>;
  /** What deleting an entry does to the items (shown before the admin confirms). */
  readonly consequence: (deps: FlowDeps, entry: NamedEntry) => Promise<string>;
  /** Puts the entries in a new order (tags); without it there are no move buttons. */
  readonly reorder?: (
    deps: FlowDeps,
    input: GuildAction & { readonly ids: readonly number[] },
    now: EpochMs,
  ) => Promise<AdminResult<unknown>>;
}

/**
 * Routes one list screen on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 * @param spec - the list
 */
export function registerNamedList(router: InteractionRouter, kit: AdminKit, spec: NamedListSpec): void {
  const { deps } = kit;
  const { text } = spec;
  const act = (suffix: string) => `${spec.action}-${suffix}`;
  const fields = nameFields(text.nameLabel);

  const load = async (session: AdminSession) => {
    const entries = await spec.list(deps, session.guildId);
    const choice = spec.choice(session.data);
    if (choice.selectedId !== null && !entries.some((entry) => entry.id === choice.selectedId)) {
      choice.selectedId = null;
    }
    return { entries, choice, selected: entries.find((entry) => entry.id === choice.selectedId) };
  };

  const listScreen = async (session: AdminSession, notice?: string): Promise<Screen> => {
    const { entries, choice, selected } = await load(session);
    const page = paginate(entries, choice.page);
    choice.page = page.page;
    const first = page.page * MAX_SELECT_OPTIONS;
    const embed: APIEmbed = {
      title: text.title,
      description:
        entries.length === 0
          ? text.empty
          : page.items.map((entry, index) => `${first + index + 1}. ${entry.name}`).join('\n'),
      ...(page.pages > 1 ? { footer: { text: AdminText.pageFooter(page.page, page.pages) } } : {}),
    };
    const id = (suffix: string) => adminId(act(suffix), session.id);
    const none = selected === undefined;
    const position = selected === undefined ? -1 : entries.indexOf(selected);
    const actions = [
      button(text.addLabel, id('add'), ButtonStyle.Primary),
      button(text.renameLabel, id('rename'), undefined, none),
      button(text.deleteLabel, id('delete'), ButtonStyle.Danger, none),
    ];
    if (spec.reorder !== undefined && text.moveUpLabel !== undefined && text.moveDownLabel !== undefined) {
      actions.push(
        button(text.moveUpLabel, id('up'), undefined, none || position === 0),
        button(text.moveDownLabel, id('down'), undefined, none || position === entries.length - 1),
      );
    }
    const options = page.items.map((entry) => ({
      label: entry.name,
      value: String(entry.id),
      default: entry.id === choice.selectedId,
    }));
    return {
      content: withNotice(notice, text.intro),
      embeds: [embed],
      components: rows(
        options.length > 0 && selectRow(id('pick'), text.placeholder, options),
        buttonRow(...actions),
        buttonRow(kit.backToMenu(session), ...pageButtons(page, (to) => adminId(act('page'), session.id, String(to)))),
      ),
    };
  };

  /** After a change: the list again, with what happened, and the channel re-rendered. */
  const changed = async (ctx: InteractionContext, session: AdminSession, notice: string) => {
    await ctx.show(await listScreen(session, notice));
    await deps.refresh(session.guildId, { kind: 'structure' });
  };

  router.step<AdminState>('admin', spec.action, async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.show(await listScreen(session));
  });

  router.step<AdminState>('admin', act('pick'), async (ctx, session, _id, interaction) => {
    const [value] = selectedValues(interaction);
    spec.choice(session.data).selectedId = value === undefined ? null : Number(value);
    await ctx.show(await listScreen(session));
  });

  router.step<AdminState>('admin', act('page'), async (ctx, session, id) => {
    spec.choice(session.data).page = pageArg(id.arg);
    await ctx.show(await listScreen(session));
  });

  router.step<AdminState>('admin', act('add'), async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.showModal(modal(adminId(act('add-name'), session.id), text.addTitle, fields));
  });

  router.step<AdminState>('admin', act('add-name'), async (ctx, session, _id, interaction) => {
    if (await kit.refuse(ctx)) return;
    if (interaction.type !== InteractionType.ModalSubmit) return;
    const check = checkName(spec.kind, readModal(interaction, fields).name);
    if (!check.ok) return ctx.notice({ content: check.error });
    const result = await spec.create(deps, { guildId: session.guildId, actorId: ctx.userId, name: check.name });
    if (!result.ok) return ctx.notice({ content: refusalText(spec.kind, result, check.name) });
    spec.choice(session.data).selectedId = result.value.id;
    // The new entry's page (tags are added last; locations are listed by name).
    const entries = await spec.list(deps, session.guildId);
    spec.choice(session.data).page = Math.floor(
      entries.findIndex((entry) => entry.id === result.value.id) / MAX_SELECT_OPTIONS,
    );
    await changed(ctx, session, text.created(result.value.name));
  });

  router.step<AdminState>('admin', act('rename'), async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    const { selected } = await load(session);
    if (selected === undefined) return ctx.show(await listScreen(session, AdminText.notFound(spec.kind)));
    await ctx.showModal(
      modal(adminId(act('rename-name'), session.id, String(selected.id)), text.renameTitle, fields, {
        name: selected.name,
      }),
    );
  });

  router.step<AdminState>('admin', act('rename-name'), async (ctx, session, id, interaction) => {
    if (await kit.refuse(ctx)) return;
    if (interaction.type !== InteractionType.ModalSubmit) return;
    const check = checkName(spec.kind, readModal(interaction, fields).name);
    if (!check.ok) return ctx.notice({ content: check.error });
    const before = (await spec.list(deps, session.guildId)).find((entry) => entry.id === Number(id.arg));
    if (before === undefined) return ctx.notice({ content: AdminText.notFound(spec.kind) });
    const input = { guildId: session.guildId, actorId: ctx.userId, id: before.id, name: check.name };
    const result = await spec.rename(deps, input);
    if (!result.ok) return ctx.notice({ content: refusalText(spec.kind, result, check.name) });
    await changed(ctx, session, text.renamed(before.name, result.value.name));
  });

  router.step<AdminState>('admin', act('delete'), async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    const { selected } = await load(session);
    if (selected === undefined) return ctx.show(await listScreen(session, AdminText.notFound(spec.kind)));
    await ctx.show({
      content: text.confirmDelete(selected.name, await spec.consequence(deps, selected)),
      components: rows(
        buttonRow(
          button(BACK_LABEL, adminId(spec.action, session.id)),
          button(
            text.confirmDeleteLabel,
            adminId(act('delete-ok'), session.id, String(selected.id)),
            ButtonStyle.Danger,
          ),
        ),
      ),
    });
  });

  router.finish<AdminState>('admin', act('delete-ok'), async (ctx, finished, id) => {
    if (await kit.refuse(ctx)) return;
    const session = await kit.resume(finished);
    const result = await spec.remove(deps, { guildId: session.guildId, actorId: ctx.userId, id: Number(id.arg) });
    if (!result.ok) return ctx.show(await listScreen(session, refusalText(spec.kind, result)));
    spec.choice(session.data).selectedId = null;
    await changed(ctx, session, text.deleted(result.value.name));
  });

  const reorder = spec.reorder;
  const moved = text.moved;
  if (reorder === undefined || moved === undefined) return;
  for (const [suffix, step] of [
    ['up', -1],
    ['down', 1],
  ] as const) {
    router.finish<AdminState>('admin', act(suffix), async (ctx, finished) => {
      if (await kit.refuse(ctx)) return;
      const session = await kit.resume(finished);
      const { entries, selected, choice } = await load(session);
      const from = selected === undefined ? -1 : entries.indexOf(selected);
      const to = from + step;
      if (selected === undefined || to < 0 || to >= entries.length) {
        return ctx.show(await listScreen(session, AdminText.changedMeanwhile));
      }
      const ids = entries.map((entry) => entry.id);
      [ids[from], ids[to]] = [ids[to]!, ids[from]!];
      const result = await reorder(deps, { guildId: session.guildId, actorId: ctx.userId, ids }, deps.now());
      if (!result.ok) return ctx.show(await listScreen(session, AdminText.changedMeanwhile));
      choice.page = Math.floor(to / MAX_SELECT_OPTIONS);
      await changed(ctx, session, moved(selected.name, to + 1));
    });
  }
}
