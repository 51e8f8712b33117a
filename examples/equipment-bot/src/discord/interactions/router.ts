/**
 * The bot's one interaction router. Slash commands route by name; buttons, selects and modal submissions by the
 * exact `<flow>:<action>` of their `custom_id` (`v1:<flow>:<action>:<session>[:<arg>]`, see `custom-id.ts`) — a
 * map lookup, never a chain of `startsWith`. A wizard step looks up its session first: a click on an expired (or
 * someone else's) session answers "This menu has expired, please start again" and does nothing else.
 *
 * @module
 */
import type { API } from '@discordjs/core';
import {
  InteractionType,
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  type APIMessageComponentInteraction,
  type APIModalSubmitInteraction,
} from 'discord-api-types/v10';
import type { Logger } from '../../logger.js';
import { parseCustomId, type Flow, type ParsedCustomId } from '../custom-id.js';
import { InteractionContext, DEFER_AFTER_MS } from './context.js';
import type { SessionStore, WizardSession } from './session-store.js';

/** Texts the router answers with. */
export const RouterText = {
  expired: 'This menu has expired, please start again.',
  unknown: 'This button is no longer in use. Please start again from the reservation channel.',
  guildOnly: 'This works in a server only.',
  failed: 'Something went wrong. Nothing was changed; please try again.',
} as const;

/** A component or modal interaction, with its parsed `custom_id`. */
export type ComponentOrModal = APIMessageComponentInteraction | APIModalSubmitInteraction;

/** Handles a click, a selection or a modal submission. */
export type RouteHandler = (
  ctx: InteractionContext,
  id: ParsedCustomId,
  interaction: ComponentOrModal,
) => Promise<void>;

/** Handles a wizard step: the session was found and is the user's. */
export type SessionHandler<T> = (
  ctx: InteractionContext,
  session: WizardSession<T>,
  id: ParsedCustomId,
  interaction: ComponentOrModal,
) => Promise<void>;

/** Handles a slash command. */
export type CommandHandler = (
  ctx: InteractionContext,
  interaction: APIChatInputApplicationCommandInteraction,
) => Promise<void>;

/** Options of {@link InteractionRouter}. */
export interface InteractionRouterOptions {
  readonly sessions: SessionStore;
  readonly logger: Logger;
  /** @defaultValue {@link DEFER_AFTER_MS} */
  readonly deferAfterMs?: number;
}

/**
 * Routes interactions to the flows.
 */
export class InteractionRouter {
  readonly #commands = new Map<string, CommandHandler>();
  readonly #routes = new Map<string, RouteHandler>();
  readonly #options: InteractionRouterOptions;

  /** @param options - sessions, logger, deferral delay */
  public constructor(options: InteractionRouterOptions) {
    this.#options = options;
  }

  /** The wizard sessions. */
  public get sessions(): SessionStore {
    return this.#options.sessions;
  }

  /**
   * Handles a slash command.
   *
   * @param name - the command's name
   * @param handler - what it does
   * @returns this router
   */
  public command(name: string, handler: CommandHandler): this {
    if (this.#commands.has(name)) throw new Error(`The command /${name} is routed twice.`);
    this.#commands.set(name, handler);
    return this;
  }

  /**
   * Handles a component or modal of a flow that needs no session (the buttons under the channel's messages, DM
   * buttons carrying their own argument).
   *
   * @param flow - the flow
   * @param action - the action
   * @param handler - what it does
   * @returns this router
   */
  public on(flow: Flow, action: string, handler: RouteHandler): this {
    const key = `${flow}:${action}`;
    if (this.#routes.has(key)) throw new Error(`The custom id ${key} is routed twice.`);
    this.#routes.set(key, handler);
    return this;
  }

  /**
   * Handles a wizard step: looks the session up (and extends its life) first.
   *
   * @param flow - the flow
   * @param action - the step or button
   * @param handler - what it does with the session
   * @returns this router
   */
  public step<T>(flow: Flow, action: string, handler: SessionHandler<T>): this {
    return this.on(flow, action, async (ctx, id, interaction) => {
      const session = await this.#options.sessions.get<T>(id.session, flow, ctx.userId);
      if (session === undefined) return this.#noSession(ctx, id);
      await handler(ctx, session, id, interaction);
    });
  }

  /**
   * Handles a wizard's final button: the session is taken (ended) before the handler runs, so of two identical
   * clicks only the first acts; the second finds it expired.
   *
   * @param flow - the flow
   * @param action - the final button
   * @param handler - what it does with the session
   * @returns this router
   */
  public finish<T>(flow: Flow, action: string, handler: SessionHandler<T>): this {
    return this.on(flow, action, async (ctx, id, interaction) => {
      const session = await this.#options.sessions.take<T>(id.session, flow, ctx.userId);
      if (session === undefined) return this.#noSession(ctx, id);
      await handler(ctx, session, id, interaction);
    });
  }

  /**
   * Handles one interaction (the gateway's INTERACTION_CREATE). Never throws: a failing handler is logged and the
   * user told that nothing changed.
   *
   * @param api - the client's API
   * @param interaction - the interaction
   */
  public async dispatch(api: API, interaction: APIInteraction): Promise<void> {
    const { sessions } = this.#options;
    const ctx = new InteractionContext(api, interaction, this.#options.deferAfterMs ?? DEFER_AFTER_MS, () =>
      sessions.flush(),
    );
    try {
      // Session changes made while handling are kept when it ends (the database store writes them back).
      await this.#options.sessions.scoped(() => this.#route(ctx, interaction));
    } catch (error) {
      this.#options.logger.warn(
        `interaction ${interaction.id} (${describe(interaction)}) failed: ${describeError(error)}`,
      );
      try {
        if (ctx.acknowledged) await ctx.notice({ content: RouterText.failed });
        else await ctx.show({ content: RouterText.failed });
      } catch (answerError) {
        this.#options.logger.warn(`interaction ${interaction.id}: could not say so: ${describeError(answerError)}`);
      }
    } finally {
      ctx.dispose();
    }
  }

  /** No live session: a click that raced the final one changes nothing; any other says the menu expired. */
  async #noSession(ctx: InteractionContext, id: ParsedCustomId): Promise<void> {
    if (ctx.updatesInPlace && (await this.#options.sessions.wasFinished(id.session))) return ctx.defer();
    return expired(ctx);
  }

  async #route(ctx: InteractionContext, interaction: APIInteraction): Promise<void> {
    if (interaction.type === InteractionType.ApplicationCommand) {
      const handler = this.#commands.get(interaction.data.name);
      if (handler === undefined || interaction.data.type !== 1) return ctx.show({ content: RouterText.unknown });
      return handler(ctx, interaction as APIChatInputApplicationCommandInteraction);
    }
    if (interaction.type !== InteractionType.MessageComponent && interaction.type !== InteractionType.ModalSubmit) {
      return;
    }
    const id = parseCustomId(interaction.data.custom_id);
    const handler = id === undefined ? undefined : this.#routes.get(`${id.flow}:${id.action}`);
    if (id === undefined || handler === undefined) return ctx.show({ content: RouterText.unknown });
    await handler(ctx, id, interaction);
  }
}

/**
 * Answers a click on an expired session.
 *
 * @param ctx - the interaction
 */
export async function expired(ctx: InteractionContext): Promise<void> {
  await ctx.show({ content: RouterText.expired });
}

function describe(interaction: APIInteraction): string {
  if (interaction.type === InteractionType.ApplicationCommand) return `/${interaction.data.name}`;
  if (interaction.type === InteractionType.MessageComponent || interaction.type === InteractionType.ModalSubmit) {
    return interaction.data.custom_id;
  }
  return `type ${interaction.type}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
