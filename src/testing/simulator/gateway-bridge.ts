import type { GatewayHost, GatewayIdentity, GatewayRecipient } from './gateway/gateway-host.js';
import { GatewayIntent, intentForEvent, stripMessageContent } from './gateway/intents.js';
import { channelJson, guildJson, memberJson, roleJson, userJson } from './guild/guild-json.js';
import type { GuildEvent, StoredUser } from './guild/guild-registry.js';
import { Permissions } from './guild/permissions.js';
import { discordTimestamp, messageJson, type StoredMessage } from './message-store.js';
import type { SimulatorAuth } from './simulator-auth.js';
import type { SimulatorWorld } from './simulator-world.js';
import type { WorldEvent } from './world-events.js';

/** How the bridge sends a dispatch: the gateway's `dispatch`. */
export type DispatchFunction = (
  event: string,
  options: {
    readonly botLabel?: string;
    readonly guildId?: string;
    readonly intent?: number;
    readonly payload: (recipient: GatewayRecipient) => Record<string, unknown> | undefined;
  },
) => number;

/**
 * Between the simulated world and the gateway: tells the gateway who a token is and what each guild looks like to a
 * bot (READY and GUILD_CREATE), and turns every change in the world into the dispatch each bot may see — filtered
 * by the bot's permissions in the channel, by its intents, and without message content where Discord withholds it.
 */
export class GatewayBridge implements GatewayHost {
  readonly #world: SimulatorWorld;
  readonly #auth: SimulatorAuth;
  readonly #privilegedIntents: (tokenLabel: string) => number;
  readonly #epochShift: number;
  #dispatch: DispatchFunction | undefined;

  /**
   * @param world - the simulated world
   * @param auth - the token registry
   * @param privilegedIntents - each bot's privileged intents enabled in the "developer portal"
   * @param epochShift - added to clock times for timestamps
   */
  public constructor(
    world: SimulatorWorld,
    auth: SimulatorAuth,
    privilegedIntents: (tokenLabel: string) => number,
    epochShift: number,
  ) {
    this.#world = world;
    this.#auth = auth;
    this.#privilegedIntents = privilegedIntents;
    this.#epochShift = epochShift;
  }

  /** Connects the bridge to the gateway once it exists (events before that reach no one, as no bot is connected). */
  public attach(dispatch: DispatchFunction): void {
    this.#dispatch = dispatch;
  }

  /** {@inheritDoc GatewayHost.identify} */
  public identify(token: string): GatewayIdentity | undefined {
    const client = this.#auth.identify(`Bot ${token}`);
    if (!client.known || !client.user) return undefined;
    return this.identityOf(client.label);
  }

  /**
   * The gateway identity of a bot.
   *
   * @param tokenLabel - `token#N`
   * @returns its identity, or `undefined` for an unknown label
   */
  public identityOf(tokenLabel: string): GatewayIdentity | undefined {
    const bot = this.#world.guilds.bot(tokenLabel);
    if (!bot) return undefined;
    return {
      label: tokenLabel,
      user: userJson(bot),
      applicationId: bot.id,
      privilegedIntents: this.#privilegedIntents(tokenLabel),
    };
  }

  /** {@inheritDoc GatewayHost.guildIds} */
  public guildIds(identity: GatewayIdentity): readonly string[] {
    return this.#world.guilds.guildsOf(identity.applicationId).map((guild) => guild.id);
  }

  /** {@inheritDoc GatewayHost.guildCreate} */
  public guildCreate(
    identity: GatewayIdentity,
    guildId: string,
    intents: number,
    largeThreshold: number,
  ): Record<string, unknown> | undefined {
    const { guilds, store } = this.#world;
    const guild = guilds.guild(guildId);
    const self = guild?.members.get(identity.applicationId);
    if (!guild || !self) return undefined;
    // Without GUILD_PRESENCES, Discord sends only the bot itself (and members in voice, which the simulator has none of).
    const members =
      (intents & GatewayIntent.GUILD_PRESENCES) === 0 ? [self] : [...guild.members.values()].slice(0, largeThreshold);
    return {
      ...guildJson(guild),
      joined_at: discordTimestamp(self.joinedAt + this.#epochShift),
      large: guild.members.size > largeThreshold,
      unavailable: false,
      member_count: guild.members.size,
      members: members.map((member) => memberJson(member, guilds.user(member.userId), this.#epochShift)),
      channels: guild.channelIds.map((id) => {
        const json = channelJson(store.channel(id)!, guilds.channel(id), store.messages(id).at(-1)?.id ?? null, guilds);
        delete json['guild_id'];
        return json;
      }),
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /**
   * Sends the dispatch for a change in the world to every bot that may see it.
   *
   * @param event - the change
   */
  public handle(event: WorldEvent): void {
    const dispatch = this.#dispatch;
    if (!dispatch) return;
    switch (event.type) {
      case 'MESSAGE_CREATE':
      case 'MESSAGE_UPDATE':
        this.#message(dispatch, event.type, event.message);
        return;
      case 'MESSAGE_DELETE':
        this.#messageDelete(dispatch, event.message);
        return;
      case 'MESSAGE_DELETE_BULK': {
        const guildId = this.#world.store.channel(event.channelId)?.guildId;
        this.#toChannelViewers(dispatch, 'MESSAGE_DELETE_BULK', event.channelId, () => ({
          ids: [...event.ids],
          channel_id: event.channelId,
          ...(guildId === undefined ? {} : { guild_id: guildId }),
        }));
        return;
      }
      case 'INTERACTION_CREATE': {
        const bot = this.#world.guilds.user(event.interaction.applicationId);
        if (!bot?.tokenLabel) return;
        const guildId = event.payload['guild_id'];
        dispatch('INTERACTION_CREATE', {
          botLabel: bot.tokenLabel,
          ...(typeof guildId === 'string' ? { guildId } : {}),
          payload: () => structuredClone(event.payload),
        });
        return;
      }
      default:
        this.#guildEvent(dispatch, event);
    }
  }

  #message(dispatch: DispatchFunction, type: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: StoredMessage): void {
    const { guilds, store } = this.#world;
    const guildId = store.channel(message.channelId)?.guildId;
    const access = guilds.channel(message.channelId);
    if (message.visibleTo !== undefined) {
      // An ephemeral message reaches its reader and the bot that sent it only, as a direct message event.
      const bot = message.applicationId === undefined ? undefined : guilds.user(message.applicationId);
      if (!bot?.tokenLabel) return;
      dispatch(type, {
        botLabel: bot.tokenLabel,
        intent: GatewayIntent.DIRECT_MESSAGES,
        payload: ({ identity }) => this.#messagePayload(message, identity, undefined),
      });
      return;
    }
    for (const bot of this.#botsSeeing(message.channelId)) {
      dispatch(type, {
        botLabel: bot.tokenLabel!,
        ...(guildId === undefined ? {} : { guildId }),
        intent: intentForEvent(type, access?.type === 0)!,
        payload: ({ identity, intents }) => {
          const json = this.#messagePayload(message, identity, guildId);
          return (intents & GatewayIntent.MESSAGE_CONTENT) !== 0 || this.#contentExempt(message, bot, access?.type)
            ? json
            : stripMessageContent(json);
        },
      });
    }
  }

  #messagePayload(
    message: StoredMessage,
    identity: GatewayIdentity,
    guildId: string | undefined,
  ): Record<string, unknown> {
    const json: Record<string, unknown> = {
      ...messageJson(message, identity.label, this.#epochShift),
      mentions: this.#mentions(message),
    };
    if (guildId !== undefined) {
      json['guild_id'] = guildId;
      const authorId = (message.authorJson as { id: string }).id;
      const member = this.#world.guilds.member(guildId, authorId);
      // Webhook messages have no member.
      if (member && message.author.kind !== 'webhook') {
        json['member'] = memberJson(member, undefined, this.#epochShift);
      }
    }
    return json;
  }

  #mentions(message: StoredMessage): unknown[] {
    const ids = new Set([...message.content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]!));
    return [...ids].flatMap((id) => {
      const user = this.#world.guilds.user(id);
      return user ? [userJson(user)] : [];
    });
  }

  /** Discord sends content without MESSAGE_CONTENT for the app's own messages, DMs, and messages mentioning it. */
  #contentExempt(message: StoredMessage, bot: StoredUser, channelType: 0 | 1 | undefined): boolean {
    if (channelType === 1) return true;
    const authorId = (message.authorJson as { id: string }).id;
    if (authorId === bot.id || message.applicationId === bot.id) return true;
    return new RegExp(`<@!?${bot.id}>`).test(message.content);
  }

  #messageDelete(dispatch: DispatchFunction, message: StoredMessage): void {
    const guildId = this.#world.store.channel(message.channelId)?.guildId;
    const payload = (): Record<string, unknown> => ({
      id: message.id,
      channel_id: message.channelId,
      ...(guildId === undefined ? {} : { guild_id: guildId }),
    });
    if (message.visibleTo !== undefined) {
      const bot = message.applicationId === undefined ? undefined : this.#world.guilds.user(message.applicationId);
      if (bot?.tokenLabel) {
        dispatch('MESSAGE_DELETE', { botLabel: bot.tokenLabel, intent: GatewayIntent.DIRECT_MESSAGES, payload });
      }
      return;
    }
    this.#toChannelViewers(dispatch, 'MESSAGE_DELETE', message.channelId, payload);
  }

  #toChannelViewers(
    dispatch: DispatchFunction,
    event: string,
    channelId: string,
    payload: () => Record<string, unknown>,
  ): void {
    const guildId = this.#world.store.channel(channelId)?.guildId;
    const intent = intentForEvent(event, guildId !== undefined);
    for (const bot of this.#botsSeeing(channelId)) {
      dispatch(event, {
        botLabel: bot.tokenLabel!,
        ...(guildId === undefined ? {} : { guildId }),
        ...(intent === undefined ? {} : { intent }),
        payload,
      });
    }
  }

  /** The bots that can see a channel: members with VIEW_CHANNEL there, or the bot of a DM. */
  #botsSeeing(channelId: string): StoredUser[] {
    const { guilds } = this.#world;
    return guilds.bots().filter((bot) => (guilds.permissionsIn(channelId, bot.id) & Permissions.VIEW_CHANNEL) !== 0n);
  }

  #guildEvent(dispatch: DispatchFunction, event: GuildEvent): void {
    const { guilds, store } = this.#world;
    switch (event.type) {
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
      case 'CHANNEL_DELETE': {
        const channel = store.channel(event.channelId);
        const access = guilds.channel(event.channelId);
        if (!channel || access?.type !== 0) return;
        const json = channelJson(channel, access, store.messages(channel.id).at(-1)?.id ?? null, guilds);
        this.#toChannelViewers(dispatch, event.type, event.channelId, () => json);
        return;
      }
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const role = guilds.guild(event.guildId)?.roles.get(event.roleId);
        if (!role) return;
        this.#toGuildBots(dispatch, event.type, event.guildId, () => ({
          guild_id: event.guildId,
          role: roleJson(role),
        }));
        return;
      }
      case 'GUILD_ROLE_DELETE':
        this.#toGuildBots(dispatch, event.type, event.guildId, () => ({
          guild_id: event.guildId,
          role_id: event.roleId,
        }));
        return;
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_UPDATE':
      case 'GUILD_MEMBER_REMOVE':
        this.#memberEvent(dispatch, event);
        return;
      case 'GUILD_CREATE':
        for (const bot of guilds.bots()) {
          if (!guilds.member(event.guildId, bot.id)) continue;
          dispatch('GUILD_CREATE', {
            botLabel: bot.tokenLabel!,
            guildId: event.guildId,
            intent: GatewayIntent.GUILDS,
            payload: ({ identity, intents }) => this.guildCreate(identity, event.guildId, intents, 50),
          });
        }
        return;
    }
  }

  #memberEvent(
    dispatch: DispatchFunction,
    event: Extract<GuildEvent, { type: 'GUILD_MEMBER_ADD' | 'GUILD_MEMBER_UPDATE' | 'GUILD_MEMBER_REMOVE' }>,
  ): void {
    const { guilds } = this.#world;
    const user = guilds.user(event.userId);
    if (!user) return;
    const member = guilds.member(event.guildId, event.userId);
    for (const bot of guilds.bots()) {
      if (!guilds.member(event.guildId, bot.id)) continue;
      const own = bot.id === event.userId;
      dispatch(event.type, {
        botLabel: bot.tokenLabel!,
        guildId: event.guildId,
        // A bot hears about its own member without GUILD_MEMBERS.
        ...(own ? {} : { intent: GatewayIntent.GUILD_MEMBERS }),
        payload: () =>
          event.type === 'GUILD_MEMBER_REMOVE' || !member
            ? { guild_id: event.guildId, user: userJson(user) }
            : { ...memberJson(member, user, this.#epochShift), guild_id: event.guildId },
      });
    }
  }

  #toGuildBots(dispatch: DispatchFunction, event: string, guildId: string, payload: () => Record<string, unknown>) {
    const { guilds } = this.#world;
    for (const bot of guilds.bots()) {
      if (!guilds.member(guildId, bot.id)) continue;
      dispatch(event, { botLabel: bot.tokenLabel!, guildId, intent: GatewayIntent.GUILDS, payload });
    }
  }
}
