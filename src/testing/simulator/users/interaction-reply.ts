/**
 * The bot's answer to a simulated user's interaction ({@link InteractionReply}): what the user now sees, and the
 * next clicks from it.
 *
 * @module
 */
import {
  listInteractiveComponents,
  type InteractiveComponent,
  type ModalValues,
} from '../interactions/component-rules.js';
import { snapshotMessage, type StoredInteraction, type StoredMessage } from '../message-store.js';
import type { SimulatedMessage } from '../simulator-records.js';
import type { SimulatedUser, UserDriverDeps } from './simulated-user.js';
import { SimulatedUserError } from './simulated-user-error.js';

const MESSAGE_FLAGS_EPHEMERAL = 1 << 6;
const MESSAGE_FLAGS_LOADING = 1 << 7;

/**
 * The bot's answer to an interaction, and what the user now sees: the response message (live: read it again after
 * the bot edits it), its components to click, the modal it opened.
 */
export class InteractionReply {
  readonly #user: SimulatedUser;
  readonly #deps: UserDriverDeps;
  readonly #interaction: StoredInteraction;

  /**
   * @internal Made by the simulator when the bot answers.
   * @param user - who interacted
   * @param deps - the simulator's parts
   * @param interaction - the answered interaction
   */
  public constructor(user: SimulatedUser, deps: UserDriverDeps, interaction: StoredInteraction) {
    this.#user = user;
    this.#deps = deps;
    this.#interaction = interaction;
  }

  /** The interaction's id. */
  public get interactionId(): string {
    return this.#interaction.id;
  }

  /** The bot's callback type: 4 message, 5 deferred message, 6 deferred update, 7 update, 8 choices, 9 modal. */
  public get type(): number {
    return this.#interaction.response!.type;
  }

  /** The channel the interaction happened in. */
  public get channelId(): string {
    return this.#interaction.channelId;
  }

  /** The application (bot) that answered. */
  public get applicationId(): string {
    return this.#interaction.applicationId;
  }

  /** The bot deferred (types 5 and 6): the real answer comes with a later edit. */
  public get deferred(): boolean {
    return this.type === 5 || this.type === 6;
  }

  /** The message the answer is, or updated: the response (types 4, 5), or the component's message (6, 7). */
  public get message(): SimulatedMessage | undefined {
    const id = this.#interaction.originalMessageId;
    if (id === undefined) return undefined;
    const message = this.#deps.world.store.message(this.#interaction.channelId, id);
    return message && snapshotMessage(message);
  }

  /** Only the user sees the answer. */
  public get ephemeral(): boolean {
    return ((this.message?.flags ?? 0) & MESSAGE_FLAGS_EPHEMERAL) !== 0;
  }

  /** The answer's text (`''` while deferred). */
  public get content(): string {
    return this.message?.content ?? '';
  }

  /** The answer's embeds. */
  public get embeds(): readonly unknown[] {
    return this.message?.embeds ?? [];
  }

  /** The answer's buttons and selects, as the user sees them. */
  public get components(): InteractiveComponent[] {
    return listInteractiveComponents(this.message?.components ?? []);
  }

  /** The modal the bot opened (callback type 9), or `undefined`. */
  public get modal():
    { readonly customId: string; readonly title: string; readonly raw: Readonly<Record<string, unknown>> } | undefined {
    const response = this.#interaction.response;
    if (response?.type !== 9) return undefined;
    return { customId: String(response.data['custom_id']), title: String(response.data['title']), raw: response.data };
  }

  /** Autocomplete choices (callback type 8). */
  public get choices(): readonly unknown[] {
    const response = this.#interaction.response;
    return response?.type === 8 && Array.isArray(response.data['choices']) ? response.data['choices'] : [];
  }

  /** Follow-up messages the bot sent for this interaction, oldest first. */
  public get followUps(): SimulatedMessage[] {
    const { store } = this.#deps.world;
    return store
      .messages(this.#interaction.channelId)
      .filter((m) => m.interactionId === this.#interaction.id && m.id !== this.#interaction.originalMessageId)
      .filter((m) => m.visibleTo === undefined || m.visibleTo === this.#interaction.userId)
      .map(snapshotMessage);
  }

  /** @internal The message the component or modal was on. */
  public get sourceMessage(): StoredMessage | undefined {
    const id = this.#interaction.sourceMessageId;
    return id === undefined ? undefined : this.#deps.world.store.messageById(id);
  }

  /**
   * Waits until the answer's message satisfies a condition — by default, until a deferred answer is no longer
   * "thinking" (the bot edited it) — checked at each change in the world.
   *
   * @param predicate - the condition
   * @param timeoutMs - how long to wait, on the simulator's clock (default 15 min, the life of an interaction token)
   * @returns the message
   * @throws {@link SimulatedUserError} `NOT_ANSWERED` when the time passes first
   */
  public waitForMessage(
    predicate: (message: SimulatedMessage) => boolean = (m) => (m.flags & MESSAGE_FLAGS_LOADING) === 0,
    timeoutMs = 15 * 60_000,
  ): Promise<SimulatedMessage> {
    const check = (): SimulatedMessage | undefined => {
      const message = this.message;
      return message && predicate(message) ? message : undefined;
    };
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const { clock, subscribe } = this.#deps;
      const unsubscribe = subscribe(() => {
        const found = check();
        if (!found) return;
        clock.clearTimeout(timer);
        unsubscribe();
        resolve(found);
      });
      const timer = clock.setTimeout(() => {
        unsubscribe();
        reject(
          new SimulatedUserError(
            'NOT_ANSWERED',
            `The bot's answer to interaction ${this.interactionId} did not change as expected within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
    });
  }

  /** Clicks a button on the answer's message (see {@link SimulatedUser.clickButton}). */
  public clickButton(button: string): Promise<InteractionReply> {
    return this.#user.clickButton(this, button);
  }

  /** Picks values in a select on the answer's message (see {@link SimulatedUser.selectOptions}). */
  public selectOptions(
    select: string,
    values: readonly (string | { readonly id: string })[],
  ): Promise<InteractionReply> {
    return this.#user.selectOptions(this, select, values);
  }

  /** Submits the modal this answer opened (see {@link SimulatedUser.submitModal}). */
  public submitModal(values: ModalValues): Promise<InteractionReply> {
    return this.#user.submitModal(this, values);
  }
}
