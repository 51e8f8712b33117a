import { randomUUID } from 'node:crypto';

import {
  applyRateLimited,
  assumeWindow,
  bucketAvailableAt,
  bucketSpacingMs,
  learnWindow,
  newBucketWindow,
  rollWindow,
  type BucketWindow,
} from './bucket-window.js';
import {
  GLOBAL_LIMIT_LEARNING,
  RATE_LIMIT_STORE_TIMINGS,
  type RateLimitBlockReason,
  type RateLimitObservation,
  type RateLimitReservation,
  type RateLimitSlotRequest,
  type RateLimitStoreLimits,
} from './rate-limit-store.js';
import { ExpiringMap } from '../util/expiring-map.js';
import { SortedTimes } from '../util/sorted-times.js';

/** Reservation ids: unique across processes by their prefix, within this one by a counter. */
const ID_PREFIX = randomUUID().slice(0, 13);
let idCounter = 0;

/** Why a slot is refused, when, and how soon to ask again (see {@link RateLimitState.check}). */
export interface RateLimitCheck {
  /** The reason with the longest wait (on a tie, the most general). */
  readonly reason: RateLimitBlockReason;
  /** When the request may start, or `undefined` when that depends on an answer still in flight. */
  readonly at: number | undefined;
  /** When to ask again, ms: the longest of the waits, a short poll for waits on answers in flight. */
  readonly retryInMs: number;
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

/** Options of {@link RateLimitState}. */
export interface RateLimitStateOptions {
  /**
   * Global slots a request in flight holds: 2 when its transport may repeat it on its own (REST's `retries`), so the
   * repeat cannot exceed the global limit. @defaultValue 1
   */
  readonly globalSlotsPerRequest?: 1 | 2;
  /**
   * Learn a tighter global limit from global 429s (see {@link GLOBAL_LIMIT_LEARNING}). Off in a process whose shared
   * store learns it for every process. @defaultValue true
   */
  readonly learnGlobalLimit?: boolean;
}

/** A learned global limit. */
interface LearnedGlobalLimit {
  limit: number;
  /** When it was last raised (probing) or lowered. */
  raisedAt: number;
  /** When it was last lowered: global 429s of requests sent before this change nothing. */
  readonly loweredAt: number;
  readonly probeIntervalMs: number;
}

interface Bucket {
  readonly window: BucketWindow;
  /** Reservation id → expiry (insertion order is expiry order: one TTL). */
  readonly inFlight: ExpiringMap<string>;
  lastUsed: number;
}

interface Route {
  hash: string | undefined;
  unlimited: boolean;
}

/** How often idle buckets are swept, in ms. */
const SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * Discord's rate-limit state as one process sees it, and the reference semantics of the {@link RateLimitStore}
 * contract (its module comment lists them): learned buckets and their windows, the global window, 429 pauses and the
 * invalid-request budget, with reservations that expire. Synchronous and in memory; the manager's tracker and
 * `MemoryRateLimitStore` are thin layers over it, and the Redis store's Lua scripts do the same steps.
 *
 * Reservation ids are `<process prefix><counter>.<epoch>`: the epoch is the bucket's window count when the slot was
 * taken, so a cancel gives the slot back only to the window it was taken from, and only an answer of the current
 * window dates it.
 *
 * @internal
 */
export class RateLimitState {
  readonly #globalSlotsPerRequest: number;
  readonly #routes = new Map<string, Route>();
  readonly #buckets = new Map<string, Bucket>();
  /** Reservation id → expiry, for the exempt requests among those in flight (the rest count in the global window). */
  readonly #exemptInFlight = new ExpiringMap<string>();
  /** When held global slots free up (`globalWindowMs` after an answer), and the ids already holding one. */
  readonly #globalReleases = new SortedTimes();
  readonly #globalReleasedIds = new ExpiringMap<string>();
  #globalPausedUntil = 0;
  /** Times of 401/403/non-shared 429 answers. */
  readonly #invalid = new SortedTimes();
  /** Reservation id → expiry, for every reservation (each may still turn out invalid). */
  readonly #allInFlight = new ExpiringMap<string>();
  /**
   * When each request counting in the global window was answered with anything but a global 429 (Discord counted
   * it): what a global 429 is measured against.
   */
  readonly #globalCounted = new SortedTimes();
  /** Reservation id → when it was sent, for requests counting in the global window (kept as long as sends are). */
  readonly #sentAt = new ExpiringMap<string>();
  /** Reservation id → when its latest answer was heard, while it is not settled (a later one means a repeat). */
  readonly #answeredAt = new ExpiringMap<string>();
  readonly #learnGlobalLimit: boolean;
  #learned: LearnedGlobalLimit | undefined;
  /** A cap on the global limit told from outside (the limit a shared store learned). */
  #globalCap = Number.POSITIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;

  /** @param options - see {@link RateLimitStateOptions} */
  public constructor(options: RateLimitStateOptions = {}) {
    this.#globalSlotsPerRequest = options.globalSlotsPerRequest ?? 1;
    this.#learnGlobalLimit = options.learnGlobalLimit ?? true;
  }

  /**
   * The global limit in force: the configured one, or the one learned from global 429s (rising by one per probe
   * interval), or the cap set with {@link RateLimitState.capGlobalLimit}, whichever is lowest.
   */
  public globalLimit(limits: RateLimitStoreLimits, now: number): number {
    const learned = this.#learned;
    let limit = limits.globalLimit;
    if (learned) {
      const steps = Math.floor((now - learned.raisedAt) / learned.probeIntervalMs);
      if (steps > 0) {
        learned.limit += steps;
        learned.raisedAt += steps * learned.probeIntervalMs;
      }
      if (learned.limit >= limits.globalLimit) this.#learned = undefined;
      else limit = learned.limit;
    }
    return Math.max(1, Math.min(limit, this.#globalCap));
  }

  /** Caps the global limit (`Infinity` lifts the cap): a shared store's learned limit, adopted by one process. */
  public capGlobalLimit(cap: number): void {
    this.#globalCap = cap;
  }

  /** The bucket a request on `routeKey` draws from right now (changes once the route's hash is learned). */
  public bucketKeyOf(routeKey: string, majorParameter: string): string {
    const hash = this.#routes.get(routeKey)?.hash;
    return hash === undefined ? `${routeKey}|${majorParameter}` : `${hash}:${majorParameter}`;
  }

  /**
   * Whether a request may start now: `undefined` when it may, else why not and until when.
   *
   * @param request - route and major parameter
   * @param limits - the limits in force
   * @param now - the clock
   */
  public check(request: RateLimitSlotRequest, limits: RateLimitStoreLimits, now: number): RateLimitCheck | undefined {
    this.#prune(now, limits);
    const blocked: Blocked = { reason: undefined, waitMs: 0, at: now, now };

    const invalidCount = this.#invalid.size;
    const inFlightTotal = this.#allInFlight.size;
    if (invalidCount + inFlightTotal >= limits.invalidRequestLimit) {
      // Requests in flight may all turn out invalid; once they are answered the budget is known again.
      if (inFlightTotal > 0) blockOn(blocked, 'invalid-budget', undefined, pollMs(this.#allInFlight, now));
      else
        blockOn(
          blocked,
          'invalid-budget',
          this.#invalid.nth(invalidCount - limits.invalidRequestLimit + 1)! + limits.invalidRequestWindowMs,
        );
    }

    if (this.#globalPausedUntil > now) blockOn(blocked, 'paused', this.#globalPausedUntil);

    if (!request.exemptFromGlobal) {
      const released = this.#globalReleases.size;
      // A new request needs its slot, plus the one its transport may repeat it in.
      const excess =
        this.#globalInFlightCount() * this.#globalSlotsPerRequest +
        released +
        this.#globalSlotsPerRequest -
        this.globalLimit(limits, now);
      if (excess > 0) {
        if (excess <= released) blockOn(blocked, 'global', this.#globalReleases.nth(excess)!);
        else blockOn(blocked, 'global', undefined, pollMs(this.#allInFlight, now));
      }
    }

    const bucketKey = this.bucketKeyOf(request.routeKey, request.majorParameter);
    const bucket = this.#bucket(bucketKey, request.routeKey, now);
    if (bucket.window.pausedUntil > now) blockOn(blocked, 'paused', bucket.window.pausedUntil);
    const inFlight = bucket.inFlight.prune(now);
    const bucketAt = bucketAvailableAt(bucket.window, now, inFlight, limits.maxInFlightPerBucket);
    if (bucketAt === undefined) blockOn(blocked, 'bucket', undefined, pollMs(bucket.inFlight, now));
    else if (bucketAt > now) blockOn(blocked, 'bucket', bucketAt);
    // Requests sent before the route's hash was learned (from another major parameter's answer) count in the real
    // bucket too, but were reserved under the provisional key: wait for their answers, whose headers tell the rest.
    const provisionalKey = `${request.routeKey}|${request.majorParameter}`;
    const provisional = bucketKey === provisionalKey ? undefined : this.#buckets.get(provisionalKey);
    if (provisional !== undefined && provisional.inFlight.prune(now) > 0) {
      blockOn(blocked, 'bucket', undefined, pollMs(provisional.inFlight, now));
    }

    if (blocked.reason === undefined) return undefined;
    return { reason: blocked.reason, at: blocked.at, retryInMs: Math.max(1, Math.ceil(blocked.waitMs)) };
  }

  /**
   * Takes a slot; call only when {@link RateLimitState.check} allowed it at `now`.
   *
   * @returns the reservation to pass to {@link RateLimitState.learn}, {@link RateLimitState.release} or
   *   {@link RateLimitState.cancel}
   */
  public take(request: RateLimitSlotRequest, limits: RateLimitStoreLimits, now: number): RateLimitReservation {
    const bucketKey = this.bucketKeyOf(request.routeKey, request.majorParameter);
    const bucket = this.#bucket(bucketKey, request.routeKey, now);
    const id = `${ID_PREFIX}${(++idCounter).toString(36)}.${bucket.window.epoch}`;
    const expiresAt = now + limits.reservationTtlMs;
    bucket.inFlight.set(id, expiresAt);
    bucket.lastUsed = now;
    const window = bucket.window;
    if (window.known && !window.unlimited && window.remaining > 0) window.remaining--;
    if (request.exemptFromGlobal) this.#exemptInFlight.set(id, expiresAt);
    else this.#sentAt.set(id, now);
    this.#allInFlight.set(id, expiresAt);
    return {
      id,
      bucket: bucketKey,
      routeKey: request.routeKey,
      majorParameter: request.majorParameter,
      exemptFromGlobal: request.exemptFromGlobal,
    };
  }

  /**
   * Learns from one answer to a reserved request (there may be several when the transport repeated it): the route's
   * bucket hash, the bucket's window, 429 pauses and invalid requests.
   */
  public learn(
    reservation: RateLimitReservation,
    observation: RateLimitObservation,
    limits: RateLimitStoreLimits,
    now: number,
  ): void {
    const { status, bucketHash, limit, remaining, resetAfterMs } = observation;
    const { routeKey, majorParameter } = reservation;
    const epoch = epochOf(reservation.id);
    if (status === 401 || status === 403 || (status === 429 && observation.scope !== 'shared')) {
      this.#invalid.insert(now);
    }
    const sentAt = this.#sentAt.get(reservation.id);
    if (sentAt !== undefined && !(status === 429 && (observation.scope === 'global' || observation.banned === true))) {
      this.#globalCounted.insert(now);
    }

    let bucketKey = reservation.bucket;
    if (bucketHash !== undefined) {
      this.#routes.set(routeKey, { hash: bucketHash, unlimited: false });
      bucketKey = `${bucketHash}:${majorParameter}`;
    } else if (status >= 200 && status < 300 && limit === undefined && this.#routes.get(routeKey)?.hash === undefined) {
      // Discord sends no rate-limit headers on routes without a per-route limit: only the global limit applies.
      this.#routes.set(routeKey, { hash: undefined, unlimited: true });
      const window = this.#bucket(bucketKey, routeKey, now).window;
      window.known = true;
      window.unlimited = true;
    }

    if (limit !== undefined && remaining !== undefined && resetAfterMs !== undefined) {
      const bucket = this.#bucket(bucketKey, routeKey, now);
      const inFlight = bucket.inFlight.prune(now);
      const self = bucket.inFlight.isLive(reservation.id, now) ? 1 : 0;
      learnWindow(
        bucket.window,
        { limit, remaining, resetAfterMs },
        { now, sameBucket: bucketKey === reservation.bucket, epoch, othersInFlight: inFlight - self },
      );
    } else if (status !== 429) {
      this.#assume(reservation, now);
    }

    if (status !== 429) return;
    const retryAfterMs = observation.retryAfterMs ?? resetAfterMs ?? 1000;
    if (observation.banned === true || observation.scope === 'global') {
      this.#globalPausedUntil = Math.max(this.#globalPausedUntil, now + retryAfterMs);
      if (observation.banned !== true) this.#lowerGlobalLimit(reservation, retryAfterMs, limits, now);
      return;
    }
    const shared = observation.scope === 'shared';
    const subLimit = !shared && (observation.subLimit ?? (remaining !== undefined && remaining > 0));
    if (subLimit) return;
    applyRateLimited(this.#bucket(bucketKey, routeKey, now).window, shared ? 'shared' : 'user', retryAfterMs, now);
  }

  /**
   * One answer to a reserved request that has not settled yet: learns from it. An answer after an earlier one means
   * the transport sent the request again on its own (REST retries 5xx and waits out 429s): the earlier attempt
   * counted as a request of its own.
   */
  public answer(
    reservation: RateLimitReservation,
    observation: RateLimitObservation,
    limits: RateLimitStoreLimits,
    now: number,
  ): void {
    const previous = this.#answeredAt.get(reservation.id);
    if (previous !== undefined) this.#repeated(reservation, previous, limits);
    this.#answeredAt.set(reservation.id, now);
    this.learn(reservation, observation, limits, now);
  }

  /**
   * The transport sent a reserved request again: the earlier attempt (answered at `previousAnswerAt`) used a global
   * slot, held until a window after that answer, and a slot of its bucket.
   */
  #repeated(reservation: RateLimitReservation, previousAnswerAt: number, limits: RateLimitStoreLimits): void {
    if (!reservation.exemptFromGlobal) {
      this.#holdGlobal(`${reservation.id}#${previousAnswerAt}`, previousAnswerAt + limits.globalWindowMs);
    }
    const window = this.#buckets.get(reservation.bucket)?.window;
    if (window && window.known && !window.unlimited && window.epoch === epochOf(reservation.id)) {
      window.remaining = Math.max(0, window.remaining - 1);
    }
  }

  /**
   * Releases a reservation once its request settled. Its global slot stays held until `globalWindowMs` after now
   * (Discord counted it in the window open when it arrived, which began no later than now: holding it until now +
   * window can never let `globalLimit + 1` requests land in one window, whatever its alignment). A reservation that is
   * no longer in flight (completed, cancelled, expired) frees nothing twice.
   *
   * @param answered - its last attempt was answered (and that answer given to {@link RateLimitState.answer}); without
   *   an answer the request is assumed to have used its bucket's window, and an earlier answer means it was repeated
   */
  public release(
    reservation: RateLimitReservation,
    answered: boolean,
    limits: RateLimitStoreLimits,
    now: number,
  ): void {
    this.#prune(now, limits);
    const previous = this.#answeredAt.get(reservation.id);
    this.#answeredAt.delete(reservation.id);
    if (!answered) {
      if (previous !== undefined) this.#repeated(reservation, previous, limits);
      this.#assume(reservation, now);
    }
    const own = this.#buckets.get(reservation.bucket);
    if (own) {
      own.inFlight.delete(reservation.id);
      own.lastUsed = now;
    }
    this.#allInFlight.delete(reservation.id);
    this.#exemptInFlight.delete(reservation.id);
    if (!reservation.exemptFromGlobal) this.#holdGlobal(reservation.id, now + limits.globalWindowMs);
  }

  /**
   * Gives a reservation back unused: its slot returns to the bucket (if its window is still the current one), the
   * global window and the invalid-request budget. A reservation no longer in flight is ignored.
   */
  public cancel(reservation: RateLimitReservation, now: number): void {
    const bucket = this.#buckets.get(reservation.bucket);
    const wasLive = bucket !== undefined && bucket.inFlight.isLive(reservation.id, now);
    bucket?.inFlight.delete(reservation.id);
    this.#allInFlight.delete(reservation.id);
    this.#exemptInFlight.delete(reservation.id);
    this.#answeredAt.delete(reservation.id);
    this.#sentAt.delete(reservation.id);
    if (!bucket || !wasLive) return;
    bucket.lastUsed = now;
    rollWindow(bucket.window, now, bucket.inFlight.prune(now));
    const window = bucket.window;
    if (window.known && !window.unlimited && epochOf(reservation.id) === window.epoch) {
      window.remaining = Math.min(window.limit, window.remaining + 1);
    }
  }

  /** Global slots free right now. */
  public globalRemaining(limits: RateLimitStoreLimits, now: number): number {
    this.#prune(now, limits);
    const used = this.#globalInFlightCount() * this.#globalSlotsPerRequest + this.#globalReleases.size;
    return Math.max(0, this.globalLimit(limits, now) - used);
  }

  /** Invalid answers in the current window. */
  public invalidCount(limits: RateLimitStoreLimits, now: number): number {
    this.#prune(now, limits);
    return this.#invalid.size;
  }

  /** Longest 429 pause still running (global or any bucket), ms. */
  public longestPauseMs(now: number): number {
    let longest = Math.max(0, this.#globalPausedUntil - now);
    for (const bucket of this.#buckets.values()) longest = Math.max(longest, bucket.window.pausedUntil - now);
    return longest;
  }

  /** Milliseconds between requests on `request`'s bucket at its full rate, never less than the global limit's. */
  public nominalSpacingMs(request: RateLimitSlotRequest, limits: RateLimitStoreLimits, now: number): number {
    const global = limits.globalWindowMs / limits.globalLimit;
    const key = this.bucketKeyOf(request.routeKey, request.majorParameter);
    const spacing = bucketSpacingMs(this.#bucket(key, request.routeKey, now).window);
    return Math.max(global, spacing ?? 0);
  }

  /** A snapshot of every bucket seen recently. */
  public snapshot(now: number): BucketSnapshot[] {
    const result: BucketSnapshot[] = [];
    for (const [key, bucket] of this.#buckets) {
      const inFlight = bucket.inFlight.prune(now);
      const window = bucket.window;
      rollWindow(window, now, inFlight);
      const limited = window.known && !window.unlimited;
      result.push({
        bucket: key,
        limit: limited ? window.limit : undefined,
        remaining: limited ? window.remaining : undefined,
        resetInMs: limited && window.windowKnown ? Math.max(0, window.resetAt - now) : undefined,
        inFlight,
        pausedForMs: Math.max(0, window.pausedUntil - now),
      });
    }
    return result;
  }

  /** A global 429: learns the lower limit the server keeps (see {@link GLOBAL_LIMIT_LEARNING}). */
  #lowerGlobalLimit(
    reservation: RateLimitReservation,
    retryAfterMs: number,
    limits: RateLimitStoreLimits,
    now: number,
  ): void {
    const sentAt = this.#sentAt.get(reservation.id);
    if (!this.#learnGlobalLimit || sentAt === undefined || retryAfterMs > limits.globalWindowMs) return;
    const current = this.globalLimit(limits, now);
    const previous = this.#learned;
    if (previous && sentAt <= previous.loweredAt) return; // sent under the limit already lowered
    // The server's window began `window − retry_after` before this request arrived, so no earlier than that before it
    // was sent.
    const windowStart = sentAt - (limits.globalWindowMs - retryAfterMs);
    // The server allowed the requests it answered otherwise since (sent earlier, maybe: a first request of a process
    // waits for its connection), and those sent before this one whose answer is not heard yet (they reached it first:
    // its counter overflowed only with this one).
    const counted = this.#globalCounted.countSince(windowStart) + this.#unansweredSentIn(windowStart, sentAt);
    // Too few of ours in that window: the 429 says little about the limit (another client of the token, a proxy).
    if (counted < GLOBAL_LIMIT_LEARNING.minEvidence) return;
    const derived = Math.ceil(counted * GLOBAL_LIMIT_LEARNING.safety);
    const limit = Math.max(1, Math.min(current - 1, derived));
    if (limit >= current) return;
    this.#learned = {
      limit,
      raisedAt: now,
      loweredAt: now,
      probeIntervalMs: previous
        ? Math.min(GLOBAL_LIMIT_LEARNING.maxProbeIntervalMs, previous.probeIntervalMs * 2)
        : (limits.globalProbeIntervalMs ?? GLOBAL_LIMIT_LEARNING.firstProbeIntervalMs),
    };
  }

  /** Requests in flight that count in the global window, sent in `[from, before)`, with no answer heard yet. */
  #unansweredSentIn(from: number, before: number): number {
    let count = 0;
    for (const id of this.#allInFlight.keys()) {
      const sentAt = this.#sentAt.get(id);
      if (sentAt !== undefined && sentAt >= from && sentAt < before && this.#answeredAt.get(id) === undefined) count++;
    }
    return count;
  }

  /** Requests in flight that count in the global window (pruned by {@link RateLimitState.#prune}). */
  #globalInFlightCount(): number {
    return this.#allInFlight.size - this.#exemptInFlight.size;
  }

  #assume(reservation: RateLimitReservation, now: number): void {
    const window = this.#buckets.get(reservation.bucket)?.window;
    if (window) assumeWindow(window, now, epochOf(reservation.id));
  }

  #holdGlobal(id: string, until: number): void {
    if (this.#globalReleasedIds.get(id) !== undefined) return;
    this.#globalReleasedIds.set(id, until);
    this.#globalReleases.insert(until);
  }

  /** The bucket, created on first use (a route known to be unlimited makes its unhashed buckets unlimited). */
  #bucket(key: string, routeKey: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const unlimited = key.startsWith(`${routeKey}|`) && this.#routes.get(routeKey)?.unlimited === true;
      bucket = { window: newBucketWindow(unlimited), inFlight: new ExpiringMap<string>(), lastUsed: now };
      this.#buckets.set(key, bucket);
    }
    // (Only a window that has ended needs the count of requests still in flight.)
    const window = bucket.window;
    if (window.windowKnown && now >= window.resetAt) rollWindow(window, now, bucket.inFlight.prune(now));
    return bucket;
  }

  /** Drops expired reservations, freed global slots and old invalid answers; now and then, idle buckets. */
  #prune(now: number, limits: RateLimitStoreLimits): void {
    this.#exemptInFlight.prune(now);
    this.#allInFlight.prune(now);
    this.#globalReleases.dropUpTo(now);
    this.#globalReleasedIds.prune(now);
    this.#invalid.dropUpTo(now - limits.invalidRequestWindowMs);
    // Sends are counted back over one window plus a request's lifetime (its latency shifts the window it landed in).
    const sendHorizon = now - limits.globalWindowMs - limits.reservationTtlMs;
    this.#globalCounted.dropUpTo(sendHorizon);
    this.#sentAt.prune(sendHorizon);
    this.#answeredAt.prune(now - limits.reservationTtlMs);
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      const window = bucket.window;
      if (
        bucket.inFlight.prune(now) === 0 &&
        now - bucket.lastUsed > RATE_LIMIT_STORE_TIMINGS.bucketIdleMs &&
        now >= window.pausedUntil &&
        (!window.windowKnown || now >= window.resetAt)
      ) {
        this.#buckets.delete(key);
      }
    }
  }
}

/** What {@link RateLimitState.check} found so far. */
interface Blocked {
  reason: RateLimitBlockReason | undefined;
  waitMs: number;
  /** `undefined` once a wait depends on an answer in flight. */
  at: number | undefined;
  readonly now: number;
}

/**
 * One more reason to wait: until `when`, or (`when` undefined) after an answer in flight, asked again after `pollMs`.
 * The longest wait decides the reason; on a tie the first (most general) is kept.
 */
function blockOn(blocked: Blocked, why: RateLimitBlockReason, when: number | undefined, pollMs = 0): void {
  const ms = when === undefined ? pollMs : when - blocked.now;
  if (blocked.reason === undefined || ms > blocked.waitMs) {
    blocked.reason = why;
    blocked.waitMs = ms;
  }
  blocked.at = blocked.at === undefined || when === undefined ? undefined : Math.max(blocked.at, when);
}

/** How long to wait for a slot held by requests in flight: a short poll, or until the first of them expires. */
function pollMs(inFlight: ExpiringMap<string>, now: number): number {
  return Math.max(1, Math.min(RATE_LIMIT_STORE_TIMINGS.answerPollMs, inFlight.firstExpiry() - now));
}

/** The window epoch encoded in a reservation id (`<uuid>.<epoch>`), or -1 for a foreign id. */
export function epochOf(id: string): number {
  const dot = id.lastIndexOf('.');
  const epoch = dot < 0 ? Number.NaN : Number(id.slice(dot + 1));
  return Number.isInteger(epoch) ? epoch : -1;
}
