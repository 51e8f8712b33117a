import { memberJson, userJson } from '../guild/guild-json.js';
import type { StoredUser } from '../guild/guild-registry.js';
import { formatPermissions } from '../guild/permissions.js';
import { messageJson, type StoredInteraction, type StoredMessage } from '../message-store.js';
import type { SimulatorWorld } from '../simulator-world.js';

/** Discord's upload limit for a bot without boosts, sent as `attachment_size_limit`. */
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/**
 * The INTERACTION_CREATE `d` Discord sends for an interaction: in a guild with the member (and their permissions in
 * the channel, overwrites included), in a DM with the user; the bot's own permissions in the channel; the message a
 * component is on; locales; context and integration owners.
 *
 * @param world - the simulated world
 * @param interaction - the stored interaction (id, token, type, channel, application)
 * @param user - the person who used it
 * @param data - the interaction's `data`
 * @param source - the message of a component (or of the component that opened a modal)
 * @param epochShift - added to clock times for timestamps
 * @returns the interaction object
 */
export function interactionPayload(
  world: SimulatorWorld,
  interaction: StoredInteraction,
  user: StoredUser,
  data: Readonly<Record<string, unknown>>,
  source: StoredMessage | undefined,
  epochShift: number,
): Record<string, unknown> {
  const { guilds, store } = world;
  const channel = store.channel(interaction.channelId)!;
  const access = guilds.channel(interaction.channelId);
  const inGuild = access?.type === 0 && channel.guildId !== undefined;
  const payload: Record<string, unknown> = {
    id: interaction.id,
    application_id: interaction.applicationId,
    type: interaction.type,
    data: structuredClone(data),
    token: interaction.token,
    version: 1,
    locale: user.locale,
    entitlements: [],
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    app_permissions: formatPermissions(guilds.permissionsIn(interaction.channelId, interaction.applicationId)),
    channel_id: interaction.channelId,
  };
  if (inGuild) {
    const guild = guilds.guild(channel.guildId!)!;
    const member = guilds.member(guild.id, user.id)!;
    payload['guild'] = { id: guild.id, features: [], locale: guild.preferredLocale };
    payload['guild_id'] = guild.id;
    payload['guild_locale'] = guild.preferredLocale;
    payload['channel'] = {
      id: channel.id,
      type: 0,
      guild_id: guild.id,
      name: channel.name,
      topic: channel.topic ?? null,
      nsfw: false,
      parent_id: null,
      position: access.position,
      permissions: formatPermissions(guilds.permissionsIn(channel.id, user.id)),
      flags: 0,
      rate_limit_per_user: 0,
      last_message_id: store.messages(channel.id).at(-1)?.id ?? null,
    };
    payload['member'] = {
      ...memberJson(member, user, epochShift),
      permissions: formatPermissions(guilds.permissionsIn(channel.id, user.id)),
    };
    payload['context'] = 0;
    payload['authorizing_integration_owners'] = { '0': guild.id };
  } else {
    payload['channel'] = {
      id: channel.id,
      type: 1,
      last_message_id: store.messages(channel.id).at(-1)?.id ?? null,
      recipients: [userJson(user)],
      flags: 0,
    };
    payload['user'] = userJson(user);
    payload['context'] = 1;
    payload['authorizing_integration_owners'] = { '0': '0' };
  }
  if (source)
    payload['message'] = messageJson(source, guilds.user(interaction.applicationId)?.tokenLabel ?? '', epochShift);
  return payload;
}
