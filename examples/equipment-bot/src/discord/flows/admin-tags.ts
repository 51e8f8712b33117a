/**
 * Overall Management → Tags (scenario 36): add, rename, delete and reorder the guild's tags. The channel groups its
 * items by tag in this order, so every change re-sorts it.
 *
 * @module
 */
import { createTag, deleteTag, renameTag, reorderTags } from '../../domain/services/guild-admin.js';
import type { InteractionRouter } from '../interactions/router.js';
import type { AdminKit } from './admin-menu.js';
import { registerNamedList, type NamedListText } from './admin-named-list.js';
import { reposOf } from './flow-deps.js';

/** What the tags screen shows. */
export const AdminTagText = {
  title: 'Tags',
  intro:
    'Tags group the items of the reservation channel, in this order. Choose a tag to rename, delete or move it, or add one.',
  empty: 'No tags yet.',
  placeholder: 'Choose a tag',
  addLabel: 'Add Tag',
  renameLabel: 'Rename',
  deleteLabel: 'Delete',
  moveUpLabel: 'Move Up',
  moveDownLabel: 'Move Down',
  nameLabel: 'Tag name',
  addTitle: 'Add Tag',
  renameTitle: 'Rename Tag',
  created: (name: string) => `Added the tag **${name}**.`,
  renamed: (before: string, after: string) => `Renamed the tag **${before}** to **${after}**.`,
  confirmDelete: (name: string, consequence: string) => `Delete the tag **${name}**? ${consequence}`,
  itemsUntagged: (count: number) =>
    count === 0 ? 'No item has this tag.' : `${count} item${count === 1 ? '' : 's'} with this tag will have no tag.`,
  confirmDeleteLabel: 'Delete Tag',
  deleted: (name: string) => `Deleted the tag **${name}**.`,
  moved: (name: string, position: number) => `Moved the tag **${name}** to position ${position}.`,
} as const satisfies NamedListText & Record<string, unknown>;

/**
 * Routes the tags screen on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminTags(router: InteractionRouter, kit: AdminKit): void {
  registerNamedList(router, kit, {
    kind: 'tag',
    action: 'tags',
    text: AdminTagText,
    choice: (state) => state.tags,
    list: (deps, guildId) => reposOf(deps).tags.list(guildId),
    create: (deps, input) => createTag(deps.database, input, deps.now()),
    rename: (deps, input) => renameTag(deps.database, { ...input, tagId: input.id }, deps.now()),
    remove: (deps, input) => deleteTag(deps.database, { ...input, tagId: input.id }, deps.now()),
    consequence: async (deps, tag) => AdminTagText.itemsUntagged(await reposOf(deps).equipment.countByTag(tag.id)),
    reorder: (deps, input, now) => reorderTags(deps.database, { ...input, tagIds: input.ids }, now),
  });
}
