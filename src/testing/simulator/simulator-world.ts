import { randomBytes } from 'node:crypto';
import { assertValidPayload } from '../../discord/payload-limits.js';
import { isSnowflake } from '../../discord/snowflake.js';
import { InvalidArgumentError } from '../../errors/message-update-error.js';
import type { Clock } from '../../util/clock.js';
import { GuildApi, type GuildApiDeps } from './guild/guild-api.js';
import { GuildRegistry } from './guild/guild-registry.js';
import { CommandStore } from './interactions/command-store.js';
import type { PermissionOverwrite } from './guild/permissions.js';
import { MessageStore, snapshotMessage, type StoredInteraction, type StoredWebhook } from './message-store.js';
import type { KnownToken } from './simulator-auth.js';
import { validNonce } from './message-fields.js';
import { SimulatorApi } from './simulator-api.js';
import type { SimulatorIds } from './simulator-ids.js';
import type { WorldEvent } from './world-events.js';
import type {
  ChannelInit,
  InteractionCredentials,
  InteractionInit,
  SeedMessageOptions,
  SimulatedChannel,
  SimulatedMessage,
  WebhookCredentials,
  WriteFilter,
  WriteRecord,
} from './simulator-records.js';

/** What {@link SimulatorWorld} needs from the simulator. */
export interface SimulatorWorldDeps {
  readonly clock: Clock;
  readonly ids: SimulatorIds;
  /** Finds the author of a seeded message by its token label. */
  readonly tokens: { byLabel(label: string): KnownToken | undefined };
  readonly nonceWindowMs: number;
  readonly oldMessageAgeMs: number;
  /** Called when `enforce_nonce` answers a create with an earlier message. */
  readonly onDuplicateCreate: () => void;
  /** Hears every change (for the gateway). */
  readonly onEvent: (event: WorldEvent) => void;
  /** The gateway's URL and GET /gateway/bot body, and each bot's privileged intents. */
  readonly gateway: Pick<GuildApiDeps, 'gatewayUrl' | 'gatewayBot' | 'privilegedIntents'>;
  /** `http://<host>:<port>` where attachments are served, or `undefined` while the server does not listen. */
  readonly attachmentOrigin: () => string | undefined;
}

/**
 * The simulated Discord: its guild and application, the channels, messages, webhooks and interactions in the
 * {@link MessageStore}, and the {@link SimulatorApi} that serves them. World setup here is not rate limited and not
 * logged; API requests reach the same state through the request pipeline.
 */
export class SimulatorWorld {
  /** Channels, messages, webhooks, interactions and the write log. */
  public readonly store = new MessageStore();
  /** Discord's answers for requests that passed authentication and rate limits. */
  public readonly api: SimulatorApi;
  /** Users, guilds, roles, members, overwrites and DM channels. */
  public readonly guilds: GuildRegistry;
  /** Every application's commands. */
  public readonly commands = new CommandStore();
  readonly #clock: Clock;
  readonly #ids: SimulatorIds;
  readonly #tokens: SimulatorWorldDeps['tokens'];
  /** The guild of channels made without a guild id, created with the first of them. */
  #defaultGuildId: string | undefined;
  #channelCount = 0;

  /** @param deps - clock, ids, token lookup and API settings */
  public constructor(deps: SimulatorWorldDeps) {
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#tokens = deps.tokens;
    this.guilds = new GuildRegistry(deps.clock, deps.ids, deps.onEvent);
    const guildApi = new GuildApi({
      guilds: this.guilds,
      store: this.store,
      commands: this.commands,
      nextId: () => deps.ids.next(),
      epochShift: deps.ids.epochShift,
      ...deps.gateway,
    });
    this.api = new SimulatorApi({
      guildRoutes: (ctx) => guildApi.answer(ctx),
      store: this.store,
      nextId: (now) => deps.ids.next(now),
      epochShift: deps.ids.epochShift,
      nonceWindowMs: deps.nonceWindowMs,
      oldMessageAgeMs: deps.oldMessageAgeMs,
      guilds: this.guilds,
      emit: deps.onEvent,
      onDuplicateCreate: deps.onDuplicateCreate,
      attachmentOrigin: deps.attachmentOrigin,
    });
  }

  /**
   * The application of a token: in Discord a bot's application id is its user id, and that is the id in its
   * interaction webhook URLs.
   *
   * @param tokenLabel - `token#N`
   * @returns the application (bot user) id
   * @throws {@link InvalidArgumentError} for an unknown label
   */
  public applicationIdOf(tokenLabel = 'token#1'): string {
    const entry = this.#tokens.byLabel(tokenLabel);
    if (!entry) throw new InvalidArgumentError('tokenLabel', tokenLabel, 'the label of a known token (`token#1`, ...)');
    return entry.user.id;
  }

  /**
   * Registers a token's bot user: it joins every guild, with its managed role.
   *
   * @param tokenLabel - the token's label
   */
  public addBot(tokenLabel: string): void {
    const entry = this.#tokens.byLabel(tokenLabel);
    if (entry) this.guilds.addBot(entry.label, entry.user.id, entry.user.username);
  }

  /**
   * Whether an id is a bot's application id (a webhook URL with it is an interaction webhook).
   *
   * @param id - an id from a URL
   * @returns `true` for the id of a token's bot
   */
  public isApplication(id: string): boolean {
    return this.guilds.user(id)?.tokenLabel !== undefined;
  }

  /**
   * The guild of channels created without a guild id (made on first use, owned by a simulated `guild-owner`).
   *
   * @returns its id
   */
  public defaultGuildId(): string {
    if (this.#defaultGuildId === undefined) {
      const id = this.#ids.next();
      const owner = this.guilds.addUser({ username: 'guild-owner' });
      this.guilds.createGuild({ id, name: 'Simulator Guild', ownerId: owner.id });
      this.#defaultGuildId = id;
    }
    return this.#defaultGuildId;
  }

  /**
   * Creates a channel.
   *
   * @param init - name, guild id and topic
   * @returns the channel
   * @throws {@link InvalidArgumentError} for a name outside 1 to 100 characters or a guild id that is not a snowflake
   */
  public createChannel(
    init: ChannelInit & { readonly permissionOverwrites?: readonly PermissionOverwrite[] },
  ): SimulatedChannel {
    const name = init.name ?? `channel-${this.#channelCount + 1}`;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw new InvalidArgumentError('name', name, 'a string of 1 to 100 characters');
    }
    if (init.guildId !== undefined && !isSnowflake(init.guildId)) {
      throw new InvalidArgumentError('guildId', init.guildId, 'a snowflake (17 to 20 digits)');
    }
    if (init.topic !== undefined && (typeof init.topic !== 'string' || init.topic.length > 1024)) {
      throw new InvalidArgumentError('topic', init.topic, 'a string of at most 1024 characters');
    }
    this.#channelCount++;
    let guildId = init.guildId ?? this.defaultGuildId();
    if (!this.guilds.guild(guildId)) {
      // A guild id the simulator has not seen: the guild is made for it, as `createChannel` always allowed.
      const owner = this.guilds.addUser({ username: 'guild-owner' });
      guildId = this.guilds.createGuild({ id: guildId, name: `guild-${guildId}`, ownerId: owner.id }).id;
    }
    const channel: SimulatedChannel = { id: this.#ids.next(), name, guildId, topic: init.topic };
    this.store.addChannel(channel);
    this.guilds.addGuildChannel(guildId, channel.id, init.permissionOverwrites ?? []);
    return channel;
  }

  /**
   * Puts a message straight into a channel (no write is recorded).
   *
   * @param channelId - an existing channel
   * @param body - a message body as for create
   * @param options - backdating and author
   * @returns the message
   * @throws {@link InvalidArgumentError} for an unknown channel or token label, or a creation time in the future
   * @throws {@link InvalidPayloadError} for a body Discord would refuse
   */
  public seedMessage(channelId: string, body: unknown, options: SeedMessageOptions): SimulatedMessage {
    this.#assertChannel(channelId);
    assertValidPayload(body, 'create');
    const tokenLabel = options.tokenLabel ?? 'token#1';
    const entry = this.#tokens.byLabel(tokenLabel);
    if (!entry) throw new InvalidArgumentError('tokenLabel', tokenLabel, 'the label of a known token (`token#1`, ...)');
    const now = this.#clock.now();
    const createdAt = options.createdAt ?? now;
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt) || createdAt > now) {
      throw new InvalidArgumentError('createdAt', createdAt, 'a clock time in milliseconds, not in the future');
    }
    const id = options.createdAt === undefined ? this.#ids.next(now) : this.#ids.backdated(createdAt);
    const record = body as Record<string, unknown>;
    const message = this.api.newMessage(
      channelId,
      record,
      [],
      createdAt,
      {
        author: { kind: 'bot', tokenLabel: entry.label, userId: entry.user.id },
        authorJson: entry.user,
        nonce: validNonce(record['nonce']),
      },
      id,
    );
    return snapshotMessage(message);
  }

  /**
   * Creates a webhook in a channel.
   *
   * @param channelId - an existing channel
   * @param name - its display name
   * @returns its id and token
   * @throws {@link InvalidArgumentError} for an unknown channel
   */
  public createWebhook(channelId: string, name: string | undefined): WebhookCredentials {
    this.#assertChannel(channelId);
    const webhook: StoredWebhook = {
      id: this.#ids.next(),
      token: randomBytes(51).toString('base64url'),
      channelId,
      name: name ?? 'Simulator Webhook',
    };
    this.store.addWebhook(webhook);
    return { id: webhook.id, token: webhook.token };
  }

  /**
   * Creates an interaction to respond to.
   *
   * @param channelId - an existing channel
   * @param init - the message of a component interaction
   * @returns its id, token and the application id
   * @throws {@link InvalidArgumentError} for an unknown channel or message
   */
  public createInteraction(channelId: string, init: InteractionInit): InteractionCredentials {
    this.#assertChannel(channelId);
    if (init.messageId !== undefined && !this.store.message(channelId, init.messageId)) {
      throw new InvalidArgumentError('messageId', init.messageId, 'the id of a message in that channel');
    }
    const applicationId = this.applicationIdOf(init.tokenLabel);
    const interaction = this.newInteraction({
      channelId,
      applicationId,
      type: init.messageId === undefined ? 2 : 3,
      sourceMessageId: init.messageId,
      userId: undefined,
    });
    return { id: interaction.id, token: interaction.token, applicationId };
  }

  /**
   * Stores a new interaction, ready for its callback.
   *
   * @param init - where, for which application, of which type, on which message, by whom
   * @returns the stored interaction
   */
  public newInteraction(init: {
    readonly channelId: string;
    readonly applicationId: string;
    readonly type: number;
    readonly sourceMessageId: string | undefined;
    readonly userId: string | undefined;
  }): StoredInteraction {
    const id = this.#ids.next();
    // Discord's interaction tokens are base64 of `interaction:<id>:<secret>`; clients recognise them by that prefix.
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    const interaction: StoredInteraction = {
      id,
      token,
      channelId: init.channelId,
      createdAt: this.#clock.now(),
      sourceMessageId: init.sourceMessageId,
      type: init.type,
      applicationId: init.applicationId,
      userId: init.userId,
      responded: false,
      response: undefined,
      originalMessageId: undefined,
      deferredPending: false,
      onResponse: undefined,
    };
    this.store.addInteraction(interaction);
    return interaction;
  }

  /**
   * A message's current state.
   *
   * @param channelId - its channel
   * @param messageId - its id
   * @returns a snapshot, or `undefined`
   */
  public getMessage(channelId: string, messageId: string): SimulatedMessage | undefined {
    const message = this.store.message(channelId, messageId);
    return message && snapshotMessage(message);
  }

  /**
   * A channel's messages in creation order, deleted ones excluded.
   *
   * @param channelId - the channel
   * @returns snapshots
   */
  public listMessages(channelId: string): SimulatedMessage[] {
    return this.store.messages(channelId).map(snapshotMessage);
  }

  /**
   * A channel's current state.
   *
   * @param channelId - the channel
   * @returns the channel, or `undefined`
   */
  public getChannel(channelId: string): SimulatedChannel | undefined {
    return this.store.channel(channelId);
  }

  /**
   * The writes the API applied.
   *
   * @param filter - channel and/or message
   * @returns copies of the write records
   */
  public getWrites(filter: WriteFilter): WriteRecord[] {
    return this.store.writes(filter);
  }

  /** Number of writes applied. */
  public get writeCount(): number {
    return this.store.writeCount;
  }

  /**
   * The rate-limit major of a major parameter as callers write it: a webhook's `id/token` is keyed by the id, an
   * interaction webhook's `applicationId/token` by the interaction the token belongs to.
   *
   * @param majorParameter - channel id, webhook id, or `id/token`
   * @returns the key the rate limiter uses
   */
  public majorKey(majorParameter: string): string {
    const slash = majorParameter.indexOf('/');
    if (slash < 0) return majorParameter;
    const id = majorParameter.slice(0, slash);
    if (!this.isApplication(id)) return id;
    const interaction = this.store.interactionByToken(majorParameter.slice(slash + 1));
    return interaction ? interactionMajor(id, interaction.id) : majorParameter;
  }

  #assertChannel(channelId: string): void {
    if (!this.store.hasChannel(channelId)) {
      throw new InvalidArgumentError('channelId', channelId, 'the id of a channel made with createChannel()');
    }
  }
}

/**
 * The rate-limit major of an interaction webhook: each interaction's token has its own bucket.
 *
 * @param applicationId - the application id in the URL
 * @param interactionId - the interaction the token belongs to
 * @returns the major key
 */
export function interactionMajor(applicationId: string, interactionId: string): string {
  return `${applicationId}/${interactionId}`;
}
