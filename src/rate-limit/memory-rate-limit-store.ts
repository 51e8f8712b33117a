import { randomUUID } from 'node:crypto';
import { InvalidConfigError } from '../errors/message-update-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from './rate-limit-store.js';

/**
 * Timings shared by every {@link RateLimitStore} of this package, so the memory store (the reference) and the Redis
 * store answer alike.
 *
 * @internal
 */
export const RATE_LIMIT_STORE_TIMINGS = {
  /**
   * `retryInMs` when a slot depends on an answer still in flight (possibly another process's, whose completion this
   * process is not told about): a short re-check interval, or sooner when the blocking reservation expires.
   */
  answerPollMs: 50,
  /** A bucket unused for this long (with nothing in flight, no pause and no window running) is forgotten. */
  bucketIdleMs: 10 * 60 * 1000,
  /** The route → bucket-hash map is forgotten after this long without any request (Redis TTL). */
  routesIdleMs: 24 * 60 * 60 * 1000,
} as const;

/** Why a slot is refused (the `reason` of a refused {@link RateLimitAcquireResult}, minus `unavailable`). */
export type RateLimitBlockReason = 'bucket' | 'global' | 'paused' | 'invalid-budget';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The time source for windows, pauses and reservation expiry (inject a `FakeClock` in tests).
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
}

interface MemoryBucket {
  /** Rate-limit headers seen at least once (or the route answered without any: `unlimited`). */
  known: boolean;
  /** The route answered without rate-limit headers: only the global window applies. */
  unlimited: boolean;
  limit: number;
  remaining: number;
  /** End of the current window; meaningful when `windowKnown`. */
  resetAt: number;
  windowKnown: boolean;
  pausedUntil: number;
  /** Incremented at every window roll; a reservation remembers the epoch it was granted in. */
  epoch: number;
  /** Reservation id → expiry time. */
  readonly inFlight: Map<string, number>;
  lastUsed: number;
}

interface MemoryRoute {
  hash: string | undefined;
  unlimited: boolean;
}

/** How often idle buckets are swept, in ms. */
const SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * The in-memory {@link RateLimitStore}: one process's shared rate-limit state, and the reference implementation of the
 * contract's semantics (the Redis store's Lua scripts do exactly what this class does, on Redis's clock).
 *
 * - Buckets are `hash:major` once a route's hash is learned, else `routeKey|major`; an unknown bucket allows one
 *   request in flight, a known one `remaining` per window (at most `maxInFlightPerBucket` at once), a route that
 *   answered without rate-limit headers only the global window.
 * - Reservation ids are `<uuid>.<epoch>`: the epoch is the bucket's window count when the slot was granted, so a
 *   {@link MemoryRateLimitStore.cancel} gives the slot back only to the window it was taken from.
 * - Every reservation expires `reservationTtlMs` after it was granted (its process may have died): it then stops
 *   counting in the bucket, the global window and the invalid-request budget.
 * - Windows are learned from answers like the tracker does, with one more safeguard: after a window rolled, only an
 *   answer to a request granted in the new window starts it (a late answer from the previous window can only lower
 *   `remaining` or push the end later).
 * - {@link MemoryRateLimitStore.complete} of a reservation that is no longer in flight (completed, cancelled or
 *   expired) still learns from the answer and holds its global slot, but frees nothing twice.
 *
 * It shares nothing between processes: use `RedisRateLimitStore` (`discord-update-manager/redis`) for that.
 *
 * @example
 * ```ts
 * import { MemoryRateLimitStore } from 'discord-update-manager';
 *
 * const store = new MemoryRateLimitStore();
 * const limits = {
 *   globalLimit: 50,
 *   globalWindowMs: 1000,
 *   maxInFlightPerBucket: 3,
 *   invalidRequestLimit: 10_000,
 *   invalidRequestWindowMs: 600_000,
 *   reservationTtlMs: 30_000,
 * };
 * const slot = await store.acquire(
 *   { routeKey: 'PATCH /channels/:channel_id/messages/:id', majorParameter: '111', exemptFromGlobal: false },
 *   limits,
 * );
 * if (slot.granted) {
 *   // ... send the request ...
 *   await store.complete(slot.reservation, { status: 200, bucketHash: 'abc', limit: 5, remaining: 4, resetAfterMs: 5000 }, limits);
 * }
 * ```
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #clock: Clock;
  readonly #routes = new Map<string, MemoryRoute>();
  readonly #buckets = new Map<string, MemoryBucket>();
  /** Reservation id → expiry, for requests counting in the global window (not exempt). */
  readonly #globalInFlight = new Map<string, number>();
  /** Reservation id → time its global slot frees up (`globalWindowMs` after the answer). */
  readonly #globalReleased = new Map<string, number>();
  #globalPausedUntil = 0;
  /** Reservation id → time of a 401/403/non-shared 429 answer; insertion order is time order. */
  readonly #invalidLog = new Map<string, number>();
  /** Reservation id → expiry, for every reservation (each may still turn out invalid). */
  readonly #allInFlight = new Map<string, number>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * @param options - see {@link MemoryRateLimitStoreOptions}
   * @throws {@link InvalidConfigError} when `clock` is given but has no `now()`
   */
  public constructor(options: MemoryRateLimitStoreOptions = {}) {
    const clock = options.clock ?? systemClock;
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new InvalidConfigError('clock', clock, 'a Clock (an object with `now()`), such as `systemClock`');
    }
    this.#clock = clock;
  }

  /**
   * Reserves a slot for one request, or says how long to wait and why.
   *
   * @param request - the route and major parameter of the request
   * @param limits - the limits to enforce
   * @returns a granted reservation, or `{ granted: false, reason, retryInMs }` (the longest of the blocking waits)
   */
  public acquire(request: RateLimitSlotRequest, limits: RateLimitStoreLimits): Promise<RateLimitAcquireResult> {
    return Promise.resolve(this.#acquire(request, limits, this.#clock.now()));
  }

  #acquire(request: RateLimitSlotRequest, limits: RateLimitStoreLimits, now: number): RateLimitAcquireResult {
    this.#prune(now, limits);
    let reason: RateLimitBlockReason | undefined;
    let waitMs = 0;
    // The longest wait decides; on a tie the first (most general) reason is kept.
    const block = (why: RateLimitBlockReason, ms: number): void => {
      if (reason === undefined || ms > waitMs) {
        reason = why;
        waitMs = ms;
      }
    };

    const invalidCount = this.#invalidLog.size;
    const inFlightTotal = this.#allInFlight.size;
    if (invalidCount + inFlightTotal >= limits.invalidRequestLimit) {
      // Requests in flight may all turn out invalid; once they are answered the budget is known again.
      if (inFlightTotal > 0) block('invalid-budget', pollMs(this.#allInFlight, now));
      else {
        const oldest = nthSmallest(this.#invalidLog, invalidCount - limits.invalidRequestLimit + 1);
        block(
          'invalid-budget',
          oldest === undefined ? limits.invalidRequestWindowMs : oldest + limits.invalidRequestWindowMs - now,
        );
      }
    }

    if (this.#globalPausedUntil > now) block('paused', this.#globalPausedUntil - now);

    if (!request.exemptFromGlobal) {
      const released = this.#globalReleased.size;
      const used = this.#globalInFlight.size + released;
      if (used >= limits.globalLimit) {
        const needed = used - limits.globalLimit + 1;
        const freeAt = needed <= released ? nthSmallest(this.#globalReleased, needed) : undefined;
        block('global', freeAt === undefined ? pollMs(this.#globalInFlight, now) : freeAt - now);
      }
    }

    const bucketKey = this.#bucketKeyOf(request.routeKey, request.majorParameter);
    const bucket = this.#bucket(bucketKey, request.routeKey, now);
    if (bucket.pausedUntil > now) block('paused', bucket.pausedUntil - now);
    const inFlight = live(bucket.inFlight, now);
    if (inFlight >= limits.maxInFlightPerBucket) block('bucket', pollMs(bucket.inFlight, now));
    else if (!bucket.known) {
      if (inFlight > 0) block('bucket', pollMs(bucket.inFlight, now));
    } else if (!bucket.unlimited && bucket.remaining <= 0) {
      if (bucket.windowKnown) block('bucket', bucket.resetAt - now);
      else if (inFlight > 0) block('bucket', pollMs(bucket.inFlight, now));
      // else: the window is unknown and no answer will come to teach it (answers lost, reservations expired): probe
      // with one request at a time, as for an unknown bucket, rather than waiting forever.
    }

    if (reason !== undefined) return { granted: false, reason, retryInMs: Math.max(1, Math.ceil(waitMs)) };

    const id = `${randomUUID()}.${bucket.epoch}`;
    const expiresAt = now + limits.reservationTtlMs;
    bucket.inFlight.set(id, expiresAt);
    bucket.lastUsed = now;
    if (bucket.known && !bucket.unlimited && bucket.remaining > 0) bucket.remaining--;
    if (!request.exemptFromGlobal) this.#globalInFlight.set(id, expiresAt);
    this.#allInFlight.set(id, expiresAt);
    return {
      granted: true,
      reservation: {
        id,
        bucket: bucketKey,
        routeKey: request.routeKey,
        majorParameter: request.majorParameter,
        exemptFromGlobal: request.exemptFromGlobal,
      },
    };
  }

  /**
   * Releases a reservation after its request was answered (or failed without an answer), learning from the answer:
   * the route's bucket hash, the bucket's window, 429 pauses and invalid requests. The global slot stays held until
   * `globalWindowMs` after now.
   *
   * @param reservation - what {@link MemoryRateLimitStore.acquire} granted
   * @param observation - what the answer said, or `undefined` when there was none
   * @param limits - the limits in force
   */
  public complete(
    reservation: RateLimitReservation,
    observation: RateLimitObservation | undefined,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    this.#complete(reservation, observation, limits, this.#clock.now());
    return Promise.resolve();
  }

  #complete(
    reservation: RateLimitReservation,
    observation: RateLimitObservation | undefined,
    limits: RateLimitStoreLimits,
    now: number,
  ): void {
    this.#prune(now, limits);
    if (observation !== undefined) this.#learn(reservation, observation, now);

    const own = this.#buckets.get(reservation.bucket);
    if (own) {
      own.inFlight.delete(reservation.id);
      own.lastUsed = now;
    }
    this.#allInFlight.delete(reservation.id);
    if (!reservation.exemptFromGlobal) {
      this.#globalInFlight.delete(reservation.id);
      // Discord counted the request in the window open when it arrived, which began no later than now: holding the
      // slot until now + window can never let globalLimit + 1 requests land in one window, whatever its alignment.
      this.#globalReleased.set(reservation.id, now + limits.globalWindowMs);
    }
  }

  #learn(reservation: RateLimitReservation, observation: RateLimitObservation, now: number): void {
    const { status, bucketHash, limit, remaining, resetAfterMs } = observation;
    const { routeKey, majorParameter } = reservation;

    if (
      (status === 401 || status === 403 || (status === 429 && observation.scope !== 'shared')) &&
      !this.#invalidLog.has(reservation.id)
    ) {
      this.#invalidLog.set(reservation.id, now);
    }

    let bucketKey = reservation.bucket;
    if (bucketHash !== undefined) {
      this.#routes.set(routeKey, { hash: bucketHash, unlimited: false });
      bucketKey = `${bucketHash}:${majorParameter}`;
    } else if (status >= 200 && status < 300 && limit === undefined && this.#routes.get(routeKey)?.hash === undefined) {
      // Discord sends no rate-limit headers on routes without a per-route limit: only the global limit applies.
      this.#routes.set(routeKey, { hash: undefined, unlimited: true });
      const bucket = this.#bucket(bucketKey, routeKey, now);
      bucket.known = true;
      bucket.unlimited = true;
    }

    if (limit !== undefined && remaining !== undefined && resetAfterMs !== undefined) {
      const bucket = this.#bucket(bucketKey, routeKey, now);
      const inFlight = live(bucket.inFlight, now);
      const candidateReset = now + resetAfterMs;
      if (!bucket.known || bucket.unlimited) {
        // First sight of this bucket: the answer counts every request Discord processed in the window (this one
        // included), but not the others still in flight on this key.
        const others = inFlight - (isLive(bucket.inFlight, reservation.id, now) ? 1 : 0);
        bucket.known = true;
        bucket.unlimited = false;
        bucket.limit = limit;
        bucket.remaining = remaining - others;
        bucket.resetAt = candidateReset;
        bucket.windowKnown = candidateReset > now;
        if (!bucket.windowKnown) bucket.remaining = limit - inFlight;
      } else if (candidateReset > now) {
        bucket.limit = limit;
        if (!bucket.windowKnown) {
          // Only an answer to a request granted in the current window may start it: a late answer from the previous
          // one (granted before the roll) describes a server window that has ended, and would end ours too early.
          if (bucketKey === reservation.bucket && epochOf(reservation.id) === bucket.epoch) {
            bucket.windowKnown = true;
            bucket.resetAt = candidateReset;
          }
        } else {
          bucket.resetAt = Math.max(bucket.resetAt, candidateReset);
        }
        bucket.remaining = Math.min(bucket.remaining, remaining);
      }
    }

    if (status !== 429) return;
    const retryAfterMs = observation.retryAfterMs ?? resetAfterMs ?? 1000;
    if (observation.banned === true || observation.scope === 'global') {
      this.#globalPausedUntil = Math.max(this.#globalPausedUntil, now + retryAfterMs);
      return;
    }
    const shared = observation.scope === 'shared';
    const subLimit = !shared && (observation.subLimit ?? (remaining !== undefined && remaining > 0));
    if (subLimit) return;
    // Exhausted (or shared): nothing more in this bucket until the wait is over.
    const bucket = this.#bucket(bucketKey, routeKey, now);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, now + retryAfterMs);
    if (!shared) {
      bucket.remaining = 0;
      bucket.windowKnown = true;
      bucket.resetAt = Math.max(bucket.resetAt, now + retryAfterMs);
    }
  }

  /**
   * Gives a reservation back unused: its slot returns to the bucket (if its window is still the current one), the
   * global window and the invalid-request budget, as if it had never been taken. A reservation that is no longer in
   * flight (completed, cancelled, expired) is ignored.
   *
   * @param reservation - what {@link MemoryRateLimitStore.acquire} granted
   */
  public cancel(reservation: RateLimitReservation): Promise<void> {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(reservation.bucket);
    const wasLive = bucket !== undefined && isLive(bucket.inFlight, reservation.id, now);
    bucket?.inFlight.delete(reservation.id);
    this.#allInFlight.delete(reservation.id);
    this.#globalInFlight.delete(reservation.id);
    if (bucket && wasLive) {
      bucket.lastUsed = now;
      this.#rollWindow(bucket, now);
      if (bucket.known && !bucket.unlimited && epochOf(reservation.id) === bucket.epoch) {
        bucket.remaining = Math.min(bucket.limit, bucket.remaining + 1);
      }
    }
    return Promise.resolve();
  }

  /** Nothing to close: the state lives in this object. */
  public close(): Promise<void> {
    return Promise.resolve();
  }

  #bucketKeyOf(routeKey: string, majorParameter: string): string {
    const hash = this.#routes.get(routeKey)?.hash;
    return hash === undefined ? `${routeKey}|${majorParameter}` : `${hash}:${majorParameter}`;
  }

  /** The bucket, created on first use (a route known to be unlimited makes its unhashed buckets unlimited). */
  #bucket(key: string, routeKey: string, now: number): MemoryBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const unlimited = key.startsWith(`${routeKey}|`) && this.#routes.get(routeKey)?.unlimited === true;
      bucket = {
        known: unlimited,
        unlimited,
        limit: 1,
        remaining: 1,
        resetAt: 0,
        windowKnown: false,
        pausedUntil: 0,
        epoch: 0,
        inFlight: new Map(),
        lastUsed: now,
      };
      this.#buckets.set(key, bucket);
    }
    this.#rollWindow(bucket, now);
    return bucket;
  }

  /** Starts a new window once the known one has ended; requests still in flight may count in the new one. */
  #rollWindow(bucket: MemoryBucket, now: number): void {
    if (!bucket.known || bucket.unlimited || !bucket.windowKnown || now < bucket.resetAt) return;
    bucket.epoch++;
    bucket.windowKnown = false;
    bucket.remaining = Math.max(0, bucket.limit - live(bucket.inFlight, now));
  }

  /** Drops expired reservations, freed global slots and old invalid answers; now and then, idle buckets. */
  #prune(now: number, limits: RateLimitStoreLimits): void {
    dropUpTo(this.#globalInFlight, now);
    dropUpTo(this.#globalReleased, now);
    dropUpTo(this.#allInFlight, now);
    const since = now - limits.invalidRequestWindowMs;
    for (const [id, at] of this.#invalidLog) {
      if (at > since) break;
      this.#invalidLog.delete(id);
    }
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (
        live(bucket.inFlight, now) === 0 &&
        now - bucket.lastUsed > RATE_LIMIT_STORE_TIMINGS.bucketIdleMs &&
        now >= bucket.pausedUntil &&
        (!bucket.windowKnown || now >= bucket.resetAt)
      ) {
        this.#buckets.delete(key);
      }
    }
  }
}

/** Removes the entries whose time is `<= now`; returns how many are left. */
function dropUpTo(times: Map<string, number>, now: number): number {
  for (const [id, at] of times) if (at <= now) times.delete(id);
  return times.size;
}

/** Reservations of a bucket still in flight (expired ones are dropped). */
function live(inFlight: Map<string, number>, now: number): number {
  return dropUpTo(inFlight, now);
}

function isLive(inFlight: Map<string, number>, id: string, now: number): boolean {
  const expiresAt = inFlight.get(id);
  return expiresAt !== undefined && expiresAt > now;
}

/** The `n`-th smallest time (1-based), or `undefined` when there are fewer. */
function nthSmallest(times: Map<string, number>, n: number): number | undefined {
  if (n < 1 || n > times.size) return undefined;
  return [...times.values()].sort((a, b) => a - b)[n - 1];
}

/** How long to wait for a slot held by requests in flight: a short poll, or until the first of them expires. */
function pollMs(inFlight: Map<string, number>, now: number): number {
  let firstExpiry = Number.POSITIVE_INFINITY;
  for (const expiresAt of inFlight.values()) firstExpiry = Math.min(firstExpiry, expiresAt);
  return Math.max(1, Math.min(RATE_LIMIT_STORE_TIMINGS.answerPollMs, firstExpiry - now));
}

/** The window epoch encoded in a reservation id (`<uuid>.<epoch>`), or -1 for a foreign id. */
function epochOf(id: string): number {
  const dot = id.lastIndexOf('.');
  const epoch = dot < 0 ? Number.NaN : Number(id.slice(dot + 1));
  return Number.isInteger(epoch) ? epoch : -1;
}
