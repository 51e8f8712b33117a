import { InvalidConfigError } from '../errors/message-update-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import { RateLimitState } from './rate-limit-state.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from './rate-limit-store.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The time source for windows, pauses and reservation expiry (inject a `FakeClock` in tests).
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
}

/**
 * The in-memory {@link RateLimitStore}: one process's shared rate-limit state, and the reference implementation of the
 * contract's semantics (the Redis store's Lua scripts do exactly what this class does, on Redis's clock). It is an
 * asynchronous face of the same engine (`RateLimitState`) the manager's own tracker runs on.
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
  readonly #state = new RateLimitState();

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
    const now = this.#clock.now();
    const blocked = this.#state.check(request, limits, now);
    if (blocked) return Promise.resolve({ granted: false, reason: blocked.reason, retryInMs: blocked.retryInMs });
    const reservation = this.#state.take(request, limits, now);
    return Promise.resolve({ granted: true, reservation, globalLimit: this.#state.globalLimit(limits, now) });
  }

  /**
   * Releases a reservation after its request was answered (or failed without an answer), learning from the answer:
   * the route's bucket hash, the bucket's window, 429 pauses and invalid requests. The global slot stays held until
   * `globalWindowMs` after now. Without an answer, the request is assumed to have used its bucket's window.
   *
   * @param reservation - what {@link MemoryRateLimitStore.acquire} granted
   * @param observation - what the answer said, `undefined` when there was none, `'observed'` when the last answer
   *   was given to {@link MemoryRateLimitStore.observe} already
   * @param limits - the limits in force
   */
  public complete(
    reservation: RateLimitReservation,
    observation: RateLimitObservation | 'observed' | undefined,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    const now = this.#clock.now();
    if (observation !== undefined && observation !== 'observed')
      this.#state.answer(reservation, observation, limits, now);
    this.#state.release(reservation, observation !== undefined, limits, now);
    return Promise.resolve();
  }

  /**
   * Learns at once from an answer to a request its transport may send again (a 429 or 5xx). A later answer (or
   * completion) of the same reservation means it was sent again: this attempt then holds a global slot of its own.
   *
   * @param reservation - what {@link MemoryRateLimitStore.acquire} granted
   * @param observation - what the answer said
   * @param limits - the limits in force
   */
  public observe(
    reservation: RateLimitReservation,
    observation: RateLimitObservation,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    this.#state.answer(reservation, observation, limits, this.#clock.now());
    return Promise.resolve();
  }

  /**
   * Gives a reservation back unused: its slot returns to the bucket (if its window is still the current one), the
   * global window and the invalid-request budget, as if it had never been taken. A reservation that is no longer in
   * flight (completed, cancelled, expired) is ignored.
   *
   * @param reservation - what {@link MemoryRateLimitStore.acquire} granted
   */
  public cancel(reservation: RateLimitReservation): Promise<void> {
    this.#state.cancel(reservation, this.#clock.now());
    return Promise.resolve();
  }

  /** Nothing to close: the state lives in this object. */
  public close(): Promise<void> {
    return Promise.resolve();
  }
}
