import { isRecord } from '../../util/is-record.js';
import type {
  SimulatedAuthor,
  SimulatedChannel,
  SimulatedMessage,
  WriteFilter,
  WriteKind,
  WriteRecord,
} from './simulator-records.js';
import type { SimulatorRouteKey } from './simulator-routes.js';

/** The Discord user object shown as a message's author (`bot: true` for bots and webhooks, absent for people). */
export interface AuthorJson {
  readonly id: string;
  readonly username: string;
  readonly discriminator: string;
  readonly global_name: string | null;
  readonly avatar: string | null;
  readonly bot?: true;
}

/** A message as stored (mutable; snapshots are handed out). */
export interface StoredMessage {
  readonly id: string;
  readonly channelId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: unknown[];
  flags: number;
  readonly stickerIds: string[];
  readonly nonce: string | number | undefined;
  version: number;
  readonly createdAt: number;
  editedAt: number | undefined;
  readonly author: SimulatedAuthor;
  readonly authorJson: AuthorJson;
  readonly webhookId: string | undefined;
  readonly applicationId: string | undefined;
  readonly interactionId: string | undefined;
  /** An ephemeral message: the only person who sees it (besides the bot). */
  readonly visibleTo: string | undefined;
  /** A reply: the message it answers. */
  readonly referencedMessageId: string | undefined;
  /** Emoji → labels of the clients that reacted. */
  readonly reactions: Map<string, Set<string>>;
}

interface StoredChannel {
  readonly id: string;
  name: string;
  readonly guildId: string | undefined;
  topic: string | undefined;
  readonly messages: Map<string, StoredMessage>;
}

/** A simulated webhook. */
export interface StoredWebhook {
  readonly id: string;
  readonly token: string;
  readonly channelId: string;
  readonly name: string;
}

/** How a bot answered an interaction: the callback type and, for a modal, the modal it opened. */
export interface InteractionResponse {
  /** Callback type (4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal, ...). */
  readonly type: number;
  /** The callback's `data` (a copy). */
  readonly data: Readonly<Record<string, unknown>>;
  /** When it arrived, clock milliseconds. */
  readonly at: number;
}

/** A simulated interaction. */
export interface StoredInteraction {
  readonly id: string;
  readonly token: string;
  readonly channelId: string;
  readonly createdAt: number;
  readonly sourceMessageId: string | undefined;
  /** Interaction type: 2 application command, 3 message component, 4 autocomplete, 5 modal submit. */
  readonly type: number;
  /** The application (= the bot user id) it was sent to. */
  readonly applicationId: string;
  /** The person who used it, when a simulated user did (`undefined` for `createInteraction`). */
  readonly userId: string | undefined;
  responded: boolean;
  /** The initial response, once the bot answered. */
  response: InteractionResponse | undefined;
  originalMessageId: string | undefined;
  /** A follow-up right after a deferred response edits the "thinking" message instead (Discord's compatibility rule). */
  deferredPending: boolean;
  /** Called once when the bot answers (or the 3 s pass), to settle a simulated user's action. */
  onResponse: ((response: InteractionResponse) => void) | undefined;
}

/** Message fields a create or edit may set. */
export interface MessageFields {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: unknown[];
  flags?: number;
}

/** An uploaded file, kept so tests can read it back (through the attachment's `url`, or the simulator). */
export interface StoredAttachmentFile {
  /** The attachment's id. */
  readonly id: string;
  /** The channel of its message (part of its URL). */
  readonly channelId: string;
  /** The attachment's `filename` (the last part of its URL). */
  readonly filename: string;
  /** The attachment's `content_type`, or `undefined` when the upload declared none. */
  readonly contentType: string | undefined;
  /** The bytes as uploaded. */
  readonly data: Buffer;
}

/** `MessageFlags.SuppressEmbeds`, the only flag an edit may change besides components v2. */
const EDITABLE_FLAGS = (1 << 2) | (1 << 15);

/** Formats clock milliseconds as Discord does: `2024-01-01T00:00:00.000000+00:00`. */
export function discordTimestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace('Z', '000+00:00');
}

/**
 * In-memory channels, messages, webhooks and interactions, and the write log. Knows nothing about HTTP or rate
 * limits.
 */
export class MessageStore {
  readonly #channels = new Map<string, StoredChannel>();
  readonly #messages = new Map<string, StoredMessage>();
  readonly #webhooks = new Map<string, StoredWebhook>();
  readonly #interactions = new Map<string, StoredInteraction>();
  readonly #interactionsByToken = new Map<string, StoredInteraction>();
  /** `author|nonce` → message id and time, for `enforce_nonce`. */
  readonly #nonces = new Map<string, { readonly messageId: string; readonly at: number }>();
  readonly #writes: WriteRecord[] = [];
  /** Attachment id → the uploaded file, for the attachments of live messages. */
  readonly #files = new Map<string, StoredAttachmentFile>();

  /** Adds a channel. */
  public addChannel(channel: SimulatedChannel): void {
    this.#channels.set(channel.id, { ...channel, messages: new Map() });
  }

  /** A channel's public view, or `undefined`. */
  public channel(id: string): SimulatedChannel | undefined {
    const channel = this.#channels.get(id);
    return channel && { id: channel.id, name: channel.name, guildId: channel.guildId, topic: channel.topic };
  }

  /** Whether a channel exists. */
  public hasChannel(id: string): boolean {
    return this.#channels.has(id);
  }

  /** Updates a channel's name and/or topic. */
  public editChannel(id: string, changes: { name?: string; topic?: string | null }): void {
    const channel = this.#channels.get(id)!;
    if (changes.name !== undefined) channel.name = changes.name;
    if (changes.topic !== undefined) channel.topic = changes.topic ?? undefined;
  }

  /** Adds a message to its channel (which must exist). */
  public addMessage(message: StoredMessage): void {
    this.#channels.get(message.channelId)!.messages.set(message.id, message);
    this.#messages.set(message.id, message);
  }

  /** A live (not deleted) message in a channel, or `undefined`. */
  public message(channelId: string, messageId: string): StoredMessage | undefined {
    return this.#channels.get(channelId)?.messages.get(messageId);
  }

  /** A live message anywhere, or `undefined`. */
  public messageById(messageId: string): StoredMessage | undefined {
    return this.#messages.get(messageId);
  }

  /** Live messages of a channel in creation (insertion) order. */
  public messages(channelId: string): StoredMessage[] {
    return [...(this.#channels.get(channelId)?.messages.values() ?? [])];
  }

  /** Applies an edit; returns the new version. Files of attachments the edit removes are forgotten. */
  public editMessage(message: StoredMessage, fields: MessageFields, now: number): number {
    if (fields.content !== undefined) message.content = fields.content;
    if (fields.embeds !== undefined) message.embeds = fields.embeds;
    if (fields.components !== undefined) message.components = fields.components;
    if (fields.attachments !== undefined) {
      const kept = new Set(attachmentIds(fields.attachments));
      for (const id of attachmentIds(message.attachments)) if (!kept.has(id)) this.#files.delete(id);
      message.attachments = fields.attachments;
    }
    if (fields.flags !== undefined) {
      message.flags = (message.flags & ~EDITABLE_FLAGS) | (fields.flags & EDITABLE_FLAGS);
    }
    message.version++;
    message.editedAt = now;
    return message.version;
  }

  /** Removes a message, and forgets the files of its attachments. */
  public deleteMessage(message: StoredMessage): void {
    this.#channels.get(message.channelId)?.messages.delete(message.id);
    this.#messages.delete(message.id);
    for (const id of attachmentIds(message.attachments)) this.#files.delete(id);
  }

  /** Keeps the files of attachments a message was just given (by a create or an edit). */
  public addAttachmentFiles(files: readonly StoredAttachmentFile[]): void {
    for (const file of files) this.#files.set(file.id, file);
  }

  /** The uploaded file of an attachment of a live message, or `undefined`. */
  public attachmentFile(id: string): StoredAttachmentFile | undefined {
    return this.#files.get(id);
  }

  /** Adds a webhook. */
  public addWebhook(webhook: StoredWebhook): void {
    this.#webhooks.set(webhook.id, webhook);
  }

  /** A webhook by id, or `undefined`. */
  public webhook(id: string): StoredWebhook | undefined {
    return this.#webhooks.get(id);
  }

  /** Adds an interaction. */
  public addInteraction(interaction: StoredInteraction): void {
    this.#interactions.set(interaction.id, interaction);
    this.#interactionsByToken.set(interaction.token, interaction);
  }

  /** An interaction by id, or `undefined`. */
  public interaction(id: string): StoredInteraction | undefined {
    return this.#interactions.get(id);
  }

  /** An interaction by token, or `undefined`. */
  public interactionByToken(token: string): StoredInteraction | undefined {
    return this.#interactionsByToken.get(token);
  }

  /** The message an author created with `nonce` at or after `since`, if it still exists. */
  public findNonce(author: string, nonce: string | number, since: number): StoredMessage | undefined {
    const entry = this.#nonces.get(`${author}|${String(nonce)}`);
    if (!entry || entry.at < since) return undefined;
    return this.#messages.get(entry.messageId);
  }

  /** Remembers the message an author created with `nonce`. */
  public rememberNonce(author: string, nonce: string | number, messageId: string, at: number): void {
    this.#nonces.set(`${author}|${String(nonce)}`, { messageId, at });
  }

  /** Forgets nonces older than `before` (keeps the map small in long runs). */
  public pruneNonces(before: number): void {
    for (const [key, entry] of this.#nonces) if (entry.at < before) this.#nonces.delete(key);
  }

  /** Appends a write record. */
  public recordWrite(
    kind: WriteKind,
    route: SimulatorRouteKey,
    channelId: string,
    messageId: string | undefined,
    body: unknown,
    at: number,
    tokenLabel: string,
    version: number,
  ): void {
    this.#writes.push({
      seq: this.#writes.length + 1,
      kind,
      route,
      channelId,
      messageId,
      body,
      at,
      tokenLabel,
      version,
    });
  }

  /** Number of writes recorded. */
  public get writeCount(): number {
    return this.#writes.length;
  }

  /** Write records matching a filter, in order. */
  public writes(filter: WriteFilter = {}): WriteRecord[] {
    return this.#writes.filter(
      (write) =>
        (filter.channelId === undefined || write.channelId === filter.channelId) &&
        (filter.messageId === undefined || write.messageId === filter.messageId),
    );
  }
}

/** The ids of a message's attachment objects. */
function attachmentIds(attachments: readonly unknown[]): string[] {
  return attachments.flatMap((attachment) =>
    isRecord(attachment) && attachment['id'] !== undefined ? [String(attachment['id'])] : [],
  );
}

/** A deep copy of a JSON value, so callers cannot change the simulator's state through a snapshot. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The public snapshot of a stored message.
 *
 * @param message - the stored message
 * @returns an independent copy
 */
export function snapshotMessage(message: StoredMessage): SimulatedMessage {
  const reactions: Record<string, number> = {};
  for (const [emoji, users] of message.reactions) if (users.size > 0) reactions[emoji] = users.size;
  return {
    id: message.id,
    channelId: message.channelId,
    content: message.content,
    embeds: copy(message.embeds),
    components: copy(message.components),
    attachments: copy(message.attachments),
    flags: message.flags,
    stickerIds: [...message.stickerIds],
    nonce: message.nonce,
    version: message.version,
    createdAt: message.createdAt,
    editedAt: message.editedAt,
    author: message.author,
    reactions,
  };
}

/**
 * The message as Discord's API returns it (a subset of the message object, with every field clients rely on).
 *
 * @param message - the stored message
 * @param viewer - label of the client asking, for the `me` flag of reactions
 * @param epochShift - added to clock times for the ISO timestamps (see the simulator's clock handling)
 * @returns a JSON-serialisable object
 */
export function messageJson(message: StoredMessage, viewer: string, epochShift = 0): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: message.id,
    type: message.interactionId !== undefined ? 20 : message.referencedMessageId !== undefined ? 19 : 0,
    channel_id: message.channelId,
    author: message.authorJson,
    content: message.content,
    timestamp: discordTimestamp(message.createdAt + epochShift),
    edited_timestamp: message.editedAt === undefined ? null : discordTimestamp(message.editedAt + epochShift),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments,
    embeds: message.embeds,
    components: message.components,
    pinned: false,
    flags: message.flags,
  };
  if (message.referencedMessageId !== undefined) {
    json['message_reference'] = { type: 0, message_id: message.referencedMessageId, channel_id: message.channelId };
  }
  if (message.nonce !== undefined) json['nonce'] = message.nonce;
  if (message.webhookId !== undefined) json['webhook_id'] = message.webhookId;
  if (message.applicationId !== undefined) json['application_id'] = message.applicationId;
  if (message.stickerIds.length > 0) {
    json['sticker_items'] = message.stickerIds.map((id) => ({ id, name: 'sticker', format_type: 1 }));
  }
  if (message.reactions.size > 0) {
    const reactions: unknown[] = [];
    for (const [emoji, users] of message.reactions) {
      if (users.size === 0) continue;
      const custom = /^(.+):(\d+)$/.exec(emoji);
      reactions.push({
        count: users.size,
        me: users.has(viewer),
        emoji: custom ? { id: custom[2], name: custom[1] } : { id: null, name: emoji },
      });
    }
    if (reactions.length > 0) json['reactions'] = reactions;
  }
  return json;
}
