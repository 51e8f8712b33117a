/**
 * `/setup` (scenarios 1–5): an administrator makes the channel they run it in the reservation channel.
 *
 * 1. `/setup` → "Set this channel as the reservation channel. Is that okay?" Confirm / Cancel (Cancel writes nothing).
 * 2. Confirm → the bot's permissions in the channel are checked (`app_permissions`); a missing one stops setup with
 *    the list.
 * 3. Step 1: the admin roles (a role multi-select) with Skip / Next.
 * 4. Step 2: the summary with ← Back (the choices kept) and Complete. Complete saves the channel and the roles, moves
 *    the display out of a previous channel (its managed messages deleted) and renders the new one.
 *
 * @module
 */
import { ButtonStyle } from 'discord-api-types/v10';
import { setAdminRoles, setReservationChannel } from '../../domain/services/guild-admin.js';
import type { Snowflake } from '../../domain/model.js';
import { customId } from '../custom-id.js';
import type { InteractionContext } from '../interactions/context.js';
import type { InteractionRouter } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import { BACK_LABEL, button, buttonRow, roleSelectRow, rows, selectedValues, type Row } from '../interactions/ui.js';
import { FlowText, isAdmin, reposOf, type FlowDeps } from './flow-deps.js';

/** What setup remembers between steps. */
interface SetupState {
  readonly channelId: Snowflake;
  roleIds: Snowflake[];
}

/** The permissions the bot needs in the reservation channel, with Discord's names. */
export const REQUIRED_CHANNEL_PERMISSIONS: readonly (readonly [bit: bigint, name: string])[] = [
  [1n << 10n, 'View Channel'],
  [1n << 11n, 'Send Messages'],
  [1n << 13n, 'Manage Messages'],
  [1n << 14n, 'Embed Links'],
  [1n << 16n, 'Read Message History'],
];

const ADMINISTRATOR = 1n << 3n;

/** What setup shows (English, as REFERENCE_BOT.md quotes it where it does). */
export const SetupText = {
  refused: 'Only server administrators can run /setup.',
  confirm: 'Set this channel as the reservation channel. Is that okay?',
  cancelled: 'Setup cancelled. Nothing was changed.',
  missing: (channelId: string, names: readonly string[]) =>
    `I am missing these permissions in <#${channelId}>: ${names.join(', ')}. Please grant them and run /setup again.`,
  roles:
    'Step 1 of 2: choose the roles whose members may manage equipment (server administrators always can), or Skip.',
  summary: (channelId: string, roleIds: readonly string[]) =>
    `Step 2 of 2: check and complete.\nReservation channel: <#${channelId}>\nAdmin roles: ${
      roleIds.length === 0 ? 'none (server administrators only)' : roleIds.map((id) => `<@&${id}>`).join(', ')
    }`,
  complete: (channelId: string) => `Setup complete. <#${channelId}> is now the reservation channel.`,
  confirmLabel: 'Confirm',
  cancelLabel: 'Cancel',
  skipLabel: 'Skip',
  nextLabel: 'Next',
  completeLabel: 'Complete',
  rolesPlaceholder: 'Admin roles',
} as const;

/**
 * The bot's missing permissions in a channel.
 *
 * @param appPermissions - `app_permissions` of the interaction
 * @returns the names of those missing, in Discord's order
 */
export function missingPermissions(appPermissions: bigint): string[] {
  if ((appPermissions & ADMINISTRATOR) === ADMINISTRATOR) return [];
  return REQUIRED_CHANNEL_PERMISSIONS.filter(([bit]) => (appPermissions & bit) !== bit).map(([, name]) => name);
}

/**
 * Routes `/setup` and its steps.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerSetupFlow(router: InteractionRouter, deps: FlowDeps): void {
  const id = (action: string, session: string) => customId('setup', action, session);

  const rolesScreen = (session: WizardSession<SetupState>) => ({
    content: SetupText.roles,
    components: rows(
      roleSelectRow(id('roles', session.id), SetupText.rolesPlaceholder, session.data.roleIds),
      buttonRow(
        button(SetupText.skipLabel, id('skip', session.id)),
        button(SetupText.nextLabel, id('next', session.id), ButtonStyle.Primary),
      ),
    ),
  });
  const summaryScreen = (session: WizardSession<SetupState>) => ({
    content: SetupText.summary(session.data.channelId, session.data.roleIds),
    components: rows(
      buttonRow(
        button(BACK_LABEL, id('back', session.id)),
        button(SetupText.completeLabel, id('complete', session.id), ButtonStyle.Success),
      ),
    ),
  });
  /** Refuses a member who is no (longer an) admin; true when refused. */
  const refuse = async (ctx: InteractionContext): Promise<boolean> => {
    if (await isAdmin(deps, ctx)) return false;
    await ctx.show({ content: SetupText.refused });
    return true;
  };

  router.command('setup', async (ctx) => {
    if (ctx.guildId === undefined || ctx.channelId === undefined) return ctx.show({ content: FlowText.guildOnly });
    if (await refuse(ctx)) return;
    const settings = await reposOf(deps).guildSettings.get(ctx.guildId);
    const session = await deps.sessions.create<SetupState>('setup', ctx.userId, ctx.guildId, {
      channelId: ctx.channelId,
      roleIds: [...(settings?.adminRoleIds ?? [])],
    });
    const confirmRow: Row = buttonRow(
      button(SetupText.confirmLabel, id('confirm', session.id), ButtonStyle.Primary),
      button(SetupText.cancelLabel, id('cancel', session.id)),
    );
    await ctx.show({ content: SetupText.confirm, components: [confirmRow] });
  });

  router.finish<SetupState>('setup', 'cancel', async (ctx) => {
    await ctx.show({ content: SetupText.cancelled });
  });

  router.step<SetupState>('setup', 'confirm', async (ctx, session) => {
    if (await refuse(ctx)) return;
    const missing = missingPermissions(ctx.appPermissions);
    if (missing.length > 0) {
      await deps.sessions.take(session.id, 'setup', ctx.userId);
      return ctx.show({ content: SetupText.missing(session.data.channelId, missing) });
    }
    await ctx.show(rolesScreen(session));
  });

  router.step<SetupState>('setup', 'roles', async (ctx, session, _id, interaction) => {
    const values = selectedValues(interaction);
    session.data.roleIds = [...values];
    await ctx.show(rolesScreen(session));
  });

  router.step<SetupState>('setup', 'skip', async (ctx, session) => {
    session.data.roleIds = [];
    await ctx.show(summaryScreen(session));
  });

  router.step<SetupState>('setup', 'next', async (ctx, session) => {
    await ctx.show(summaryScreen(session));
  });

  router.step<SetupState>('setup', 'back', async (ctx, session) => {
    await ctx.show(rolesScreen(session));
  });

  router.finish<SetupState>('setup', 'complete', async (ctx, session) => {
    if (await refuse(ctx)) return;
    const input = { guildId: session.guildId, actorId: ctx.userId };
    const now = deps.now();
    const moved = await setReservationChannel(deps.database, { ...input, channelId: session.data.channelId }, now);
    await setAdminRoles(deps.database, { ...input, roleIds: session.data.roleIds }, now);
    await ctx.show({ content: SetupText.complete(session.data.channelId) });
    const previous = moved.ok ? moved.value.previousChannelId : null;
    if (previous !== null && previous !== session.data.channelId) {
      // The display moves: the old channel's managed messages go first, then the new channel is rendered.
      await Promise.all(deps.display.clear(session.guildId));
    }
    await deps.refresh(session.guildId, { kind: 'structure' });
  });
}
