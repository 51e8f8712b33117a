/**
 * Direct messages to members (reminders, transfer requests with their Approve / Deny buttons) and the channel
 * fallback when a member's DMs are closed.
 *
 * @module
 */
import type { API } from '@discordjs/core';
import { DiscordAPIError } from '@discordjs/rest';
import type { APIActionRowComponent, APIComponentInMessageActionRow } from 'discord-api-types/v10';
import type { Snowflake } from '../domain/model.js';

/** Discord's "Cannot send messages to this user" (DMs closed, the bot blocked, no shared server). */
const CANNOT_MESSAGE_USER = 50007;

/** How a notification went. */
export type DeliveryResult = 'dm' | 'closed';

/** A direct message: text, and buttons to answer it (a transfer request's Approve / Deny). */
export interface DirectMessage {
  readonly content: string;
  /** Action rows; none when left out (an edit with `[]` removes the buttons). */
  readonly components?: readonly APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** How a {@link Notifier.send} went: where the DM is (to edit it later), or `closed`. */
export type DmReceipt =
  | { readonly status: 'dm'; readonly channelId: Snowflake; readonly messageId: Snowflake }
  | { readonly status: 'closed' };

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
    return (await this.send(userId, { content })).status;
  }

  /**
   * Sends a DM with components (buttons), through the bot's DM channel with the member.
   *
   * @param userId - the member
   * @param message - the text and the components
   * @returns where the DM is, or `closed` when Discord refuses with 50007 (DMs closed, the bot blocked)
   * @throws other Discord errors
   */
  public async send(userId: Snowflake, message: DirectMessage): Promise<DmReceipt> {
    try {
      let channelId = this.#channels.get(userId);
      if (channelId === undefined) {
        channelId = (await this.#api.users.createDM(userId)).id;
        this.#channels.set(userId, channelId);
      }
      const sent = await this.#api.channels.createMessage(channelId, {
        content: message.content,
        ...(message.components === undefined ? {} : { components: [...message.components] }),
        allowed_mentions: { parse: [] },
      });
      return { status: 'dm', channelId, messageId: sent.id };
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === CANNOT_MESSAGE_USER) return { status: 'closed' };
      throw error;
    }
  }

  /**
   * Edits a DM the bot sent (a transfer request once answered: its buttons removed).
   *
   * @param channelId - the DM channel
   * @param messageId - the message
   * @param message - the new text and components (`[]` removes them)
   * @throws Discord's errors (a deleted message: 404)
   */
  public async editDm(channelId: Snowflake, messageId: Snowflake, message: DirectMessage): Promise<void> {
    await this.#api.channels.editMessage(channelId, messageId, {
      content: message.content,
      components: [...(message.components ?? [])],
      allowed_mentions: { parse: [] },
    });
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
