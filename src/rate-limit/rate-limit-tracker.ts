import type { RateLimitConfig } from './rate-limit-config.js';
import type { RouteInfo } from '../discord/route.js';

/** Rate-limit scope of a 429, as in Discord's `X-RateLimit-Scope` header. */
export type RateLimitScope = 'user' | 'global' | 'shared';

/** What the tracker learned from one 429 response. */
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
  /** The bucket the slot was taken from at send time. */
  readonly bucketKey: string;
  /** The bucket's window epoch at send time, to tell late answers from old windows. */
  readonly epoch: number;
  readonly sentAt: number;
  /** Set once {@link RateLimitTracker.complete} ran. */
  completed: boolean;
  /** Answers observed so far (a transport that retries internally reports several). */
  answers: number;
  /** When the last answer was observed. */
  lastAnswerAt: number;
}

/** Public view of one bucket, for `getStats()`. */
export interface BucketSnapshot {
  /** `hash:major` once learned, `METHOD /route|major` before. */
  readonly bucket: string;
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Milliseconds until the current window resets, when known. */
  readonly resetInMs: number | undefined;
  readonly inFlight: number;
  /** Milliseconds this bucket is paused by a 429, 0 when not. */
  readonly pausedForMs: number;
}

interface BucketState {
  readonly key: string;
  /** Headers seen at least once. */
  known: boolean;
  /** A response without rate-limit headers: only the global limit applies. */
  unlimited: boolean;
  limit: number;
  remaining: number;
  /** End of the window we are in; meaningful when `windowKnown`. */
  resetAt: number;
  windowKnown: boolean;
  epoch: number;
  inFlight: number;
  /** In-flight requests of the previous epoch, which may still land in the current server window. */
  inFlightByEpoch: Map<number, number>;
  pausedUntil: number;
  lastUsed: number;
  /** Longest `X-RateLimit-Reset-After` seen, ms: an estimate of the window's length (0 until seen). */
  windowMs: number;
  /** The window's end was assumed (an answer without headers), not read from a header. */
  windowAssumed: boolean;
}

interface RouteState {
  hash: string | undefined;
  unlimited: boolean;
}

const GLOBAL_WINDOW_MS = 1000;
const IDLE_BUCKET_TTL_MS = 10 * 60 * 1000;

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  return headers[name];
}

function numberHeader(headers: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = header(headers, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Discord's rate-limit state as this process has learned it: route → bucket hash, per-bucket windows, the global
 * window, 429 pauses and the invalid-request budget. It never guesses: an unknown bucket gets one request at a time,
 * windows come from `X-RateLimit-Reset-After` (relative, so clock differences don't matter), and a slot in the global
 * window is held until one second after the *answer* arrives, which is safe whatever Discord's window alignment.
 *
 * @internal Used by the manager; exported for tests.
 */
export class RateLimitTracker {
  readonly #config: Readonly<RateLimitConfig>;
  readonly #routes = new Map<string, RouteState>();
  readonly #buckets = new Map<string, BucketState>();
  /** Times (sorted) at which a global slot taken by an answered request frees up. */
  readonly #globalReleases: number[] = [];
  #globalReleaseHead = 0;
  #globalInFlight = 0;
  #globalPausedUntil = 0;
  /** Times (sorted) of invalid responses in the rolling window. */
  readonly #invalid: number[] = [];
  #invalidHead = 0;
  #inFlightTotal = 0;
  #unauthorized = false;
  #lastPrune = 0;

  readonly #maxInFlightPerBucket: number;
  /** Global slots counted per request in flight: 2 when the transport may repeat a request on its own. */
  readonly #globalSlotsPerRequest: number;

  /**
   * @param config - the manager's configuration
   * @param maxInFlightPerBucket - cap below `maxConcurrentUpdates` (1 for transports that are sequential per bucket)
   * @param options - `repeatHeadroom`: keep a second global slot per request in flight, for a transport that may
   *   repeat it on its own (REST's `retries`)
   */
  public constructor(
    config: Readonly<RateLimitConfig>,
    maxInFlightPerBucket = config.maxConcurrentUpdates,
    options: { readonly repeatHeadroom?: boolean } = {},
  ) {
    this.#config = config;
    this.#maxInFlightPerBucket = Math.min(maxInFlightPerBucket, config.maxConcurrentUpdates);
    this.#globalSlotsPerRequest = options.repeatHeadroom === true ? 2 : 1;
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
    const known = this.#routes.get(route.routeKey);
    if (known?.hash !== undefined) return `${known.hash}:${route.majorParameter}`;
    return `${route.routeKey}|${route.majorParameter}`;
  }

  #bucket(key: string, now: number): BucketState {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const routeKey = key.includes('|') ? key.slice(0, key.indexOf('|')) : undefined;
      const unlimited = routeKey !== undefined && this.#routes.get(routeKey)?.unlimited === true;
      bucket = {
        key,
        known: unlimited,
        unlimited,
        limit: 1,
        remaining: 1,
        resetAt: 0,
        windowKnown: false,
        epoch: 0,
        inFlight: 0,
        inFlightByEpoch: new Map(),
        pausedUntil: 0,
        lastUsed: now,
        windowMs: 0,
        windowAssumed: false,
      };
      this.#buckets.set(key, bucket);
    }
    this.#rollWindow(bucket, now);
    return bucket;
  }

  /** Starts a new local window once the known one has ended. */
  #rollWindow(bucket: BucketState, now: number): void {
    if (!bucket.known || bucket.unlimited || !bucket.windowKnown || now < bucket.resetAt) return;
    bucket.epoch++;
    bucket.windowKnown = false;
    bucket.windowAssumed = false;
    // Requests still in flight from the old window may be counted in the new server window: keep them reserved.
    let stillInFlight = 0;
    for (const count of bucket.inFlightByEpoch.values()) stillInFlight += count;
    bucket.remaining = Math.max(0, bucket.limit - stillInFlight);
  }

  #globalUsed(now: number): number {
    while (
      this.#globalReleaseHead < this.#globalReleases.length &&
      this.#globalReleases[this.#globalReleaseHead]! <= now
    ) {
      this.#globalReleaseHead++;
    }
    if (this.#globalReleaseHead > 1024 && this.#globalReleaseHead * 2 > this.#globalReleases.length) {
      this.#globalReleases.splice(0, this.#globalReleaseHead);
      this.#globalReleaseHead = 0;
    }
    return this.#globalInFlight * this.#globalSlotsPerRequest + (this.#globalReleases.length - this.#globalReleaseHead);
  }

  /** Invalid responses in the current rolling window. */
  public invalidCount(now: number): number {
    const since = now - this.#config.invalidRequestWindowMs;
    while (this.#invalidHead < this.#invalid.length && this.#invalid[this.#invalidHead]! <= since) this.#invalidHead++;
    if (this.#invalidHead > 1024 && this.#invalidHead * 2 > this.#invalid.length) {
      this.#invalid.splice(0, this.#invalidHead);
      this.#invalidHead = 0;
    }
    return this.#invalid.length - this.#invalidHead;
  }

  /** Invalid requests that may still be made in the window (in-flight requests count as possibly invalid). */
  public invalidBudgetRemaining(now: number): number {
    return Math.max(0, this.#config.invalidRequestLimit - this.invalidCount(now));
  }

  /**
   * When a request on `route` may be sent: `now` if at once, a later time when a window or pause must pass, or
   * `undefined` when it depends on an answer still in flight.
   */
  public availableAt(route: RouteInfo, now: number): number | undefined {
    if (this.#unauthorized) return undefined;
    let at = now;
    if (this.invalidCount(now) + this.#inFlightTotal >= this.#config.invalidRequestLimit) {
      if (this.#inFlightTotal > 0) return undefined;
      at = Math.max(at, this.#invalid[this.#invalidHead]! + this.#config.invalidRequestWindowMs);
    }
    if (!route.exemptFromGlobal) {
      at = Math.max(at, this.#globalPausedUntil);
      // A new request needs its slot, plus the one its transport may repeat it in.
      const excess = this.#globalUsed(now) + this.#globalSlotsPerRequest - this.#config.globalRequestsPerSecond;
      if (excess > 0) {
        const releasedLater = this.#globalReleases.length - this.#globalReleaseHead;
        const needed = excess;
        if (needed > releasedLater) return undefined;
        at = Math.max(at, this.#globalReleases[this.#globalReleaseHead + needed - 1]!);
      }
    }
    const bucket = this.#bucket(this.bucketKeyOf(route), now);
    at = Math.max(at, bucket.pausedUntil);
    if (bucket.inFlight >= this.#maxInFlightPerBucket) return undefined;
    if (!bucket.known) return bucket.inFlight === 0 ? at : undefined;
    if (bucket.unlimited) return at;
    if (bucket.remaining > 0) return at;
    if (!bucket.windowKnown) {
      // Waiting for an answer to date the window; with none in flight (they failed without headers), probe with one.
      return bucket.inFlight === 0 ? at : undefined;
    }
    return Math.max(at, bucket.resetAt);
  }

  /**
   * Reserves a slot for a request on `route`; call only when {@link availableAt} returned a time `<= now`.
   *
   * @returns the grant to pass to {@link observe} and {@link complete}
   */
  public acquire(route: RouteInfo, now: number): Grant {
    const bucketKey = this.bucketKeyOf(route);
    const bucket = this.#bucket(bucketKey, now);
    bucket.inFlight++;
    bucket.inFlightByEpoch.set(bucket.epoch, (bucket.inFlightByEpoch.get(bucket.epoch) ?? 0) + 1);
    bucket.lastUsed = now;
    if (bucket.known && !bucket.unlimited) bucket.remaining--;
    if (!route.exemptFromGlobal) this.#globalInFlight++;
    this.#inFlightTotal++;
    return { route, bucketKey, epoch: bucket.epoch, sentAt: now, completed: false, answers: 0, lastAnswerAt: now };
  }

  /**
   * Learns from one HTTP answer to a granted request (a transport may report several for one request when it
   * retried internally). Returns what a 429 means, or `undefined` for any other status.
   */
  public observe(
    grant: Grant,
    status: number,
    headers: Readonly<Record<string, string>>,
    body: unknown,
    now: number,
  ): RateLimitHit | undefined {
    const hash = header(headers, 'x-ratelimit-bucket');
    const limit = numberHeader(headers, 'x-ratelimit-limit');
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const resetAfter = numberHeader(headers, 'x-ratelimit-reset-after');
    const isGlobal = header(headers, 'x-ratelimit-global') === 'true';
    const scopeHeader = header(headers, 'x-ratelimit-scope');

    if (status === 401 || status === 403 || (status === 429 && scopeHeader !== 'shared')) this.#invalid.push(now);

    const route = grant.route;
    if (grant.answers > 0 && !grant.completed) {
      // The transport sent this request again on its own (REST's `retries`): the earlier attempt used a global slot
      // of its own, held until one second after its answer, and a slot of the bucket.
      if (!route.exemptFromGlobal) this.#holdGlobalSlot(grant.lastAnswerAt + GLOBAL_WINDOW_MS);
      const bucket = this.#buckets.get(grant.bucketKey);
      if (bucket && bucket.known && !bucket.unlimited && bucket.epoch === grant.epoch) {
        bucket.remaining = Math.max(0, bucket.remaining - 1);
      }
    }
    grant.answers++;
    grant.lastAnswerAt = now;
    let bucketKey = grant.bucketKey;
    if (hash !== undefined) {
      let routeState = this.#routes.get(route.routeKey);
      if (!routeState) {
        routeState = { hash, unlimited: false };
        this.#routes.set(route.routeKey, routeState);
      }
      routeState.hash = hash;
      routeState.unlimited = false;
      bucketKey = `${hash}:${route.majorParameter}`;
    } else if (status >= 200 && status < 300 && limit === undefined && !this.#routes.get(route.routeKey)?.hash) {
      // Discord sends no rate-limit headers on routes without a per-route limit: only the global limit applies.
      this.#routes.set(route.routeKey, { hash: undefined, unlimited: true });
      const bucket = this.#bucket(bucketKey, now);
      bucket.known = true;
      bucket.unlimited = true;
    }

    if (limit !== undefined && remaining !== undefined && resetAfter !== undefined) {
      const bucket = this.#bucket(bucketKey, now);
      const candidateReset = now + resetAfter * 1000;
      bucket.windowMs = Math.max(bucket.windowMs, resetAfter * 1000);
      if (!bucket.known || bucket.unlimited) {
        // First sight of this bucket: the answer counts every request Discord processed in the window, but not ours
        // still in flight on this key (sent before the route was learned they drew on the unknown key).
        bucket.known = true;
        bucket.unlimited = false;
        bucket.limit = limit;
        bucket.remaining = remaining - (bucketKey === grant.bucketKey ? bucket.inFlight - 1 : bucket.inFlight);
        bucket.resetAt = candidateReset;
        bucket.windowKnown = candidateReset > now;
        if (!bucket.windowKnown) bucket.remaining = limit - bucket.inFlight;
      } else if (candidateReset > now) {
        bucket.limit = limit;
        if (bucket.windowAssumed && grant.epoch === bucket.epoch) {
          // A header of this window replaces the end assumed after an answer without one.
          bucket.windowAssumed = false;
          bucket.resetAt = candidateReset;
        } else if (!bucket.windowKnown) {
          // Only an answer to a request of the current local window may date its end: a late answer from the
          // previous one could end it early and hand out a full window too soon.
          if (grant.epoch === bucket.epoch) {
            bucket.windowKnown = true;
            bucket.resetAt = candidateReset;
          }
        } else {
          bucket.resetAt = Math.max(bucket.resetAt, candidateReset);
        }
        bucket.remaining = Math.min(bucket.remaining, remaining);
      }
    }

    if (limit === undefined && status !== 429) this.#assumeWindow(grant, now);
    if (status !== 429) return undefined;

    const retryAfterMs = this.#retryAfterMs(headers, body);
    if (typeof body === 'string' && limit === undefined && !isGlobal && scopeHeader === undefined) {
      // The invalid-request ban: a plain-text 429 without rate-limit headers. Everything stops until it is over.
      this.#globalPausedUntil = Math.max(this.#globalPausedUntil, now + retryAfterMs);
      return { scope: 'global', retryAfterMs, bucket: 'global', subLimit: false, banned: true };
    }
    if (isGlobal || scopeHeader === 'global') {
      this.#globalPausedUntil = Math.max(this.#globalPausedUntil, now + retryAfterMs);
      return { scope: 'global', retryAfterMs, bucket: 'global', subLimit: false, banned: false };
    }
    const bucket = this.#bucket(bucketKey, now);
    const scope: RateLimitScope = scopeHeader === 'shared' ? 'shared' : 'user';
    const subLimit = scope === 'user' && remaining !== undefined && remaining > 0;
    if (!subLimit) {
      // Exhausted (or shared): nothing more in this bucket until the wait is over.
      bucket.pausedUntil = Math.max(bucket.pausedUntil, now + retryAfterMs);
      if (scope === 'user') {
        bucket.remaining = 0;
        bucket.windowKnown = true;
        bucket.resetAt = Math.max(bucket.resetAt, now + retryAfterMs);
      }
    }
    return { scope, retryAfterMs, bucket: bucketKey, subLimit, banned: false };
  }

  #retryAfterMs(headers: Readonly<Record<string, string>>, body: unknown): number {
    // The body's retry_after has millisecond precision; Retry-After is whole seconds.
    if (
      body !== null &&
      typeof body === 'object' &&
      typeof (body as { retry_after?: unknown }).retry_after === 'number'
    ) {
      return Math.ceil((body as { retry_after: number }).retry_after * 1000);
    }
    const resetAfter = numberHeader(headers, 'x-ratelimit-reset-after');
    const retryAfter = numberHeader(headers, 'retry-after');
    return Math.ceil(Math.max(resetAfter ?? 0, retryAfter ?? 0) * 1000) || 1000;
  }

  /** Releases a grant once its request settled (answered or failed without an answer). Idempotent. */
  public complete(grant: Grant, now: number): void {
    if (!grant.completed && grant.answers === 0) this.#assumeWindow(grant, now);
    const bucket = this.#releaseSlot(grant);
    if (bucket === false) return;
    if (bucket) bucket.lastUsed = now;
    if (!grant.route.exemptFromGlobal) {
      this.#globalInFlight--;
      // Discord counted this request in the window open when it arrived, which began no later than now: holding the
      // slot until now + 1 s can never let 51 requests land in one window, whatever its alignment.
      this.#holdGlobalSlot(now + GLOBAL_WINDOW_MS);
    }
    this.#inFlightTotal--;
    this.#prune(now);
  }

  /** Holds one global slot until `until` (kept sorted: a transport's internal retry may report an earlier time). */
  #holdGlobalSlot(until: number): void {
    const releases = this.#globalReleases;
    let index = releases.length;
    while (index > this.#globalReleaseHead && releases[index - 1]! > until) index--;
    releases.splice(index, 0, until);
  }

  /**
   * An answer without rate-limit headers (a proxy's 502) or no answer at all (a reset, a timeout): the request may
   * have been counted, and nothing dated the window it was counted in. Rather than probe into a window that may be
   * exhausted, assume it began now and lasts as long as the longest window seen for the bucket; a header of the same
   * window replaces the assumption.
   */
  #assumeWindow(grant: Grant, now: number): void {
    const bucket = this.#buckets.get(grant.bucketKey);
    if (!bucket || !bucket.known || bucket.unlimited || bucket.windowKnown || bucket.windowMs === 0) return;
    if (bucket.epoch !== grant.epoch) return;
    bucket.windowKnown = true;
    bucket.windowAssumed = true;
    bucket.resetAt = now + bucket.windowMs;
  }

  /**
   * Milliseconds between requests at the bucket's full rate (window ÷ limit), or the global limit's when the bucket's
   * window is not known.
   */
  public nominalSpacingMs(route: RouteInfo, now: number): number {
    const bucket = this.#bucket(this.bucketKeyOf(route), now);
    const global = GLOBAL_WINDOW_MS / this.#config.globalRequestsPerSecond;
    if (!bucket.known || bucket.unlimited || bucket.windowMs === 0) return global;
    return Math.max(global, bucket.windowMs / bucket.limit);
  }

  /**
   * Gives back a grant whose request was never sent (e.g. the durable outbox had nothing to claim): the slot returns
   * to the bucket and the global window as if it had not been taken. Idempotent.
   */
  public cancel(grant: Grant): void {
    const bucket = this.#releaseSlot(grant);
    if (bucket === false) return;
    if (bucket && bucket.known && !bucket.unlimited && bucket.epoch === grant.epoch) bucket.remaining++;
    if (!grant.route.exemptFromGlobal) this.#globalInFlight--;
    this.#inFlightTotal--;
  }

  /**
   * Marks a grant done and takes it out of its bucket's in-flight counts. Returns `false` when it was already done,
   * else the bucket (or `undefined` if it was pruned).
   */
  #releaseSlot(grant: Grant): BucketState | undefined | false {
    if (grant.completed) return false;
    grant.completed = true;
    const bucket = this.#buckets.get(grant.bucketKey);
    if (bucket) {
      bucket.inFlight--;
      const left = (bucket.inFlightByEpoch.get(grant.epoch) ?? 1) - 1;
      if (left <= 0) bucket.inFlightByEpoch.delete(grant.epoch);
      else bucket.inFlightByEpoch.set(grant.epoch, left);
    }
    return bucket;
  }

  /** Drops buckets idle for ten minutes so memory stays bounded over weeks. */
  #prune(now: number): void {
    if (now - this.#lastPrune < IDLE_BUCKET_TTL_MS) return;
    this.#lastPrune = now;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.inFlight === 0 && now - bucket.lastUsed > IDLE_BUCKET_TTL_MS && now >= bucket.pausedUntil) {
        this.#buckets.delete(key);
      }
    }
  }

  /** Remaining global pause after a global 429 or ban, 0 when none. */
  public globalPausedForMs(now: number): number {
    return Math.max(0, this.#globalPausedUntil - now);
  }

  /** Longest 429 pause still running (global or any bucket), in milliseconds. */
  public longestPauseMs(now: number): number {
    let longest = this.globalPausedForMs(now);
    for (const bucket of this.#buckets.values()) longest = Math.max(longest, bucket.pausedUntil - now);
    return longest;
  }

  /** Global slots free right now. */
  public globalRemaining(now: number): number {
    return Math.max(0, this.#config.globalRequestsPerSecond - this.#globalUsed(now));
  }

  /** A snapshot of every bucket seen recently. */
  public snapshot(now: number): BucketSnapshot[] {
    const result: BucketSnapshot[] = [];
    for (const bucket of this.#buckets.values()) {
      this.#rollWindow(bucket, now);
      const limited = bucket.known && !bucket.unlimited;
      result.push({
        bucket: bucket.key,
        limit: limited ? bucket.limit : undefined,
        remaining: limited ? bucket.remaining : undefined,
        resetInMs: limited && bucket.windowKnown ? Math.max(0, bucket.resetAt - now) : undefined,
        inFlight: bucket.inFlight,
        pausedForMs: Math.max(0, bucket.pausedUntil - now),
      });
    }
    return result;
  }
}
