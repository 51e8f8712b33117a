import type { RouteInfo } from '../discord/route.js';
import { SortedTimes } from '../util/sorted-times.js';
import { RateLimitState, type BucketSnapshot, type RateLimitCheck } from './rate-limit-state.js';
import type { RateLimitObservation, RateLimitReservation, RateLimitStoreLimits } from './rate-limit-store.js';

export type { BucketSnapshot } from './rate-limit-state.js';

/** Rate-limit scope of a 429, as in Discord's `X-RateLimit-Scope` header. */
export type RateLimitScope = 'user' | 'global' | 'shared';

/** What one 429 response means. */
export interface RateLimitHit {
  readonly scope: RateLimitScope;
  /** How long Discord asked us to wait, in milliseconds. */
  readonly retryAfterMs: number;
  /** `hash:major` bucket id, or `global`. */
  readonly bucket: string;
  /** True for a sub-limit: a 429 while the bucket's headers still show requests remaining. */
  readonly subLimit: boolean;
  /** True for the plain-text 429 of Discord's invalid-request ban. */
  readonly banned: boolean;
}

/** A reserved slot in a bucket (and in the global window), returned by {@link RateLimitTracker.acquire}. */
export interface Grant {
  readonly route: RouteInfo;
  readonly reservation: RateLimitReservation;
  /** The bucket the slot was taken from at send time. */
  readonly bucketKey: string;
  readonly sentAt: number;
  /** Set once {@link RateLimitTracker.complete} or {@link RateLimitTracker.cancel} ran. */
  completed: boolean;
}

/** Options of {@link RateLimitTracker}. */
export interface RateLimitTrackerOptions {
  /** Keep a second global slot per request in flight, for a transport that may repeat it (REST's `retries`). */
  readonly repeatHeadroom?: boolean;
  /** Learn a lower global limit from global 429s (off when a shared store learns it). @defaultValue true */
  readonly learnGlobalLimit?: boolean;
}

/**
 * How the invalid-request budget (`invalidRequestLimit` answers 401, 403 or 429 per `invalidRequestWindowMs`; crossing
 * Discord's gets the IP banned) is shared, so that one channel the bot may not write to cannot use it up and block
 * every other channel for the whole window. Counted per process, by major parameter (the channel):
 *
 * - `perChannel`: a channel whose invalid answers in the window reach this share of the limit (10%: 1,000 of the
 *   default 10,000) gets no more requests until the oldest of them age out;
 * - `reserve`: once the whole budget is this far used (50%), channels with any invalid answer in the window wait, and
 *   the rest of the budget is kept for channels whose requests have all been valid.
 *
 * Held requests wait (their deadlines still apply); they are not failed, since a permission may be granted again.
 */
export const INVALID_BUDGET_SHARES = { perChannel: 0.1, reserve: 0.5 } as const;

/**
 * Discord's rate-limit state as this process has learned it, for the manager's scheduler: route → bucket hash,
 * per-bucket windows, the global window, 429 pauses and the invalid-request budget. It never guesses: an unknown
 * bucket gets one request at a time, windows come from `X-RateLimit-Reset-After` (relative, so clock differences
 * don't matter), and a slot in the global window is held until one second after the *answer* arrives. It is the
 * synchronous face of {@link RateLimitState}, the engine `MemoryRateLimitStore` runs on too (one set of semantics:
 * the store contract suite runs against both).
 *
 * @internal Used by the manager; exported for tests.
 */
export class RateLimitTracker {
  readonly #limits: RateLimitStoreLimits;
  readonly #state: RateLimitState;
  #unauthorized = false;
  /** Times of this process's invalid answers (401, 403, non-shared 429) by major parameter (channel, webhook). */
  readonly #invalidByMajor = new Map<string, SortedTimes>();

  /**
   * @param limits - the limits to keep (the manager's config)
   * @param options - see {@link RateLimitTrackerOptions}
   */
  public constructor(limits: RateLimitStoreLimits, options: RateLimitTrackerOptions = {}) {
    this.#limits = limits;
    this.#state = new RateLimitState({
      globalSlotsPerRequest: options.repeatHeadroom === true ? 2 : 1,
      learnGlobalLimit: options.learnGlobalLimit ?? true,
    });
  }

  /** True once a 401 was seen: nothing may be sent any more. */
  public get unauthorized(): boolean {
    return this.#unauthorized;
  }

  /** Marks the token as invalid. */
  public setUnauthorized(): void {
    this.#unauthorized = true;
  }

  /** The bucket a request on `route` draws from right now (changes once the route's hash is learned). */
  public bucketKeyOf(route: RouteInfo): string {
    return this.#state.bucketKeyOf(route.routeKey, route.majorParameter);
  }

  /** Why a request on `route` may not start now, or `undefined` when it may. */
  public check(route: RouteInfo, now: number): RateLimitCheck | undefined {
    return this.#state.check(route, this.#limits, now);
  }

  /**
   * When a request on `route` may be sent: `now` if at once, a later time when a window or pause must pass, or
   * `undefined` when it depends on an answer still in flight (or the token was refused).
   */
  public availableAt(route: RouteInfo, now: number): number | undefined {
    if (this.#unauthorized) return undefined;
    const blocked = this.#state.check(route, this.#limits, now);
    const at = blocked === undefined ? now : blocked.at;
    const held = this.#heldForInvalidAnswers(route.majorParameter, now);
    return at === undefined || held === undefined ? at : Math.max(at, held);
  }

  /**
   * The invalid-request budget is kept for requests likely to be valid (see {@link INVALID_BUDGET_SHARES}): until when
   * requests to a channel that has been answered 401/403/429 are held, or `undefined` when they are not.
   */
  /** Forgets channels whose invalid answers have all aged out (bounds the map when many channels failed once). */
  #sweepInvalid(now: number): void {
    for (const [major, times] of this.#invalidByMajor) {
      if (times.dropUpTo(now - this.#limits.invalidRequestWindowMs) === 0) this.#invalidByMajor.delete(major);
    }
  }

  #heldForInvalidAnswers(major: string, now: number): number | undefined {
    const own = this.#invalidByMajor.get(major);
    if (own === undefined) return undefined;
    const { invalidRequestLimit: limit, invalidRequestWindowMs: windowMs } = this.#limits;
    if (own.dropUpTo(now - windowMs) === 0) {
      this.#invalidByMajor.delete(major);
      return undefined;
    }
    let until: number | undefined;
    const share = Math.max(1, Math.floor(limit * INVALID_BUDGET_SHARES.perChannel));
    if (own.size >= share) until = own.nth(own.size - share + 1)! + windowMs;
    if (this.invalidCount(now) >= Math.floor(limit * INVALID_BUDGET_SHARES.reserve)) {
      // Held while the budget is low; asked again every second, as answers age out of the window.
      const clean = own.nth(own.size)! + windowMs;
      until = Math.max(until ?? now, Math.min(clean, now + 1000));
    }
    return until;
  }

  /**
   * Reserves a slot for a request on `route`; call only when {@link RateLimitTracker.availableAt} returned a time
   * `<= now`.
   *
   * @returns the grant to pass to {@link RateLimitTracker.observe} and {@link RateLimitTracker.complete}
   */
  public acquire(route: RouteInfo, now: number): Grant {
    const reservation = this.#state.take(route, this.#limits, now);
    return {
      route,
      reservation,
      bucketKey: reservation.bucket,
      sentAt: now,
      completed: false,
    };
  }

  /**
   * Learns from one HTTP answer to a granted request (a transport that repeats requests on its own reports several:
   * each one after the first counts as another request sent). Returns what a 429 means, or `undefined` for any other
   * status.
   */
  public observe(grant: Grant, observation: RateLimitObservation, now: number): RateLimitHit | undefined {
    const { status } = observation;
    if (status === 401 || status === 403 || (status === 429 && observation.scope !== 'shared')) {
      const major = grant.route.majorParameter;
      let times = this.#invalidByMajor.get(major);
      if (times === undefined) {
        if (this.#invalidByMajor.size >= 1024) this.#sweepInvalid(now);
        this.#invalidByMajor.set(major, (times = new SortedTimes()));
      }
      times.insert(now);
    }
    if (!grant.completed) this.#state.answer(grant.reservation, observation, this.#limits, now);
    else this.#state.learn(grant.reservation, observation, this.#limits, now);
    if (observation.status !== 429) return undefined;
    const scope = observation.scope ?? 'user';
    return {
      scope,
      retryAfterMs: observation.retryAfterMs ?? 1000,
      bucket: scope === 'global' ? 'global' : this.bucketKeyOf(grant.route),
      subLimit: observation.subLimit === true,
      banned: observation.banned === true,
    };
  }

  /**
   * Releases a grant once its request settled. Idempotent.
   *
   * @param answered - its last attempt was answered (and observed); `false` when it failed without an answer
   */
  public complete(grant: Grant, now: number, answered: boolean): void {
    if (grant.completed) return;
    grant.completed = true;
    this.#state.release(grant.reservation, answered, this.#limits, now);
  }

  /**
   * Gives back a grant whose request was never sent (e.g. the durable outbox had nothing to claim): the slot returns
   * to the bucket and the global window as if it had not been taken. Idempotent.
   */
  public cancel(grant: Grant, now: number): void {
    if (grant.completed) return;
    grant.completed = true;
    this.#state.cancel(grant.reservation, now);
  }

  /** Invalid responses in the current rolling window. */
  public invalidCount(now: number): number {
    return this.#state.invalidCount(this.#limits, now);
  }

  /** Invalid requests that may still be made in the window. */
  public invalidBudgetRemaining(now: number): number {
    return Math.max(0, this.#limits.invalidRequestLimit - this.invalidCount(now));
  }

  /** Longest 429 pause still running (global or any bucket), in milliseconds. */
  public longestPauseMs(now: number): number {
    return this.#state.longestPauseMs(now);
  }

  /** The global limit in force: configured, learned from global 429s, or capped by a shared store's. */
  public globalLimit(now: number): number {
    return this.#state.globalLimit(this.#limits, now);
  }

  /** Adopts a shared store's global limit as a cap on this process's (`Infinity` lifts it). */
  public capGlobalLimit(cap: number): void {
    this.#state.capGlobalLimit(cap);
  }

  /** Global slots free right now. */
  public globalRemaining(now: number): number {
    return this.#state.globalRemaining(this.#limits, now);
  }

  /** Milliseconds between requests at the bucket's full rate, never less than the global limit's. */
  public nominalSpacingMs(route: RouteInfo, now: number): number {
    return this.#state.nominalSpacingMs(route, this.#limits, now);
  }

  /** A snapshot of every bucket seen recently. */
  public snapshot(now: number): BucketSnapshot[] {
    return this.#state.snapshot(now);
  }
}
