/**
 * Overall Management → Locations (scenario 36): add, rename and delete the places items are kept, used and returned
 * to. A deleted location is cleared from the items and reservations that named it.
 *
 * @module
 */
import { createLocation, deleteLocation, renameLocation } from '../../domain/services/guild-admin.js';
import type { InteractionRouter } from '../interactions/router.js';
import type { AdminKit } from './admin-menu.js';
import { registerNamedList, type NamedListText } from './admin-named-list.js';
import { reposOf } from './flow-deps.js';

/** What the locations screen shows. */
export const AdminLocationText = {
  title: 'Locations',
  intro: 'Locations are where items are kept, used and returned. Choose a location to rename or delete it, or add one.',
  empty: 'No locations yet.',
  placeholder: 'Choose a location',
  addLabel: 'Add Location',
  renameLabel: 'Rename',
  deleteLabel: 'Delete',
  nameLabel: 'Location name',
  addTitle: 'Add Location',
  renameTitle: 'Rename Location',
  created: (name: string) => `Added the location **${name}**.`,
  renamed: (before: string, after: string) => `Renamed the location **${before}** to **${after}**.`,
  confirmDelete: (name: string, consequence: string) => `Delete the location **${name}**? ${consequence}`,
  consequence: 'Items and reservations that use it will have no location.',
  confirmDeleteLabel: 'Delete Location',
  deleted: (name: string) => `Deleted the location **${name}**.`,
} as const satisfies NamedListText & Record<string, unknown>;

/**
 * Routes the locations screen on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminLocations(router: InteractionRouter, kit: AdminKit): void {
  registerNamedList(router, kit, {
    kind: 'location',
    action: 'locs',
    text: AdminLocationText,
    choice: (state) => state.locations,
    list: (deps, guildId) => reposOf(deps).locations.list(guildId),
    create: (deps, input) => createLocation(deps.database, input, deps.now()),
    rename: (deps, input) => renameLocation(deps.database, { ...input, locationId: input.id }, deps.now()),
    remove: (deps, input) => deleteLocation(deps.database, { ...input, locationId: input.id }, deps.now()),
    consequence: () => Promise.resolve(AdminLocationText.consequence),
  });
}
