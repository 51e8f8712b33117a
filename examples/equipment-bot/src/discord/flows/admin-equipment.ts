/**
 * Overall Management → Add Equipment (scenario 36): a modal asks for the name (unique in the guild, 1 to 100
 * characters); the next step picks its tag from a select (or No tag), with ← Back to the menu (the name and tag are
 * kept for the next visit) and Change Name; Add Equipment creates the item and the channel shows it.
 *
 * @module
 */
import { ButtonStyle, InteractionType } from 'discord-api-types/v10';
import { createEquipment } from '../../domain/services/equipment-admin.js';
import { MAX_SELECT_OPTIONS, paginate } from '../../domain/slots.js';
import type { Tag } from '../../domain/model.js';
import type { Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { button, buttonRow, modal, pageArg, pageButtons, readModal, rows, selectRow } from '../interactions/ui.js';
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
} from './admin-menu.js';
import { reposOf, withNotice } from './flow-deps.js';

/** What adding equipment shows. */
export const AdminEquipmentText = {
  modalTitle: 'Add Equipment',
  nameLabel: 'Equipment name',
  tagStep: (name: string) =>
    `Add equipment: **${name}**\nChoose its tag (or No tag), then press Add Equipment. The name must be unique in this server.`,
  tagPlaceholder: 'Tag',
  noTag: 'No tag',
  changeNameLabel: 'Change Name',
  addLabel: 'Add Equipment',
  added: (name: string, tag: string | null) =>
    `Added **${name}** (${tag === null ? 'no tag' : `tag: ${tag}`}). It is now shown in the reservation channel.`,
} as const;

/** The select's value for "No tag". */
const NO_TAG = 'none';
/** Tags per page of the select: one option is No tag. */
const TAGS_PER_PAGE = MAX_SELECT_OPTIONS - 1;
const FIELDS = nameFields(AdminEquipmentText.nameLabel);

/**
 * Routes Add Equipment on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminEquipment(router: InteractionRouter, kit: AdminKit): void {
  const { deps } = kit;

  const tagStep = async (session: AdminSession, notice?: string): Promise<Screen> => {
    const draft = session.data.draft;
    const tags = await reposOf(deps).tags.list(session.guildId);
    if (draft.tagId !== null && !tags.some((tag) => tag.id === draft.tagId)) draft.tagId = null;
    const page = paginate(tags, draft.tagPage, TAGS_PER_PAGE);
    draft.tagPage = page.page;
    const options = [
      { label: AdminEquipmentText.noTag, value: NO_TAG, default: draft.tagId === null },
      ...page.items.map((tag: Tag) => ({ label: tag.name, value: String(tag.id), default: tag.id === draft.tagId })),
    ];
    const paging = pageButtons(page, (to) => adminId('equip-page', session.id, String(to)));
    return {
      content: withNotice(notice, AdminEquipmentText.tagStep(draft.name ?? '')),
      components: rows(
        selectRow(adminId('equip-tag', session.id), AdminEquipmentText.tagPlaceholder, options),
        buttonRow(
          kit.backToMenu(session),
          button(AdminEquipmentText.changeNameLabel, adminId('equip-add', session.id)),
          button(
            AdminEquipmentText.addLabel,
            adminId('equip-create', session.id),
            ButtonStyle.Success,
            draft.name === null,
          ),
        ),
        paging.length > 0 && buttonRow(...paging),
      ),
    };
  };

  // Add Equipment (the menu) and Change Name (the tag step) open the name modal, filled with the name so far.
  router.step<AdminState>('admin', 'equip-add', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    const name = session.data.draft.name;
    await ctx.showModal(
      modal(adminId('equip-name', session.id), AdminEquipmentText.modalTitle, FIELDS, name === null ? {} : { name }),
    );
  });

  router.step<AdminState>('admin', 'equip-name', async (ctx, session, _id, interaction) => {
    if (await kit.refuse(ctx)) return;
    if (interaction.type !== InteractionType.ModalSubmit) return;
    const check = checkName('equipment', readModal(interaction, FIELDS).name);
    if (!check.ok) return ctx.notice({ content: check.error });
    if ((await reposOf(deps).equipment.findByName(session.guildId, check.name)) !== null) {
      return ctx.notice({ content: AdminText.nameTaken('equipment', check.name) });
    }
    session.data.draft.name = check.name;
    await ctx.show(await tagStep(session));
  });

  router.step<AdminState>('admin', 'equip-tag', async (ctx, session, _id, interaction) => {
    const [value] = selectedValues(interaction);
    session.data.draft.tagId = value === undefined || value === NO_TAG ? null : Number(value);
    await ctx.show(await tagStep(session));
  });

  router.step<AdminState>('admin', 'equip-page', async (ctx, session, id) => {
    session.data.draft.tagPage = pageArg(id.arg);
    await ctx.show(await tagStep(session));
  });

  router.finish<AdminState>('admin', 'equip-create', async (ctx, finished) => {
    if (await kit.refuse(ctx)) return;
    const session = await kit.resume(finished);
    const { name, tagId } = session.data.draft;
    if (name === null) return ctx.show(kit.menuScreen(session));
    const result = await createEquipment(
      deps.database,
      { guildId: session.guildId, name, tagId, actorId: ctx.userId },
      deps.now(),
    );
    if (!result.ok) return ctx.show(await tagStep(session, refusalText('equipment', result, name)));
    const tag = tagId === null ? null : ((await reposOf(deps).tags.get(tagId))?.name ?? null);
    session.data.draft = { name: null, tagId: null, tagPage: 0 };
    await ctx.show(kit.menuScreen(session, AdminEquipmentText.added(result.value.name, tag)));
    await deps.refresh(session.guildId, { kind: 'structure' });
  });
}
