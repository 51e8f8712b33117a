/**
 * One interaction and how to answer it. Flows call {@link InteractionContext.show} with a screen and the context
 * picks the right callback: a new ephemeral message for a slash command or a button under the channel's messages,
 * an in-place edit (UPDATE_MESSAGE) for a click in an ephemeral wizard, so that each flow is one interface edited in
 * place. Every interaction is acknowledged within Discord's 3 seconds: when a handler has not answered after
 * `deferAfterMs`, the context defers (the matching deferred type) and the later answer edits the original response.
 *
 * @module
 */
import type { API } from '@discordjs/core';
import type { RawFile } from '@discordjs/rest';
import {
  InteractionType,
  MessageFlags,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIInteraction,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { Snowflake } from '../../domain/model.js';

/** What a flow shows: text, embeds, components, and files (a CSV export). */
export interface Screen {
  readonly content?: string;
  readonly embeds?: readonly APIEmbed[];
  readonly components?: readonly APIActionRowComponent<APIComponentInMessageActionRow>[];
  readonly files?: readonly RawFile[];
}

/** How long a handler may work before the context defers, ms (Discord allows 3 s for the first answer). */
export const DEFER_AFTER_MS = 2_000;

/** Administrator, in a member's permission bits. */
const ADMINISTRATOR = 1n << 3n;

type AckState = 'none' | 'deferred' | 'answered';

/**
 * An interaction being handled.
 */
export class InteractionContext {
  readonly #api: API;
  readonly #interaction: APIInteraction;
  #state: AckState = 'none';
  #deferring: Promise<unknown> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #beforeAnswer: () => Promise<void>;

  /**
   * @param api - the client's API
   * @param interaction - the payload of INTERACTION_CREATE
   * @param deferAfterMs - when to defer if no answer was sent yet
   * @param beforeAnswer - runs before each answer is sent (the router keeps the sessions' changes)
   */
  public constructor(
    api: API,
    interaction: APIInteraction,
    deferAfterMs = DEFER_AFTER_MS,
    beforeAnswer: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.#api = api;
    this.#interaction = interaction;
    this.#beforeAnswer = beforeAnswer;
    if (
      interaction.type !== InteractionType.Ping &&
      interaction.type !== InteractionType.ApplicationCommandAutocomplete
    ) {
      this.#timer = setTimeout(() => void this.defer(), deferAfterMs);
      this.#timer.unref?.();
    }
  }

  /** The raw interaction. */
  public get interaction(): APIInteraction {
    return this.#interaction;
  }

  /** Who acted. */
  public get userId(): Snowflake {
    return this.#interaction.member?.user.id ?? this.#interaction.user?.id ?? '';
  }

  /** The guild, or `undefined` in a DM. */
  public get guildId(): Snowflake | undefined {
    return this.#interaction.guild_id;
  }

  /** The channel the interaction came from. */
  public get channelId(): Snowflake | undefined {
    return this.#interaction.channel?.id;
  }

  /** The member's roles in the guild (none in a DM). */
  public get roleIds(): readonly Snowflake[] {
    return this.#interaction.member?.roles ?? [];
  }

  /** Whether the member has Administrator (their permissions in the channel, as Discord computed them). */
  public get isAdministrator(): boolean {
    const bits = this.#interaction.member?.permissions;
    return bits !== undefined && (BigInt(bits) & ADMINISTRATOR) === ADMINISTRATOR;
  }

  /** The bot's own permissions in the channel (`app_permissions`). */
  public get appPermissions(): bigint {
    return BigInt(this.#interaction.app_permissions ?? '0');
  }

  /** Whether the answer edits the message the interaction came from (a click in an ephemeral wizard). */
  public get updatesInPlace(): boolean {
    const interaction = this.#interaction;
    if (interaction.type !== InteractionType.MessageComponent && interaction.type !== InteractionType.ModalSubmit) {
      return false;
    }
    const message = interaction.message;
    return message !== undefined && (Number(message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  }

  /** Whether an answer (or a deferral) was sent. */
  public get acknowledged(): boolean {
    return this.#state !== 'none';
  }

  /**
   * Shows a screen: a new ephemeral message, or the wizard edited in place (see the module's description).
   *
   * @param screen - what to show
   */
  public async show(screen: Screen): Promise<void> {
    await this.#beforeAnswer();
    if (this.updatesInPlace) await this.#update(screen);
    else await this.#reply(screen);
  }

  /**
   * Answers with a new ephemeral message, whatever the interaction (a notice beside the wizard, a file).
   *
   * @param screen - what to show
   */
  public async notice(screen: Screen): Promise<void> {
    await this.#beforeAnswer();
    if (this.#state === 'none') return this.#reply(screen);
    await this.#deferring;
    await this.#api.interactions.followUp(this.#interaction.application_id, this.#interaction.token, {
      ...body(screen),
      flags: MessageFlags.Ephemeral,
    });
  }

  /**
   * Opens a modal. Must be the first answer (Discord allows no modal after a deferral): open modals before slow work.
   *
   * @param modal - the modal
   * @throws Error when the interaction was already answered or deferred
   */
  public async showModal(modal: APIModalInteractionResponseCallbackData): Promise<void> {
    if (this.#state !== 'none') throw new Error('A modal must be the first answer to an interaction.');
    this.#begin('answered');
    await this.#beforeAnswer();
    await this.#api.interactions.createModal(this.#interaction.id, this.#interaction.token, modal);
  }

  /**
   * Defers now (what happens by itself after `deferAfterMs`): "thinking…" for a new reply, a deferred update for an
   * in-place one. Does nothing once answered.
   */
  public async defer(): Promise<void> {
    if (this.#state !== 'none') return;
    this.#begin('deferred');
    const { id, token } = this.#interaction;
    this.#deferring = this.updatesInPlace
      ? this.#api.interactions.deferMessageUpdate(id, token)
      : this.#api.interactions.defer(id, token, { flags: MessageFlags.Ephemeral });
    await this.#deferring;
  }

  /** Stops the deferral timer (the router calls it when the handler is done). */
  public dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  async #reply(screen: Screen): Promise<void> {
    if (this.#state === 'none') {
      this.#begin('answered');
      await this.#api.interactions.reply(this.#interaction.id, this.#interaction.token, {
        ...body(screen),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    await this.#editOriginal(screen);
  }

  async #update(screen: Screen): Promise<void> {
    if (this.#state === 'none') {
      this.#begin('answered');
      await this.#api.interactions.updateMessage(this.#interaction.id, this.#interaction.token, body(screen));
      return;
    }
    await this.#editOriginal(screen);
  }

  async #editOriginal(screen: Screen): Promise<void> {
    await this.#deferring;
    await this.#api.interactions.editReply(this.#interaction.application_id, this.#interaction.token, body(screen));
  }

  #begin(state: AckState): void {
    this.#state = state;
    this.dispose();
  }
}

/** A screen as a message body: components and embeds cleared when the screen has none (an edit keeps old ones). */
function body(screen: Screen) {
  return {
    content: screen.content ?? '',
    embeds: [...(screen.embeds ?? [])],
    components: [...(screen.components ?? [])],
    allowed_mentions: { parse: [] },
    ...(screen.files === undefined ? {} : { files: [...screen.files] }),
  };
}
