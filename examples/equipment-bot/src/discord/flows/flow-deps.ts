/**
 * What the interaction flows are given, and what they share: the admin check, the answers for refusals, and the
 * notice above a screen.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { repositories, type Repositories } from '../../db/repositories.js';
import type { ChannelDisplay, RenderReason } from '../../display/channel-display.js';
import type { EpochMs, Snowflake } from '../../domain/model.js';
import type { Logger } from '../../logger.js';
import type { Notifier } from '../../notify/notifier.js';
import type { InteractionContext } from '../interactions/context.js';
import type { SessionStore } from '../interactions/session-store.js';

/** The parts the flows work with. */
export interface FlowDeps {
  readonly database: BotDatabase;
  readonly now: () => EpochMs;
  readonly sessions: SessionStore;
  /** The reservation channel's display (setup moves it). */
  readonly display: ChannelDisplay;
  /** Re-renders a guild's channel after a change. */
  readonly refresh: (guildId: Snowflake, reason: RenderReason) => Promise<void>;
  readonly notifier: Notifier;
  readonly logger: Logger;
}

/** Texts shared by the flows. */
export const FlowText = {
  adminOnly: 'Only server administrators and members with an admin role can do this.',
  guildOnly: 'This works in a server only.',
  noSuchItem: 'This equipment no longer exists.',
} as const;

/**
 * Puts a notice (what just happened, or what was wrong) above a screen's text.
 *
 * @param notice - the notice, if any
 * @param text - the screen's text
 * @returns both, separated by a blank line
 */
export function withNotice(notice: string | undefined, text: string): string {
  return notice === undefined ? text : `${notice}\n\n${text}`;
}

/**
 * The repositories over the database (outside a transaction).
 *
 * @param deps - the flows' parts
 * @returns the repositories
 */
export function reposOf(deps: FlowDeps): Repositories {
  return repositories(deps.database.db, deps.database.dialect);
}

/**
 * Whether the member may administer the bot in this guild: the Administrator permission, or one of the guild's admin
 * roles. Checked when a menu opens and again when its change is submitted.
 *
 * @param deps - the flows' parts
 * @param ctx - the interaction
 * @returns whether they are an admin
 */
export async function isAdmin(deps: FlowDeps, ctx: InteractionContext): Promise<boolean> {
  if (ctx.isAdministrator) return true;
  if (ctx.guildId === undefined) return false;
  const settings = await reposOf(deps).guildSettings.get(ctx.guildId);
  return settings !== null && settings.adminRoleIds.some((roleId) => ctx.roleIds.includes(roleId));
}
