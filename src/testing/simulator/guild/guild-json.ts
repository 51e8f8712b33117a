import { discordTimestamp } from '../message-store.js';
import type { SimulatedChannel } from '../simulator-records.js';
import type {
  ChannelAccess,
  GuildRegistry,
  StoredGuild,
  StoredMember,
  StoredRole,
  StoredUser,
} from './guild-registry.js';
import { formatPermissions } from './permissions.js';

/**
 * Discord's JSON for the guild model: users, roles, members, channels and guilds, as the REST API and the gateway send
 * them. Permission fields are decimal strings (API v8 and later).
 */

/**
 * A user object.
 *
 * @param user - the user
 * @returns `{ id, username, discriminator, global_name, avatar, bot? }`
 */
export function userJson(user: StoredUser): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    public_flags: 0,
  };
  if (user.bot) json['bot'] = true;
  return json;
}

/**
 * A role object.
 *
 * @param role - the role
 * @returns Discord's role object
 */
export function roleJson(role: StoredRole): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: formatPermissions(role.permissions),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0,
  };
}

/**
 * A guild member object.
 *
 * @param member - the member
 * @param user - its user (omitted from the JSON when `undefined`, as in a MESSAGE_CREATE's `member`)
 * @param epochShift - added to clock times for timestamps
 * @returns Discord's guild member object
 */
export function memberJson(
  member: StoredMember,
  user: StoredUser | undefined,
  epochShift: number,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roleIds],
    joined_at: discordTimestamp(member.joinedAt + epochShift),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until:
      member.communicationDisabledUntil === undefined
        ? null
        : discordTimestamp(member.communicationDisabledUntil + epochShift),
  };
  if (user) json['user'] = userJson(user);
  return json;
}

/**
 * A channel object: a guild text channel (type 0) with its overwrites, or a DM (type 1) with its recipient.
 *
 * @param channel - the channel's name and topic
 * @param access - its kind, guild and overwrites
 * @param lastMessageId - id of its newest message
 * @param registry - finds a DM's recipient
 * @returns Discord's channel object
 */
export function channelJson(
  channel: SimulatedChannel,
  access: ChannelAccess | undefined,
  lastMessageId: string | null,
  registry: GuildRegistry,
): Record<string, unknown> {
  if (access?.type === 1) {
    const recipient = registry.user(access.dm!.userId);
    return {
      id: channel.id,
      type: 1,
      last_message_id: lastMessageId,
      flags: 0,
      recipients: recipient ? [userJson(recipient)] : [],
    };
  }
  return {
    id: channel.id,
    type: 0,
    guild_id: channel.guildId,
    name: channel.name,
    topic: channel.topic ?? null,
    position: access?.position ?? 0,
    permission_overwrites: (access?.overwrites ?? []).map((overwrite) => ({
      id: overwrite.id,
      type: overwrite.type,
      allow: formatPermissions(overwrite.allow),
      deny: formatPermissions(overwrite.deny),
    })),
    nsfw: false,
    parent_id: null,
    last_message_id: lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

/**
 * A guild object (REST `GET /guilds/{id}`).
 *
 * @param guild - the guild
 * @returns Discord's guild object
 */
export function guildJson(guild: StoredGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()].map(roleJson),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: guild.preferredLocale,
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}
