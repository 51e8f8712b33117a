/**
 * The contract for rate-limit state shared by several processes of one bot (one token): learned buckets, the global
 * window, 429 pauses and the invalid-request budget. The manager keeps its own per-process view for scheduling and,
 * when a store is configured, asks the store for a slot right before each request and tells it what the answer said.
 * Every operation is atomic (the Redis store runs each as one Lua script, on Redis's clock).
 *
 * Semantics (the same as the single-process `RateLimitTracker`):
 * - A bucket is `hash:major` once a route's hash is known (learned from `x-ratelimit-bucket`), else
 *   `routeKey|major`. An unknown bucket allows one request in flight; a known one allows `remaining` requests in
 *   its window (minus those in flight), at most `maxInFlightPerBucket` at once; a route that answered without
 *   rate-limit headers is limited by the global window only.
 * - The global window: at most `globalLimit` requests per `globalWindowMs`, counting requests in flight and requests
 *   answered less than `globalWindowMs` ago (a slot is held until `globalWindowMs` after the answer). Routes with
 *   `exemptFromGlobal` skip it.
 * - Pauses: a `user` 429 without requests remaining pauses its bucket, a `shared` 429 pauses its bucket, a `global`
 *   429 or the invalid-request ban pauses every request, each for `retryAfterMs`.
 * - The invalid-request budget: 401, 403 and non-shared 429 answers count for `invalidRequestWindowMs`; a slot is
 *   refused when `count + in flight >= invalidRequestLimit`.
 * - A reservation not completed or cancelled within `reservationTtlMs` (its process died) stops counting.
 *
 * @module
 */

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

/**
 * How a global limit lower than the configured one is learned, the same in every store: after a global 429 (not the
 * invalid-request ban), the server's window that failed began `window − retry_after` before the failed request
 * arrived, so no earlier than that before it was sent. The requests Discord answered otherwise since then are counted
 * (whenever they were sent: a process's first request waits for its connection), and so are the ones sent since then
 * and before the failed one whose answer is not heard yet (they reached the server first: its counter overflowed only
 * with the failed one); requests sent after it are not. The new limit is `safety` of that count (rounded up), and at
 * least one fewer than the limit in force. With fewer than `minEvidence` such requests of ours, the 429
 * tells little about the limit (another client of the token): it is only obeyed. A global 429 of a request sent
 * before the limit was last lowered changes nothing. Afterwards the limit rises by one every probe interval without a
 * lowering (the limits' `globalProbeIntervalMs`, by default `firstProbeIntervalMs`); each further lowering doubles
 * that interval (up to `maxProbeIntervalMs`); reaching the configured limit ends learning.
 */
export const GLOBAL_LIMIT_LEARNING = {
  safety: 0.95,
  /** Requests of ours Discord counted in the failing window (answered otherwise) needed for it to teach a limit. */
  minEvidence: 5,
  firstProbeIntervalMs: 10_000,
  maxProbeIntervalMs: 600_000,
} as const;

/** Why a slot is refused (the `reason` of a refused {@link RateLimitAcquireResult}, minus `unavailable`). */
export type RateLimitBlockReason = 'bucket' | 'global' | 'paused' | 'invalid-budget';

/** What a request needs a slot for. */
export interface RateLimitSlotRequest {
  /** `METHOD /template`, e.g. `PATCH /channels/:channel_id/messages/:id`. */
  readonly routeKey: string;
  /** Channel, guild or webhook id (`global` when none). */
  readonly majorParameter: string;
  readonly exemptFromGlobal: boolean;
}

/** Limits the store enforces (from the manager's `RateLimitConfig`). */
export interface RateLimitStoreLimits {
  readonly globalLimit: number;
  readonly globalWindowMs: number;
  readonly maxInFlightPerBucket: number;
  readonly invalidRequestLimit: number;
  readonly invalidRequestWindowMs: number;
  /** How long an unfinished reservation counts (a crashed process's requests stop blocking after this). */
  readonly reservationTtlMs: number;
  /**
   * How long a learned global limit (lower than `globalLimit`, after a global 429) is kept before it is raised by one;
   * it doubles after every further lowering, up to 10 minutes. @defaultValue 10000
   */
  readonly globalProbeIntervalMs?: number;
}

/** A granted slot: pass it back to {@link RateLimitStore.complete} or {@link RateLimitStore.cancel}. */
export interface RateLimitReservation {
  readonly id: string;
  /** The bucket the slot was taken from (`hash:major` or `routeKey|major`). */
  readonly bucket: string;
  readonly routeKey: string;
  readonly majorParameter: string;
  readonly exemptFromGlobal: boolean;
}

/** The answer of {@link RateLimitStore.acquire}. */
export type RateLimitAcquireResult =
  | {
      readonly granted: true;
      readonly reservation: RateLimitReservation;
      /** The global limit in force for every process: the configured one, or lower when learned from global 429s. */
      readonly globalLimit?: number;
    }
  | {
      readonly granted: false;
      /** When to ask again, in ms (an estimate: the moment the blocking window, pause or slot ends). */
      readonly retryInMs: number;
      readonly reason: RateLimitBlockReason | 'unavailable';
    };

/** What an HTTP answer said, passed to {@link RateLimitStore.complete}. */
export interface RateLimitObservation {
  readonly status: number;
  /** `x-ratelimit-bucket`, `-limit`, `-remaining`, and `-reset-after` in ms, when present. */
  readonly bucketHash?: string;
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAfterMs?: number;
  /** For a 429: how long to wait, its scope, and whether it was a sub-limit or the invalid-request ban. */
  readonly retryAfterMs?: number;
  readonly scope?: 'user' | 'global' | 'shared';
  readonly subLimit?: boolean;
  readonly banned?: boolean;
}

/** Shared rate-limit state; see the module comment for the semantics. */
export interface RateLimitStore {
  /** Reserves a slot for one request, or says how long to wait. */
  acquire(request: RateLimitSlotRequest, limits: RateLimitStoreLimits): Promise<RateLimitAcquireResult>;
  /**
   * Releases a reservation after its request was answered (`observation`) or failed without an answer
   * (`undefined`), learning buckets, windows, pauses and invalid requests from the answer; `'observed'` when its last
   * answer was already given to {@link RateLimitStore.observe} (nothing more to learn).
   */
  complete(
    reservation: RateLimitReservation,
    observation: RateLimitObservation | 'observed' | undefined,
    limits: RateLimitStoreLimits,
  ): Promise<void>;
  /**
   * Learns at once from an answer to a request not settled yet — a 429 or a 5xx its transport may act on by sending
   * it again (`@discordjs/rest` waits out 429s and retries 5xx on its own) — so every process knows of a pause or a
   * lower global limit now, not once the request settles. A later answer, or a completion with an observation or
   * without an answer, means the request was sent again: the attempt observed then counts as a request of its own (its
   * global slot held until `globalWindowMs` after its answer, and one slot of its bucket).
   */
  observe(
    reservation: RateLimitReservation,
    observation: RateLimitObservation,
    limits: RateLimitStoreLimits,
  ): Promise<void>;
  /** Gives a reservation back unused (its request was never sent). */
  cancel(reservation: RateLimitReservation): Promise<void>;
  /** Closes what the store opened itself. */
  close(): Promise<void>;
}
