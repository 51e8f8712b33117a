import { EventEmitter } from 'node:events';
import { DeliveryResults } from '../delivery/delivery-results.js';
import type { Delivery } from '../delivery/delivery.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import { DurableDelivery } from '../delivery/durable-delivery.js';
import { OperationCancelled } from '../delivery/failure-classification.js';
import { FailurePolicy } from '../delivery/failure-policy.js';
import { MemoryDelivery } from '../delivery/memory-delivery.js';
import { SendStep } from '../delivery/send-step.js';
import { NonceSource } from '../discord/nonce-source.js';
import { snapshotMessageBody } from '../discord/message-body.js';
import type { PayloadKind } from '../discord/payload-limits.js';
import { isSnowflake } from '../discord/snowflake.js';
import { InvalidArgumentError, ManagerClosedError } from '../errors/message-update-error.js';
import { InMemoryMetricsCollector } from '../metrics/in-memory-metrics-collector.js';
import type { ManagerGauges, MetricsCollector } from '../metrics/metrics-collector.js';
import { OutboxRecovery } from '../outbox/outbox-recovery.js';
import { OutboxWriter } from '../outbox/outbox-writer.js';
import { PerformanceSnapshots } from '../outbox/performance-snapshots.js';
import { resolveRateLimitConfig, type RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import type { RateLimitStoreLimits } from '../rate-limit/rate-limit-store.js';
import { RateLimitTracker, type BucketSnapshot } from '../rate-limit/rate-limit-tracker.js';
import { Coalescer } from '../scheduler/coalescing.js';
import { TargetRegistry } from '../scheduler/target-registry.js';
import { UpdateScheduler } from '../scheduler/update-scheduler.js';
import { RestTransport } from '../transport/rest-transport.js';
import type { Transport } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import { textProblem } from '../util/well-formed-text.js';
import { resolveManagerOptions, type MessageUpdateManagerOptions } from './manager-options.js';
import { ManagerState } from './manager-state.js';
import { Outcomes } from './outcomes.js';
import {
  UpdatePriority,
  type CreateOptions,
  type ManagerEventMap,
  type MessageCreateBody,
  type MessageEditBody,
  type SyncOptions,
  type UpdateOptions,
} from './types.js';
import type { UpdateHandle } from './update-handle.js';

export type { MessageUpdateManagerOptions } from './manager-options.js';

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

const PRIORITIES = new Set<number>(Object.values(UpdatePriority));

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
 * const rest = new REST({ retries: 0, offset: 0 }).setToken(process.env.DISCORD_TOKEN!);
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

  readonly #clock: Clock;
  readonly #state = new ManagerState();
  /** The repository cannot store NUL characters: keys and bodies holding one are refused at enqueue. */
  readonly #rejectsNul: boolean;
  /** The first `stop()` call's work: every later call joins it. */
  #stopping: Promise<void> | undefined;
  readonly #ownedTransport: RestTransport | undefined;
  readonly #tracker: RateLimitTracker;
  readonly #failures: FailurePolicy;
  readonly #registry: TargetRegistry;
  readonly #outcomes: Outcomes;
  readonly #scheduler: UpdateScheduler;
  readonly #coalescer: Coalescer;
  readonly #outbox: OutboxWriter | undefined;
  readonly #recovery: OutboxRecovery | undefined;
  readonly #snapshots: PerformanceSnapshots | undefined;

  /**
   * @param options - see {@link MessageUpdateManagerOptions}
   * @throws InvalidConfigError when neither or both of `rest` / `transport` are given, or a config field is invalid
   */
  public constructor(options: MessageUpdateManagerOptions<TMetrics>) {
    super();
    const resolved = resolveManagerOptions(options);
    this.config = resolveRateLimitConfig(options.config);
    const clock = resolved.clock;
    this.#clock = clock;
    const config = this.config;
    const state = this.#state;
    const emit = this.#emit.bind(this);
    // Without a collector of the caller's, TMetrics is its default, InMemoryMetricsCollector.
    this.metrics = options.metrics ?? (new InMemoryMetricsCollector() as unknown as TMetrics);
    const metrics = this.metrics;
    let transport: Transport;
    if (resolved.transport) {
      transport = resolved.transport;
      this.#ownedTransport = undefined;
    } else {
      this.#ownedTransport = new RestTransport(resolved.rest!);
      transport = this.#ownedTransport;
    }
    const limits: RateLimitStoreLimits = {
      globalLimit: config.globalRequestsPerSecond,
      globalWindowMs: 1000,
      // REST sends one request at a time per bucket: more would only queue inside it, beyond merging and cancelling.
      maxInFlightPerBucket: transport.sequentialPerBucket === true ? 1 : config.maxConcurrentUpdates,
      invalidRequestLimit: config.invalidRequestLimit,
      invalidRequestWindowMs: config.invalidRequestWindowMs,
      reservationTtlMs: resolved.rateLimitReservationTtlMs,
    };
    const tracker = new RateLimitTracker(limits, {
      repeatHeadroom: transport.repeatsRequests === true,
      // With a shared store, the store learns the global limit for every process (this one adopts it).
      learnGlobalLimit: resolved.rateLimitStore === undefined,
    });
    this.#tracker = tracker;
    const failures = new FailurePolicy({
      baseBackoffMs: config.baseBackoffMs,
      maxBackoffMs: config.maxBackoffMs,
      random: resolved.random,
    });
    this.#failures = failures;
    const nonces = new NonceSource(clock, resolved.random);
    const newNonce = (): string => nonces.next();
    const registry = new TargetRegistry(resolved.maxRememberedMessages, newNonce);
    this.#registry = registry;
    const outcomes = new Outcomes(metrics, emit);
    this.#outcomes = outcomes;

    // The scheduler and the parts it hands work to know each other: its hooks reach them once they exist.
    // eslint-disable-next-line prefer-const -- assigned once the parts it needs exist
    let sendStep: SendStep | undefined;
    // eslint-disable-next-line prefer-const -- likewise
    let dispatcher: Dispatcher | undefined;
    let outbox: OutboxWriter | undefined;
    const scheduler = new UpdateScheduler(clock, config, registry, {
      isActive: () => state.active,
      availableAt: (route, now) => sendStep!.availableAt(route, now),
      dispatch: (target, route, now) => dispatcher!.dispatch(target, route, now),
      expired: (target, op, now) => {
        outcomes.settle(target, op, 'expired', now);
        outbox?.dropExpired(target.durableKey);
      },
      beforePass: (now) => sendStep!.noticeGlobalLimit(now), // probing raises a learned limit with time
      idle: () => emit('idle'),
    });
    this.#scheduler = scheduler;
    const repository = resolved.repository;
    this.#rejectsNul = repository?.rejectsNulCharacters === true;
    const retry = { clock, maxRetries: config.maxRetries, retryDelayMs: (n: number) => failures.retryDelayMs(n) };
    if (repository) {
      outbox = new OutboxWriter({
        repository,
        scheduler,
        emit,
        leaseMs: resolved.leaseMs,
        ...retry,
        newNonce,
        stopped: () => state.phase === 'stopped',
      });
      this.#recovery = new OutboxRecovery({
        repository,
        registry,
        scheduler,
        clock,
        emit,
        pollIntervalMs: resolved.outboxPollIntervalMs,
        running: () => state.phase === 'running',
      });
      this.#snapshots = new PerformanceSnapshots({
        repository,
        metrics,
        clock,
        intervalMs: resolved.metricsSnapshotIntervalMs,
        queueSize: () => scheduler.queued,
        running: () => state.phase === 'running',
      });
    }
    this.#outbox = outbox;
    this.#coalescer = new Coalescer({
      clock,
      registry,
      scheduler,
      outcomes,
      emit,
      outbox,
      unauthorized: () => state.unauthorized,
    });
    sendStep = new SendStep({
      transport,
      tracker,
      failures,
      store: resolved.rateLimitStore,
      limits,
      config,
      metrics,
      clock,
      requestTimeoutMs: resolved.requestTimeoutMs,
      emit,
      cancelling: () => state.cancelling,
      schedulePass: () => scheduler.schedulePass(),
    });
    const results = new DeliveryResults({ clock, registry, scheduler, outcomes, tracker, state, emit });
    const refusal = (): Error | undefined =>
      state.unauthorized ??
      (state.phase === 'stopping' && state.cancelling
        ? new OperationCancelled('The manager stopped without draining')
        : undefined);
    const delivery: Delivery = repository
      ? new DurableDelivery({
          repository,
          sendStep,
          scheduler,
          registry,
          results,
          tracker,
          state,
          clock,
          emit,
          leaseMs: resolved.leaseMs,
          retry,
          newNonce,
          refusal,
        })
      : new MemoryDelivery({ sendStep, scheduler, results, tracker, clock, refusal });
    dispatcher = new Dispatcher({ scheduler, registry, outcomes, sendStep, delivery, newNonce });
    this.metrics.bindGauges(() => this.#gauges());
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts sending. Updates enqueued before `start()` wait in the queue (and coalesce) until then.
   *
   * @throws ManagerClosedError after `stop()`
   */
  public async start(): Promise<void> {
    const state = this.#state;
    if (state.phase === 'stopping' || state.phase === 'stopped') throw new ManagerClosedError('start');
    if (state.phase === 'running') return;
    // Managed messages and the outbox left by an earlier run (a crash included) come back first. (Without a
    // repository, `start()` is running by the time it returns its promise: no await.)
    if (this.#recovery) await this.#recovery.recoverAtStart();
    state.phase = 'running';
    this.#snapshots?.start();
    this.#recovery?.startPolling();
    this.#scheduler.schedulePass();
  }

  /**
   * Stops the manager. New updates are refused with {@link ManagerClosedError} from the moment this is called.
   * With `drain: true` (the default) it resolves once every queued update is settled; with `drain: false` queued
   * updates settle `cancelled` at once and only requests already on the wire are awaited. Nothing is left hanging.
   * A manager that was never started cannot drain: its queued updates are cancelled. A later `stop()` (two shutdown
   * hooks, say) joins the first one: it resolves with it, and the first one's `drain` holds.
   */
  public stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  async #stop(options: StopOptions): Promise<void> {
    const state = this.#state;
    const drain = options.drain ?? true;
    const wasRunning = state.phase === 'running';
    state.phase = 'stopping';
    if (!drain || !wasRunning) this.#cancelAll();
    else this.#scheduler.schedulePass();
    await this.onIdle();
    await this.#outbox?.drained();
    this.#snapshots?.stop();
    this.#recovery?.stopPolling();
    if (wasRunning) await this.#snapshots?.record().catch(() => undefined);
    state.phase = 'stopped';
    this.#scheduler.stopTimer();
    this.#ownedTransport?.close();
  }

  /** Resolves when nothing is queued or in flight (at once if that is already so). */
  public onIdle(): Promise<void> {
    return this.#scheduler.onIdle();
  }

  /** Resolves when nothing is queued (requests may still be in flight). */
  public onEmpty(): Promise<void> {
    return this.#scheduler.onEmpty();
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
   * @throws InvalidPayloadError for a body over Discord's limits, with a field of the wrong type, or that JSON cannot
   *   carry (a cycle, a `BigInt`); nothing is sent. The body is copied at enqueue: changing it afterwards changes
   *   nothing that was queued
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
    const copy = this.#snapshot(body, 'edit');
    const { priority, deadlineMs } = this.#readOptions(options);
    const target = this.#registry.messageTarget(channelId, messageId);
    return this.#coalescer.enqueue(target, 'edit', copy, priority, deadlineMs);
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
   * @throws InvalidArgumentError for a bad channel id, key or options, or a key already bound to a message (sent, or
   *   being created)
   * @throws InvalidPayloadError for a body over Discord's limits, empty, with a field of the wrong type, or that JSON
   *   cannot carry; the body is copied at enqueue
   * @throws ManagerClosedError after `stop()`
   * @example
   * ```ts
   * const { messageId } = await manager.create(channelId, { content: 'Board' }, { key: 'board' });
   * ```
   */
  public create(channelId: string, body: MessageCreateBody, options: CreateOptions = {}): UpdateHandle {
    this.#assertOpen('create a message');
    this.#assertSnowflake('channelId', channelId);
    const copy = this.#snapshot(body, 'create');
    const { priority, deadlineMs } = this.#readOptions(options);
    if (options.key === undefined) {
      return this.#coalescer.enqueue(this.#registry.anonymousTarget(channelId), 'create', copy, priority, deadlineMs);
    }
    this.#assertKey(options.key);
    const target = this.#registry.keyTarget(options.key, channelId);
    if (target.messageId !== undefined) {
      throw new InvalidArgumentError(
        'options.key',
        options.key,
        `a key not yet bound to a message (it is bound to message ${target.messageId}; use sync(key, ...) to edit it or deleteManaged(key) first)`,
      );
    }
    if (target.inFlight?.kind === 'create') {
      // Its create is on the wire: a second one would make a second message for the key.
      throw new InvalidArgumentError(
        'options.key',
        options.key,
        'a key not yet bound to a message (its create is being sent; use sync(key, ...) to change what it shows)',
      );
    }
    return this.#coalescer.enqueue(target, 'create', copy, priority, deadlineMs);
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
    return this.#coalescer.enqueue(
      this.#registry.messageTarget(channelId, messageId),
      'delete',
      undefined,
      priority,
      deadlineMs,
    );
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
   * @throws InvalidPayloadError for a body over Discord's limits, empty, with a field of the wrong type, or that JSON
   *   cannot carry; the body is copied at enqueue
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
    const copy = this.#snapshot(body, 'create');
    const { priority, deadlineMs } = this.#readOptions(options);
    if (options.sortOrder !== undefined && !Number.isFinite(options.sortOrder)) {
      throw new InvalidArgumentError('options.sortOrder', options.sortOrder, 'a finite number');
    }
    const target = this.#registry.keyTarget(key, channelId);
    if (options.sortOrder !== undefined) target.sortOrder = options.sortOrder;
    const kind = target.messageId === undefined && target.inFlight?.kind !== 'create' ? 'create' : 'edit';
    return this.#coalescer.enqueue(target, kind, copy, priority, deadlineMs);
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
    const existing = this.#registry.get(`k:${key}`);
    const record = this.#registry.managed(key);
    if (!existing && !record) return this.#outcomes.resolvedHandle('skipped', 'delete', '', undefined, key);
    const target = existing ?? this.#registry.keyTarget(key, record!.channelId);
    return this.#coalescer.enqueue(target, 'delete', undefined, priority, deadlineMs);
  }

  /**
   * Every managed message this manager knows (created ones; with a repository, those of earlier runs too), by
   * `sortOrder` then key: what a bot needs to reconcile its channel at start-up (e.g. delete items that are gone).
   */
  public getManagedMessages(): { key: string; channelId: string; messageId: string; sortOrder: number }[] {
    return this.#registry.managedMessages();
  }

  /** The message id a managed key is bound to, or `undefined` when it has not been created yet. */
  public getManagedMessageId(key: string): string | undefined {
    return this.#registry.managedMessageId(key);
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
      running: this.#state.active,
      queueSize: gauges.queueSize,
      inFlight: gauges.inFlight,
      currentBackoffMs: gauges.currentBackoffMs,
      globalRemaining: this.#tracker.globalRemaining(now),
      globalLimit: gauges.globalLimit,
      invalidRequestBudgetRemaining: gauges.invalidRequestBudgetRemaining,
      activeTargets: this.#registry.targets().size,
      managedMessages: this.#registry.managedCount,
      buckets: this.#tracker.snapshot(now),
    };
  }

  // ---------------------------------------------------------------- validation

  #assertOpen(action: string): void {
    if (this.#state.phase === 'stopping' || this.#state.phase === 'stopped') throw new ManagerClosedError(action);
  }

  #assertSnowflake(name: string, value: unknown): void {
    if (!isSnowflake(value))
      throw new InvalidArgumentError(
        name,
        value,
        'a Discord snowflake (a string of 17 to 20 digits, not starting with 0)',
      );
  }

  #assertKey(key: unknown): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
      throw new InvalidArgumentError('key', key, 'a string of 1 to 200 characters');
    }
    const problem = textProblem(key, this.#rejectsNul);
    if (problem) {
      throw new InvalidArgumentError(
        'key',
        key,
        problem.unit === 'unpaired surrogates'
          ? 'well-formed Unicode, with no unpaired surrogate (cut strings by code point, e.g. [...name].slice(0, n).join(""))'
          : 'a string without NUL characters (U+0000): the repository cannot store them',
      );
    }
  }

  /**
   * The copy of a body the manager keeps (see {@link snapshotMessageBody}), checked against Discord's limits and types
   * and against what the repository can store (text, at enqueue: never after).
   */
  #snapshot(body: unknown, kind: PayloadKind): MessageCreateBody & MessageEditBody {
    return snapshotMessageBody(body, kind, { rejectNul: this.#rejectsNul }) as MessageCreateBody & MessageEditBody;
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

  /** Cancels everything queued and every retry waiting for its slot (a stop without draining). */
  #cancelAll(): void {
    this.#state.cancelling = true;
    this.#scheduler.endAll(new OperationCancelled('The manager stopped without draining'), (target, pending, now) =>
      this.#outcomes.settle(target, pending, 'cancelled', now),
    );
    this.#scheduler.clear();
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

  #gauges(): ManagerGauges {
    const now = this.#clock.now();
    const backoff = Math.max(
      this.#tracker.longestPauseMs(now),
      this.#failures.longestWaitMs(now),
      this.#scheduler.longestDelayMs(now),
    );
    return {
      queueSize: this.#scheduler.queued,
      inFlight: this.#scheduler.inFlight,
      invalidRequestBudgetRemaining: this.#tracker.invalidBudgetRemaining(now),
      currentBackoffMs: Math.max(0, backoff),
      globalLimit: this.#tracker.globalLimit(now),
    };
  }
}
