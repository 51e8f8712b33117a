import type {
  APIMessage,
  RESTPatchAPIChannelMessageJSONBody,
  RESTPostAPIChannelMessageJSONBody,
} from 'discord-api-types/v10';
import type { RateLimitScope } from '../rate-limit/rate-limit-tracker.js';

/**
 * Dispatch order across messages. A merged update keeps the highest priority of its parts; waiting
 * `priorityAgingMs` is worth one level, so nothing starves.
 */
export const UpdatePriority = {
  Low: 0,
  Normal: 1,
  High: 2,
  Critical: 3,
} as const;

/** One of the values of {@link UpdatePriority}. */
export type UpdatePriority = (typeof UpdatePriority)[keyof typeof UpdatePriority];

/** Body of a message edit (discord-api-types' REST payload). Attachments/files are not supported. */
export type MessageEditBody = RESTPatchAPIChannelMessageJSONBody;

/** Body of a message create (discord-api-types' REST payload). `nonce` and `enforce_nonce` are set by the manager. */
export type MessageCreateBody = Omit<RESTPostAPIChannelMessageJSONBody, 'nonce' | 'enforce_nonce'>;

/**
 * How an update ended.
 *
 * | outcome | meaning |
 * |---|---|
 * | `sent` | Discord acknowledged a request carrying this update's body |
 * | `coalesced` | a newer update to the same message replaced this one before it was sent; that one carried the latest body |
 * | `skipped` | Discord already showed exactly this body: no request was needed |
 * | `cancelled` | a delete of the message, or `stop({ drain: false })`, cancelled it before it was sent |
 * | `expired` | its `deadlineMs` passed before it could be sent |
 */
export type UpdateOutcome = 'sent' | 'coalesced' | 'skipped' | 'cancelled' | 'expired';

/** What an update's handle resolves with. */
export interface UpdateResult {
  readonly outcome: UpdateOutcome;
  /** The operation this update ended in. */
  readonly kind: 'create' | 'edit' | 'delete';
  readonly channelId: string;
  /** The message id (for a create: the new message's id once sent). */
  readonly messageId: string | undefined;
  /** The managed-message key, if any. */
  readonly key: string | undefined;
  /** Requests made for the operation (retries and 429 re-sends included; 0 when none was needed). */
  readonly attempts: number;
  /** Enqueue of this update → settled, in milliseconds. */
  readonly latencyMs: number;
  /** Discord's answer for a sent create or edit. */
  readonly message: APIMessage | undefined;
}

/** Options of one update. */
export interface UpdateOptions {
  /**
   * Dispatch priority.
   * @defaultValue UpdatePriority.Normal
   */
  readonly priority?: UpdatePriority;
  /**
   * Drop the update (outcome `expired`) if it has not been sent within this many milliseconds of being enqueued.
   * When updates merge, the merged one expires only when every part's deadline has passed. Integer from 1.
   * @defaultValue no deadline
   */
  readonly deadlineMs?: number;
}

/** Options of {@link MessageUpdateManager.create}. */
export interface CreateOptions extends UpdateOptions {
  /**
   * A managed-message key: later `sync(key, ...)` calls edit this message, and edits queued before the create is sent
   * fold into it. 1 to 200 characters.
   */
  readonly key?: string;
}

/** Options of {@link MessageUpdateManager.sync}. */
export interface SyncOptions extends UpdateOptions {
  /**
   * Display order of the managed message among the others (yours to define, e.g. the item's position), stored with
   * it and returned by `getManagedMessages()`.
   * @defaultValue the message's current order, 0 at first
   */
  readonly sortOrder?: number;
}

/** Payload of the `updateQueued` event. */
export interface UpdateQueuedEvent {
  readonly kind: 'create' | 'edit' | 'delete';
  readonly channelId: string;
  readonly messageId: string | undefined;
  readonly key: string | undefined;
  readonly priority: UpdatePriority;
  /** True when it merged into an update already waiting for the same message. */
  readonly merged: boolean;
}

/** Payload of the `updateSent`, `updateSkipped`, `updateCancelled`, `updateExpired` and `updateCoalesced` events. */
export interface UpdateSettledEvent {
  readonly kind: 'create' | 'edit' | 'delete';
  readonly channelId: string;
  readonly messageId: string | undefined;
  readonly key: string | undefined;
  /** Updates that ended with this operation (merged ones included). */
  readonly updates: number;
  readonly attempts: number;
  /** Earliest enqueue → settled, in milliseconds. */
  readonly latencyMs: number;
}

/** Payload of the `updateFailed` event. */
export interface UpdateFailedEvent extends UpdateSettledEvent {
  readonly error: Error;
}

/** Payload of the `updateRetried` event. */
export interface UpdateRetriedEvent {
  readonly kind: 'create' | 'edit' | 'delete';
  readonly channelId: string;
  readonly messageId: string | undefined;
  /** The attempt that failed (1 = the first request). */
  readonly attempt: number;
  /** Delay before the next attempt, in milliseconds. */
  readonly delayMs: number;
  readonly error: Error;
  /**
   * Whether this failure used up one of the update's `maxRetries`. `false` while Discord as a whole is failing (a
   * storm or an outage of every request, see the README's retry policy): the update then waits without losing a retry.
   */
  readonly retryCounted: boolean;
}

/** Payload of the `globalLimitChanged` event. */
export interface GlobalLimitChangedEvent {
  /** Requests per second kept from now on. */
  readonly limit: number;
  /** The limit kept before. */
  readonly previous: number;
  /** `globalRequestsPerSecond` from the config (the limit is never above it). */
  readonly configured: number;
  /** `lowered` after a global 429; `raised` when probing upward (one more per probe interval without a 429). */
  readonly change: 'lowered' | 'raised';
}

/** Payload of the `rateLimited` event: a 429 Discord answered (the manager waits it out and sends again). */
export interface RateLimitedEvent {
  readonly scope: RateLimitScope;
  readonly retryAfterMs: number;
  /** `hash:major` bucket, or `global`. */
  readonly bucket: string;
  readonly method: string;
  /** Request path with any token redacted. */
  readonly path: string;
  /** A hidden sub-limit (the bucket's headers still showed requests remaining). */
  readonly subLimit: boolean;
  /** Discord's invalid-request ban (plain-text 429). */
  readonly banned: boolean;
}

/** Payload of the `invalidRequestWarning` event. */
export interface InvalidRequestWarningEvent {
  /** Invalid requests (401/403/429) in the current window. */
  readonly count: number;
  /** The configured budget (`invalidRequestLimit`). */
  readonly limit: number;
}

/** Payload of the `messageRecreated` event: a managed message was gone (404) and was created again. */
export interface MessageRecreatedEvent {
  readonly key: string;
  readonly channelId: string;
  readonly previousMessageId: string;
}

/** Event names, as one object. */
export const ManagerEvents = {
  UpdateQueued: 'updateQueued',
  UpdateCoalesced: 'updateCoalesced',
  UpdateSent: 'updateSent',
  UpdateSkipped: 'updateSkipped',
  UpdateCancelled: 'updateCancelled',
  UpdateExpired: 'updateExpired',
  UpdateFailed: 'updateFailed',
  UpdateRetried: 'updateRetried',
  RateLimited: 'rateLimited',
  InvalidRequestWarning: 'invalidRequestWarning',
  MessageRecreated: 'messageRecreated',
  Unauthorized: 'unauthorized',
  RepositoryError: 'repositoryError',
  GlobalLimitChanged: 'globalLimitChanged',
  Idle: 'idle',
} as const;

/** Listener arguments per event. */
export interface ManagerEventMap {
  updateQueued: [event: UpdateQueuedEvent];
  updateCoalesced: [event: UpdateSettledEvent];
  updateSent: [event: UpdateSettledEvent];
  updateSkipped: [event: UpdateSettledEvent];
  updateCancelled: [event: UpdateSettledEvent];
  updateExpired: [event: UpdateSettledEvent];
  updateFailed: [event: UpdateFailedEvent];
  updateRetried: [event: UpdateRetriedEvent];
  rateLimited: [event: RateLimitedEvent];
  invalidRequestWarning: [event: InvalidRequestWarningEvent];
  messageRecreated: [event: MessageRecreatedEvent];
  unauthorized: [error: Error];
  /** A repository call failed for good (the outbox row stays; it is sent again after its lease expires). */
  repositoryError: [error: Error];
  globalLimitChanged: [event: GlobalLimitChangedEvent];
  idle: [];
}
