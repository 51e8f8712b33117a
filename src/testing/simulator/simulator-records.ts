/**
 * Public data shapes of the {@link DiscordSimulator}: requests and responses of its in-process entry point, and
 * the records returned by its inspection API.
 *
 * @module
 */
import type { SimulatorRouteKey } from './simulator-routes.js';

/**
 * A request handed to {@link DiscordSimulator.handle}, the in-process equivalent of an HTTP request.
 *
 * @example
 * ```ts
 * const request: SimulatorRequest = {
 *   method: 'POST',
 *   path: `/api/v10/channels/${channelId}/messages`,
 *   headers: { authorization: 'Bot simulator-token', 'content-type': 'application/json' },
 *   body: JSON.stringify({ content: 'hello' }),
 * };
 * ```
 */
export interface SimulatorRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** Path with optional query, e.g. `/api/v10/channels/1/messages?limit=5` (`/api/...` without version works too). */
  readonly path: string;
  /** Request headers with lower-case names (Node's `IncomingHttpHeaders` fits). */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Raw body: JSON text, or multipart bytes when `content-type` is `multipart/form-data`. */
  readonly body?: string | Uint8Array | undefined;
}

/**
 * The answer of {@link DiscordSimulator.handle}: what the HTTP server writes on the wire.
 *
 * @example
 * ```ts
 * const response = await sim.handle(request);
 * if (response.status === 429) console.log(response.headers['retry-after'], JSON.parse(response.body));
 * ```
 */
export interface SimulatorResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, lower-case names (e.g. `x-ratelimit-remaining`). */
  readonly headers: Record<string, string>;
  /** Body text: JSON for API answers, plain text for the invalid-request ban, empty for 204. */
  readonly body: string;
}

/**
 * Who wrote a message: a bot (through a token), a webhook, an interaction response, or a simulated person.
 */
export type SimulatedAuthor =
  | { readonly kind: 'bot'; readonly tokenLabel: string; readonly userId: string }
  | { readonly kind: 'webhook'; readonly webhookId: string }
  | { readonly kind: 'interaction'; readonly interactionId: string; readonly applicationId: string }
  | { readonly kind: 'user'; readonly userId: string };

/**
 * The current state of a simulated message (a snapshot: later writes do not change it).
 *
 * @example
 * ```ts
 * const message = sim.getMessage(channelId, messageId);
 * expect(message?.content).toBe('final text');
 * expect(message?.version).toBe(3); // three edits applied
 * ```
 */
export interface SimulatedMessage {
  /** Snowflake id; its timestamp is the creation time on the simulator's clock. */
  readonly id: string;
  /** Channel the message is in. */
  readonly channelId: string;
  /** Text content (`''` when none). */
  readonly content: string;
  /** Embeds as last sent (JSON objects). */
  readonly embeds: readonly unknown[];
  /** Components as last sent (JSON objects). */
  readonly components: readonly unknown[];
  /**
   * Attachment objects as Discord gives them (`id`, `filename`, `description?`, `content_type?`, `size`, `url`,
   * `proxy_url`, `ephemeral?`); read an upload's bytes with `sim.attachmentData(url)`.
   */
  readonly attachments: readonly unknown[];
  /** Message flags. */
  readonly flags: number;
  /** Sticker ids sent with the create. */
  readonly stickerIds: readonly string[];
  /** The create's `nonce`, if any. */
  readonly nonce: string | number | undefined;
  /** Number of edits applied since creation (0 for a message never edited). */
  readonly version: number;
  /** Creation time, simulator clock milliseconds. */
  readonly createdAt: number;
  /** Time of the last edit, simulator clock milliseconds, or `undefined` if never edited. */
  readonly editedAt: number | undefined;
  /** Who created the message. */
  readonly author: SimulatedAuthor;
  /** Reaction counts by emoji (`'👍'`, or `'name:id'` for custom emojis). */
  readonly reactions: Readonly<Record<string, number>>;
}

/** A simulated channel. */
export interface SimulatedChannel {
  /** Snowflake id. */
  readonly id: string;
  /** Channel name. */
  readonly name: string;
  /** Guild id, or `undefined` for a channel outside a guild. */
  readonly guildId: string | undefined;
  /** Channel topic, or `undefined`. */
  readonly topic: string | undefined;
}

/** What a write did. Bulk deletes are recorded as one `delete` per message. */
export type WriteKind = 'create' | 'edit' | 'delete' | 'channelEdit' | 'reactionAdd' | 'reactionRemove';

/**
 * One mutation applied by the API (world setup such as {@link DiscordSimulator.seedMessage} is not recorded).
 *
 * @example
 * ```ts
 * const edits = sim.getWrites({ messageId }).filter((write) => write.kind === 'edit');
 * ```
 */
export interface WriteRecord {
  /** Position in the write order, from 1. */
  readonly seq: number;
  /** What happened. */
  readonly kind: WriteKind;
  /** Channel concerned. */
  readonly channelId: string;
  /** Message concerned, or `undefined` for channel edits. */
  readonly messageId: string | undefined;
  /** Parsed request body (for multipart, the `payload_json`); `undefined` for deletes and reactions. */
  readonly body: unknown;
  /** Arrival time of the request, simulator clock milliseconds. */
  readonly at: number;
  /** Who wrote: `token#N` for the N-th bot token, `webhook:<id>` or `interaction:<id>`. Never the token itself. */
  readonly tokenLabel: string;
  /** Message version after the write (0 after a create; unchanged by deletes and reactions; 0 for channels). */
  readonly version: number;
  /** The route that made the write. */
  readonly route: SimulatorRouteKey;
}

/** Filter for {@link DiscordSimulator.getWrites}. */
export interface WriteFilter {
  /** Only writes in this channel. */
  readonly channelId?: string;
  /** Only writes to this message. */
  readonly messageId?: string;
}

/** Rate-limit scope of a 429, as in `X-RateLimit-Scope`. */
export type RateLimitScope = 'user' | 'global' | 'shared';

/** A fault that changed how a request was answered. */
export type InjectedFault = 'error' | 'reset' | 'commitThenTimeout';

/**
 * One API request as the simulator saw it (control requests under `/__sim/` are not logged).
 *
 * @example
 * ```ts
 * const limited = sim.getRequestLog().filter((entry) => entry.status === 429);
 * ```
 */
export interface RequestRecord {
  /** Arrival time, simulator clock milliseconds. */
  readonly at: number;
  /** HTTP method, upper case. */
  readonly method: string;
  /** Path as requested (query included), with webhook and interaction tokens replaced by `:token`. */
  readonly path: string;
  /** Matched route, or `undefined` for unknown routes. */
  readonly route: SimulatorRouteKey | undefined;
  /** Major parameter (channel id, or `webhookId/:token`), or `undefined` when the route has none. */
  readonly majorParameter: string | undefined;
  /** Bucket hash charged, or `undefined` for routes without a per-route limit. */
  readonly bucket: string | undefined;
  /** Response status; 0 when the connection was reset. */
  readonly status: number;
  /** Scope of a 429, or `undefined`. */
  readonly scope: RateLimitScope | undefined;
  /** True for a 429 from a hidden sub-limit (parent headers still showing requests remaining). */
  readonly subLimit: boolean;
  /** True for the plain-text 429 of an invalid-request ban. */
  readonly banned: boolean;
  /** The fault injected, or `undefined`. */
  readonly fault: InjectedFault | undefined;
  /** Who called: `token#N`, `unknown#N` for unknown tokens, `anonymous` without a token. Never the token itself. */
  readonly tokenLabel: string;
}

/**
 * Counters since the start (or the last {@link DiscordSimulator.resetStats}).
 *
 * @example
 * ```ts
 * const { rateLimited, invalidRequests } = sim.getStats();
 * expect(rateLimited.user + rateLimited.global).toBe(0);
 * ```
 */
export interface SimulatorStats {
  /** API requests answered (or reset). */
  readonly requests: number;
  /** Responses by HTTP status (0 for connection resets). */
  readonly byStatus: Readonly<Record<number, number>>;
  /** 429 responses by scope (`user` includes sub-limits; bans are counted in `bans`, not here). */
  readonly rateLimited: { readonly user: number; readonly global: number; readonly shared: number };
  /** 429 responses from hidden sub-limits (also counted in `rateLimited.user`). */
  readonly subLimited: number;
  /** Invalid requests in each client's current rolling window: the total and per client label. */
  readonly invalidRequests: { readonly total: number; readonly byToken: Readonly<Record<string, number>> };
  /** Bans started. */
  readonly bans: number;
  /** Requests answered with the ban's plain-text 429. */
  readonly bannedRequests: number;
  /** Creates answered with an earlier message because of `nonce` + `enforce_nonce`. */
  readonly duplicateCreatesPrevented: number;
  /** Faults injected. */
  readonly faults: { readonly errors: number; readonly resets: number; readonly commitThenTimeouts: number };
  /** Mutations applied (see {@link DiscordSimulator.getWrites}). */
  readonly writes: number;
}

/**
 * The state of one rate-limit counter.
 *
 * @example
 * ```ts
 * sim.getBucket('PATCH /channels/:channel_id/messages/:message_id', channelId);
 * // { hash: '…', limit: 5, remaining: 3, resetAt: 1700000004000, windowMs: 5000 }
 * ```
 */
export interface BucketState {
  /** The bucket hash (as in `X-RateLimit-Bucket`). */
  readonly hash: string;
  /** Requests per window. */
  readonly limit: number;
  /** Requests left in the current window (`limit` when no window is open). */
  readonly remaining: number;
  /** End of the current window, simulator clock milliseconds, or `undefined` when no window is open. */
  readonly resetAt: number | undefined;
  /** Window length, milliseconds. */
  readonly windowMs: number;
}

/** HTTP status of an injected server error. */
export type InjectedErrorStatus = 500 | 502 | 503 | 504;

/**
 * Faults injected on a route (or on every route with `'*'`). Probabilities are drawn from the seeded generator, so
 * a run replays exactly with the same seed and the same request sequence.
 *
 * @example
 * ```ts
 * sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', { latencyMs: [20, 80], errorRate: 0.1 });
 * ```
 */
export interface FaultConfig {
  /** Delay before the answer, milliseconds: fixed, or `[min, max]` drawn uniformly. @defaultValue `0` */
  readonly latencyMs?: number | readonly [number, number];
  /** Probability (0 to 1) of answering with a server error instead of doing the work. @defaultValue `0` */
  readonly errorRate?: number;
  /** Status of injected server errors. @defaultValue `500` */
  readonly errorStatus?: InjectedErrorStatus;
  /**
   * Whether injected server errors carry the bucket's `X-RateLimit-*` headers. Discord's 502, 503 and 504 often come
   * from the proxy in front of the API, without them; set `false` to reproduce that. The request is still charged to
   * its bucket and the global window either way: a client that sees no headers must assume it was.
   * @defaultValue `true`
   */
  readonly errorHeaders?: boolean;
  /**
   * Apply the request, then answer only after this many milliseconds (set it above the client's timeout to
   * simulate "the write happened but the client never heard back"). @defaultValue `0` (off)
   */
  readonly commitThenTimeoutMs?: number;
  /** Probability (0 to 1) of resetting the connection before the request is processed. @defaultValue `0` */
  readonly resetRate?: number;
}

/** Options of {@link DiscordSimulator.createChannel}. */
export interface ChannelInit {
  /** Channel name, 1 to 100 characters. @defaultValue `'channel-<n>'` */
  readonly name?: string;
  /** Guild id (any snowflake). @defaultValue a simulator-wide guild id */
  readonly guildId?: string;
  /** Channel topic. @defaultValue none */
  readonly topic?: string;
}

/** Options of {@link DiscordSimulator.seedMessage}. */
export interface SeedMessageOptions {
  /**
   * Creation time, simulator clock milliseconds, to backdate a message (e.g. older than 14 days, to exercise the
   * old-message delete bucket). @defaultValue now
   */
  readonly createdAt?: number;
  /** Label of the bot token that authored it (`token#1`, ...). @defaultValue `'token#1'` */
  readonly tokenLabel?: string;
}

/** Credentials of a simulated webhook. */
export interface WebhookCredentials {
  /** Webhook id (snowflake). */
  readonly id: string;
  /** Webhook token (secret; keep it out of logs). */
  readonly token: string;
}

/** Options of {@link DiscordSimulator.createInteraction}. */
export interface InteractionInit {
  /** For a component interaction: the message the component is on (target of `UPDATE_MESSAGE` callbacks). */
  readonly messageId?: string;
  /** The bot (by token label) whose application receives it. @defaultValue `'token#1'` */
  readonly tokenLabel?: string;
}

/** Credentials of a simulated interaction. */
export interface InteractionCredentials {
  /** Interaction id (snowflake). */
  readonly id: string;
  /** Interaction token: base64 starting with `aW50ZXJhY3Rpb246` (`interaction:`), as Discord's. */
  readonly token: string;
  /** The bot's application id (its user id; the id in interaction webhook URLs). */
  readonly applicationId: string;
}
