/**
 * Overall Management (scenarios 35, 36 and 38): the header's Overall Management button opens one ephemeral menu,
 * edited in place, for administrators only (the Administrator permission or an admin role, checked when it opens and
 * again at each change):
 *
 * - Add Equipment: a name (modal), then its tag (select, or No tag) — `admin-equipment.ts`;
 * - Tags: add, rename, delete, reorder (the channel re-sorted) — `admin-tags.ts`;
 * - Locations: add, rename, delete — `admin-locations.ts`;
 * - Admin Roles: add or remove a role (role select) — `admin-roles.ts`;
 * - Overall Log: the guild's whole log for a period — `admin-log.ts`;
 * - Export CSV: the reservations of a period as a file — `admin-export.ts`.
 *
 * Every screen has ← Back to the menu, and the menu's state (choices, pages, the item being added) is kept while the
 * session lives. A final button ends its session and the screen it shows carries on in a new one, so that a double
 * click acts once.
 *
 * @module
 */
import type { InteractionRouter } from '../interactions/router.js';
import { registerAdminEquipment } from './admin-equipment.js';
import { registerAdminExport } from './admin-export.js';
import { registerAdminLocations } from './admin-locations.js';
import { registerAdminLog } from './admin-log.js';
import { adminKit, initialAdminState, type AdminState } from './admin-menu.js';
import { registerAdminRoles } from './admin-roles.js';
import { registerAdminTags } from './admin-tags.js';
import { FlowText, type FlowDeps } from './flow-deps.js';

/**
 * Routes Overall Management.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerAdminFlow(router: InteractionRouter, deps: FlowDeps): void {
  const kit = adminKit(deps);

  router.on('admin', 'open', async (ctx) => {
    if (ctx.guildId === undefined) return ctx.show({ content: FlowText.guildOnly });
    if (await kit.refuse(ctx)) return;
    const session = await deps.sessions.create<AdminState>('admin', ctx.userId, ctx.guildId, initialAdminState());
    await ctx.show(kit.menuScreen(session));
  });

  router.step<AdminState>('admin', 'menu', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.show(kit.menuScreen(session));
  });

  registerAdminEquipment(router, kit);
  registerAdminTags(router, kit);
  registerAdminLocations(router, kit);
  registerAdminRoles(router, kit);
  registerAdminLog(router, kit);
  registerAdminExport(router, kit);
}
