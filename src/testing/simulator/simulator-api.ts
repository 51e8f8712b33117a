import { findPayloadViolation } from '../../discord/payload-limits.js';
import { attachmentUrls } from './attachment-cdn.js';
import { DiscordErrors, formBodyError, payloadError, snowflakeError, type ApiError } from './discord-errors.js';
import type { GuildRegistry } from './guild/guild-registry.js';
import { channelJson as channelObjectJson } from './guild/guild-json.js';
import { missingPermissionError, Permissions } from './guild/permissions.js';
import { findComponentsError } from './interactions/component-rules.js';
import { InteractionResponses, type MessageWriter } from './interactions/interaction-responses.js';
import type { WorldEvent } from './world-events.js';
import {
  messageJson,
  type AuthorJson,
  type MessageStore,
  type StoredAttachmentFile,
  type StoredInteraction,
  type StoredMessage,
  type StoredWebhook,
} from './message-store.js';
import { botUser, editFields, requiredPermissions, validNonce, withFiles } from './message-fields.js';
import type { MultipartFile } from './multipart.js';
import type { SimulatedChannel } from './simulator-records.js';
import type { RouteParams, SimulatorRouteKey } from './simulator-routes.js';
import { isSnowflake, snowflakeToTimestamp } from '../../discord/snowflake.js';
import { isRecord } from '../../util/is-record.js';

/** A handler's answer before rate-limit headers are added. */
export interface Answer {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The answer for one of Discord's errors.
 *
 * @param error - status and Discord's error body
 * @returns the answer
 */
export function errorAnswer(error: ApiError): Answer {
  return { status: error.status, json: error.body };
}

/** A request that passed authentication and rate limits, resolved to a route. */
export interface ApiCall {
  /** Arrival time, simulator clock milliseconds. */
  readonly now: number;
  readonly method: string;
  readonly query: URLSearchParams;
  readonly route: SimulatorRouteKey;
  readonly params: RouteParams;
  /** The caller: its label (for records and authorship) and, for bot tokens, its bot user. */
  readonly client: { readonly label: string; readonly user: AuthorJson | undefined };
  /** Parsed JSON body (`payload_json` for multipart), or `undefined`. */
  readonly json: unknown;
  readonly files: readonly MultipartFile[];
  /** The webhook of a webhook route (already authenticated). */
  readonly webhook: StoredWebhook | undefined;
  /** The interaction of an interaction route (already authenticated). */
  readonly interaction: StoredInteraction | undefined;
}

/** What {@link SimulatorApi} needs from the simulator. */
export interface SimulatorApiDeps {
  readonly store: MessageStore;
  /** A new snowflake for an object made at `now` (default: the clock's now). */
  readonly nextId: (now?: number) => string;
  /** Added to clock time in ids and timestamps (see the simulator's clock handling). */
  readonly epochShift: number;
  readonly nonceWindowMs: number;
  readonly oldMessageAgeMs: number;
  /** Users, guilds, members, overwrites and DM channels: who may do what where. */
  readonly guilds: GuildRegistry;
  /** Hears every change the API makes, for the gateway. */
  readonly emit: (event: WorldEvent) => void;
  /** Answers the guild model's routes (users, guilds, DMs, commands, gateway discovery). */
  readonly guildRoutes: (ctx: ApiCall) => Answer;
  /** Called when `enforce_nonce` returns an earlier message. */
  readonly onDuplicateCreate: () => void;
  /**
   * `http://<host>:<port>` of the simulator's server, where attachments are served, or `undefined` while it does not
   * listen (attachment URLs then name Discord's CDN).
   */
  readonly attachmentOrigin: () => string | undefined;
}

/** Where a new message comes from. */
export interface MessageOrigin {
  readonly author: StoredMessage['author'];
  readonly authorJson: AuthorJson;
  readonly nonce?: string | number | undefined;
  readonly webhookId?: string;
  readonly applicationId?: string;
  readonly interactionId?: string;
  /** Flags set by the simulator itself (the "thinking" flag of a deferred response). */
  readonly extraFlags?: number;
  /** An ephemeral message's only reader. */
  readonly visibleTo?: string | undefined;
  /** The message a reply answers. */
  readonly referencedMessageId?: string | undefined;
}

const MESSAGE_FLAGS_LOADING = 1 << 7;
/** Flags a client may set on a new message: suppress embeds, ephemeral, suppress notifications, components v2. */
const CREATE_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 15);

/**
 * Discord's resource semantics for the simulated routes: channels, messages, reactions, webhooks and
 * interactions. Rate limits, authentication and faults are the request pipeline's job; this class only
 * answers requests that got through, and records the writes they make.
 */
export class SimulatorApi implements MessageWriter {
  readonly #deps: SimulatorApiDeps;
  readonly #store: MessageStore;
  readonly #interactions: InteractionResponses;

  /** @param deps - the store and simulator settings */
  public constructor(deps: SimulatorApiDeps) {
    this.#deps = deps;
    this.#store = deps.store;
    this.#interactions = new InteractionResponses({
      store: deps.store,
      guilds: deps.guilds,
      emit: deps.emit,
      writer: this,
    });
  }

  /**
   * Does what a request asks, once it has passed authentication and rate limits.
   *
   * @param ctx - the request, resolved to a route
   * @returns the answer, without rate-limit headers
   */
  public answer(ctx: ApiCall): Answer {
    const { params, webhook, interaction, json, files } = ctx;
    const refused = this.#refusal(ctx);
    if (refused) return errorAnswer(refused);
    switch (ctx.route) {
      case 'GET /channels/:channel_id':
        return this.#getChannel(params.channelId!);
      case 'PATCH /channels/:channel_id':
        return this.#editChannel(ctx, params.channelId!, json);
      case 'GET /channels/:channel_id/messages':
        return this.#listMessagesApi(ctx, params.channelId!);
      case 'POST /channels/:channel_id/messages':
        return this.#createChannelMessage(ctx, params.channelId!, json, files);
      case 'POST /channels/:channel_id/messages/bulk-delete':
        return this.#bulkDelete(ctx, params.channelId!, json);
      case 'GET /channels/:channel_id/messages/:message_id': {
        const found = this.#findMessage(params.channelId!, params.messageId!);
        return 'status' in found ? errorAnswer(found) : { status: 200, json: this.messageJson(found, ctx) };
      }
      case 'PATCH /channels/:channel_id/messages/:message_id':
        return this.#editChannelMessage(ctx, params.channelId!, params.messageId!, json, files);
      case 'DELETE /channels/:channel_id/messages/:message_id':
      case 'DELETE /channels/:channel_id/messages/:message_id (old)': {
        const found = this.#findMessage(params.channelId!, params.messageId!);
        if ('status' in found) return errorAnswer(found);
        const own = found.author.kind === 'bot' && found.author.tokenLabel === ctx.client.label;
        const have = this.#deps.guilds.permissionsIn(found.channelId, ctx.client.user!.id);
        if (!own && this.#deps.guilds.channel(found.channelId)?.type === 0) {
          const refused = missingPermissionError(have, Permissions.VIEW_CHANNEL | Permissions.MANAGE_MESSAGES);
          if (refused) return errorAnswer(refused);
        }
        return this.#deleteMessage(ctx, found, ctx.client.label);
      }
      case 'PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me':
      case 'DELETE /channels/:channel_id/messages/:message_id/reactions/:emoji/@me':
        return this.#react(ctx, params, ctx.method === 'PUT');
      case 'POST /webhooks/:webhook_id/:webhook_token':
        return this.#executeWebhook(ctx, webhook!, json, files);
      case 'GET /webhooks/:webhook_id/:webhook_token/messages/:message_id':
      case 'PATCH /webhooks/:webhook_id/:webhook_token/messages/:message_id':
      case 'DELETE /webhooks/:webhook_id/:webhook_token/messages/:message_id': {
        const message = this.#store.messageById(params.messageId!);
        if (!message || message.webhookId !== webhook!.id || message.interactionId !== undefined) {
          return errorAnswer(DiscordErrors.unknownMessage);
        }
        return this.webhookMessage(ctx, message, json, files, `webhook:${webhook!.id}`);
      }
      case 'POST /interactions/:interaction_id/:interaction_token/callback':
        return this.#interactions.callback(ctx, interaction!, json, files);
      case 'POST /webhooks/:application_id/:interaction_token':
        return this.#interactions.followUp(ctx, interaction!, json, files);
      default:
        return this.#deps.guildRoutes(ctx);
      case 'GET /webhooks/:application_id/:interaction_token/messages/:message_id':
      case 'PATCH /webhooks/:application_id/:interaction_token/messages/:message_id':
      case 'DELETE /webhooks/:application_id/:interaction_token/messages/:message_id': {
        const id = params.messageId === '@original' ? interaction!.originalMessageId : params.messageId;
        const message = id === undefined ? undefined : this.#store.messageById(id);
        if (!message || message.interactionId !== interaction!.id) {
          // @original of a deferred update is the component's message, which the interaction did not write.
          if (!message || message.id !== interaction!.originalMessageId)
            return errorAnswer(DiscordErrors.unknownMessage);
        }
        if (ctx.method !== 'GET' && message.id === interaction!.originalMessageId) interaction!.deferredPending = false;
        return this.webhookMessage(ctx, message, json, files, `interaction:${interaction!.id}`);
      }
    }
  }

  /**
   * Discord's permission checks for a bot's request on a channel: 50001 Missing Access when the bot cannot see the
   * channel (or reacts without reading its history), 50013 Missing Permissions when it lacks the action's bit, 50007
   * when the person at the other end of a DM does not accept it. Unknown channels are left to the handlers (10003).
   */
  #refusal(ctx: ApiCall): ApiError | undefined {
    const user = ctx.client.user;
    const channelId = ctx.params.channelId;
    if (user === undefined || channelId === undefined || !this.#store.hasChannel(channelId)) return undefined;
    const guilds = this.#deps.guilds;
    const access = guilds.channel(channelId);
    if (access === undefined) return undefined;
    const have = guilds.permissionsIn(channelId, user.id);
    if (access.type === 1) {
      if (have === 0n) return DiscordErrors.missingAccess;
      if (ctx.route === 'POST /channels/:channel_id/messages/bulk-delete') return DiscordErrors.dmChannelAction;
      if (ctx.route === 'POST /channels/:channel_id/messages') {
        const recipient = guilds.user(access.dm!.userId);
        const sharesGuild =
          recipient !== undefined && guilds.guildsOf(recipient.id).some((g) => g.members.has(user.id));
        if (!recipient || recipient.bot || !recipient.dmsOpen || !sharesGuild) return DiscordErrors.cannotMessageUser;
      }
    }
    const reacting = ctx.route.includes('/reactions/');
    if (reacting && (have & Permissions.VIEW_CHANNEL) !== 0n && (have & Permissions.READ_MESSAGE_HISTORY) === 0n) {
      return DiscordErrors.missingAccess;
    }
    return missingPermissionError(have, requiredPermissions(ctx.route, ctx.json, ctx.method, ctx.files.length));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Route handlers

  #getChannel(channelId: string): Answer {
    const channel = this.#store.channel(channelId);
    return channel ? { status: 200, json: this.#channelJson(channel) } : errorAnswer(DiscordErrors.unknownChannel);
  }

  #editChannel(ctx: ApiCall, channelId: string, body: unknown): Answer {
    if (!this.#store.hasChannel(channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    if (!isRecord(body)) {
      return errorAnswer(formBodyError('', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType'));
    }
    const changes: { name?: string; topic?: string | null } = {};
    if ('name' in body) {
      const name = body['name'];
      if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
        return errorAnswer(formBodyError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
      }
      changes.name = name;
    }
    if ('topic' in body) {
      const topic = body['topic'];
      if (topic !== null && (typeof topic !== 'string' || topic.length > 1024)) {
        return errorAnswer(formBodyError('topic', 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.'));
      }
      changes.topic = topic;
    }
    this.#store.editChannel(channelId, changes);
    this.#store.recordWrite('channelEdit', ctx.route, channelId, undefined, body, ctx.now, ctx.client.label, 0);
    this.#deps.guilds.channelChanged(channelId);
    return { status: 200, json: this.#channelJson(this.#store.channel(channelId)!) };
  }

  #listMessagesApi(ctx: ApiCall, channelId: string): Answer {
    if (!this.#store.hasChannel(channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    const rawLimit = ctx.query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return errorAnswer(formBodyError('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 100.'));
    }
    for (const name of ['before', 'after', 'around'] as const) {
      const value = ctx.query.get(name);
      if (value !== null && !isSnowflake(value)) return errorAnswer(snowflakeError(name, value));
    }
    const before = ctx.query.get('before');
    const after = ctx.query.get('after');
    const around = ctx.query.get('around');
    // Without READ_MESSAGE_HISTORY Discord answers an empty list, not an error.
    const user = ctx.client.user;
    if (user && (this.#deps.guilds.permissionsIn(channelId, user.id) & Permissions.READ_MESSAGE_HISTORY) === 0n) {
      return { status: 200, json: [] };
    }
    // Newest first, as Discord answers; `after` takes the oldest ones after the id. Ephemeral messages belong to one
    // person's view, not to the channel's history.
    const all = this.#store
      .messages(channelId)
      .filter((message) => message.visibleTo === undefined)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0));
    let selected: StoredMessage[];
    if (around !== null) {
      const pivot = BigInt(around);
      const newer = all.filter((m) => BigInt(m.id) > pivot).slice(-Math.floor(limit / 2));
      const rest = all.filter((m) => BigInt(m.id) <= pivot).slice(0, limit - newer.length);
      selected = [...newer, ...rest];
    } else if (after !== null) {
      const pivot = BigInt(after);
      selected = all.filter((m) => BigInt(m.id) > pivot).slice(-limit);
    } else if (before !== null) {
      const pivot = BigInt(before);
      selected = all.filter((m) => BigInt(m.id) < pivot).slice(0, limit);
    } else {
      selected = all.slice(0, limit);
    }
    return { status: 200, json: selected.map((message) => this.messageJson(message, ctx)) };
  }

  #createChannelMessage(ctx: ApiCall, channelId: string, body: unknown, files: readonly MultipartFile[]): Answer {
    if (!this.#store.hasChannel(channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    const payload = withFiles(body ?? {}, files);
    const record = payload as Record<string, unknown>;
    if (isRecord(payload)) {
      const components = findComponentsError(record['components'] ?? [], 'components', Number(record['flags'] ?? 0));
      if (components) return errorAnswer(components);
    }
    const violation = findPayloadViolation(payload, 'create');
    if (violation) return errorAnswer(payloadError(violation));
    const nonce = validNonce(record['nonce']);
    if (nonce !== undefined && record['enforce_nonce'] === true) {
      const earlier = this.#store.findNonce(ctx.client.label, nonce, ctx.now - this.#deps.nonceWindowMs);
      if (earlier) {
        this.#deps.onDuplicateCreate();
        return { status: 200, json: this.messageJson(earlier, ctx) };
      }
    }
    const reference = isRecord(record['message_reference']) ? record['message_reference'] : undefined;
    const referencedMessageId = typeof reference?.['message_id'] === 'string' ? reference['message_id'] : undefined;
    if (referencedMessageId !== undefined && !this.#store.message(channelId, referencedMessageId)) {
      return errorAnswer(formBodyError('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message'));
    }
    const message = this.newMessage(channelId, record, files, ctx.now, {
      author: { kind: 'bot', tokenLabel: ctx.client.label, userId: ctx.client.user!.id },
      authorJson: ctx.client.user!,
      nonce,
      referencedMessageId,
    });
    if (nonce !== undefined) {
      this.#store.rememberNonce(ctx.client.label, nonce, message.id, ctx.now);
      if (this.#store.writeCount % 1000 === 0) this.#store.pruneNonces(ctx.now - this.#deps.nonceWindowMs);
    }
    this.#store.recordWrite('create', ctx.route, channelId, message.id, body, ctx.now, ctx.client.label, 0);
    this.#deps.emit({ type: 'MESSAGE_CREATE', message });
    return { status: 200, json: this.messageJson(message, ctx) };
  }

  #editChannelMessage(
    ctx: ApiCall,
    channelId: string,
    messageId: string,
    body: unknown,
    files: readonly MultipartFile[],
  ): Answer {
    const found = this.#findMessage(channelId, messageId);
    if ('status' in found) return errorAnswer(found);
    if (found.author.kind !== 'bot' || found.author.tokenLabel !== ctx.client.label) {
      return errorAnswer(DiscordErrors.otherAuthor);
    }
    return this.editMessage(ctx, found, body, files, ctx.client.label);
  }

  /** {@inheritDoc MessageWriter.editMessage} */
  public editMessage(
    ctx: ApiCall,
    message: StoredMessage,
    body: unknown,
    files: readonly MultipartFile[],
    label: string,
  ): Answer {
    const payload = withFiles(body ?? {}, files);
    if (isRecord(payload) && payload['components'] !== undefined && payload['components'] !== null) {
      const components = findComponentsError(payload['components'], 'components', Number(payload['flags'] ?? 0));
      if (components) return errorAnswer(components);
    }
    const violation = findPayloadViolation(payload, 'edit');
    if (violation) return errorAnswer(payloadError(violation));
    const record = payload as Record<string, unknown>;
    const added = this.#newAttachments(message.channelId, files, record, message.visibleTo !== undefined);
    const fields = editFields(record, message, added.json);
    const content = fields.content ?? message.content;
    const empty =
      content.length === 0 &&
      (fields.embeds ?? message.embeds).length === 0 &&
      (fields.components ?? message.components).length === 0 &&
      (fields.attachments ?? message.attachments).length === 0 &&
      message.stickerIds.length === 0;
    if (empty) return errorAnswer(DiscordErrors.emptyMessage);
    // Editing a deferred ("thinking") response turns it into a real message.
    if ((message.flags & MESSAGE_FLAGS_LOADING) !== 0) message.flags &= ~MESSAGE_FLAGS_LOADING;
    const version = this.#store.editMessage(message, fields, ctx.now);
    this.#store.addAttachmentFiles(added.files);
    this.#store.recordWrite('edit', ctx.route, message.channelId, message.id, body, ctx.now, label, version);
    this.#deps.emit({ type: 'MESSAGE_UPDATE', message });
    return { status: 200, json: this.messageJson(message, ctx) };
  }

  #deleteMessage(ctx: ApiCall, message: StoredMessage, label: string, bulk = false): Answer {
    this.#store.deleteMessage(message);
    if (!bulk) this.#deps.emit({ type: 'MESSAGE_DELETE', message });
    this.#store.recordWrite(
      'delete',
      ctx.route,
      message.channelId,
      message.id,
      undefined,
      ctx.now,
      label,
      message.version,
    );
    return { status: 204 };
  }

  #bulkDelete(ctx: ApiCall, channelId: string, body: unknown): Answer {
    if (!this.#store.hasChannel(channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    const ids = isRecord(body) ? body['messages'] : undefined;
    if (!Array.isArray(ids) || ids.length < 2 || ids.length > 100) {
      return errorAnswer(formBodyError('messages', 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.'));
    }
    for (let index = 0; index < ids.length; index++) {
      const id: unknown = ids[index];
      if (!isSnowflake(id)) return errorAnswer(snowflakeError(`messages[${index}]`, String(id)));
      if (this.isOld(id, ctx.now)) return errorAnswer(DiscordErrors.bulkDeleteTooOld);
    }
    const deleted: string[] = [];
    for (const id of new Set(ids as string[])) {
      const message = this.#store.message(channelId, id);
      if (!message) continue;
      this.#deleteMessage(ctx, message, ctx.client.label, true);
      deleted.push(id);
    }
    if (deleted.length > 0) this.#deps.emit({ type: 'MESSAGE_DELETE_BULK', channelId, ids: deleted });
    return { status: 204 };
  }

  #react(ctx: ApiCall, params: RouteParams, add: boolean): Answer {
    const found = this.#findMessage(params.channelId!, params.messageId!);
    if ('status' in found) return errorAnswer(found);
    const emoji = params.emoji!;
    // Unicode emoji, or `name:id` for a custom one.
    if (emoji.length === 0 || emoji.length > 64 || /[\s/]/.test(emoji)) return errorAnswer(DiscordErrors.unknownEmoji);
    let users = found.reactions.get(emoji);
    if (add) {
      if (!users) {
        users = new Set();
        found.reactions.set(emoji, users);
      }
      users.add(ctx.client.label);
    } else {
      users?.delete(ctx.client.label);
      if (users?.size === 0) found.reactions.delete(emoji);
    }
    this.#store.recordWrite(
      add ? 'reactionAdd' : 'reactionRemove',
      ctx.route,
      found.channelId,
      found.id,
      undefined,
      ctx.now,
      ctx.client.label,
      found.version,
    );
    return { status: 204 };
  }

  #executeWebhook(ctx: ApiCall, webhook: StoredWebhook, body: unknown, files: readonly MultipartFile[]): Answer {
    if (!this.#store.hasChannel(webhook.channelId)) return errorAnswer(DiscordErrors.unknownChannel);
    const payload = withFiles(body ?? {}, files);
    const violation = findPayloadViolation(payload, 'create');
    if (violation) return errorAnswer(payloadError(violation));
    const message = this.newMessage(webhook.channelId, payload as Record<string, unknown>, files, ctx.now, {
      author: { kind: 'webhook', webhookId: webhook.id },
      authorJson: { ...botUser(webhook.id, webhook.name), discriminator: '0000' },
      webhookId: webhook.id,
    });
    const label = `webhook:${webhook.id}`;
    this.#store.recordWrite('create', ctx.route, webhook.channelId, message.id, body, ctx.now, label, 0);
    return ctx.query.get('wait') === 'true' ? { status: 200, json: this.messageJson(message, ctx) } : { status: 204 };
  }

  /** {@inheritDoc MessageWriter.webhookMessage} */
  public webhookMessage(
    ctx: ApiCall,
    message: StoredMessage,
    body: unknown,
    files: readonly MultipartFile[],
    label: string,
  ): Answer {
    if (ctx.method === 'GET') return { status: 200, json: this.messageJson(message, ctx) };
    if (ctx.method === 'DELETE') return this.#deleteMessage(ctx, message, label);
    return this.editMessage(ctx, message, body, files, label);
  }

  #findMessage(channelId: string, messageId: string): StoredMessage | ApiError {
    if (!this.#store.hasChannel(channelId)) return DiscordErrors.unknownChannel;
    return this.#store.message(channelId, messageId) ?? DiscordErrors.unknownMessage;
  }

  /**
   * Stores a new message (no write is recorded: callers record their own, world setup records none).
   *
   * @param channelId - an existing channel
   * @param payload - a validated create body; its embeds and components are copied
   * @param files - uploaded files, listed as attachments
   * @param now - creation time, simulator clock milliseconds
   * @param origin - author and origin fields
   * @param id - the id (default: a new snowflake for `now`)
   * @returns the stored message
   */
  public newMessage(
    channelId: string,
    payload: Record<string, unknown>,
    files: readonly MultipartFile[],
    now: number,
    origin: MessageOrigin,
    id = this.#deps.nextId(now),
  ): StoredMessage {
    const attachments = this.#newAttachments(channelId, files, payload, origin.visibleTo !== undefined);
    const message: StoredMessage = {
      id,
      channelId,
      content: typeof payload['content'] === 'string' ? payload['content'] : '',
      embeds: Array.isArray(payload['embeds']) ? structuredClone(payload['embeds'] as unknown[]) : [],
      components: Array.isArray(payload['components']) ? structuredClone(payload['components'] as unknown[]) : [],
      attachments: attachments.json,
      flags: (typeof payload['flags'] === 'number' ? payload['flags'] & CREATE_FLAGS : 0) | (origin.extraFlags ?? 0),
      stickerIds: Array.isArray(payload['sticker_ids']) ? payload['sticker_ids'].map(String) : [],
      nonce: origin.nonce,
      version: 0,
      createdAt: now,
      editedAt: undefined,
      author: origin.author,
      authorJson: origin.authorJson,
      webhookId: origin.webhookId,
      applicationId: origin.applicationId,
      interactionId: origin.interactionId,
      visibleTo: origin.visibleTo,
      referencedMessageId: origin.referencedMessageId,
      reactions: new Map(),
    };
    this.#store.addMessage(message);
    this.#store.addAttachmentFiles(attachments.files);
    return message;
  }

  /**
   * Whether the message a snowflake names counts as old (older than `oldMessageAgeMs`): its delete is limited under
   * the old-message bucket and bulk delete refuses it.
   *
   * @param id - a snowflake
   * @param now - simulator clock milliseconds
   * @returns `true` when it is old, on the simulator clock
   */
  public isOld(id: string, now: number): boolean {
    return now - (snowflakeToTimestamp(id) - this.#deps.epochShift) > this.#deps.oldMessageAgeMs;
  }

  /** {@inheritDoc MessageWriter.messageJson} */
  public messageJson(message: StoredMessage, ctx: ApiCall): Record<string, unknown> {
    return messageJson(message, ctx.client.label, this.#deps.epochShift);
  }

  /**
   * The attachment objects of uploaded files, and the files to keep once the message is stored. An entry of the
   * body's `attachments` whose `id` is a file's placeholder (the `n` of `files[n]`) gives it a `filename` or a
   * `description`, as on Discord.
   */
  #newAttachments(
    channelId: string,
    files: readonly MultipartFile[],
    payload: Record<string, unknown>,
    ephemeral: boolean,
  ): { readonly json: Record<string, unknown>[]; readonly files: StoredAttachmentFile[] } {
    const json: Record<string, unknown>[] = [];
    const stored: StoredAttachmentFile[] = [];
    const requested = Array.isArray(payload['attachments']) ? payload['attachments'].filter(isRecord) : [];
    for (const file of files) {
      const placeholder = /^files\[(\d+)\]$/.exec(file.field)?.[1];
      const entry = requested.find((item) => placeholder !== undefined && String(item['id']) === placeholder);
      const filename = typeof entry?.['filename'] === 'string' && entry['filename'] ? entry['filename'] : file.filename;
      const description = typeof entry?.['description'] === 'string' ? entry['description'] : undefined;
      const id = this.#deps.nextId();
      const { url, proxyUrl } = attachmentUrls(this.#deps.attachmentOrigin(), channelId, id, filename);
      // Field order as in Discord's attachment objects.
      json.push({
        id,
        filename,
        ...(description === undefined ? {} : { description }),
        ...(file.contentType === undefined ? {} : { content_type: file.contentType }),
        size: file.size,
        url,
        proxy_url: proxyUrl,
        ...(ephemeral ? { ephemeral: true } : {}),
      });
      stored.push({ id, channelId, filename, contentType: file.contentType, data: file.data });
    }
    return { json, files: stored };
  }

  #channelJson(channel: SimulatedChannel): Record<string, unknown> {
    const last = this.#store.messages(channel.id).at(-1);
    const guilds = this.#deps.guilds;
    return channelObjectJson(channel, guilds.channel(channel.id), last?.id ?? null, guilds);
  }
}
