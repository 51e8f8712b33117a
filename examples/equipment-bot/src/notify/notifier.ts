import type { API } from '@discordjs/core';
import { DiscordAPIError } from '@discordjs/rest';
import type { Snowflake } from '../domain/model.js';

/** Discord's "Cannot send messages to this user" (DMs closed, the bot blocked, no shared server). */
const CANNOT_MESSAGE_USER = 50007;

/** How a notification went. */
export type DeliveryResult = 'dm' | 'closed';

/**
 * Direct messages to members. A DM is not a live message, so it goes straight through REST, not the manager.
 * When a member's DMs are closed, `dm` answers `closed` and the caller decides what to do (post a fallback in the
 * channel, try again later).
 */
export class Notifier {
  readonly #api: API;
  /** DM channel ids by user (Discord returns the same channel each time; this saves the call). */
  readonly #channels = new Map<Snowflake, Snowflake>();

  /** @param api - the client's API */
  public constructor(api: API) {
    this.#api = api;
  }

  /**
   * Sends a DM.
   *
   * @param userId - the member
   * @param content - the text
   * @returns `dm` when delivered, `closed` when Discord refuses with 50007
   * @throws other Discord errors (the job retries them)
   */
  public async dm(userId: Snowflake, content: string): Promise<DeliveryResult> {
    try {
      let channelId = this.#channels.get(userId);
      if (channelId === undefined) {
        channelId = (await this.#api.users.createDM(userId)).id;
        this.#channels.set(userId, channelId);
      }
      await this.#api.channels.createMessage(channelId, { content, allowed_mentions: { parse: [] } });
      return 'dm';
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === CANNOT_MESSAGE_USER) return 'closed';
      throw error;
    }
  }

  /**
   * Posts a message in a channel that mentions a member (the fallback when their DMs are closed).
   *
   * @param channelId - the channel
   * @param userId - the member to mention
   * @param content - the text (after the mention)
   * @returns the message's id
   */
  public async mention(channelId: Snowflake, userId: Snowflake, content: string): Promise<Snowflake> {
    const message = await this.#api.channels.createMessage(channelId, {
      content: `<@${userId}> ${content}`,
      allowed_mentions: { users: [userId] },
    });
    return message.id;
  }
}
