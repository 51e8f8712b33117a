/**
 * Gateway intents: their bits, which of them are privileged, which intent gates which dispatch, and what a message
 * looks like to a bot without MESSAGE_CONTENT. Source: discord-api-docs `events/gateway.mdx` (List of Intents,
 * Message Content Intent) and `resources/message.mdx`.
 *
 * @module
 */

/**
 * The intent bits Discord defines (GW List of Intents). Bits 17–19 and 22–23 are unassigned.
 *
 * @example
 * ```ts
 * const intents = GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES; // 513
 * ```
 */
export const GatewayIntent = {
  GUILDS: 1 << 0,
  /** Privileged. */
  GUILD_MEMBERS: 1 << 1,
  GUILD_MODERATION: 1 << 2,
  /** Formerly GUILD_EMOJIS_AND_STICKERS. */
  GUILD_EXPRESSIONS: 1 << 3,
  GUILD_INTEGRATIONS: 1 << 4,
  GUILD_WEBHOOKS: 1 << 5,
  GUILD_INVITES: 1 << 6,
  GUILD_VOICE_STATES: 1 << 7,
  /** Privileged. */
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  GUILD_MESSAGE_TYPING: 1 << 11,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  DIRECT_MESSAGE_TYPING: 1 << 14,
  /** Privileged; gates no event, only the content fields of messages (see {@link stripMessageContent}). */
  MESSAGE_CONTENT: 1 << 15,
  GUILD_SCHEDULED_EVENTS: 1 << 16,
  AUTO_MODERATION_CONFIGURATION: 1 << 20,
  AUTO_MODERATION_EXECUTION: 1 << 21,
  GUILD_MESSAGE_POLLS: 1 << 24,
  DIRECT_MESSAGE_POLLS: 1 << 25,
} as const;

/** The name of one intent, a key of {@link GatewayIntent}. */
export type GatewayIntentName = keyof typeof GatewayIntent;

/**
 * Every defined intent bit. An IDENTIFY whose `intents` has any other bit set is closed with 4013 (Invalid intent(s)).
 *
 * @example
 * ```ts
 * (ALL_INTENTS & (1 << 17)) === 0; // true: bit 17 is unassigned
 * ```
 */
export const ALL_INTENTS: number = Object.values(GatewayIntent).reduce((mask, bit) => mask | bit, 0);

/**
 * The privileged intents (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT): requesting one the application has not
 * enabled in the developer portal closes the connection with 4014 (Disallowed intent(s)).
 *
 * @example
 * ```ts
 * (PRIVILEGED_INTENTS & GatewayIntent.MESSAGE_CONTENT) !== 0; // true
 * ```
 */
export const PRIVILEGED_INTENTS: number =
  GatewayIntent.GUILD_MEMBERS | GatewayIntent.GUILD_PRESENCES | GatewayIntent.MESSAGE_CONTENT;

/** Events gated by one intent wherever they happen. */
const INTENT_OF_EVENT: Readonly<Record<string, number>> = {
  GUILD_CREATE: GatewayIntent.GUILDS,
  GUILD_UPDATE: GatewayIntent.GUILDS,
  GUILD_DELETE: GatewayIntent.GUILDS,
  GUILD_ROLE_CREATE: GatewayIntent.GUILDS,
  GUILD_ROLE_UPDATE: GatewayIntent.GUILDS,
  GUILD_ROLE_DELETE: GatewayIntent.GUILDS,
  CHANNEL_CREATE: GatewayIntent.GUILDS,
  CHANNEL_UPDATE: GatewayIntent.GUILDS,
  CHANNEL_DELETE: GatewayIntent.GUILDS,
  THREAD_CREATE: GatewayIntent.GUILDS,
  THREAD_UPDATE: GatewayIntent.GUILDS,
  THREAD_DELETE: GatewayIntent.GUILDS,
  THREAD_LIST_SYNC: GatewayIntent.GUILDS,
  THREAD_MEMBER_UPDATE: GatewayIntent.GUILDS,
  // Sent with GUILDS when it concerns only the bot; about other members it also needs GUILD_MEMBERS (host's call).
  THREAD_MEMBERS_UPDATE: GatewayIntent.GUILDS,
  STAGE_INSTANCE_CREATE: GatewayIntent.GUILDS,
  STAGE_INSTANCE_UPDATE: GatewayIntent.GUILDS,
  STAGE_INSTANCE_DELETE: GatewayIntent.GUILDS,
  GUILD_MEMBER_ADD: GatewayIntent.GUILD_MEMBERS,
  GUILD_MEMBER_UPDATE: GatewayIntent.GUILD_MEMBERS,
  GUILD_MEMBER_REMOVE: GatewayIntent.GUILD_MEMBERS,
  GUILD_AUDIT_LOG_ENTRY_CREATE: GatewayIntent.GUILD_MODERATION,
  GUILD_BAN_ADD: GatewayIntent.GUILD_MODERATION,
  GUILD_BAN_REMOVE: GatewayIntent.GUILD_MODERATION,
  GUILD_EMOJIS_UPDATE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_STICKERS_UPDATE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_SOUNDBOARD_SOUND_CREATE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_SOUNDBOARD_SOUND_UPDATE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_SOUNDBOARD_SOUND_DELETE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_SOUNDBOARD_SOUNDS_UPDATE: GatewayIntent.GUILD_EXPRESSIONS,
  GUILD_INTEGRATIONS_UPDATE: GatewayIntent.GUILD_INTEGRATIONS,
  INTEGRATION_CREATE: GatewayIntent.GUILD_INTEGRATIONS,
  INTEGRATION_UPDATE: GatewayIntent.GUILD_INTEGRATIONS,
  INTEGRATION_DELETE: GatewayIntent.GUILD_INTEGRATIONS,
  WEBHOOKS_UPDATE: GatewayIntent.GUILD_WEBHOOKS,
  INVITE_CREATE: GatewayIntent.GUILD_INVITES,
  INVITE_DELETE: GatewayIntent.GUILD_INVITES,
  VOICE_CHANNEL_EFFECT_SEND: GatewayIntent.GUILD_VOICE_STATES,
  VOICE_STATE_UPDATE: GatewayIntent.GUILD_VOICE_STATES,
  PRESENCE_UPDATE: GatewayIntent.GUILD_PRESENCES,
  GUILD_SCHEDULED_EVENT_CREATE: GatewayIntent.GUILD_SCHEDULED_EVENTS,
  GUILD_SCHEDULED_EVENT_UPDATE: GatewayIntent.GUILD_SCHEDULED_EVENTS,
  GUILD_SCHEDULED_EVENT_DELETE: GatewayIntent.GUILD_SCHEDULED_EVENTS,
  GUILD_SCHEDULED_EVENT_USER_ADD: GatewayIntent.GUILD_SCHEDULED_EVENTS,
  GUILD_SCHEDULED_EVENT_USER_REMOVE: GatewayIntent.GUILD_SCHEDULED_EVENTS,
  AUTO_MODERATION_RULE_CREATE: GatewayIntent.AUTO_MODERATION_CONFIGURATION,
  AUTO_MODERATION_RULE_UPDATE: GatewayIntent.AUTO_MODERATION_CONFIGURATION,
  AUTO_MODERATION_RULE_DELETE: GatewayIntent.AUTO_MODERATION_CONFIGURATION,
  AUTO_MODERATION_ACTION_EXECUTION: GatewayIntent.AUTO_MODERATION_EXECUTION,
};

/** Events gated by a guild intent in guilds and a direct-message intent elsewhere: `[in guild, in DMs]`. */
const INTENTS_BY_PLACE: Readonly<Record<string, readonly [number, number]>> = {
  MESSAGE_CREATE: [GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES],
  MESSAGE_UPDATE: [GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES],
  MESSAGE_DELETE: [GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES],
  MESSAGE_DELETE_BULK: [GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES],
  MESSAGE_REACTION_ADD: [GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGE_REACTIONS],
  MESSAGE_REACTION_REMOVE: [GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGE_REACTIONS],
  MESSAGE_REACTION_REMOVE_ALL: [GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGE_REACTIONS],
  MESSAGE_REACTION_REMOVE_EMOJI: [GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGE_REACTIONS],
  TYPING_START: [GatewayIntent.GUILD_MESSAGE_TYPING, GatewayIntent.DIRECT_MESSAGE_TYPING],
  // Pins in a guild channel come with GUILDS; in a DM with DIRECT_MESSAGES (GW List of Intents).
  CHANNEL_PINS_UPDATE: [GatewayIntent.GUILDS, GatewayIntent.DIRECT_MESSAGES],
  MESSAGE_POLL_VOTE_ADD: [GatewayIntent.GUILD_MESSAGE_POLLS, GatewayIntent.DIRECT_MESSAGE_POLLS],
  MESSAGE_POLL_VOTE_REMOVE: [GatewayIntent.GUILD_MESSAGE_POLLS, GatewayIntent.DIRECT_MESSAGE_POLLS],
};

/**
 * The intent a session needs to receive a dispatch.
 *
 * Exemptions Discord makes (the bot's own GUILD_MEMBER_UPDATE without GUILD_MEMBERS, ephemeral messages needing
 * DIRECT_MESSAGES even in a guild channel) are the caller's to decide: this is the plain table.
 *
 * @param event - the dispatch name (`t`), e.g. `MESSAGE_CREATE`
 * @param inGuild - whether the event happens in a guild (has a `guild_id`); decides between GUILD_* and DIRECT_* bits
 * @returns the intent bit, or `undefined` for events sent regardless of intents (READY, RESUMED,
 *   INTERACTION_CREATE, USER_UPDATE, unknown names, ...)
 * @example
 * ```ts
 * intentForEvent('MESSAGE_CREATE', true); // 512 (GUILD_MESSAGES)
 * intentForEvent('MESSAGE_CREATE', false); // 4096 (DIRECT_MESSAGES)
 * intentForEvent('INTERACTION_CREATE', true); // undefined
 * ```
 */
export function intentForEvent(event: string, inGuild: boolean): number | undefined {
  const byPlace = INTENTS_BY_PLACE[event];
  if (byPlace) return inGuild ? byPlace[0] : byPlace[1];
  return INTENT_OF_EVENT[event];
}

/**
 * A message as a bot without the MESSAGE_CONTENT intent sees it: `content` `''`, `embeds`, `attachments` and
 * `components` empty, no `poll` (MSG, GW Message Content Intent). The input is not modified.
 *
 * Which messages are exempt (the bot's own, DMs, messages mentioning the bot, a message command's target) is the
 * caller's decision.
 *
 * @param message - a message object (or a MESSAGE_CREATE / MESSAGE_UPDATE `d`)
 * @returns a shallow copy with the content fields emptied
 * @example
 * ```ts
 * stripMessageContent({ id: '1', content: 'hi', embeds: [{ title: 't' }], poll: {} });
 * // { id: '1', content: '', embeds: [], attachments: [], components: [] }
 * ```
 */
export function stripMessageContent(message: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { poll: _poll, ...rest } = message;
  return { ...rest, content: '', embeds: [], attachments: [], components: [] };
}
