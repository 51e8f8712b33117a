import { EventEmitter } from 'node:events';
import pRetry, { AbortError, type Options as PRetryOptions } from 'p-retry';
import type { APIMessage } from 'discord-api-types/v10';
import {
  DiscordAPIError,
  InvalidArgumentError,
  InvalidConfigError,
  DeadLetterError,
  ManagerClosedError,
  MessageDeletedError,
  RepositoryError,
  RetriesExhaustedError,
  TransportError,
  UnauthorizedError,
  redactPath,
} from '../errors/message-update-error.js';
import { InMemoryMetricsCollector } from '../metrics/in-memory-metrics-collector.js';
import type { ManagerGauges, MetricsCollector } from '../metrics/metrics-collector.js';
import { resolveRateLimitConfig, type RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import {
  RateLimitTracker,
  type BucketSnapshot,
  type Grant,
  type RateLimitHit,
} from '../rate-limit/rate-limit-tracker.js';
import { routeOf, type HttpMethod, type RouteInfo } from '../discord/route.js';
import { parseRateLimitResponse } from '../rate-limit/rate-limit-response.js';
import { isSnowflake } from '../discord/snowflake.js';
import { sleep, systemClock, type Clock, type ClockTimer } from '../util/clock.js';
import { PriorityHeap } from '../util/priority-heap.js';
import { RestTransport, type RestLike } from '../transport/rest-transport.js';
import type { Transport, TransportResponse } from '../transport/transport.js';
import { BoundedMap } from '../util/bounded-map.js';
import { contentHash } from '../util/content-hash.js';
import { assertValidPayload } from '../discord/payload-limits.js';
import {
  UpdatePriority,
  type CreateOptions,
  type SyncOptions,
  type ManagerEventMap,
  type MessageCreateBody,
  type MessageEditBody,
  type UpdateOptions,
  type UpdateOutcome,
  type UpdateResult,
} from './types.js';
import { UpdateHandle } from './update-handle.js';
import { FailurePolicy } from '../delivery/failure-policy.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../rate-limit/rate-limit-store.js';
import type {
  AckInput,
  ClaimedRow,
  OutboxRow,
  OutboxUpsert,
  UpdateRepository,
} from '../repositories/update-repository.js';

/** Options of {@link MessageUpdateManager}. Give exactly one of `rest` and `transport`. */
export interface MessageUpdateManagerOptions<TMetrics extends MetricsCollector = InMemoryMetricsCollector> {
  /** Your `@discordjs/rest` `REST` instance, token set. Tip: `new REST({ retries: 0 })`, the manager retries itself. */
  readonly rest?: RestLike;
  /** A custom {@link Transport} instead of `rest` (tests, other HTTP clients). */
  readonly transport?: Transport;
  /** Rate-limit and retry settings; see {@link RateLimitConfig}. Unknown fields are rejected. */
  readonly config?: Partial<RateLimitConfig>;
  /**
   * Where measurements go.
   * @defaultValue a new {@link InMemoryMetricsCollector} (read it from `manager.metrics`)
   */
  readonly metrics?: TMetrics;
  /**
   * Time source for every timing decision.
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
  /**
   * Random source for backoff jitter, returning a number in [0, 1).
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
  /**
   * How many messages' last acknowledged content (for skipping identical edits) and deleted ids are remembered once
   * they have no work pending. Integer from 0 to 10,000,000.
   * @defaultValue 100000
   */
  readonly maxRememberedMessages?: number;
  /**
   * Where accepted updates and managed messages are stored so they survive a crash (`SqliteUpdateRepository`,
   * `PostgresUpdateRepository`). Without one, everything lives in memory. Call `repository.migrate()` first.
   * @defaultValue none: in memory
   */
  readonly repository?: UpdateRepository;
  /**
   * With a repository: how long a claimed outbox row stays leased to this process, in ms (database clock). A
   * process that dies holding a lease delays that row by at most this much. Integer from 1,000 to 3,600,000.
   * @defaultValue 30000
   */
  readonly leaseMs?: number;
  /**
   * With a repository: how often a performance snapshot (the seed's `performance_metrics` row) is recorded, in ms;
   * 0 turns it off. Needs a collector with `getMetrics()` (the default one has it). Integer from 0 to 86,400,000.
   * @defaultValue 60000
   */
  readonly metricsSnapshotIntervalMs?: number;
  /**
   * With a repository shared by several processes: how often to look for outbox rows enqueued by other processes
   * (or left by a crashed one), in ms; 0 turns it off (one process: everything is found at `start()`).
   * Integer from 0 to 3,600,000.
   * @defaultValue 0
   */
  readonly outboxPollIntervalMs?: number;
  /**
   * Rate-limit state shared by every process of the bot (`RedisRateLimitStore` from `discord-update-manager/redis`):
   * each request also needs a slot from it, so several processes with one token stay within one set of limits
   * together. If the store cannot answer, sending pauses (limits are never exceeded because state is unknown).
   * @defaultValue none: this process's own view only
   */
  readonly rateLimitStore?: RateLimitStore;
  /**
   * With a `rateLimitStore`: how long a reservation counts if this process dies before its request is answered, in
   * ms. Keep it above your transport's request timeout (REST: 15 s); lower means a crashed process's slots free up
   * sooner. Integer from 1,000 to 600,000.
   * @defaultValue 30000
   */
  readonly rateLimitReservationTtlMs?: number;
}

/** Options of {@link MessageUpdateManager.stop}. */
export interface StopOptions {
  /**
   * `true`: stop accepting updates and wait until every queued one is settled. `false`: cancel queued updates (their
   * handles resolve `cancelled`) and wait only for requests already on the wire.
   * @defaultValue true
   */
  readonly drain?: boolean;
}

/** What {@link MessageUpdateManager.getStats} returns. */
export interface ManagerStats {
  /** `start()` was called and `stop()` not yet finished. */
  readonly running: boolean;
  /** Operations waiting to be sent (after coalescing). */
  readonly queueSize: number;
  /** Operations with a request on the wire or waiting for their retry slot. */
  readonly inFlight: number;
  /** Longest wait currently imposed by a retry backoff or a 429, in milliseconds (0 when none). */
  readonly currentBackoffMs: number;
  /** Global-window slots free right now. */
  readonly globalRemaining: number;
  /**
   * Requests per second kept to: `globalRequestsPerSecond`, or lower when a global 429 showed Discord (or a proxy)
   * allows less (then raised by one per probe interval without a global 429).
   */
  readonly globalLimit: number;
  /** Invalid requests still allowed in the current window. */
  readonly invalidRequestBudgetRemaining: number;
  /** Messages with work queued or in flight. */
  readonly activeTargets: number;
  /** Managed messages known (keys passed to `sync` or `create`). */
  readonly managedMessages: number;
  /** Rate-limit buckets learned from Discord's headers. */
  readonly buckets: readonly BucketSnapshot[];
}

type OperationKind = 'create' | 'edit' | 'delete';

interface Waiter {
  readonly resolve: (result: UpdateResult) => void;
  readonly reject: (error: unknown) => void;
  readonly enqueuedAt: number;
}

interface Operation {
  kind: OperationKind;
  body: unknown;
  priority: number;
  enqueuedAt: number;
  deadlineAt: number;
  waiters: Waiter[];
  nonce: string | undefined;
  attempts: number;
  notBefore: number;
  readonly seq: number;
}

interface Target {
  /** Row key in the durable outbox (fixed for the target's life). */
  readonly durableKey: string;
  /** Display order of a managed message (the caller's, stored with it). */
  sortOrder: number;
  /** Outbox writes of this target not yet committed: it is not sent before they are. */
  unflushed: number;
  channelId: string;
  messageId: string | undefined;
  key: string | undefined;
  pending: Operation | undefined;
  inFlight: Operation | undefined;
  grantWaiter: { resolve: (grant: Grant) => void; reject: (error: Error) => void } | undefined;
  lastAckedHash: string | undefined;
  readyToken: number;
  deleted: boolean;
  createQueued: boolean;
}

interface ReadyEntry {
  readonly target: Target;
  readonly score: number;
  readonly seq: number;
  readonly token: number;
}

interface DelayedEntry {
  readonly target: Target;
  readonly at: number;
  readonly token: number;
}

interface DeadlineEntry {
  readonly target: Target;
  readonly op: Operation;
  readonly at: number;
}

/** An outbox write waiting for its batch to commit; `waiter` is the handle it stores (set once created). */
interface PendingWrite {
  readonly upsert: OutboxUpsert;
  readonly target: Target;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  waiter?: Waiter;
}

interface Group {
  readonly route: RouteInfo;
  readonly heap: PriorityHeap<ReadyEntry>;
}

interface CreateGate {
  active: Target | undefined;
  readonly queue: Target[];
}

interface ManagedRecord {
  readonly channelId: string;
  messageId: string | undefined;
  hash: string | undefined;
  sortOrder: number;
}

interface OutgoingRequest {
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  readonly body?: unknown;
}

/** What a durable run returns when another worker already delivered the target's newest version. */
const DELIVERED_ELSEWHERE = Symbol('delivered elsewhere');
/** What a send returns when the shared rate-limit store refused the slot (the caller waits and tries again). */
const SLOT_DENIED = Symbol('slot denied');
/** How long a reservation in a shared store counts if its process dies before completing it (default). */
const DEFAULT_RESERVATION_TTL_MS = 30_000;
/** The failure policy's scope covering every request (Discord as a whole). */
const SERVICE_SCOPE = 'service';

/** What a durable run returns when the claimed row's deadline had passed: dropped, nothing sent. */
const EXPIRED = Symbol('expired');

/** Thrown into an operation waiting for a slot when the manager stops without draining. */
class OperationCancelled extends Error {
  public override name = 'OperationCancelled';
}

const EMPTY_ACCEPTED = Promise.resolve();
const PRIORITIES = new Set<number>(Object.values(UpdatePriority));

/** Reads an integer option, defaulting it, or throws naming the field, the value and the allowed range. */
function integerOption(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) {
    throw new InvalidConfigError(
      field,
      result,
      `an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`,
    );
  }
  return result;
}

function isRetryable(error: unknown): boolean {
  return (
    error instanceof TransportError ||
    error instanceof RepositoryError ||
    (error instanceof DiscordAPIError && error.status >= 500)
  );
}

/** Runs a repository call, turning its failure into a retryable {@link RepositoryError}. */
async function viaRepository<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new RepositoryError(action, error);
  }
}

/**
 * The error an unsuccessful answer (not 2xx, not 429) ends its attempt with: a 5xx is retried, a 401 stops all
 * sending, any other 4xx fails at once.
 */
function failureOf(answer: TransportResponse, request: OutgoingRequest): Error {
  if (answer.status >= 500) return discordErrorFrom(answer, request);
  if (answer.status === 401) return new AbortError(new UnauthorizedError(request.method, request.path));
  return new AbortError(discordErrorFrom(answer, request));
}

function discordErrorFrom(answer: TransportResponse, request: OutgoingRequest): DiscordAPIError {
  const body = answer.body as { message?: unknown; code?: unknown } | string | undefined;
  const message =
    typeof body === 'object' && body !== null && typeof body.message === 'string'
      ? body.message
      : typeof body === 'string' && body.length > 0
        ? body.slice(0, 200)
        : `HTTP ${answer.status}`;
  const code = typeof body === 'object' && body !== null && typeof body.code === 'number' ? body.code : 0;
  return new DiscordAPIError(answer.status, code, message, request.method, request.path, answer.body);
}

/**
 * Keeps Discord messages up to date under Discord's rate limits. It holds the backlog itself and merges queued
 * updates to the same message (last write wins, body chosen when the request is sent), orders messages by priority
 * with aging, learns buckets from Discord's headers and never sends a request that would be rate limited, retries
 * 5xx/timeouts with exponential backoff, and measures itself.
 *
 * @example
 * ```ts
 * import { REST } from '@discordjs/rest';
 * import { MessageUpdateManager, UpdatePriority } from 'discord-update-manager';
 *
 * const rest = new REST({ retries: 0 }).setToken(process.env.DISCORD_TOKEN!);
 * const manager = new MessageUpdateManager({ rest });
 * await manager.start();
 * const handle = manager.edit(channelId, messageId, { content: 'v2' }, { priority: UpdatePriority.High });
 * console.log((await handle).outcome); // 'sent'
 * await manager.stop({ drain: true });
 * ```
 */
export class MessageUpdateManager<
  TMetrics extends MetricsCollector = InMemoryMetricsCollector,
> extends EventEmitter<ManagerEventMap> {
  /** Where this manager's measurements go (an {@link InMemoryMetricsCollector} unless one was given). */
  public readonly metrics: TMetrics;
  /** The resolved configuration. */
  public readonly config: Readonly<RateLimitConfig>;

  readonly #transport: Transport;
  readonly #ownedTransport: RestTransport | undefined;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #tracker: RateLimitTracker;
  /** The limits this process keeps, in its own tracker and (with one) in the shared store. */
  readonly #limits: RateLimitStoreLimits;
  readonly #failures: FailurePolicy;
  readonly #targets = new Map<string, Target>();
  readonly #managed = new Map<string, ManagedRecord>();
  readonly #acked: BoundedMap<string, string>;
  readonly #deletedIds: BoundedMap<string, true>;
  readonly #groups = new Map<string, Group>();
  readonly #delayed = new PriorityHeap<DelayedEntry>((a, b) => a.at < b.at);
  readonly #deadlines = new PriorityHeap<DeadlineEntry>((a, b) => a.at < b.at);
  readonly #createGates = new Map<string, CreateGate>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #emptyWaiters: (() => void)[] = [];
  #state: 'created' | 'running' | 'stopping' | 'stopped' = 'created';
  #queued = 0;
  #inFlight = 0;
  #seq = 0;
  #nonceCounter = 0;
  #passQueued = false;
  #immediateQueued = false;
  #timer: ClockTimer | undefined;
  #timerAt = Infinity;
  #unauthorizedError: UnauthorizedError | undefined;
  #invalidWarned = false;
  #cancelling = false;
  #idleEmitted = true;
  /** The global limit last reported (`globalLimitChanged`). */
  #globalLimit: number;
  readonly #repository: UpdateRepository | undefined;
  readonly #leaseMs: number;
  readonly #snapshotIntervalMs: number;
  readonly #pollIntervalMs: number;
  readonly #rateLimitStore: RateLimitStore | undefined;
  readonly #reservationTtlMs: number;
  #snapshotTimer: ClockTimer | undefined;
  #pollTimer: ClockTimer | undefined;
  #writeBatch: PendingWrite[] = [];
  #writeChain: Promise<void> = Promise.resolve();
  #flushQueued = false;

  /**
   * @param options - see {@link MessageUpdateManagerOptions}
   * @throws InvalidConfigError when neither or both of `rest` / `transport` are given, or a config field is invalid
   */
  public constructor(options: MessageUpdateManagerOptions<TMetrics>) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new InvalidConfigError('options', options, 'an object with `rest` or `transport`');
    }
    if ((options.rest === undefined) === (options.transport === undefined)) {
      throw new InvalidConfigError(
        'rest',
        options.rest,
        'a REST instance from @discordjs/rest, or leave it out and pass `transport` (exactly one of the two)',
      );
    }
    if (options.rest !== undefined && typeof (options.rest as Partial<RestLike>).request !== 'function') {
      throw new InvalidConfigError(
        'rest',
        options.rest,
        'a REST instance from @discordjs/rest (with a request method)',
      );
    }
    if (options.transport !== undefined && typeof options.transport.request !== 'function') {
      throw new InvalidConfigError('transport', options.transport, 'an object with a request(request) method');
    }
    const remembered = integerOption('maxRememberedMessages', options.maxRememberedMessages, 100_000, 0, 10_000_000);
    const leaseMs = integerOption('leaseMs', options.leaseMs, 30_000, 1000, 3_600_000);
    const snapshotMs = integerOption(
      'metricsSnapshotIntervalMs',
      options.metricsSnapshotIntervalMs,
      60_000,
      0,
      86_400_000,
    );
    this.#pollIntervalMs = integerOption('outboxPollIntervalMs', options.outboxPollIntervalMs, 0, 0, 3_600_000);
    if (options.rateLimitStore !== undefined && typeof options.rateLimitStore.acquire !== 'function') {
      throw new InvalidConfigError(
        'rateLimitStore',
        options.rateLimitStore,
        'a RateLimitStore (RedisRateLimitStore, ...)',
      );
    }
    this.#rateLimitStore = options.rateLimitStore;
    this.#reservationTtlMs = integerOption(
      'rateLimitReservationTtlMs',
      options.rateLimitReservationTtlMs,
      DEFAULT_RESERVATION_TTL_MS,
      1000,
      600_000,
    );
    if (options.repository !== undefined && typeof options.repository.claim !== 'function') {
      throw new InvalidConfigError(
        'repository',
        options.repository,
        'an UpdateRepository (SqliteUpdateRepository, ...)',
      );
    }
    this.#repository = options.repository;
    this.#leaseMs = leaseMs;
    this.#snapshotIntervalMs = snapshotMs;
    this.config = resolveRateLimitConfig(options.config);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#failures = new FailurePolicy({
      baseBackoffMs: this.config.baseBackoffMs,
      maxBackoffMs: this.config.maxBackoffMs,
      random: this.#random,
    });

    this.#acked = new BoundedMap(remembered);
    this.#deletedIds = new BoundedMap(remembered);
    if (options.transport) {
      this.#transport = options.transport;
      this.#ownedTransport = undefined;
    } else {
      this.#ownedTransport = new RestTransport(options.rest!);
      this.#transport = this.#ownedTransport;
    }
    // Without a collector of the caller's, TMetrics is its default, InMemoryMetricsCollector.
    this.#limits = {
      globalLimit: this.config.globalRequestsPerSecond,
      globalWindowMs: 1000,
      // REST sends one request at a time per bucket: more would only queue inside it, beyond merging and cancelling.
      maxInFlightPerBucket: this.#transport.sequentialPerBucket === true ? 1 : this.config.maxConcurrentUpdates,
      invalidRequestLimit: this.config.invalidRequestLimit,
      invalidRequestWindowMs: this.config.invalidRequestWindowMs,
      reservationTtlMs: this.#reservationTtlMs,
    };
    this.#tracker = new RateLimitTracker(this.#limits, {
      repeatHeadroom: this.#transport.repeatsRequests === true,
      // With a shared store, the store learns the global limit for every process (this one adopts it).
      learnGlobalLimit: this.#rateLimitStore === undefined,
    });
    this.#globalLimit = this.config.globalRequestsPerSecond;
    this.metrics = options.metrics ?? (new InMemoryMetricsCollector() as unknown as TMetrics);
    this.metrics.bindGauges(() => this.#gauges());
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts sending. Updates enqueued before `start()` wait in the queue (and coalesce) until then.
   *
   * @throws ManagerClosedError after `stop()`
   */
  public async start(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw new ManagerClosedError('start');
    if (this.#state === 'running') return;
    if (this.#repository) {
      // Managed messages and the outbox left by an earlier run (a crash included) come back first.
      for (const managed of await this.#repository.listManaged()) {
        this.#managed.set(managed.key, {
          channelId: managed.channelId,
          messageId: managed.messageId,
          hash: managed.contentHash ?? undefined,
          sortOrder: managed.sortOrder,
        });
      }
      for (const row of await this.#repository.listPending()) this.#recover(row);
    }
    this.#state = 'running';
    this.#armSnapshots();
    this.#armPolling();
    this.#schedulePass();
  }

  /**
   * Stops the manager. New updates are refused with {@link ManagerClosedError} from the moment this is called.
   * With `drain: true` (the default) it resolves once every queued update is settled; with `drain: false` queued
   * updates settle `cancelled` at once and only requests already on the wire are awaited. Nothing is left hanging.
   * A manager that was never started cannot drain: its queued updates are cancelled.
   */
  public async stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    const drain = options.drain ?? true;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    if (!drain || !wasRunning) this.#cancelAll();
    else this.#schedulePass();
    await this.onIdle();
    await this.#writeChain;
    if (this.#snapshotTimer !== undefined) this.#clock.clearTimeout(this.#snapshotTimer);
    if (this.#pollTimer !== undefined) this.#clock.clearTimeout(this.#pollTimer);
    if (wasRunning) await this.#recordSnapshot().catch(() => undefined);
    this.#state = 'stopped';
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ownedTransport?.close();
  }

  /** Resolves when nothing is queued or in flight (at once if that is already so). */
  public onIdle(): Promise<void> {
    if (this.#queued === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves when nothing is queued (requests may still be in flight). */
  public onEmpty(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  // ---------------------------------------------------------------- public API

  /**
   * Queues an edit of a message. Queued edits of the same message merge (the newest body wins, the highest priority
   * and the earliest enqueue time are kept); behind an edit already in flight at most one follow-up waits. An edit
   * identical to what Discord last acknowledged for that message is skipped.
   *
   * @param channelId - the channel's snowflake
   * @param messageId - the message's snowflake
   * @param body - the full message body (discord-api-types `RESTPatchAPIChannelMessageJSONBody`)
   * @param options - priority and deadline
   * @returns a handle: `await handle.accepted` for storage, `await handle` for the {@link UpdateResult}
   * @throws InvalidArgumentError for ids that are not snowflakes or bad options
   * @throws InvalidPayloadError for a body over Discord's limits (nothing is sent)
   * @throws ManagerClosedError after `stop()`
   * @example
   * ```ts
   * const { outcome } = await manager.edit(channelId, messageId, { embeds: [embed] });
   * ```
   */
  public edit(channelId: string, messageId: string, body: MessageEditBody, options: UpdateOptions = {}): UpdateHandle {
    this.#assertOpen('edit a message');
    this.#assertSnowflake('channelId', channelId);
    this.#assertSnowflake('messageId', messageId);
    assertValidPayload(body, 'edit');
    const { priority, deadlineMs } = this.#readOptions(options);
    const target = this.#messageTarget(channelId, messageId);
    return this.#enqueue(target, 'edit', body, priority, deadlineMs);
  }

  /**
   * Queues the creation of a message. Creates in one channel are sent in the order they were enqueued. With a `key`,
   * the message becomes a managed message: `sync(key, ...)` calls made before the create is sent fold into it, and
   * later ones edit it.
   *
   * @param channelId - the channel's snowflake
   * @param body - the message body (discord-api-types `RESTPostAPIChannelMessageJSONBody`, without nonce)
   * @param options - priority, deadline and managed-message key
   * @returns a handle whose result carries the new `messageId`
   * @throws InvalidArgumentError for a bad channel id, key or options, or a key already bound to a sent message
   * @throws InvalidPayloadError for a body over Discord's limits or an empty body
   * @throws ManagerClosedError after `stop()`
   * @example
   * ```ts
   * const { messageId } = await manager.create(channelId, { content: 'Board' }, { key: 'board' });
   * ```
   */
  public create(channelId: string, body: MessageCreateBody, options: CreateOptions = {}): UpdateHandle {
    this.#assertOpen('create a message');
    this.#assertSnowflake('channelId', channelId);
    assertValidPayload(body, 'create');
    const { priority, deadlineMs } = this.#readOptions(options);
    if (options.key === undefined) {
      return this.#enqueue(this.#newTarget(channelId, undefined, undefined), 'create', body, priority, deadlineMs);
    }
    this.#assertKey(options.key);
    const target = this.#keyTarget(options.key, channelId);
    if (target.messageId !== undefined) {
      throw new InvalidArgumentError(
        'options.key',
        options.key,
        `a key not yet bound to a message (it is bound to message ${target.messageId}; use sync(key, ...) to edit it or deleteManaged(key) first)`,
      );
    }
    return this.#enqueue(target, 'create', body, priority, deadlineMs);
  }

  /**
   * Queues the deletion of a message. Pending edits of it are cancelled (their handles resolve `cancelled`); later
   * edits are refused with {@link MessageDeletedError}. A message already gone (404) counts as deleted.
   *
   * @param channelId - the channel's snowflake
   * @param messageId - the message's snowflake
   * @param options - priority and deadline
   * @throws InvalidArgumentError for ids that are not snowflakes
   * @throws ManagerClosedError after `stop()`
   */
  public delete(channelId: string, messageId: string, options: UpdateOptions = {}): UpdateHandle {
    this.#assertOpen('delete a message');
    this.#assertSnowflake('channelId', channelId);
    this.#assertSnowflake('messageId', messageId);
    const { priority, deadlineMs } = this.#readOptions(options);
    return this.#enqueue(this.#messageTarget(channelId, messageId), 'delete', undefined, priority, deadlineMs);
  }

  /**
   * Keeps a managed message showing `body`: creates it the first time, edits it afterwards, remembers its id under
   * `key`, and re-creates it if Discord says it is gone (404). Unchanged content is skipped.
   *
   * @param key - your stable name for the message, 1 to 200 characters (e.g. `equipment:42`)
   * @param channelId - the channel's snowflake (a key stays in its channel)
   * @param body - the full message body
   * @param options - priority, deadline, and the message's `sortOrder` (stored with it)
   * @throws InvalidArgumentError for a bad key or channel id, or a key bound to another channel
   * @throws InvalidPayloadError for a body over Discord's limits or an empty body
   * @throws ManagerClosedError after `stop()`
   * @example
   * ```ts
   * manager.sync(`equipment:${item.id}`, channelId, { embeds: [render(item)] });
   * ```
   */
  public sync(key: string, channelId: string, body: MessageCreateBody, options: SyncOptions = {}): UpdateHandle {
    this.#assertOpen('sync a message');
    this.#assertKey(key);
    this.#assertSnowflake('channelId', channelId);
    assertValidPayload(body, 'create');
    const { priority, deadlineMs } = this.#readOptions(options);
    if (options.sortOrder !== undefined && !Number.isFinite(options.sortOrder)) {
      throw new InvalidArgumentError('options.sortOrder', options.sortOrder, 'a finite number');
    }
    const target = this.#keyTarget(key, channelId);
    if (options.sortOrder !== undefined) target.sortOrder = options.sortOrder;
    const kind = target.messageId === undefined && target.inFlight?.kind !== 'create' ? 'create' : 'edit';
    return this.#enqueue(target, kind, body, priority, deadlineMs);
  }

  /**
   * Deletes a managed message and forgets its key. A create still queued is simply cancelled.
   *
   * @param key - the managed message's key
   * @param options - priority and deadline
   * @returns a handle; `skipped` when the key is unknown or the message was never created
   */
  public deleteManaged(key: string, options: UpdateOptions = {}): UpdateHandle {
    this.#assertOpen('delete a managed message');
    this.#assertKey(key);
    const { priority, deadlineMs } = this.#readOptions(options);
    const existing = this.#targets.get(`k:${key}`);
    const record = this.#managed.get(key);
    if (!existing && !record) return this.#resolvedHandle('skipped', 'delete', '', undefined, key);
    const target = existing ?? this.#keyTarget(key, record!.channelId);
    return this.#enqueue(target, 'delete', undefined, priority, deadlineMs);
  }

  /**
   * Every managed message this manager knows (created ones; with a repository, those of earlier runs too), by
   * `sortOrder` then key: what a bot needs to reconcile its channel at start-up (e.g. delete items that are gone).
   */
  public getManagedMessages(): { key: string; channelId: string; messageId: string; sortOrder: number }[] {
    const result: { key: string; channelId: string; messageId: string; sortOrder: number }[] = [];
    for (const [key, record] of this.#managed) {
      if (record.messageId !== undefined) {
        result.push({ key, channelId: record.channelId, messageId: record.messageId, sortOrder: record.sortOrder });
      }
    }
    return result.sort((a, b) => a.sortOrder - b.sortOrder || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The message id a managed key is bound to, or `undefined` when it has not been created yet. */
  public getManagedMessageId(key: string): string | undefined {
    return this.#targets.get(`k:${key}`)?.messageId ?? this.#managed.get(key)?.messageId;
  }

  /**
   * Current state: queue size, requests in flight, current backoff, learned buckets and budgets.
   *
   * @example
   * ```ts
   * const { queueSize, currentBackoffMs } = manager.getStats();
   * ```
   */
  public getStats(): ManagerStats {
    const now = this.#clock.now();
    const gauges = this.#gauges();
    return {
      running: this.#state === 'running' || this.#state === 'stopping',
      queueSize: gauges.queueSize,
      inFlight: gauges.inFlight,
      currentBackoffMs: gauges.currentBackoffMs,
      globalRemaining: this.#tracker.globalRemaining(now),
      globalLimit: this.#tracker.globalLimit(now),
      invalidRequestBudgetRemaining: gauges.invalidRequestBudgetRemaining,
      activeTargets: new Set(this.#targets.values()).size,
      managedMessages: this.#managed.size,
      buckets: this.#tracker.snapshot(now),
    };
  }

  // ---------------------------------------------------------------- enqueue

  #assertOpen(action: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw new ManagerClosedError(action);
  }

  #assertSnowflake(name: string, value: unknown): void {
    if (!isSnowflake(value))
      throw new InvalidArgumentError(name, value, 'a Discord snowflake (a string of 17 to 20 digits)');
  }

  #assertKey(key: unknown): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
      throw new InvalidArgumentError('key', key, 'a string of 1 to 200 characters');
    }
  }

  #readOptions(options: UpdateOptions): { priority: number; deadlineMs: number | undefined } {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', options, 'an object ({ priority?, deadlineMs? })');
    }
    const priority = options.priority ?? UpdatePriority.Normal;
    if (!PRIORITIES.has(priority)) {
      throw new InvalidArgumentError(
        'options.priority',
        priority,
        'an UpdatePriority (Low 0, Normal 1, High 2, Critical 3)',
      );
    }
    const deadlineMs = options.deadlineMs;
    if (deadlineMs !== undefined && (!Number.isInteger(deadlineMs) || deadlineMs < 1)) {
      throw new InvalidArgumentError('options.deadlineMs', deadlineMs, 'an integer number of milliseconds from 1');
    }
    return { priority, deadlineMs };
  }

  #newTarget(channelId: string, messageId: string | undefined, key: string | undefined): Target {
    return {
      durableKey: key !== undefined ? `k:${key}` : messageId !== undefined ? `m:${messageId}` : `c:${this.#newNonce()}`,
      sortOrder: key === undefined ? 0 : (this.#managed.get(key)?.sortOrder ?? 0),
      unflushed: 0,
      channelId,
      messageId,
      key,
      pending: undefined,
      inFlight: undefined,
      grantWaiter: undefined,
      lastAckedHash: messageId === undefined ? undefined : this.#acked.get(messageId),
      readyToken: 0,
      deleted: messageId !== undefined && this.#deletedIds.has(messageId),
      createQueued: false,
    };
  }

  #messageTarget(channelId: string, messageId: string): Target {
    const existing = this.#targets.get(`m:${messageId}`);
    if (existing) {
      if (existing.channelId !== channelId) {
        throw new InvalidArgumentError(
          'channelId',
          channelId,
          `the channel of message ${messageId} (${existing.channelId})`,
        );
      }
      return existing;
    }
    const target = this.#newTarget(channelId, messageId, undefined);
    this.#targets.set(`m:${messageId}`, target);
    return target;
  }

  #keyTarget(key: string, channelId: string): Target {
    let target = this.#targets.get(`k:${key}`);
    if (!target) {
      const record = this.#managed.get(key);
      if (record?.messageId !== undefined) {
        target = this.#messageTarget(record.channelId, record.messageId);
        target.key = key;
        target.lastAckedHash ??= record.hash;
      } else {
        target = this.#newTarget(record?.channelId ?? channelId, undefined, key);
      }
      this.#targets.set(`k:${key}`, target);
    }
    if (target.channelId !== channelId) {
      this.#dropIfIdle(target);
      throw new InvalidArgumentError(
        'channelId',
        channelId,
        `the channel managed key "${key}" is bound to (${target.channelId}); deleteManaged(key) first to move it`,
      );
    }
    return target;
  }

  #enqueue(
    target: Target,
    kind: OperationKind,
    body: unknown,
    priority: number,
    deadlineMs: number | undefined,
  ): UpdateHandle {
    const now = this.#clock.now();
    if (this.#unauthorizedError) {
      this.#dropIfIdle(target);
      return new UpdateHandle(Promise.reject(this.#unauthorizedError), EMPTY_ACCEPTED);
    }
    if (target.deleted && kind !== 'delete') {
      this.#dropIfIdle(target);
      const error = new MessageDeletedError(target.channelId, target.messageId ?? '(not created)');
      return new UpdateHandle(Promise.reject(error), Promise.reject(error));
    }
    if (target.deleted && kind === 'delete') {
      return this.#resolvedHandle('skipped', 'delete', target.channelId, target.messageId, target.key);
    }

    const deadlineAt = deadlineMs === undefined ? Infinity : now + deadlineMs;
    const skipIdentical =
      kind === 'edit' &&
      target.pending === undefined &&
      target.inFlight === undefined &&
      target.lastAckedHash !== undefined &&
      contentHash(body) === target.lastAckedHash;
    // Stored before anything else happens, so the target is not sent before its outbox row holds this update.
    const write = skipIdentical ? undefined : this.#persist(target, kind, body, priority, now, deadlineAt);
    const accepted = write?.accepted ?? EMPTY_ACCEPTED;
    let resolve!: (result: UpdateResult) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<UpdateResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: Waiter = { resolve, reject, enqueuedAt: now };
    if (write?.item) write.item.waiter = waiter;
    let merged = false;

    if (kind === 'delete') {
      target.deleted = true;
      const pending = target.pending;
      if (pending) {
        this.#clearPending(target);
        this.#settle(target, pending, 'cancelled', now);
        if (pending.kind === 'create') this.#releaseCreateGate(target);
      }
      if (target.messageId === undefined && target.inFlight === undefined) {
        // Never created: nothing to delete.
        this.#forgetKey(target);
        waiter.resolve(this.#result(target, 'delete', 'skipped', 0, 0, undefined));
        this.#afterChange(target);
        return new UpdateHandle(result, accepted);
      }
      this.#setPending(target, this.#newOperation('delete', undefined, priority, now, deadlineAt, waiter));
      if (!target.inFlight) this.#makeReady(target, now);
    } else if (target.pending) {
      const pending = target.pending;
      merged = true;
      pending.body = body;
      pending.waiters.push(waiter);
      pending.deadlineAt = Math.max(pending.deadlineAt, deadlineAt);
      if (pending.deadlineAt !== Infinity && deadlineAt === pending.deadlineAt) {
        this.#deadlines.push({ target, op: pending, at: pending.deadlineAt });
      }
      if (priority > pending.priority) {
        pending.priority = priority;
        if (!target.inFlight) this.#makeReady(target, now);
      }
      this.#emit('updateCoalesced', this.#settledEvent(target, pending, pending.waiters.length - 1, now));
    } else {
      if (skipIdentical) {
        const skipped = this.#newOperation('edit', body, priority, now, deadlineAt, waiter);
        this.#settle(target, skipped, 'skipped', now);
        this.#afterChange(target);
        return new UpdateHandle(result, EMPTY_ACCEPTED);
      }
      this.#setPending(target, this.#newOperation(kind, body, priority, now, deadlineAt, waiter));
      if (!target.inFlight) this.#makeReady(target, now);
    }
    this.#emit('updateQueued', {
      kind: target.pending?.kind ?? kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      priority: priority as UpdatePriority,
      merged,
    });
    this.#schedulePass();
    return new UpdateHandle(result, accepted);
  }

  /**
   * Stores the new desired state of `target` in the repository (batched per tick, one transaction, in order) and
   * returns the promise `handle.accepted` waits for. Without a repository the update is stored once in memory.
   */
  #persist(
    target: Target,
    kind: OperationKind,
    body: unknown,
    priority: number,
    now: number,
    deadlineAt: number,
  ): { accepted: Promise<void>; item: PendingWrite | undefined } {
    if (!this.#repository) return { accepted: EMPTY_ACCEPTED, item: undefined };
    const upsert: OutboxUpsert = {
      targetKey: target.durableKey,
      desired: kind === 'delete' ? 'absent' : 'present',
      channelId: target.channelId,
      messageId: target.messageId ?? null,
      managedKey: target.key ?? null,
      body: kind === 'delete' ? null : body,
      priority,
      enqueuedAt: now,
      deadlineAt: deadlineAt === Infinity ? null : deadlineAt,
    };
    target.unflushed++;
    let item!: PendingWrite;
    const accepted = new Promise<void>((resolve, reject) => {
      item = { upsert, target, resolve, reject };
      this.#writeBatch.push(item);
    });
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        const batch = this.#writeBatch;
        this.#writeBatch = [];
        this.#writeChain = this.#writeChain.then(() => this.#flush(batch));
      });
    }
    return { accepted, item };
  }

  /**
   * Commits one batch of outbox writes, retrying a failing database with backoff (an upsert applied twice only bumps
   * the version). If it never commits, those updates were not accepted: their handles reject and they are not sent.
   */
  async #flush(batch: PendingWrite[]): Promise<void> {
    let error: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#repository!.enqueueMany(batch.map((item) => item.upsert));
        error = undefined;
        break;
      } catch (caught) {
        error = caught;
        if (attempt > this.config.maxRetries || this.#state === 'stopped') break;
        await sleep(this.#clock, this.#failures.retryDelayMs(attempt));
      }
    }
    const now = this.#clock.now();
    const failure = error === undefined ? undefined : new RepositoryError('store accepted updates', error);
    for (const item of batch) {
      item.target.unflushed--;
      if (failure === undefined) item.resolve();
      else {
        item.reject(failure);
        this.#dropWaiter(item.target, item.waiter, failure);
      }
      // Committed (or failed for good): the target may be sent now.
      if (item.target.unflushed === 0 && item.target.pending && !item.target.inFlight)
        this.#makeReady(item.target, now);
    }
    if (failure) this.#emit('repositoryError', failure);
    this.#schedulePass();
  }

  /** Takes a waiter whose update could not be stored out of its operation, rejecting it. */
  #dropWaiter(target: Target, waiter: Waiter | undefined, error: Error): void {
    if (!waiter) return;
    waiter.reject(error);
    const pending = target.pending;
    if (!pending) return;
    const index = pending.waiters.indexOf(waiter);
    if (index < 0) return;
    pending.waiters.splice(index, 1);
    if (pending.waiters.length === 0) {
      this.#clearPending(target);
      if (pending.kind === 'create') this.#releaseCreateGate(target);
      this.#afterChange(target);
    }
  }

  #newOperation(
    kind: OperationKind,
    body: unknown,
    priority: number,
    now: number,
    deadlineAt: number,
    waiter: Waiter | undefined,
  ): Operation {
    return {
      kind,
      body,
      priority,
      enqueuedAt: now,
      deadlineAt,
      waiters: waiter ? [waiter] : [],
      nonce: undefined,
      attempts: 0,
      notBefore: 0,
      seq: ++this.#seq,
    };
  }

  #setPending(target: Target, op: Operation): void {
    this.#idleEmitted = false;
    if (!target.pending) this.#queued++;
    target.pending = op;
    if (op.deadlineAt !== Infinity) this.#deadlines.push({ target, op, at: op.deadlineAt });
  }

  #clearPending(target: Target): void {
    if (target.pending) this.#queued--;
    target.pending = undefined;
    target.createQueued = false;
  }

  #resolvedHandle(
    outcome: UpdateOutcome,
    kind: OperationKind,
    channelId: string,
    messageId: string | undefined,
    key: string | undefined,
  ): UpdateHandle {
    return new UpdateHandle(
      Promise.resolve({ outcome, kind, channelId, messageId, key, attempts: 0, latencyMs: 0, message: undefined }),
      EMPTY_ACCEPTED,
    );
  }

  // ---------------------------------------------------------------- readiness

  /** Puts the target where its next request waits: a ready group, the delay heap, or its channel's create queue. */
  #makeReady(target: Target, now: number): void {
    const op = target.grantWaiter ? target.inFlight : target.inFlight ? undefined : target.pending;
    if (!op) return;
    // With a repository, a target is sent only once its outbox row holds everything enqueued so far.
    if (target.unflushed > 0 && !target.grantWaiter) return;
    if (op.kind === 'create' && !target.grantWaiter) {
      // Message order in a channel is creation order: one create at a time per channel, in enqueue order.
      let gate = this.#createGates.get(target.channelId);
      if (!gate) {
        gate = { active: undefined, queue: [] };
        this.#createGates.set(target.channelId, gate);
      }
      if (gate.active === undefined) gate.active = target;
      if (gate.active !== target) {
        if (!target.createQueued) {
          target.createQueued = true;
          gate.queue.push(target);
        }
        return;
      }
    }
    const token = ++target.readyToken;
    if (op.notBefore > now) {
      this.#delayed.push({ target, at: op.notBefore, token });
      return;
    }
    const request = this.#requestFor(target, op);
    const route = routeOf(request.method, request.path, now);
    const groupKey = `${route.routeKey}|${route.majorParameter}`;
    let group = this.#groups.get(groupKey);
    if (!group) {
      group = { route, heap: new PriorityHeap((a, b) => a.score < b.score || (a.score === b.score && a.seq < b.seq)) };
      this.#groups.set(groupKey, group);
    }
    group.heap.push({
      target,
      score: op.enqueuedAt - op.priority * this.config.priorityAgingMs,
      seq: op.seq,
      token,
    });
  }

  #releaseCreateGate(target: Target): void {
    const gate = this.#createGates.get(target.channelId);
    if (!gate) return;
    if (gate.active === target) gate.active = undefined;
    else if (target.createQueued) {
      const index = gate.queue.indexOf(target);
      if (index >= 0) gate.queue.splice(index, 1);
    }
    target.createQueued = false;
    if (gate.active !== undefined) return;
    const now = this.#clock.now();
    while (gate.queue.length > 0) {
      const next = gate.queue.shift()!;
      next.createQueued = false;
      if (next.pending?.kind === 'create' && !next.inFlight) {
        gate.active = next;
        this.#makeReady(next, now);
        break;
      }
    }
    if (gate.active === undefined && gate.queue.length === 0) this.#createGates.delete(target.channelId);
  }

  // ---------------------------------------------------------------- scheduling

  #schedulePass(): void {
    if (this.#passQueued) return;
    this.#passQueued = true;
    queueMicrotask(() => {
      this.#passQueued = false;
      this.#pass();
    });
  }

  #isValid(entry: { target: Target; token: number }): boolean {
    const target = entry.target;
    if (entry.token !== target.readyToken) return false;
    if (target.grantWaiter !== undefined) return true;
    // An update merged after the target became ready may still be on its way to the outbox: wait for the commit
    // (the flush makes the target ready again), or the claim could send and acknowledge an older version for it.
    return target.pending !== undefined && target.inFlight === undefined && target.unflushed === 0;
  }

  #pass(): void {
    if (this.#state !== 'running' && this.#state !== 'stopping') return;
    const now = this.#clock.now();
    this.#noticeGlobalLimit(now); // probing raises a learned limit with time
    this.#expireDue(now);
    while (this.#delayed.size > 0 && this.#delayed.peek()!.at <= now) {
      const entry = this.#delayed.pop()!;
      if (this.#isValid(entry)) this.#makeReady(entry.target, now);
    }
    let budget = this.config.batchSize;
    let wakeAt = Infinity;
    while (budget > 0) {
      let best: ReadyEntry | undefined;
      let bestGroup: Group | undefined;
      for (const [groupKey, group] of this.#groups) {
        let head = group.heap.peek();
        while (head && !this.#isValid(head)) {
          group.heap.pop();
          head = group.heap.peek();
        }
        if (!head) {
          this.#groups.delete(groupKey);
          continue;
        }
        const at = this.#availableAt(group.route, now);
        if (at === undefined) continue;
        if (at > now) {
          wakeAt = Math.min(wakeAt, at);
          continue;
        }
        if (!best || head.score < best.score || (head.score === best.score && head.seq < best.seq)) {
          best = head;
          bestGroup = group;
        }
      }
      if (!best || !bestGroup) break;
      bestGroup.heap.pop();
      if (this.#dispatch(best.target, bestGroup.route, now)) budget--;
    }
    if (budget === 0 && !this.#immediateQueued) {
      // More may be ready: yield to I/O, then go on (batchSize bounds blocking, never throughput).
      this.#immediateQueued = true;
      setImmediate(() => {
        this.#immediateQueued = false;
        this.#schedulePass();
      });
    }
    if (this.#delayed.size > 0) wakeAt = Math.min(wakeAt, this.#delayed.peek()!.at);
    while (this.#deadlines.size > 0 && !this.#deadlineValid(this.#deadlines.peek()!)) this.#deadlines.pop();
    if (this.#deadlines.size > 0) wakeAt = Math.min(wakeAt, this.#deadlines.peek()!.at);
    if (this.#groups.size > 0 || this.#delayed.size > 0) wakeAt = Math.min(wakeAt, now + this.config.batchDelayMs);
    this.#armTimer(wakeAt, now);
  }

  /** When a request on `route` may start: the rate limits, and the failure policy's pacing of failing scopes. */
  #availableAt(route: RouteInfo, now: number): number | undefined {
    const at = this.#tracker.availableAt(route, now);
    if (at === undefined) return undefined;
    return Math.max(
      at,
      this.#failures.availableAt(SERVICE_SCOPE, now),
      this.#failures.availableAt(this.#tracker.bucketKeyOf(route), now),
    );
  }

  /** Takes a slot for a request on `route` and tells the failure policy it starts. */
  #acquire(route: RouteInfo, now: number): Grant {
    const grant = this.#tracker.acquire(route, now);
    this.#failures.started(
      [
        { key: SERVICE_SCOPE, nominalSpacingMs: 1000 / this.config.globalRequestsPerSecond },
        { key: grant.bucketKey, nominalSpacingMs: this.#tracker.nominalSpacingMs(route, now) },
      ],
      now,
    );
    return grant;
  }

  #armTimer(wakeAt: number, now: number): void {
    if (wakeAt === Infinity) return;
    if (this.#timer !== undefined && this.#timerAt <= wakeAt && this.#timerAt > now) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = wakeAt;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#pass();
      },
      Math.max(0, wakeAt - now),
    );
  }

  #deadlineValid(entry: DeadlineEntry): boolean {
    return entry.target.pending === entry.op && entry.op.deadlineAt === entry.at;
  }

  #expireDue(now: number): void {
    while (this.#deadlines.size > 0 && this.#deadlines.peek()!.at <= now) {
      const entry = this.#deadlines.pop()!;
      if (!this.#deadlineValid(entry)) continue;
      const target = entry.target;
      this.#clearPending(target);
      this.#settle(target, entry.op, 'expired', now);
      if (entry.op.kind === 'create') this.#releaseCreateGate(target);
      if (this.#repository) {
        // After the writes already queued (the expired update's own included); stop() waits for it too.
        const repository = this.#repository;
        const key = target.durableKey;
        this.#writeChain = this.#writeChain.then(() => this.#dropExpiredRow(repository, key));
      }
      this.#afterChange(target);
    }
  }

  /**
   * Removes an expired update's outbox row: claimed, then acknowledged with its own version, so a newer version
   * enqueued meanwhile (here or by another process) survives, and a row leased elsewhere is left to its holder.
   */
  async #dropExpiredRow(repository: UpdateRepository, targetKey: string): Promise<void> {
    try {
      const [row] = await repository.claim({
        limit: 1,
        leaseMs: this.#leaseMs,
        targetKeys: [targetKey],
        newNonce: () => this.#newNonce(),
      });
      if (!row) return;
      if (row.deadlineAt !== null && row.deadlineAt <= this.#clock.now()) {
        await repository.ack({ targetKey, leaseToken: row.leaseToken, version: row.version });
      } else {
        await repository.release({
          targetKey,
          leaseToken: row.leaseToken,
          attempts: row.attempts,
          retryInMs: 0,
          error: null,
        });
      }
    } catch (error) {
      // The row keeps its deadline: whoever claims it next drops it.
      this.#emit('repositoryError', new RepositoryError('drop an expired outbox row', error));
    }
  }

  /** Starts the target's next request on `route`; returns whether a request slot was used. */
  #dispatch(target: Target, route: RouteInfo, now: number): boolean {
    if (target.grantWaiter) {
      const waiter = target.grantWaiter;
      target.grantWaiter = undefined;
      waiter.resolve(this.#acquire(route, now));
      return true;
    }
    const op = target.pending;
    if (!op || target.inFlight) return false;
    if (op.deadlineAt <= now) {
      this.#expireDue(now);
      return false;
    }
    if (op.kind !== 'create' && target.messageId === undefined) {
      // The create this was queued behind failed: an edit becomes the create, a delete has nothing to delete.
      if (op.kind === 'edit') {
        op.kind = 'create';
        this.#makeReady(target, now);
      } else {
        this.#clearPending(target);
        this.#settle(target, op, 'skipped', now);
        this.#forgetKey(target);
        this.#afterChange(target);
      }
      return false;
    }
    if (op.kind === 'edit' && target.lastAckedHash !== undefined && contentHash(op.body) === target.lastAckedHash) {
      this.#clearPending(target);
      this.#settle(target, op, 'skipped', now);
      this.#afterChange(target);
      return false;
    }
    this.#clearPending(target);
    target.inFlight = op;
    this.#inFlight++;
    if (op.kind === 'create') op.nonce ??= this.#newNonce();
    const grant = this.#acquire(route, now);
    void (this.#repository ? this.#runDurable(target, op, grant) : this.#run(target, op, grant));
    return true;
  }

  #newNonce(): string {
    // Unique per create, stable across its retries, at most 25 characters (Discord's limit).
    this.#nonceCounter = (this.#nonceCounter + 1) % 1_679_616;
    const time = Math.floor(this.#clock.now()).toString(36).slice(-9);
    const random = Math.floor(this.#random() * 2_176_782_336).toString(36);
    return `${time}${this.#nonceCounter.toString(36)}${random}`.slice(0, 25);
  }

  #requestFor(target: Target, op: Operation): OutgoingRequest {
    switch (op.kind) {
      case 'create':
        return {
          method: 'POST',
          path: `/channels/${target.channelId}/messages`,
          body: { ...(op.body as object), nonce: op.nonce, enforce_nonce: true },
        };
      case 'edit':
        return { method: 'PATCH', path: `/channels/${target.channelId}/messages/${target.messageId}`, body: op.body };
      case 'delete':
        return { method: 'DELETE', path: `/channels/${target.channelId}/messages/${target.messageId}` };
    }
  }

  #awaitGrant(target: Target): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      if (this.#unauthorizedError) {
        reject(this.#unauthorizedError);
        return;
      }
      if (this.#state === 'stopping' && this.#cancelling) {
        reject(new OperationCancelled('The manager stopped without draining'));
        return;
      }
      target.grantWaiter = { resolve, reject };
      this.#makeReady(target, this.#clock.now());
      this.#schedulePass();
    });
  }

  /** Late binding during retries: edits queued while an edit waits for its retry slot ride along with it. */
  #absorbPending(target: Target, op: Operation): void {
    const pending = target.pending;
    if (!pending || pending.kind !== 'edit' || op.kind !== 'edit') return;
    this.#clearPending(target);
    op.body = pending.body;
    op.waiters.push(...pending.waiters);
    op.priority = Math.max(op.priority, pending.priority);
  }

  // ---------------------------------------------------------------- sending

  async #run(target: Target, op: Operation, firstGrant: Grant): Promise<void> {
    let grant: Grant | undefined = firstGrant;
    let answer: TransportResponse;
    try {
      answer = await pRetry(
        async () => {
          for (;;) {
            if (!grant) {
              try {
                grant = await this.#awaitGrant(target);
              } catch (error) {
                throw new AbortError(error as Error);
              }
            }
            if (op.kind === 'edit') this.#absorbPending(target, op);
            const current: Grant = grant;
            grant = undefined; // #sendOnce completes it, answered or not
            const step = await this.#attempt(current, target, op);
            if (step.again) continue;
            return step.response;
          }
        },
        this.#retryOptions(target, op),
      );
    } catch (error) {
      if (grant) this.#tracker.cancel(grant, this.#clock.now()); // taken, never sent
      this.#onRunFailed(target, op, error);
      return;
    }
    this.#onRunSucceeded(target, op, answer);
  }

  /**
   * The sending path with a repository: every attempt claims the target's outbox row (a lease, so no other process
   * sends it meanwhile), sends the row's body (the newest committed version: late binding through the table), then
   * acks with the lease token and the version sent. A failure releases the lease with the retry schedule, or turns the
   * row into a dead letter; nothing is deleted from the outbox before Discord acknowledged it.
   */
  async #runDurable(target: Target, op: Operation, firstGrant: Grant): Promise<void> {
    const repository = this.#repository!;
    let grant: Grant | undefined = firstGrant;
    let lease: ClaimedRow | undefined;
    let leaseValidUntil = 0;
    let sentVersion = 0;
    const releaseLease = async (attempts: number, retryInMs: number, error: string | null): Promise<void> => {
      if (!lease) return;
      const held = lease;
      lease = undefined;
      // Best effort: if the database is down the lease simply expires and the row is claimed again.
      await repository
        .release({
          targetKey: held.targetKey,
          leaseToken: held.leaseToken,
          attempts,
          retryInMs,
          error,
          messageId: target.messageId ?? null,
        })
        .catch(() => undefined);
    };
    let answer: TransportResponse | typeof DELIVERED_ELSEWHERE | typeof EXPIRED | undefined;
    try {
      answer = await pRetry(
        async (attemptNumber) => {
          for (;;) {
            if (!grant) {
              try {
                grant = await this.#awaitGrant(target);
              } catch (error) {
                throw new AbortError(error as Error);
              }
            }
            const current: Grant = grant;
            if (!lease) {
              const claimedAt = this.#clock.now();
              let row: ClaimedRow | undefined;
              try {
                [row] = await viaRepository('claim an outbox row', () =>
                  repository.claim({
                    limit: 1,
                    leaseMs: this.#leaseMs,
                    targetKeys: [target.durableKey],
                    newNonce: () => this.#newNonce(),
                  }),
                );
              } catch (error) {
                grant = undefined;
                this.#tracker.cancel(current, this.#clock.now());
                throw error;
              }
              if (!row) {
                grant = undefined;
                this.#tracker.cancel(current, this.#clock.now());
                const stored = await viaRepository('read an outbox row', () => repository.getRow(target.durableKey));
                // Gone: a worker acknowledged the newest version (ours included). Dead: a worker gave up on it.
                if (!stored) return DELIVERED_ELSEWHERE;
                if (stored.deadAt !== null)
                  throw new AbortError(new DeadLetterError(stored.targetKey, stored.lastError));
                // Leased by another (or a crashed) process, or waiting out its retry delay: look again later.
                op.notBefore = this.#clock.now() + Math.min(this.#leaseMs, 1000);
                continue;
              }
              if (row.deadlineAt !== null && row.deadlineAt <= this.#clock.now()) {
                // Too late to matter (its deadline passed while queued, perhaps across a restart): drop it, unless
                // a newer version arrived meanwhile (the fenced ack keeps that one).
                grant = undefined;
                this.#tracker.cancel(current, this.#clock.now());
                await this.#ackWithRetries(repository, {
                  targetKey: row.targetKey,
                  leaseToken: row.leaseToken,
                  version: row.version,
                });
                return EXPIRED;
              }
              lease = row;
              // The lease is counted on the database clock from some moment after `claimedAt`; keeping a 20% margin
              // on our own clock, a process that was paused (SIGSTOP, a long GC) notices it may have lost the row.
              leaseValidUntil = claimedAt + this.#leaseMs * 0.8;
              this.#adoptRow(target, op, row);
              // Discord answers a repeated nonce with the message created the first time, so a create only proves
              // the version first sent with that nonce.
              sentVersion = row.messageId === null && row.nonceVersion !== null ? row.nonceVersion : row.version;
            }
            if (op.kind === 'delete' && target.messageId === undefined) {
              grant = undefined;
              this.#tracker.cancel(current, this.#clock.now());
              return undefined;
            }
            if (this.#clock.now() > leaseValidUntil) {
              // Fencing: never send on a lease that may have passed to another process; its row may be newer.
              lease = undefined;
              grant = undefined;
              this.#tracker.cancel(current, this.#clock.now());
              continue;
            }
            grant = undefined; // #sendOnce completes it, answered or not
            const step = await this.#attempt(current, target, op);
            if (step.again) {
              // Rate limited, or Discord as a whole failing: the row waits (and may be claimed by another worker).
              if (step.note !== undefined) {
                await releaseLease(attemptNumber - 1, Math.max(0, op.notBefore - this.#clock.now()), step.note);
              }
              continue;
            }
            return step.response;
          }
        },
        // The retry schedule is stored, so a restart honours it too (best effort).
        this.#retryOptions(target, op, (attempt, delayMs, error) => releaseLease(attempt, delayMs, error.message)),
      );
      if (lease) {
        const held = lease;
        lease = undefined;
        const createdId =
          op.kind === 'create' && typeof answer === 'object'
            ? (answer.body as { id?: unknown } | undefined)?.id
            : undefined;
        await this.#ackWithRetries(repository, {
          targetKey: held.targetKey,
          leaseToken: held.leaseToken,
          version: sentVersion,
          messageId: isSnowflake(createdId) ? createdId : null,
        });
      }
    } catch (error) {
      if (grant) this.#tracker.cancel(grant, this.#clock.now());
      await this.#settleLeaseAfterFailure(repository, lease, error).catch(() => undefined);
      this.#onRunFailed(target, op, error);
      return;
    }
    if (answer === undefined || answer === DELIVERED_ELSEWHERE || answer === EXPIRED) {
      // Nothing was sent by us: another worker delivered the newest version, the deadline had passed, or there was
      // nothing to delete.
      target.inFlight = undefined;
      this.#inFlight--;
      if (op.kind === 'create') this.#releaseCreateGate(target);
      const outcome = answer === DELIVERED_ELSEWHERE ? 'sent' : answer === EXPIRED ? 'expired' : 'skipped';
      this.#settle(target, op, outcome, this.#clock.now());
      this.#afterChange(target);
      return;
    }
    this.#onRunSucceeded(target, op, answer);
    await this.#saveManaged(repository, target, op.kind).catch(() => undefined);
  }

  /**
   * Acknowledges a version Discord now shows, retrying a failing database with backoff. If it never succeeds the
   * lease expires and the row is sent again later: at-least-once, never lost.
   */
  async #ackWithRetries(repository: UpdateRepository, input: AckInput): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await repository.ack(input);
        return;
      } catch (error) {
        if (attempt > this.config.maxRetries) {
          this.#emit('repositoryError', new RepositoryError('acknowledge an outbox row', error));
          return;
        }
        await sleep(this.#clock, this.#failures.retryDelayMs(attempt));
      }
    }
  }

  /** After a failed run: keep the row for a later start (cancel, bad token) or make it a dead letter. */
  async #settleLeaseAfterFailure(
    repository: UpdateRepository,
    lease: ClaimedRow | undefined,
    error: unknown,
  ): Promise<void> {
    if (!lease) return;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof OperationCancelled || error instanceof UnauthorizedError || this.#cancelling) {
      await repository.release({
        targetKey: lease.targetKey,
        leaseToken: lease.leaseToken,
        attempts: 0,
        retryInMs: 0,
        error: message,
      });
    } else {
      await repository.deadLetter({ targetKey: lease.targetKey, leaseToken: lease.leaseToken, error: message });
    }
  }

  /** Takes what the claimed row says: the newest committed body, the message id, the nonce. */
  #adoptRow(target: Target, op: Operation, row: ClaimedRow): void {
    if (row.messageId !== null && target.messageId === undefined) {
      target.messageId = row.messageId;
      this.#targets.set(`m:${row.messageId}`, target);
    }
    if (row.desired === 'absent') op.kind = 'delete';
    else {
      op.kind = target.messageId === undefined ? 'create' : 'edit';
      op.body = row.body;
    }
    op.nonce = row.nonce ?? undefined;
  }

  async #saveManaged(repository: UpdateRepository, target: Target, kind: OperationKind): Promise<void> {
    if (target.key === undefined) return;
    if (kind === 'delete') {
      await repository.deleteManaged(target.key);
      return;
    }
    if (target.messageId === undefined) return;
    await repository.saveManaged({
      key: target.key,
      channelId: target.channelId,
      messageId: target.messageId,
      contentHash: target.lastAckedHash ?? null,
      sortOrder: target.sortOrder,
    });
  }

  /** Puts an outbox row left by an earlier process back in the queue (no handle waits for it). */
  #recover(row: OutboxRow): void {
    const existing =
      this.#targets.get(row.targetKey) ??
      (row.messageId !== null ? this.#targets.get(`m:${row.messageId}`) : undefined);
    if (existing) return;
    const target: Target = {
      ...this.#newTarget(row.channelId, row.messageId ?? undefined, row.managedKey ?? undefined),
      durableKey: row.targetKey,
    };
    this.#targets.set(row.targetKey, target);
    if (row.messageId !== null) this.#targets.set(`m:${row.messageId}`, target);
    if (row.managedKey !== null) this.#targets.set(`k:${row.managedKey}`, target);
    const kind: OperationKind = row.desired === 'absent' ? 'delete' : row.messageId === null ? 'create' : 'edit';
    const op = this.#newOperation(kind, row.body, row.priority, row.enqueuedAt, row.deadlineAt ?? Infinity, undefined);
    if (kind === 'delete') target.deleted = true;
    this.#setPending(target, op);
    this.#makeReady(target, this.#clock.now());
  }

  /** Appends one `performance_metrics` row (the seed's columns) when the collector can report. */
  #recordSnapshot(): Promise<void> {
    const repository = this.#repository;
    const collector = this.metrics as Partial<InMemoryMetricsCollector>;
    if (!repository || typeof collector.getMetrics !== 'function') return Promise.resolve();
    const m = collector.getMetrics();
    return repository.recordSnapshot({
      timestamp: Date.now(),
      messagesUpdated: m.messagesUpdated,
      averageUpdateTimeMs: m.averageUpdateTimeMs,
      queueSize: this.#queued,
      rateLimitHits: m.rateLimitHits,
      failedUpdates: m.failedUpdates,
    });
  }

  /** Polls the shared outbox for rows this process does not know yet (enqueued elsewhere, or left by a crash). */
  #armPolling(): void {
    const repository = this.#repository;
    if (!repository || this.#pollIntervalMs === 0 || this.#state !== 'running') return;
    this.#pollTimer = this.#clock.setTimeout(() => {
      void repository
        .listPending(1000)
        .then((rows) => {
          if (this.#state !== 'running') return;
          for (const row of rows) this.#recover(row);
          this.#schedulePass();
        })
        .catch((error: unknown) => this.#emit('repositoryError', new RepositoryError('list the outbox', error)))
        .finally(() => this.#armPolling());
    }, this.#pollIntervalMs);
    // Polling alone must not keep the process alive.
    (this.#pollTimer as { unref?: () => void }).unref?.();
  }

  #armSnapshots(): void {
    if (!this.#repository || this.#snapshotIntervalMs === 0 || this.#state !== 'running') return;
    this.#snapshotTimer = this.#clock.setTimeout(() => {
      void this.#recordSnapshot()
        .catch(() => undefined)
        .finally(() => this.#armSnapshots());
    }, this.#snapshotIntervalMs);
    // Periodic snapshots alone must not keep the process alive.
    (this.#snapshotTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Sends one request on a reserved slot and gives the slot back: learns from every answer (rate-limit headers,
   * 429s), and turns "no answer" into a retryable {@link TransportError}.
   */
  /**
   * p-retry options shared by both sending paths: p-retry runs the attempts and counts retries; the waits between
   * them happen in the scheduler on the injected clock (so a retry also waits for a free rate-limit slot), hence no
   * timeout of p-retry's own. `onScheduled` runs once a retry is scheduled (the durable path stores it).
   */
  #retryOptions(
    target: Target,
    op: Operation,
    onScheduled?: (attempt: number, delayMs: number, error: Error) => Promise<void>,
  ): PRetryOptions {
    return {
      retries: this.config.maxRetries,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      shouldRetry: () => !this.#cancelling,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft <= 0 || !isRetryable(error) || this.#cancelling) return;
        const delayMs = this.#failures.retryDelayMs(attemptNumber);
        op.notBefore = this.#clock.now() + delayMs;
        this.metrics.recordRetry();
        this.#emit('updateRetried', {
          kind: op.kind,
          channelId: target.channelId,
          messageId: target.messageId,
          attempt: attemptNumber,
          delayMs,
          error,
          retryCounted: true,
        });
        await onScheduled?.(attemptNumber, delayMs, error);
      },
    };
  }

  /**
   * One attempt of both sending paths: sends the target's request on `grant` and classifies the answer. Returns the
   * answer that ends the run (2xx; 404 to a delete: the message is already gone), or `again` when the attempt does
   * not count (the shared store said wait, a 429, or a failure while Discord as a whole is failing: see
   * FailurePolicy) with a `note` for the outbox row; throws the failure that counts as an attempt.
   */
  async #attempt(
    grant: Grant,
    target: Target,
    op: Operation,
  ): Promise<{ again: false; response: TransportResponse } | { again: true; note: string | undefined }> {
    const request = this.#requestFor(target, op);
    let response: TransportResponse | typeof SLOT_DENIED;
    try {
      response = await this.#sendOnce(grant, request, target, op);
    } catch (error) {
      if (this.#excused(target, op, error)) return { again: true, note: (error as Error).message };
      throw error;
    }
    if (response === SLOT_DENIED) return { again: true, note: undefined }; // op.notBefore is set
    const status = response.status;
    if (status >= 200 && status < 300) return { again: false, response };
    if (status === 429) return { again: true, note: 'rate limited (429)' }; // never uses up a retry
    if (status === 404 && op.kind === 'delete') return { again: false, response }; // the goal is reached
    const failure = failureOf(response, request);
    if (this.#excused(target, op, failure)) return { again: true, note: failure.message };
    throw failure;
  }

  /**
   * A retryable failure while Discord as a whole is failing (the failure policy's service scope in a storm or an
   * outage) is Discord's, not the update's: it is retried after the scope's pacing without using up a retry.
   */
  #excused(target: Target, op: Operation, error: unknown): boolean {
    const now = this.#clock.now();
    if (!isRetryable(error) || this.#cancelling || !this.#failures.isFailing(SERVICE_SCOPE, now)) return false;
    this.metrics.recordRetry();
    this.#emit('updateRetried', {
      kind: op.kind,
      channelId: target.channelId,
      messageId: target.messageId,
      attempt: op.attempts,
      delayMs: Math.max(0, this.#failures.availableAt(SERVICE_SCOPE, now) - now),
      error: error as Error,
      retryCounted: false,
    });
    return true;
  }

  async #sendOnce(
    grant: Grant,
    request: OutgoingRequest,
    target: Target,
    op: Operation,
  ): Promise<TransportResponse | typeof SLOT_DENIED> {
    // Several processes, one token: the shared store must grant the slot too (atomically, on its own clock).
    let reservation: RateLimitReservation | undefined;
    const store = this.#rateLimitStore;
    if (store) {
      const slot = await this.#acquireShared(store, grant);
      if (!slot.granted) {
        this.#tracker.cancel(grant, this.#clock.now());
        op.notBefore = Math.max(op.notBefore, this.#clock.now() + slot.retryInMs);
        this.#schedulePass();
        return SLOT_DENIED;
      }
      reservation = slot.reservation;
      // The store learns the global limit for every process: keep this process's own view under it.
      if (slot.globalLimit !== undefined) {
        this.#tracker.capGlobalLimit(slot.globalLimit);
        this.#noticeGlobalLimit(this.#clock.now());
      }
    }
    op.attempts++;
    const startedAt = this.#clock.now();
    let observed = false;
    let answered = false;
    let shared: RateLimitObservation | undefined;
    let sharedObserved = false;
    let storeAnswers = Promise.resolve();
    const onResponse = (response: TransportResponse): void => {
      observed = true;
      const observation = parseRateLimitResponse(response.status, response.headers, response.body);
      const hit = this.#observe(grant, request, observation, startedAt);
      if (response.status !== 429) this.#recordOutcome(grant, response.status >= 500, target);
      if (hit) op.notBefore = Math.max(op.notBefore, this.#clock.now() + hit.retryAfterMs);
      shared = observation;
      // A 429 or 5xx the transport may act on by sending the request again (REST does): every process must know of
      // the pause, or of a lower global limit, now.
      sharedObserved =
        store !== undefined && reservation !== undefined && (response.status === 429 || response.status >= 500);
      if (sharedObserved) {
        const held = reservation!;
        storeAnswers = storeAnswers.then(() => store!.observe(held, observation, this.#limits)).catch(() => undefined);
      }
    };
    try {
      const response = await this.#transport.request({ ...request, onResponse });
      answered = true;
      if (!observed) onResponse(response);
      return response;
    } catch (error) {
      this.metrics.recordRequest({
        method: request.method,
        route: grant.route.routeKey,
        status: 0,
        durationMs: this.#clock.now() - startedAt,
      });
      this.#recordOutcome(grant, true, target);
      throw new TransportError(request.method, request.path, error);
    } finally {
      this.#tracker.complete(grant, this.#clock.now(), answered);
      if (store && reservation) {
        // Best effort: an unreachable store lets the reservation expire by its TTL.
        await storeAnswers;
        const last = !answered ? undefined : sharedObserved ? 'observed' : shared;
        await store.complete(reservation, last, this.#limits).catch(() => undefined);
      }
      this.#schedulePass();
    }
  }

  #recordOutcome(grant: Grant, failed: boolean, target: Target): void {
    this.#failures.record(
      [SERVICE_SCOPE, this.#tracker.bucketKeyOf(grant.route)],
      failed,
      this.#clock.now(),
      target.durableKey,
    );
  }

  async #acquireShared(store: RateLimitStore, grant: Grant): Promise<RateLimitAcquireResult> {
    try {
      return await store.acquire(
        {
          routeKey: grant.route.routeKey,
          majorParameter: grant.route.majorParameter,
          exemptFromGlobal: grant.route.exemptFromGlobal,
        },
        this.#limits,
      );
    } catch {
      // A store that cannot answer grants nothing: limits are never exceeded because shared state is unknown.
      return { granted: false, retryInMs: 500, reason: 'unavailable' };
    }
  }

  #observe(
    grant: Grant,
    request: OutgoingRequest,
    observation: RateLimitObservation,
    startedAt: number,
  ): RateLimitHit | undefined {
    const now = this.#clock.now();
    this.metrics.recordRequest({
      method: request.method,
      route: grant.route.routeKey,
      status: observation.status,
      durationMs: now - startedAt,
    });
    const hit = this.#tracker.observe(grant, observation, now);
    this.#noticeGlobalLimit(now);
    if (hit) {
      this.metrics.recordRateLimit(hit.scope);
      this.#emit('rateLimited', { ...hit, method: request.method, path: redactPath(request.path) });
    }
    const invalid = this.#tracker.invalidCount(now);
    const limit = this.config.invalidRequestLimit;
    if (!this.#invalidWarned && invalid >= limit * 0.8) {
      this.#invalidWarned = true;
      this.#emit('invalidRequestWarning', { count: invalid, limit });
    } else if (this.#invalidWarned && invalid < limit * 0.5) {
      this.#invalidWarned = false;
    }
    return hit;
  }

  /** Reports a change of the global limit in force (learned lower after a global 429, or raised by probing). */
  #noticeGlobalLimit(now: number): void {
    const limit = this.#tracker.globalLimit(now);
    if (limit === this.#globalLimit) return;
    const previous = this.#globalLimit;
    this.#globalLimit = limit;
    this.metrics.recordGlobalLimitChange?.(limit);
    this.#emit('globalLimitChanged', {
      limit,
      previous,
      configured: this.config.globalRequestsPerSecond,
      change: limit < previous ? 'lowered' : 'raised',
    });
  }

  #onRunSucceeded(target: Target, op: Operation, answer: TransportResponse): void {
    const now = this.#clock.now();
    target.inFlight = undefined;
    this.#inFlight--;
    let message: APIMessage | undefined;
    if (op.kind === 'create') {
      message = answer.body as APIMessage;
      const id = (answer.body as { id?: unknown } | undefined)?.id;
      this.#releaseCreateGate(target);
      if (!isSnowflake(id)) {
        this.#fail(
          target,
          op,
          new DiscordAPIError(
            answer.status,
            0,
            'create answered without a message id',
            'POST',
            `/channels/${target.channelId}/messages`,
            answer.body,
          ),
          now,
        );
        this.#afterChange(target);
        return;
      }
      target.messageId = id;
      this.#targets.set(`m:${id}`, target);
      target.lastAckedHash = contentHash(op.body);
      if (target.key !== undefined) {
        this.#managed.set(target.key, {
          channelId: target.channelId,
          messageId: id,
          hash: target.lastAckedHash,
          sortOrder: target.sortOrder,
        });
      }
    } else if (op.kind === 'edit') {
      message = answer.body as APIMessage;
      target.lastAckedHash = contentHash(op.body);
      const record = target.key === undefined ? undefined : this.#managed.get(target.key);
      if (record) record.hash = target.lastAckedHash;
    } else {
      if (target.messageId !== undefined) this.#deletedIds.set(target.messageId, true);
      this.#forgetKey(target);
    }
    this.#settle(target, op, 'sent', now, message);
    this.#afterChange(target);
  }

  #onRunFailed(target: Target, op: Operation, error: unknown): void {
    const now = this.#clock.now();
    target.inFlight = undefined;
    this.#inFlight--;
    if (op.kind === 'create') this.#releaseCreateGate(target);
    if (error instanceof OperationCancelled || (this.#cancelling && isRetryable(error))) {
      this.#settle(target, op, 'cancelled', now);
      this.#afterChange(target);
      return;
    }
    if (
      error instanceof DiscordAPIError &&
      error.status === 404 &&
      error.discordCode === 10008 &&
      op.kind === 'edit' &&
      target.key !== undefined &&
      target.messageId !== undefined
    ) {
      this.#recreate(target, op, now);
      return;
    }
    const final = isRetryable(error)
      ? new RetriesExhaustedError(
          op.kind === 'create' ? 'POST' : op.kind === 'edit' ? 'PATCH' : 'DELETE',
          this.#requestFor(target, op).path,
          op.attempts,
          error,
        )
      : error instanceof Error
        ? error
        : new Error(String(error));
    if (final instanceof UnauthorizedError) this.#onUnauthorized(final);
    this.#fail(target, op, final, now);
    if (error instanceof DiscordAPIError && error.status === 404 && target.pending?.kind === 'edit') {
      // The message is gone: the queued follow-up would fail the same way.
      const pending = target.pending;
      this.#clearPending(target);
      this.#fail(target, pending, final, now);
    }
    this.#afterChange(target);
  }

  /** A managed message was deleted behind our back: create it again with the newest body. */
  #recreate(target: Target, op: Operation, now: number): void {
    const previousMessageId = target.messageId!;
    this.#targets.delete(`m:${previousMessageId}`);
    this.#acked.delete(previousMessageId);
    target.messageId = undefined;
    target.lastAckedHash = undefined;
    const record = this.#managed.get(target.key!);
    if (record) {
      record.messageId = undefined;
      record.hash = undefined;
    }
    this.#emit('messageRecreated', { key: target.key!, channelId: target.channelId, previousMessageId });
    if (target.pending?.kind === 'delete') {
      this.#settle(target, op, 'cancelled', now);
      this.#afterChange(target);
      return;
    }
    op.kind = 'create';
    op.nonce = undefined;
    op.notBefore = 0;
    const pending = target.pending;
    if (pending) {
      this.#clearPending(target);
      op.body = pending.body;
      op.waiters.push(...pending.waiters);
      op.priority = Math.max(op.priority, pending.priority);
    }
    this.#setPending(target, op);
    this.#makeReady(target, now);
    this.#schedulePass();
  }

  #onUnauthorized(error: UnauthorizedError): void {
    if (this.#unauthorizedError) return;
    this.#unauthorizedError = error;
    this.#tracker.setUnauthorized();
    this.#emit('unauthorized', error);
    const now = this.#clock.now();
    for (const target of new Set(this.#targets.values())) {
      if (target.grantWaiter) {
        const waiter = target.grantWaiter;
        target.grantWaiter = undefined;
        waiter.reject(error);
      }
      const pending = target.pending;
      if (pending) {
        this.#clearPending(target);
        this.#fail(target, pending, error, now);
        this.#afterChange(target);
      }
    }
  }

  #cancelAll(): void {
    this.#cancelling = true;
    const now = this.#clock.now();
    for (const target of new Set(this.#targets.values())) {
      if (target.grantWaiter) {
        const waiter = target.grantWaiter;
        target.grantWaiter = undefined;
        waiter.reject(new OperationCancelled('The manager stopped without draining'));
      }
      const pending = target.pending;
      if (pending) {
        this.#clearPending(target);
        this.#settle(target, pending, 'cancelled', now);
        this.#afterChange(target);
      }
    }
    this.#groups.clear();
    this.#delayed.clear();
    this.#deadlines.clear();
    this.#createGates.clear();
  }

  /**
   * Emits without letting a throwing listener corrupt the manager's state: the error is re-thrown on a fresh
   * microtask, where it surfaces like any uncaught listener error.
   */
  #emit<K extends keyof ManagerEventMap>(event: K, ...args: ManagerEventMap[K]): void {
    try {
      (this.emit as (event: K, ...args: ManagerEventMap[K]) => boolean)(event, ...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  // ---------------------------------------------------------------- settling

  #result(
    target: Target,
    kind: OperationKind,
    outcome: UpdateOutcome,
    attempts: number,
    latencyMs: number,
    message: APIMessage | undefined,
  ): UpdateResult {
    return {
      outcome,
      kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      attempts,
      latencyMs,
      message,
    };
  }

  #settledEvent(target: Target, op: Operation, updates: number, now: number) {
    return {
      kind: op.kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      updates,
      attempts: op.attempts,
      latencyMs: now - op.enqueuedAt,
    };
  }

  /** Resolves every waiter of `op`: the one whose body was used gets `outcome`, the ones it replaced `coalesced`. */
  #settle(
    target: Target,
    op: Operation,
    outcome: 'sent' | 'skipped' | 'cancelled' | 'expired',
    now: number,
    message?: APIMessage,
  ): void {
    const last = op.waiters.length - 1;
    const replaced = outcome === 'sent' || outcome === 'skipped' ? last : 0;
    op.waiters.forEach((waiter, index) => {
      const own = index < replaced ? 'coalesced' : outcome;
      waiter.resolve(
        this.#result(
          target,
          op.kind,
          own,
          op.attempts,
          now - waiter.enqueuedAt,
          own === 'coalesced' ? undefined : message,
        ),
      );
    });
    this.metrics.recordOperation({
      kind: op.kind,
      outcome,
      latencyMs: now - op.enqueuedAt,
      updates: op.waiters.length,
      attempts: op.attempts,
    });
    if (replaced > 0) this.metrics.recordCoalesced(replaced);
    const event = this.#settledEvent(target, op, op.waiters.length, now);
    if (outcome === 'sent') this.#emit('updateSent', event);
    else if (outcome === 'skipped') this.#emit('updateSkipped', event);
    else if (outcome === 'cancelled') this.#emit('updateCancelled', event);
    else this.#emit('updateExpired', event);
  }

  #fail(target: Target, op: Operation, error: Error, now: number): void {
    for (const waiter of op.waiters) waiter.reject(error);
    this.metrics.recordOperation({
      kind: op.kind,
      outcome: 'failed',
      latencyMs: now - op.enqueuedAt,
      updates: op.waiters.length,
      attempts: op.attempts,
    });
    this.#emit('updateFailed', { ...this.#settledEvent(target, op, op.waiters.length, now), error });
  }

  #forgetKey(target: Target): void {
    if (target.key === undefined) return;
    this.#managed.delete(target.key);
    this.#targets.delete(`k:${target.key}`);
  }

  /** After any change to a target: queue its follow-up, or forget it when idle; then check for idleness. */
  #afterChange(target: Target): void {
    if (target.pending && !target.inFlight) this.#makeReady(target, this.#clock.now());
    this.#dropIfIdle(target);
    if (this.#queued === 0) {
      for (const resolve of this.#emptyWaiters.splice(0)) resolve();
    }
    if (this.#queued === 0 && this.#inFlight === 0 && !this.#idleEmitted) {
      this.#idleEmitted = true;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      this.#emit('idle');
    }
    this.#schedulePass();
  }

  /** Idle targets are not kept: their last acknowledged content goes to a bounded map (managed ones: the record). */
  #dropIfIdle(target: Target): void {
    if (target.pending || target.inFlight || target.grantWaiter) return;
    if (target.messageId !== undefined) {
      if (target.deleted) this.#deletedIds.set(target.messageId, true);
      else if (target.lastAckedHash !== undefined) this.#acked.set(target.messageId, target.lastAckedHash);
      if (this.#targets.get(`m:${target.messageId}`) === target) this.#targets.delete(`m:${target.messageId}`);
    }
    if (target.key !== undefined && this.#targets.get(`k:${target.key}`) === target) {
      this.#targets.delete(`k:${target.key}`);
      const record = this.#managed.get(target.key);
      if (!record && !target.deleted && target.messageId !== undefined) {
        this.#managed.set(target.key, {
          channelId: target.channelId,
          messageId: target.messageId,
          hash: target.lastAckedHash,
          sortOrder: target.sortOrder,
        });
      }
    }
  }

  #gauges(): ManagerGauges {
    const now = this.#clock.now();
    let backoff = Math.max(this.#tracker.longestPauseMs(now), this.#failures.longestWaitMs(now));
    for (const entry of this.#delayed.values()) {
      if (this.#isValid(entry)) backoff = Math.max(backoff, entry.at - now);
    }
    return {
      queueSize: this.#queued,
      inFlight: this.#inFlight,
      invalidRequestBudgetRemaining: this.#tracker.invalidBudgetRemaining(now),
      currentBackoffMs: Math.max(0, backoff),
      globalLimit: this.#tracker.globalLimit(now),
    };
  }
}
