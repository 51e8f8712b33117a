import type { Options as PRetryOptions } from 'p-retry';
import { messageRequest, type MessageRequest } from '../discord/message-request.js';
import type { RouteInfo } from '../discord/route.js';
import { TransportError, redactPath } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import type { MetricsCollector } from '../metrics/metrics-collector.js';
import type { RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import { parseRateLimitResponse } from '../rate-limit/rate-limit-response.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../rate-limit/rate-limit-store.js';
import type { Grant, RateLimitHit, RateLimitTracker } from '../rate-limit/rate-limit-tracker.js';
import type { Operation, Target } from '../scheduler/target.js';
import type { Transport, TransportResponse } from '../transport/transport.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import { failureOf, isRetryable } from './failure-classification.js';
import type { FailurePolicy } from './failure-policy.js';

/** The failure policy's scope covering every request (Discord as a whole). */
export const SERVICE_SCOPE = 'service';

/** What a send returns when the shared rate-limit store refused the slot (the caller waits and tries again). */
const SLOT_DENIED = Symbol('slot denied');

/** How one attempt ended: the answer that ends the run, or a retry that does not count (with a note for the outbox). */
export type AttemptResult =
  | { readonly again: false; readonly response: TransportResponse }
  | { readonly again: true; readonly note: string | undefined };

/** Options of {@link SendStep}. */
export interface SendStepOptions {
  readonly transport: Transport;
  readonly tracker: RateLimitTracker;
  readonly failures: FailurePolicy;
  /** Rate-limit state shared by every process of the bot, when configured. */
  readonly store: RateLimitStore | undefined;
  readonly limits: RateLimitStoreLimits;
  readonly config: Readonly<RateLimitConfig>;
  readonly metrics: MetricsCollector;
  readonly clock: Clock;
  /** How long to wait for the transport's answer before counting the request as timed out. */
  readonly requestTimeoutMs: number;
  readonly emit: EmitEvent;
  /** The manager is stopping without draining: nothing more is retried. */
  readonly cancelling: () => boolean;
  /** Asks the scheduler for a pass (a slot was freed). */
  readonly schedulePass: () => void;
}

/**
 * One attempt of a request, the same for the memory and the durable delivery: a slot from the shared store (when
 * there is one), the request, what its answers teach (the tracker, the shared store, the failure policy, metrics and
 * events), and what the answer means — done, try again without counting (a 429, the store said wait, Discord as a
 * whole failing), or a failure that counts. It also owns the p-retry options both deliveries retry with.
 *
 * @internal
 */
export class SendStep {
  readonly #options: SendStepOptions;
  #invalidWarned = false;
  /** The global limit last reported (`globalLimitChanged`). */
  #globalLimit: number;

  public constructor(options: SendStepOptions) {
    this.#options = options;
    this.#globalLimit = options.config.globalRequestsPerSecond;
  }

  /** When a request on `route` may start: the rate limits, and the failure policy's pacing of failing scopes. */
  public availableAt(route: RouteInfo, now: number): number | undefined {
    const { tracker, failures } = this.#options;
    const at = tracker.availableAt(route, now);
    if (at === undefined || failures.quiet(now)) return at;
    return Math.max(
      at,
      failures.availableAt(SERVICE_SCOPE, now),
      failures.availableAt(tracker.bucketKeyOf(route), now),
    );
  }

  /** Takes a slot for a request on `route` and tells the failure policy it starts. */
  public acquire(route: RouteInfo, now: number): Grant {
    const { tracker, failures, config } = this.#options;
    const grant = tracker.acquire(route, now);
    if (failures.quiet(now)) return grant;
    if (failures.mayPace(SERVICE_SCOPE)) failures.started(SERVICE_SCOPE, 1000 / config.globalRequestsPerSecond, now);
    if (failures.mayPace(grant.bucketKey)) {
      failures.started(grant.bucketKey, tracker.nominalSpacingMs(route, now), now);
    }
    return grant;
  }

  /**
   * Sends the target's request on `grant` and classifies the answer. Returns the answer that ends the run (2xx; 404
   * to a delete: the message is already gone), or `again` when the attempt does not count (the shared store said wait,
   * a 429, or a failure while Discord as a whole is failing: see the failure policy); throws the failure that counts.
   */
  public async attempt(grant: Grant, target: Target, op: Operation): Promise<AttemptResult> {
    const request = messageRequest({
      kind: op.kind,
      channelId: target.channelId,
      messageId: target.messageId,
      body: op.body,
      nonce: op.nonce,
    });
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
   * p-retry options shared by both deliveries: p-retry runs the attempts and counts retries; the waits between them
   * happen in the scheduler on the injected clock (so a retry also waits for a free rate-limit slot), hence no timeout
   * of p-retry's own. `onScheduled` runs once a retry is scheduled (the durable delivery stores it).
   */
  public retryOptions(
    target: Target,
    op: Operation,
    onScheduled?: (attempt: number, delayMs: number, error: Error) => Promise<void>,
  ): PRetryOptions {
    const { config, failures, clock, cancelling } = this.#options;
    return {
      retries: config.maxRetries,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      shouldRetry: () => !cancelling(),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft <= 0 || !isRetryable(error) || cancelling()) return;
        const delayMs = failures.retryDelayMs(attemptNumber);
        op.notBefore = clock.now() + delayMs;
        this.#reportRetry(target, op, attemptNumber, delayMs, error, true);
        await onScheduled?.(attemptNumber, delayMs, error);
      },
    };
  }

  /** Reports a change of the global limit in force (learned lower after a global 429, or raised by probing). */
  public noticeGlobalLimit(now: number): void {
    const { tracker, metrics, emit, config } = this.#options;
    const limit = tracker.globalLimit(now);
    if (limit === this.#globalLimit) return;
    const previous = this.#globalLimit;
    this.#globalLimit = limit;
    metrics.recordGlobalLimitChange?.(limit);
    emit('globalLimitChanged', {
      limit,
      previous,
      configured: config.globalRequestsPerSecond,
      change: limit < previous ? 'lowered' : 'raised',
    });
  }

  /**
   * A retryable failure while Discord as a whole is failing (the failure policy's service scope in a storm or an
   * outage) is Discord's, not the update's: it is retried after the scope's pacing without using up a retry.
   */
  #excused(target: Target, op: Operation, error: unknown): boolean {
    const { clock, failures, cancelling } = this.#options;
    const now = clock.now();
    if (!isRetryable(error) || cancelling() || !failures.isFailing(SERVICE_SCOPE, now)) return false;
    const delayMs = Math.max(0, failures.availableAt(SERVICE_SCOPE, now) - now);
    this.#reportRetry(target, op, op.attempts, delayMs, error as Error, false);
    return true;
  }

  /** Counts a retry and emits `updateRetried`. */
  #reportRetry(target: Target, op: Operation, attempt: number, delayMs: number, error: Error, counted: boolean): void {
    this.#options.metrics.recordRetry();
    this.#options.emit('updateRetried', {
      kind: op.kind,
      channelId: target.channelId,
      messageId: target.messageId,
      attempt,
      delayMs,
      error,
      retryCounted: counted,
    });
  }

  /**
   * Sends one request on a reserved slot and gives the slot back: learns from every answer (rate-limit headers,
   * 429s), and turns "no answer" into a retryable {@link TransportError}.
   */
  async #sendOnce(
    grant: Grant,
    request: MessageRequest,
    target: Target,
    op: Operation,
  ): Promise<TransportResponse | typeof SLOT_DENIED> {
    const { store, tracker, clock, limits, transport, metrics } = this.#options;
    // Several processes, one token: the shared store must grant the slot too (atomically, on its own clock).
    let reservation: RateLimitReservation | undefined;
    if (store) {
      const slot = await this.#acquireShared(store, grant);
      if (!slot.granted) {
        tracker.cancel(grant, clock.now());
        op.notBefore = Math.max(op.notBefore, clock.now() + slot.retryInMs);
        this.#options.schedulePass();
        return SLOT_DENIED;
      }
      reservation = slot.reservation;
      // The store learns the global limit for every process: keep this process's own view under it.
      if (slot.globalLimit !== undefined) {
        tracker.capGlobalLimit(slot.globalLimit);
        this.noticeGlobalLimit(clock.now());
      }
    }
    op.attempts++;
    const startedAt = clock.now();
    let observed = false;
    let answered = false;
    let shared: RateLimitObservation | undefined;
    let sharedObserved = false;
    let storeAnswers = Promise.resolve();
    let settled = false;
    const onResponse = (response: TransportResponse): void => {
      if (settled) return; // an answer after the timeout: the attempt is over, its slot counted as used
      observed = true;
      const observation = parseRateLimitResponse(response.status, response.headers, response.body);
      const hit = this.#observe(grant, request, observation, startedAt);
      if (response.status !== 429) this.#recordOutcome(grant, response.status >= 500, target);
      if (hit) op.notBefore = Math.max(op.notBefore, clock.now() + hit.retryAfterMs);
      shared = observation;
      // A 429 or 5xx the transport may act on by sending the request again (REST does): every process must know of
      // the pause, or of a lower global limit, now.
      sharedObserved =
        store !== undefined && reservation !== undefined && (response.status === 429 || response.status >= 500);
      if (sharedObserved) {
        const held = reservation!;
        storeAnswers = storeAnswers.then(() => store!.observe(held, observation, limits)).catch(() => undefined);
      }
    };
    const controller = new AbortController();
    let timer: ClockTimer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        const error = new Error(`no answer within ${this.#options.requestTimeoutMs} ms (requestTimeoutMs)`);
        controller.abort(error);
        reject(error);
      }, this.#options.requestTimeoutMs);
    });
    try {
      const sending = transport.request({ ...request, onResponse, signal: controller.signal });
      sending.catch(() => undefined); // it may still fail after the timeout: that is no longer news
      const response = await Promise.race([sending, timedOut]);
      answered = true;
      if (!observed) onResponse(response);
      return response;
    } catch (error) {
      metrics.recordRequest({
        method: request.method,
        route: grant.route.routeKey,
        status: 0,
        durationMs: clock.now() - startedAt,
      });
      this.#recordOutcome(grant, true, target);
      throw new TransportError(request.method, request.path, error);
    } finally {
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      tracker.complete(grant, clock.now(), answered);
      if (store && reservation) {
        // Best effort: an unreachable store lets the reservation expire by its TTL.
        await storeAnswers;
        const last = !answered ? undefined : sharedObserved ? 'observed' : shared;
        await store.complete(reservation, last, limits).catch(() => undefined);
      }
      this.#options.schedulePass();
    }
  }

  #recordOutcome(grant: Grant, failed: boolean, target: Target): void {
    const { failures, tracker, clock } = this.#options;
    failures.record([SERVICE_SCOPE, tracker.bucketKeyOf(grant.route)], failed, clock.now(), target.durableKey);
  }

  async #acquireShared(store: RateLimitStore, grant: Grant): Promise<RateLimitAcquireResult> {
    try {
      return await store.acquire(
        {
          routeKey: grant.route.routeKey,
          majorParameter: grant.route.majorParameter,
          exemptFromGlobal: grant.route.exemptFromGlobal,
        },
        this.#options.limits,
      );
    } catch {
      // A store that cannot answer grants nothing: limits are never exceeded because shared state is unknown.
      return { granted: false, retryInMs: 500, reason: 'unavailable' };
    }
  }

  /** Learns from one answer: the tracker, metrics, the `rateLimited` and `invalidRequestWarning` events. */
  #observe(
    grant: Grant,
    request: MessageRequest,
    observation: RateLimitObservation,
    startedAt: number,
  ): RateLimitHit | undefined {
    const { clock, metrics, tracker, emit, config } = this.#options;
    const now = clock.now();
    metrics.recordRequest({
      method: request.method,
      route: grant.route.routeKey,
      status: observation.status,
      durationMs: now - startedAt,
    });
    const hit = tracker.observe(grant, observation, now);
    this.noticeGlobalLimit(now);
    if (hit) {
      metrics.recordRateLimit(hit.scope);
      emit('rateLimited', { ...hit, method: request.method, path: redactPath(request.path) });
    }
    const invalid = tracker.invalidCount(now);
    const limit = config.invalidRequestLimit;
    if (!this.#invalidWarned && invalid >= limit * 0.8) {
      this.#invalidWarned = true;
      emit('invalidRequestWarning', { count: invalid, limit });
    } else if (this.#invalidWarned && invalid < limit * 0.5) {
      this.#invalidWarned = false;
    }
    return hit;
  }
}
