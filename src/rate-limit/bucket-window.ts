/**
 * One rate-limit bucket's window as this package learns it from Discord's headers, and the pure functions that move
 * it: roll, learn, assume, apply a 429, and how long a request must wait. {@link RateLimitState} (behind the manager's
 * tracker and `MemoryRateLimitStore`) is built on them; the Redis store's Lua scripts do the same steps.
 *
 * @module
 */
import type { RateLimitObservation } from './rate-limit-store.js';

/** A bucket's window. */
export interface BucketWindow {
  /** Rate-limit headers seen at least once (or the route answered without any: `unlimited`). */
  known: boolean;
  /** The route answered without rate-limit headers: only the global window applies. */
  unlimited: boolean;
  limit: number;
  remaining: number;
  /** End of the current window; meaningful when `windowKnown`. */
  resetAt: number;
  windowKnown: boolean;
  /** The end was assumed (an answer without headers, or none), not read from a header of this window. */
  windowAssumed: boolean;
  /** Longest `X-RateLimit-Reset-After` seen, ms: the window's length as far as we know (0 until seen). */
  windowMs: number;
  /** No request before this (a 429 pause). */
  pausedUntil: number;
  /** Windows started so far; a slot remembers the epoch it was taken in. */
  epoch: number;
}

/** A bucket never seen, or (`unlimited`) one of a route known to answer without rate-limit headers. */
export function newBucketWindow(unlimited: boolean): BucketWindow {
  return {
    known: unlimited,
    unlimited,
    limit: 1,
    remaining: 1,
    resetAt: 0,
    windowKnown: false,
    windowAssumed: false,
    windowMs: 0,
    pausedUntil: 0,
    epoch: 0,
  };
}

/**
 * Starts a new window once the known one has ended. Requests still in flight from the old one may be counted in the
 * new server window, so they stay reserved.
 *
 * @returns whether a new window started
 */
export function rollWindow(bucket: BucketWindow, now: number, inFlight: number): boolean {
  if (!bucket.known || bucket.unlimited || !bucket.windowKnown || now < bucket.resetAt) return false;
  bucket.epoch++;
  bucket.windowKnown = false;
  bucket.windowAssumed = false;
  bucket.remaining = Math.max(0, bucket.limit - inFlight);
  return true;
}

/** Where the answer's request stood in the bucket when its headers were read. */
export interface AnswerContext {
  readonly now: number;
  /** The request's slot was taken from this bucket (not from the route's unhashed bucket before its hash was known). */
  readonly sameBucket: boolean;
  /** The window epoch the slot was taken in. */
  readonly epoch: number;
  /** Requests of this bucket in flight, the answered one excluded. */
  readonly othersInFlight: number;
}

/** Learns from an answer carrying `limit`, `remaining` and `resetAfterMs` (any status). */
export function learnWindow(
  bucket: BucketWindow,
  headers: Required<Pick<RateLimitObservation, 'limit' | 'remaining' | 'resetAfterMs'>>,
  answer: AnswerContext,
): void {
  const { limit, remaining, resetAfterMs } = headers;
  const { now } = answer;
  const candidateReset = now + resetAfterMs;
  bucket.windowMs = Math.max(bucket.windowMs, resetAfterMs);
  if (!bucket.known || bucket.unlimited) {
    // First sight of this bucket: the answer counts every request Discord processed in the window (this one
    // included), but not the others still in flight on this key.
    bucket.known = true;
    bucket.unlimited = false;
    bucket.limit = limit;
    bucket.remaining = remaining - answer.othersInFlight;
    bucket.resetAt = candidateReset;
    bucket.windowKnown = candidateReset > now;
    if (!bucket.windowKnown) bucket.remaining = limit - answer.othersInFlight;
    return;
  }
  if (candidateReset <= now) return;
  bucket.limit = limit;
  const ofThisWindow = answer.sameBucket && answer.epoch === bucket.epoch;
  if (bucket.windowAssumed && ofThisWindow) {
    // A header of this window replaces the end assumed after an answer without one.
    bucket.windowAssumed = false;
    bucket.resetAt = candidateReset;
  } else if (!bucket.windowKnown) {
    // Only an answer to a request of the current window may date its end: a late answer from the previous one
    // describes a server window that has ended, and would end ours too early.
    if (ofThisWindow) {
      bucket.windowKnown = true;
      bucket.resetAt = candidateReset;
    }
  } else {
    bucket.resetAt = Math.max(bucket.resetAt, candidateReset);
  }
  bucket.remaining = Math.min(bucket.remaining, remaining);
}

/**
 * How much longer than the longest `X-RateLimit-Reset-After` seen an assumed window lasts. That longest value is a
 * lower bound of the window's length, not the length: each answer says what is left of its window, and the first
 * answers of a bucket may all come late in theirs (a 429's Reset-After, say). Waiting a quarter window more after a
 * lost answer is cheap; probing an exhausted window costs a 429.
 */
export const ASSUMED_WINDOW_MARGIN = 1.25;

/** The length of a window assumed after a lost answer, ms, from the longest Reset-After seen. */
export function assumedWindowMs(longestResetAfterMs: number): number {
  return Math.ceil(longestResetAfterMs * ASSUMED_WINDOW_MARGIN);
}

/**
 * An answer without rate-limit headers (a proxy's 502) or no answer at all (a reset, a timeout): the request may have
 * been counted, in a window nothing dated. Rather than probe into a window that may be exhausted, assume it began
 * now and lasts {@link ASSUMED_WINDOW_MARGIN} times the longest Reset-After seen; a header of the same window replaces
 * the assumption.
 */
export function assumeWindow(bucket: BucketWindow, now: number, epoch: number): void {
  if (!bucket.known || bucket.unlimited || bucket.windowKnown || bucket.windowMs === 0) return;
  if (bucket.epoch !== epoch) return;
  bucket.windowKnown = true;
  bucket.windowAssumed = true;
  bucket.resetAt = now + assumedWindowMs(bucket.windowMs);
}

/** A 429 of scope `user` or `shared` (not a sub-limit): nothing more in this bucket until the wait is over. */
export function applyRateLimited(
  bucket: BucketWindow,
  scope: 'user' | 'shared',
  retryAfterMs: number,
  now: number,
): void {
  bucket.pausedUntil = Math.max(bucket.pausedUntil, now + retryAfterMs);
  if (scope === 'user') {
    bucket.remaining = 0;
    bucket.windowKnown = true;
    bucket.resetAt = Math.max(bucket.resetAt, now + retryAfterMs);
  }
}

/**
 * When the bucket's window lets one more request start (its 429 pause aside: see `pausedUntil`): `now` when at once,
 * the window's end when it must pass, or `undefined` when that depends on an answer still in flight.
 *
 * @param inFlight - requests of this bucket in flight
 * @param maxInFlight - at most this many at once
 */
export function bucketAvailableAt(
  bucket: BucketWindow,
  now: number,
  inFlight: number,
  maxInFlight: number,
): number | undefined {
  if (inFlight >= maxInFlight) return undefined;
  if (!bucket.known) return inFlight === 0 ? now : undefined;
  if (bucket.unlimited || bucket.remaining > 0) return now;
  if (!bucket.windowKnown) {
    // Waiting for an answer to date the window; with none in flight (their answers were lost and no window was ever
    // seen), probe with one rather than wait forever.
    return inFlight === 0 ? now : undefined;
  }
  return Math.max(now, bucket.resetAt);
}

/** Milliseconds between requests at the bucket's full rate (window ÷ limit), when its window is known. */
export function bucketSpacingMs(bucket: BucketWindow): number | undefined {
  if (!bucket.known || bucket.unlimited || bucket.windowMs === 0) return undefined;
  return bucket.windowMs / bucket.limit;
}
