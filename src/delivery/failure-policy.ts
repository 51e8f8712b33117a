/**
 * How the manager reacts to server errors, timeouts and connection resets ("retryable failures"): when one update
 * is retried, and how fast a scope (one bucket, or Discord as a whole) may be sent to while its requests fail.
 *
 * The principle: an isolated failure is evidence about that one request, not about the service, so it is retried at
 * once (still waiting for a bucket slot and the global limit); backoff grows only as failures repeat.
 *
 * - **Per update.** Retry 1 is immediate. Retry `k` (k ≥ 2) waits `min(maxBackoffMs, baseBackoffMs × 2^(k-2))`, with
 *   "equal jitter": half of it fixed, half random. With the defaults (1 s, 60 s): 0, 0.5–1 s, 1–2 s, 2–4 s, 4–8 s.
 * - **Per scope, when failures cluster.** Each scope keeps the outcomes of its requests of the last
 *   {@link FAILURE_POLICY_TUNING.windowMs} ms, with the update (target) each was for. It is in a **storm** while
 *   updates of at least {@link FAILURE_POLICY_TUNING.minFailures} different targets failed in the window and the
 *   failures are at least {@link FAILURE_POLICY_TUNING.minFailureRatio} of its outcomes (one message failing again and
 *   again is that message's problem, handled by its own backoff): requests to it are then spaced at
 *   `nominal / (1 - ratio)`
 *   (at half its nominal rate when half fail; at most {@link FAILURE_POLICY_TUNING.maxSlowdown}× slower), with ±25%
 *   jitter. It is in an **outage** after failures in a row of at least {@link FAILURE_POLICY_TUNING.minFailures}
 *   different targets with no success in the window: one request (a probe) per
 *   `min(maxBackoffMs, baseBackoffMs × 2^(n-3))`, n the failures in a row, with equal jitter. The first success ends
 *   the outage; a storm ends as its failures age out of the window.
 * - **Retries while Discord as a whole fails.** While the service scope (every request) is in a storm or an outage,
 *   a failure is evidence about Discord, not about the update: like a 429, it does not use up one of the update's
 *   `maxRetries` (see {@link FailurePolicy.isFailing}); the update waits for the scope's pacing.
 *
 * Answers that are not failures (2xx, 4xx: Discord is answering) count as successes; 429s count as neither.
 *
 * @internal Used by the manager's delivery; exported for tests.
 */

/** Constants of the failure policy (not configurable: the policy is defined by them and documented with them). */
export const FAILURE_POLICY_TUNING = {
  /** Outcomes older than this no longer count, ms. */
  windowMs: 1000,
  /** A scope is in a storm from this many failures in the window... */
  minFailures: 3,
  /** ...when they are at least this share of its outcomes in the window. */
  minFailureRatio: 0.2,
  /** In a storm, requests are at most this many times slower than nominal. */
  maxSlowdown: 10,
  /** Storm spacing is multiplied by a random factor in [1 - j, 1 + j]. */
  stormJitter: 0.25,
} as const;

/** Options of {@link FailurePolicy}. */
export interface FailurePolicyOptions {
  /** Base of the exponential backoff, ms (the config's `baseBackoffMs`). */
  readonly baseBackoffMs: number;
  /** Cap of every backoff and spacing, ms (the config's `maxBackoffMs`). */
  readonly maxBackoffMs: number;
  /** Random source in [0, 1), for jitter. */
  readonly random: () => number;
}

/** The state of one scope, as {@link FailurePolicy.snapshot} reports it. */
export interface ScopeHealthSnapshot {
  readonly scope: string;
  readonly state: 'storm' | 'outage';
  /** Share of failures among the outcomes of the window. */
  readonly failureRatio: number;
  /** Failures in a row. */
  readonly consecutiveFailures: number;
  /** Milliseconds until the next request to this scope may start (0 when it may now). */
  readonly waitMs: number;
}

interface ScopeHealth {
  /** Failure times and targets in the window, oldest first (from `head`). */
  readonly times: number[];
  readonly sources: string[];
  head: number;
  /** Successes, counted per slot of `windowMs / SUCCESS_SLOTS` (a slot's count, and the slot number it holds). */
  readonly successCounts: Int32Array;
  readonly successSlots: Float64Array;
  failures: number;
  /** Failures in the window, by target. */
  readonly failingSources: Map<string, number>;
  consecutiveFailures: number;
  /** Distinct targets of the current run of failures (at most `minFailures` are kept: that is all it needs). */
  readonly streakSources: Set<string>;
  /** Earliest start of the next request, set when one starts while the scope is unhealthy. */
  nextStartAt: number;
  lastUsed: number;
}

/** Successes are counted per slot: the window's outcomes are known to within `windowMs / SUCCESS_SLOTS`. */
const SUCCESS_SLOTS = 20;

function slotOf(now: number): number {
  return Math.floor(now / (FAILURE_POLICY_TUNING.windowMs / SUCCESS_SLOTS));
}

function addSuccess(health: ScopeHealth, now: number): void {
  const slot = slotOf(now);
  const index = slot % SUCCESS_SLOTS;
  if (health.successSlots[index] !== slot) {
    health.successSlots[index] = slot;
    health.successCounts[index] = 0;
  }
  health.successCounts[index]!++;
}

/** Successes in the slots of the window ending at `now`. */
function successesSince(health: ScopeHealth, now: number): number {
  const newest = slotOf(now);
  let count = 0;
  for (let index = 0; index < SUCCESS_SLOTS; index++) {
    const slot = health.successSlots[index]!;
    if (slot > newest - SUCCESS_SLOTS && slot <= newest) count += health.successCounts[index]!;
  }
  return count;
}

/** Scopes with no outcome for this long are forgotten. */
const IDLE_SCOPE_MS = 10 * 60 * 1000;

/** See the module documentation. */
export class FailurePolicy {
  readonly #options: FailurePolicyOptions;
  readonly #scopes = new Map<string, ScopeHealth>();
  #lastPrune = 0;
  /** When the last failure was recorded, and how many scopes have failures in a row now. */
  #lastFailureAt = Number.NEGATIVE_INFINITY;
  #scopesFailingInARow = 0;
  /** The time the window was last aged to (what {@link FailurePolicy} counts successes up to). */
  #lastNow = 0;

  /** @param options - backoff base and cap, random source */
  public constructor(options: FailurePolicyOptions) {
    this.#options = options;
  }

  /**
   * The delay before retry number `retry` (1 for the first retry) of one update, in ms.
   *
   * @param retry - 1-based retry number
   * @returns 0 for the first retry, an exponentially growing jittered delay after
   */
  public retryDelayMs(retry: number): number {
    if (retry <= 1) return 0;
    return this.#equalJitter(this.#options.baseBackoffMs * 2 ** (retry - 2));
  }

  /**
   * Records the outcome of one answered (or unanswered) request in each of `scopes`.
   *
   * @param scopes - e.g. `['service', bucketKey]`
   * @param failed - a retryable failure (5xx, timeout, reset); `false` for any other answer but a 429
   * @param now - the clock
   * @param source - the target (message) the request was for
   */
  public record(scopes: readonly string[], failed: boolean, now: number, source: string): void {
    for (const key of scopes) {
      let scope = this.#scopes.get(key);
      if (!scope) {
        scope = {
          times: [],
          sources: [],
          head: 0,
          successCounts: new Int32Array(SUCCESS_SLOTS),
          successSlots: new Float64Array(SUCCESS_SLOTS).fill(-1),
          failures: 0,
          failingSources: new Map(),
          consecutiveFailures: 0,
          streakSources: new Set(),
          nextStartAt: 0,
          lastUsed: now,
        };
        this.#scopes.set(key, scope);
      }
      this.#age(scope, now);
      const wasOutage = this.#state(scope) === 'outage';

      scope.lastUsed = now;
      if (failed) {
        scope.times.push(now);
        scope.sources.push(source);
        if (scope.consecutiveFailures === 0) this.#scopesFailingInARow++;
        this.#lastFailureAt = now;
        scope.failures++;
        scope.failingSources.set(source, (scope.failingSources.get(source) ?? 0) + 1);
        scope.consecutiveFailures++;
        if (scope.streakSources.size < FAILURE_POLICY_TUNING.minFailures) scope.streakSources.add(source);
        // Entering (or deeper into) an outage: nothing is sent before the probe's backoff.
        if (this.#state(scope) === 'outage') {
          scope.nextStartAt = Math.max(scope.nextStartAt, now + this.#spacingMs(scope, 'outage', 0));
        }
      } else {
        addSuccess(scope, now);
        if (scope.consecutiveFailures > 0) this.#scopesFailingInARow--;
        scope.consecutiveFailures = 0;
        scope.streakSources.clear();
        // Discord answered: the wait an outage scheduled no longer applies (a storm keeps spacing its requests).
        if (wasOutage) scope.nextStartAt = 0;
      }
    }
    this.#prune(now);
  }

  /**
   * Whether `scope` is in a storm or an outage now. For the service scope: a failure now is Discord's, not the
   * update's, and does not use up one of its retries.
   *
   * @param scope - the scope key
   * @param now - the clock
   */
  public isFailing(scope: string, now: number): boolean {
    const health = this.#scopes.get(scope);
    if (!health || (health.failures === 0 && health.consecutiveFailures === 0)) return false;
    this.#age(health, now);
    return this.#state(health) !== undefined;
  }

  /**
   * When the next request to `scope` may start: `now` or earlier while it is healthy.
   *
   * @param scope - the scope key
   * @param now - the clock
   */
  public availableAt(scope: string, now: number): number {
    const health = this.#scopes.get(scope);
    // The common case, asked for every ready route on every pass: nothing failed lately.
    if (!health || (health.failures === 0 && health.consecutiveFailures === 0)) return now;
    this.#age(health, now);
    if (this.#state(health) === undefined) return now;
    return Math.max(now, health.nextStartAt);
  }

  /**
   * True when nothing failed in the last window and no scope is failing in a row: no scope is in a storm or an
   * outage, so nothing needs asking (the path of every request while Discord is healthy).
   */
  public quiet(now: number): boolean {
    return this.#scopesFailingInARow === 0 && now - this.#lastFailureAt > FAILURE_POLICY_TUNING.windowMs;
  }

  /**
   * Whether a request starting in `scope` may have to push its next start back (something failed there lately): when
   * not, {@link FailurePolicy.started} has nothing to do, and its spacing need not be worked out.
   */
  public mayPace(scope: string): boolean {
    const health = this.#scopes.get(scope);
    return health !== undefined && (health.failures > 0 || health.consecutiveFailures > 0);
  }

  /**
   * Notes that a request starts in `scope`; an unhealthy scope's next start is pushed back by its spacing.
   *
   * @param scope - the scope key
   * @param nominalSpacingMs - ms between requests to it at full rate
   * @param now - the clock
   */
  public started(scope: string, nominalSpacingMs: number, now: number): void {
    const health = this.#scopes.get(scope);
    if (!health || (health.failures === 0 && health.consecutiveFailures === 0)) return;
    this.#age(health, now);
    const state = this.#state(health);
    if (state === undefined) return;
    health.nextStartAt = Math.max(health.nextStartAt, now + this.#spacingMs(health, state, nominalSpacingMs));
  }

  /** Scopes currently in a storm or an outage. */
  public snapshot(now: number): ScopeHealthSnapshot[] {
    const result: ScopeHealthSnapshot[] = [];
    for (const [scope, health] of this.#scopes) {
      this.#age(health, now);
      const state = this.#state(health);
      if (state === undefined) continue;
      result.push({
        scope,
        state,
        failureRatio: this.#count(health) === 0 ? 1 : health.failures / this.#count(health),
        consecutiveFailures: health.consecutiveFailures,
        waitMs: Math.max(0, health.nextStartAt - now),
      });
    }
    return result;
  }

  /** Longest wait any unhealthy scope imposes right now, ms. */
  public longestWaitMs(now: number): number {
    let longest = 0;
    for (const health of this.#scopes.values()) {
      this.#age(health, now);
      if (this.#state(health) !== undefined) longest = Math.max(longest, health.nextStartAt - now);
    }
    return longest;
  }

  #spacingMs(health: ScopeHealth, state: 'storm' | 'outage', nominalSpacingMs: number): number {
    const { maxBackoffMs, baseBackoffMs, random } = this.#options;
    if (state === 'outage') {
      const exponent = Math.max(0, health.consecutiveFailures - FAILURE_POLICY_TUNING.minFailures);
      return this.#equalJitter(baseBackoffMs * 2 ** exponent);
    }
    const ratio = health.failures / this.#count(health);
    const slowdown = Math.min(FAILURE_POLICY_TUNING.maxSlowdown, 1 / Math.max(1e-9, 1 - ratio));
    const jitter = 1 + FAILURE_POLICY_TUNING.stormJitter * (2 * random() - 1);
    return Math.min(maxBackoffMs, nominalSpacingMs * slowdown * jitter);
  }

  #equalJitter(delayMs: number): number {
    const capped = Math.min(this.#options.maxBackoffMs, delayMs);
    return Math.round(capped / 2 + (capped / 2) * this.#options.random());
  }

  #state(health: ScopeHealth): 'storm' | 'outage' | undefined {
    const count = this.#count(health);
    const { minFailures, minFailureRatio } = FAILURE_POLICY_TUNING;
    // Failures in a row, of several targets, with no success in the window (even once they aged out of it).
    if (health.streakSources.size >= minFailures && health.failures === count) return 'outage';
    if (health.failingSources.size < minFailures) return undefined;
    return health.failures / count >= minFailureRatio ? 'storm' : undefined;
  }

  /** Outcomes in the window: the failures kept, and the successes of the slots still in it. */
  #count(health: ScopeHealth): number {
    return health.failures + successesSince(health, this.#lastNow);
  }

  /** Drops outcomes older than the window. */
  #age(health: ScopeHealth, now: number): void {
    const since = now - FAILURE_POLICY_TUNING.windowMs;
    this.#lastNow = now;
    while (health.head < health.times.length && health.times[health.head]! <= since) {
      health.failures--;
      const source = health.sources[health.head]!;
      const left = health.failingSources.get(source)! - 1;
      if (left === 0) health.failingSources.delete(source);
      else health.failingSources.set(source, left);
      health.head++;
    }
    if (health.head > 256 && health.head * 2 > health.times.length) {
      health.times.splice(0, health.head);
      health.sources.splice(0, health.head);
      health.head = 0;
    }
  }

  #prune(now: number): void {
    if (now - this.#lastPrune < IDLE_SCOPE_MS) return;
    this.#lastPrune = now;
    for (const [key, health] of this.#scopes) {
      if (now - health.lastUsed > IDLE_SCOPE_MS && health.nextStartAt <= now) {
        if (health.consecutiveFailures > 0) this.#scopesFailingInARow--;
        this.#scopes.delete(key);
      }
    }
  }
}
