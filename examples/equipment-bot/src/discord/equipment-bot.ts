import { GatewayDispatchEvents, GatewayIntentBits, type API, type Client } from '@discordjs/core';
import { UpdatePriority, type MessageUpdateManager, type MetricsCollector } from 'discord-update-manager';
import {
  ChannelDisplay,
  type ChannelMessage,
  type DisplayChannel,
  type DisplaySource,
  type RenderReason,
} from '../display/channel-display.js';
import type { EpochMs, Snowflake } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { SLASH_COMMANDS } from './commands.js';
import type { InteractionRouter } from './interactions/router.js';

/**
 * The intents the bot identifies with: guilds (channels, roles) and guild messages — to delete what people write in
 * the reservation channel it needs MESSAGE_CREATE, not the privileged MESSAGE_CONTENT — and direct messages.
 */
export const BOT_INTENTS =
  GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages;

/** What the bot needs to know of each guild's setup. */
export interface GuildDirectory extends DisplaySource {
  /** The reservation channel of a guild, once set up. */
  reservationChannelOf(guildId: Snowflake): Promise<Snowflake | null>;
  /** Every guild with a reservation channel. */
  displays(): Promise<readonly { readonly guildId: Snowflake; readonly channelId: Snowflake }[]>;
}

/** The parts the bot is made of (built by `main.ts`, or by a test around the DiscordSimulator). */
export interface EquipmentBotOptions {
  /** The `@discordjs/core` client (REST + gateway). */
  readonly client: Client;
  /** The started manager every reservation-channel message goes through. */
  readonly manager: MessageUpdateManager<MetricsCollector>;
  readonly directory: GuildDirectory;
  readonly applicationId: Snowflake;
  readonly now: () => EpochMs;
  readonly logger: Logger;
  /** Where interactions (slash commands, clicks, modals) go. */
  readonly router?: InteractionRouter;
}

/**
 * The equipment-lending bot: keeps each guild's reservation channel (through `MessageUpdateManager`), deletes what
 * people write there, reconciles the channel at start-up and after a message was deleted by hand.
 */
export class EquipmentBot {
  readonly #options: EquipmentBotOptions;
  readonly #display: ChannelDisplay;
  readonly #api: API;
  /** Guilds whose display is being rebuilt after a managed message vanished (one rebuild at a time). */
  readonly #rebuilding = new Map<Snowflake, Promise<void>>();

  /** @param options - the client, the manager, the guild directory, the clock and the logger */
  public constructor(options: EquipmentBotOptions) {
    this.#options = options;
    this.#api = options.client.api;
    this.#display = new ChannelDisplay(options.manager, options.directory, this.#channelAccess(), options.now);
    options.client.on(GatewayDispatchEvents.MessageCreate, ({ data }) => {
      void this.#onMessage(data.channel_id, data.id, data.author.bot === true, data.guild_id);
    });
    const router = options.router;
    if (router !== undefined) {
      options.client.on(GatewayDispatchEvents.InteractionCreate, ({ data, api }) => void router.dispatch(api, data));
    }
    options.manager.on('messageRecreated', ({ key }) => {
      const guildId = /^display:(\d+):/.exec(key)?.[1];
      if (guildId !== undefined) this.#rebuild(guildId);
    });
  }

  /** The channel display (tests and flows re-render through it). */
  public get display(): ChannelDisplay {
    return this.#display;
  }

  /**
   * Registers the slash commands (idempotent: `PUT` replaces the list) and reconciles every guild's channel.
   *
   * @returns once every channel is up to date
   */
  public async start(): Promise<void> {
    await this.#api.applicationCommands.bulkOverwriteGlobalCommands(this.#options.applicationId, SLASH_COMMANDS);
    for (const { guildId, channelId } of await this.#options.directory.displays()) {
      try {
        const rebuilt = await this.#display.reconcile(guildId, channelId);
        this.#options.logger.info(`guild ${guildId}: channel ${channelId} ${rebuilt ? 'rebuilt' : 'up to date'}`);
      } catch (error) {
        // One guild's channel (deleted, or the bot lost access) must not keep the others from working.
        this.#options.logger.warn(`guild ${guildId}: could not reconcile channel ${channelId}: ${String(error)}`);
      }
    }
  }

  /**
   * Re-renders a guild's channel.
   *
   * @param guildId - the guild
   * @param reason - what changed (decides the priorities)
   * @returns once every update was handed to the manager (not sent)
   */
  public async refresh(guildId: Snowflake, reason: RenderReason): Promise<void> {
    const channelId = await this.#options.directory.reservationChannelOf(guildId);
    if (channelId !== null) await this.#display.render(guildId, channelId, reason);
  }

  async #onMessage(channelId: Snowflake, messageId: Snowflake, fromBot: boolean, guildId: string | undefined) {
    if (fromBot || guildId === undefined) return;
    try {
      if ((await this.#options.directory.reservationChannelOf(guildId)) !== channelId) return;
      // The reservation channel shows the bot's messages only (scenario 6).
      await this.#options.manager.delete(channelId, messageId, { priority: UpdatePriority.Normal });
    } catch (error) {
      this.#options.logger.warn(`could not delete message ${messageId} in ${channelId}: ${String(error)}`);
    }
  }

  /** A managed message was deleted by hand at run time: rebuild the channel in order (scenario 11). */
  #rebuild(guildId: Snowflake): void {
    if (this.#rebuilding.has(guildId)) return;
    const run = (async () => {
      const channelId = await this.#options.directory.reservationChannelOf(guildId);
      if (channelId !== null) await this.#display.reconcile(guildId, channelId);
    })()
      .catch((error: unknown) => this.#options.logger.warn(`rebuild of guild ${guildId} failed: ${String(error)}`))
      .finally(() => this.#rebuilding.delete(guildId));
    this.#rebuilding.set(guildId, run);
  }

  #channelAccess(): DisplayChannel {
    const api = this.#api;
    return {
      botUserId: this.#options.applicationId,
      listMessages: async (channelId) => {
        const all: ChannelMessage[] = [];
        let before: string | undefined;
        for (;;) {
          const page = await api.channels.getMessages(channelId, { limit: 100, ...(before ? { before } : {}) });
          all.push(
            ...page.map((message) => ({
              id: message.id,
              authorId: message.author.id,
              embedCount: message.embeds.length,
            })),
          );
          if (page.length < 100) break;
          before = page.at(-1)!.id;
        }
        // Discord answers newest first; the display's order is oldest first.
        return all.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      },
      deleteMessage: async (channelId, messageId) => {
        await this.#options.manager.delete(channelId, messageId);
      },
    };
  }
}
