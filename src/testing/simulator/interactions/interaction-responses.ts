import { findPayloadViolation } from '../../../discord/payload-limits.js';
import { isRecord } from '../../../util/is-record.js';
import { DiscordErrors, formBodyError, payloadError, type ApiError } from '../discord-errors.js';
import type { GuildRegistry } from '../guild/guild-registry.js';
import { userJson } from '../guild/guild-json.js';
import type { AuthorJson, MessageStore, StoredInteraction, StoredMessage } from '../message-store.js';
import type { MultipartFile } from '../multipart.js';
import { botUser, withFiles } from '../message-fields.js';
import { errorAnswer, type Answer, type ApiCall, type MessageOrigin } from '../simulator-api.js';
import type { WorldEvent } from '../world-events.js';
import { findAutocompleteChoicesError, findComponentsError, findModalError } from './component-rules.js';

/** Interactions must be answered within 3 s (Discord's rule). */
const INTERACTION_CALLBACK_WINDOW_MS = 3_000;
const MESSAGE_FLAGS_LOADING = 1 << 7;
const MESSAGE_FLAGS_EPHEMERAL = 1 << 6;

/** The message operations interaction responses share with the channel routes. */
export interface MessageWriter {
  /** Applies an edit (validated), records it and dispatches MESSAGE_UPDATE. */
  editMessage(
    ctx: ApiCall,
    message: StoredMessage,
    body: unknown,
    files: readonly MultipartFile[],
    label: string,
  ): Answer;
  /** GET, PATCH or DELETE of a webhook's (or interaction's) message. */
  webhookMessage(
    ctx: ApiCall,
    message: StoredMessage,
    body: unknown,
    files: readonly MultipartFile[],
    label: string,
  ): Answer;
  /** Stores a new message. */
  newMessage(
    channelId: string,
    payload: Record<string, unknown>,
    files: readonly MultipartFile[],
    now: number,
    origin: MessageOrigin,
  ): StoredMessage;
  /** The message as the API returns it to this caller. */
  messageJson(message: StoredMessage, ctx: ApiCall): Record<string, unknown>;
}

/** What {@link InteractionResponses} needs. */
export interface InteractionResponsesDeps {
  readonly store: MessageStore;
  readonly guilds: GuildRegistry;
  readonly emit: (event: WorldEvent) => void;
  readonly writer: MessageWriter;
}

/**
 * Discord's interaction response rules: the callback (3 s, once, types allowed per interaction type, deferrals,
 * updates, modals, autocomplete), follow-ups (the compatibility rule after a deferral, ephemeral ones for their user
 * only) and the messages they make, authored by the bot the interaction was sent to.
 */
export class InteractionResponses {
  readonly #store: MessageStore;
  readonly #guilds: GuildRegistry;
  readonly #emit: (event: WorldEvent) => void;
  readonly #writer: MessageWriter;

  /** @param deps - the store, the registry, the event sink and the message operations */
  public constructor(deps: InteractionResponsesDeps) {
    this.#store = deps.store;
    this.#guilds = deps.guilds;
    this.#emit = deps.emit;
    this.#writer = deps.writer;
  }

  /**
   * `POST /interactions/{id}/{token}/callback`: the initial response, within 3 s, once, of a type the interaction
   * allows, with its `data` validated; settles the simulated user's action waiting for it. Files uploaded with a
   * message (4) or an update (7) become its attachments, as with any other message write; other types ignore them.
   *
   * @param ctx - the request
   * @param interaction - the interaction (authenticated by its token)
   * @param body - `{ type, data }` (`payload_json` of a multipart body)
   * @param files - the multipart body's `files[n]`
   * @returns 204, or 200 with `?with_response=true`, or Discord's error
   */
  public callback(
    ctx: ApiCall,
    interaction: StoredInteraction,
    body: unknown,
    files: readonly MultipartFile[] = [],
  ): Answer {
    if (ctx.now - interaction.createdAt > INTERACTION_CALLBACK_WINDOW_MS) {
      return errorAnswer(DiscordErrors.unknownInteraction);
    }
    if (interaction.responded) return errorAnswer(DiscordErrors.alreadyAcknowledged);
    const type = isRecord(body) ? body['type'] : undefined;
    const data = isRecord(body) && isRecord(body['data']) ? body['data'] : {};
    if (typeof type !== 'number' || !CALLBACK_TYPES.has(type)) {
      return errorAnswer(
        formBodyError('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.'),
      );
    }
    if (!callbackAllowed(type, interaction)) return errorAnswer(DiscordErrors.invalidResponseType);
    const label = `interaction:${interaction.id}`;
    const ephemeral = (Number(data['flags']) & MESSAGE_FLAGS_EPHEMERAL) !== 0;
    let message: StoredMessage | undefined;
    switch (type) {
      case 4:
      case 5: {
        // A deferred response shows a "thinking" message until @original is edited.
        const payload = type === 4 ? data : { flags: Number(data['flags']) & MESSAGE_FLAGS_EPHEMERAL };
        if (type === 4) {
          // Discord's component rules first: their errors are more precise than the generic payload limits.
          const components = findComponentsError(payload['components'] ?? [], 'data.components');
          if (components) return errorAnswer(components);
          const violation = findPayloadViolation(withFiles(payload, files), 'create');
          if (violation) return errorAnswer(prefixed(payloadError(violation), 'data'));
        }
        message = this.#message(interaction, payload, ctx.now, type === 4 ? files : [], {
          extraFlags: type === 5 ? MESSAGE_FLAGS_LOADING : 0,
          ephemeral,
        });
        interaction.originalMessageId = message.id;
        interaction.deferredPending = type === 5;
        this.#store.recordWrite('create', ctx.route, message.channelId, message.id, payload, ctx.now, label, 0);
        this.#emit({ type: 'MESSAGE_CREATE', message });
        break;
      }
      case 6:
      case 7: {
        const source =
          interaction.sourceMessageId === undefined ? undefined : this.#store.messageById(interaction.sourceMessageId);
        if (!source) return errorAnswer(DiscordErrors.invalidResponseType);
        interaction.originalMessageId = source.id;
        if (type === 7) {
          const components = findComponentsError(data['components'] ?? [], 'data.components');
          if (components) return errorAnswer(components);
          const answer = this.#writer.editMessage(ctx, source, data, files, label);
          if (answer.status !== 200) return prefixedAnswer(answer);
          message = source;
        }
        break;
      }
      case 8: {
        const invalid = findAutocompleteChoicesError(data);
        if (invalid) return errorAnswer(invalid);
        break;
      }
      case 9: {
        const invalid = findModalError(data);
        if (invalid) return errorAnswer(invalid);
        break;
      }
      default:
        break;
    }
    interaction.responded = true;
    const response = { type, data: structuredClone(data), at: ctx.now };
    interaction.response = response;
    const notify = interaction.onResponse;
    interaction.onResponse = undefined;
    notify?.(response);
    if (['true', 'True', '1'].includes(ctx.query.get('with_response') ?? '')) {
      const resource: Record<string, unknown> = { type };
      if (message && (type === 4 || type === 7)) resource['message'] = this.#writer.messageJson(message, ctx);
      const callback: Record<string, unknown> = { id: interaction.id, type: interaction.type };
      if (interaction.originalMessageId !== undefined && (type === 4 || type === 5)) {
        callback['response_message_id'] = interaction.originalMessageId;
        callback['response_message_loading'] = type === 5;
        callback['response_message_ephemeral'] = ephemeral;
      }
      return { status: 200, json: { interaction: callback, resource } };
    }
    return { status: 204 };
  }

  /**
   * `POST /webhooks/{application}/{token}`: a follow-up message (right after a deferral, it fills the "thinking"
   * message instead).
   *
   * @param ctx - the request
   * @param interaction - the interaction of the token
   * @param body - the message body
   * @param files - uploaded files
   * @returns 200 with the message, or Discord's error
   */
  public followUp(
    ctx: ApiCall,
    interaction: StoredInteraction,
    body: unknown,
    files: readonly MultipartFile[],
  ): Answer {
    if (!this.#store.hasChannel(interaction.channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    if (!interaction.responded) return errorAnswer(DiscordErrors.unknownWebhook);
    const payload = withFiles(body ?? {}, files);
    const record = payload as Record<string, unknown>;
    if (isRecord(payload)) {
      const components = findComponentsError(record['components'] ?? [], 'components');
      if (components) return errorAnswer(components);
    }
    const violation = findPayloadViolation(payload, 'create');
    if (violation) return errorAnswer(payloadError(violation));
    const original =
      interaction.originalMessageId === undefined ? undefined : this.#store.messageById(interaction.originalMessageId);
    if (interaction.deferredPending && original) {
      // Right after a deferred response, a follow-up fills the "thinking" message; its ephemeral state was fixed then.
      interaction.deferredPending = false;
      return this.#writer.webhookMessage(
        { ...ctx, method: 'PATCH' },
        original,
        body,
        files,
        `interaction:${interaction.id}`,
      );
    }
    const message = this.#message(interaction, record, ctx.now, files, {
      ephemeral: (Number(record['flags']) & MESSAGE_FLAGS_EPHEMERAL) !== 0,
    });
    const label = `interaction:${interaction.id}`;
    this.#store.recordWrite('create', ctx.route, message.channelId, message.id, body, ctx.now, label, 0);
    this.#emit({ type: 'MESSAGE_CREATE', message });
    return { status: 200, json: this.#writer.messageJson(message, ctx) };
  }

  #message(
    interaction: StoredInteraction,
    payload: Record<string, unknown>,
    now: number,
    files: readonly MultipartFile[] = [],
    options: { readonly extraFlags?: number; readonly ephemeral?: boolean } = {},
  ): StoredMessage {
    const bot = this.#guilds.user(interaction.applicationId);
    const authorJson = (bot ? userJson(bot) : botUserJson(interaction.applicationId)) as unknown as AuthorJson;
    return this.#writer.newMessage(interaction.channelId, payload, files, now, {
      author: { kind: 'interaction', interactionId: interaction.id, applicationId: interaction.applicationId },
      authorJson,
      webhookId: interaction.applicationId,
      applicationId: interaction.applicationId,
      interactionId: interaction.id,
      extraFlags: options.extraFlags ?? 0,
      // A `createInteraction` interaction has no person behind it: its ephemeral messages are nobody's but the bot's.
      visibleTo: options.ephemeral === true ? (interaction.userId ?? interaction.applicationId) : undefined,
    });
  }
}

/** A bot's user object by id, for an application the registry does not know. */
function botUserJson(id: string): AuthorJson {
  return botUser(id, 'simulator-app');
}

/** The callback types Discord accepts. */
const CALLBACK_TYPES: ReadonlySet<number> = new Set([1, 4, 5, 6, 7, 8, 9, 10, 12]);

/**
 * Whether a callback type may answer an interaction of this type (Discord's table): messages and deferrals for
 * commands, components and modal submits; updates for components (and modal submits opened from one); autocomplete
 * results for autocomplete; modals for commands and components; PONG for pings only.
 */
function callbackAllowed(type: number, interaction: StoredInteraction): boolean {
  const kind = interaction.type;
  switch (type) {
    case 1:
      return kind === 1;
    case 4:
    case 5:
      return kind === 2 || kind === 3 || kind === 5;
    case 6:
    case 7:
      return kind === 3 || (kind === 5 && interaction.sourceMessageId !== undefined);
    case 8:
      return kind === 4;
    case 9:
      return kind === 2 || kind === 3;
    default:
      return kind !== 1;
  }
}

/** An answer about the callback's `data`: a form-body error nested under `data`. */
function prefixedAnswer(answer: Answer): Answer {
  const json = answer.json as ApiError['body'] | undefined;
  if (answer.status !== 400 || json?.errors === undefined) return answer;
  return { ...answer, json: { ...json, errors: { data: json.errors } } };
}

/** Moves a form-body error under a prefix (interaction callbacks validate `data`). */
function prefixed(error: ApiError, prefix: string): ApiError {
  const errors = error.body.errors;
  if (errors === undefined) return error;
  return { status: error.status, body: { ...error.body, errors: { [prefix]: errors } } };
}
