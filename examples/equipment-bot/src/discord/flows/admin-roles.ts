/**
 * Overall Management → Admin Roles (scenario 36): the roles whose members may administer the bot besides the
 * server's administrators. Choose a role with the role select, then Add or Remove it.
 *
 * @module
 */
import { ButtonStyle } from 'discord-api-types/v10';
import { changeAdminRole } from '../../domain/services/guild-admin.js';
import type { Screen } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import { button, buttonRow, roleSelectRow, rows } from '../interactions/ui.js';
import { adminId, selectedValues, type AdminKit, type AdminSession, type AdminState } from './admin-menu.js';
import { reposOf, withNotice } from './flow-deps.js';

/** What the admin roles screen shows. */
export const AdminRolesText = {
  screen: (roleIds: readonly string[]) =>
    `Admin roles: ${
      roleIds.length === 0 ? 'none' : roleIds.map((id) => `<@&${id}>`).join(', ')
    }\nMembers with an admin role may manage equipment; server administrators always can. Choose a role, then Add or Remove it.`,
  placeholder: 'Choose a role',
  addLabel: 'Add Admin Role',
  removeLabel: 'Remove Admin Role',
  added: (roleId: string) => `<@&${roleId}> is now an admin role.`,
  removed: (roleId: string) => `<@&${roleId}> is no longer an admin role.`,
  everyone:
    'The @everyone role cannot be an admin role: it would let every member manage equipment. Choose another role.',
  alreadyAdmin: (roleId: string) => `<@&${roleId}> is already an admin role.`,
  notAdmin: (roleId: string) => `<@&${roleId}> is not an admin role.`,
} as const;

/**
 * Routes the admin roles screen on the `admin` flow.
 *
 * @param router - the router
 * @param kit - Overall Management's shared parts
 */
export function registerAdminRoles(router: InteractionRouter, kit: AdminKit): void {
  const { deps } = kit;

  const screen = async (session: AdminSession, notice?: string): Promise<Screen> => {
    const { adminRoleIds } = await reposOf(deps).guildSettings.getOrDefault(session.guildId);
    const roleId = session.data.roleId;
    const isAdminRole = roleId !== null && adminRoleIds.includes(roleId);
    return {
      content: withNotice(notice, AdminRolesText.screen(adminRoleIds)),
      components: rows(
        roleSelectRow(adminId('role-pick', session.id), AdminRolesText.placeholder, roleId === null ? [] : [roleId], 1),
        buttonRow(
          kit.backToMenu(session),
          button(
            AdminRolesText.addLabel,
            adminId('role-add', session.id),
            ButtonStyle.Success,
            roleId === null || isAdminRole,
          ),
          button(AdminRolesText.removeLabel, adminId('role-remove', session.id), ButtonStyle.Danger, !isAdminRole),
        ),
      ),
    };
  };

  router.step<AdminState>('admin', 'roles', async (ctx, session) => {
    if (await kit.refuse(ctx)) return;
    await ctx.show(await screen(session));
  });

  router.step<AdminState>('admin', 'role-pick', async (ctx, session, _id, interaction) => {
    const [roleId] = selectedValues(interaction);
    session.data.roleId = roleId ?? null;
    if (roleId === session.guildId) {
      session.data.roleId = null;
      return ctx.show(await screen(session, AdminRolesText.everyone));
    }
    await ctx.show(await screen(session));
  });

  for (const change of ['add', 'remove'] as const) {
    router.finish<AdminState>('admin', `role-${change}`, async (ctx, finished) => {
      if (await kit.refuse(ctx)) return;
      const session = await kit.resume(finished);
      const roleId = session.data.roleId;
      if (roleId === null) return ctx.show(await screen(session));
      if (roleId === session.guildId) return ctx.show(await screen(session, AdminRolesText.everyone));
      const current = (await reposOf(deps).guildSettings.getOrDefault(session.guildId)).adminRoleIds;
      if (change === 'add' && current.includes(roleId)) {
        return ctx.show(await screen(session, AdminRolesText.alreadyAdmin(roleId)));
      }
      if (change === 'remove' && !current.includes(roleId)) {
        return ctx.show(await screen(session, AdminRolesText.notAdmin(roleId)));
      }
      await changeAdminRole(
        deps.database,
        { guildId: session.guildId, actorId: ctx.userId, roleId, change },
        deps.now(),
      );
      await ctx.show(
        await screen(session, change === 'add' ? AdminRolesText.added(roleId) : AdminRolesText.removed(roleId)),
      );
    });
  }
}
