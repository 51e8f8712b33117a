import { createHash } from 'node:crypto';
import type { InvalidRequestLimit, RouteLimit, SimulatorLimitName, SimulatorLimits } from './simulator-limits.js';
import {
  isSimulatorRouteKey,
  ROUTE_DEFINITIONS,
  SIMULATOR_ROUTE_KEYS,
  type SimulatorRouteKey,
} from './simulator-routes.js';
import type { BucketState } from './simulator-records.js';

/** A fixed window. Windows are opened only by a request that consumes budget. */
interface Window {
  readonly limit: number;
  readonly windowMs: number;
  remaining: number;
  resetAt: number;
}

/** A view of a counter at one instant: the open window, or the window a request now would open. */
export interface WindowView {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt: number;
  /** False when no window is open (the view is of the window a request now would open). */
  readonly open: boolean;
}

/** Where a request is charged. */
export interface BucketRef {
  readonly hash: string;
  /** Key of the counter: `hash|major`, or `hash|route|major` when hashes share separate counters. */
  readonly counterKey: string;
}

interface InvalidLog {
  /** Times of invalid requests, oldest first, from `head`. */
  readonly times: number[];
  head: number;
}

/**
 * Opaque, stable bucket hash for a group name: what Discord's `X-RateLimit-Bucket` looks like (32 hex characters),
 * derived from the name only, so it never contains an id and is the same on every run.
 */
export function bucketHashFor(name: string): string {
  return createHash('md5').update(`discord-simulator:${name}`).digest('hex');
}

/**
 * All rate-limit state of a simulator: per-route buckets, the global limit per client, hidden sub-limits, shared
 * resource throttles, the invalid-request log and bans. Pure bookkeeping: it never reads a clock itself, every call
 * gets `now`.
 */
export class SimulatorRateLimiter {
  #limits: SimulatorLimits;
  readonly #separateCounters: boolean;
  /** Route → bucket hash, for routes with a per-route limit. */
  readonly #routeHash = new Map<SimulatorRouteKey, string>();
  /** Bucket hash → its limit. */
  readonly #hashLimit = new Map<string, RouteLimit>();
  readonly #buckets = new Map<string, Window>();
  readonly #global = new Map<string, Window>();
  readonly #subLimits = new Map<string, Window>();
  readonly #throttles = new Map<string, number>();
  readonly #invalid = new Map<string, InvalidLog>();
  readonly #bans = new Map<string, number>();

  /**
   * @param limits - resolved limits
   * @param separateCounters - Discord's quirk: one hash, separate counters per route template
   */
  public constructor(limits: SimulatorLimits, separateCounters: boolean) {
    this.#limits = limits;
    this.#separateCounters = separateCounters;
    for (const route of SIMULATOR_ROUTE_KEYS) {
      const preset = ROUTE_DEFINITIONS[route].preset;
      if (preset === undefined) continue;
      const hash = bucketHashFor(preset);
      this.#routeHash.set(route, hash);
      this.#hashLimit.set(hash, limits[preset]);
    }
  }

  /** The current limits. */
  public get limits(): SimulatorLimits {
    return this.#limits;
  }

  /**
   * Replaces one of the named limits. Route presets follow (unless a route's hash was changed); open windows of the
   * affected buckets are discarded.
   */
  public setLimit(name: SimulatorLimitName, value: RouteLimit | InvalidRequestLimit): void {
    this.#limits = { ...this.#limits, [name]: value };
    if (name === 'global') this.#global.clear();
    else if (name === 'channelNameTopic') this.#subLimits.clear();
    else if (name !== 'invalidRequests') {
      const hash = bucketHashFor(name);
      if (this.#hashLimit.has(hash)) {
        this.#hashLimit.set(hash, value);
        this.#dropWindows(hash);
      }
    }
  }

  /** Replaces several named limits (see {@link SimulatorRateLimiter.setLimit}), in the order given. */
  public setLimits(changes: Partial<SimulatorLimits>): void {
    for (const [name, value] of Object.entries(changes)) this.setLimit(name as SimulatorLimitName, value);
  }

  /** Bucket hash of a route, or `undefined` when it has no per-route limit. */
  public hashOf(route: SimulatorRouteKey): string | undefined {
    return this.#routeHash.get(route);
  }

  /** Limit of a bucket hash, or `undefined` for an unknown hash. */
  public limitOf(hash: string): RouteLimit | undefined {
    return this.#hashLimit.get(hash);
  }

  /** Sets a route's limit: the limit of its bucket (every route sharing the hash). Routes without one get a bucket. */
  public setRouteLimit(route: SimulatorRouteKey, limit: RouteLimit): void {
    let hash = this.#routeHash.get(route);
    if (hash === undefined) {
      hash = bucketHashFor(`route:${route}`);
      this.#routeHash.set(route, hash);
    }
    this.#hashLimit.set(hash, limit);
    this.#dropWindows(hash);
  }

  /** Moves a route to another bucket hash; a new hash keeps the route's current limit. */
  public setRouteHash(route: SimulatorRouteKey, hash: string): void {
    const current = this.#routeHash.get(route);
    const limit =
      (current === undefined ? undefined : this.#hashLimit.get(current)) ?? this.#hashLimit.get(hash) ?? undefined;
    this.#routeHash.set(route, hash);
    if (!this.#hashLimit.has(hash)) this.#hashLimit.set(hash, limit ?? { limit: 1, windowMs: 1000 });
  }

  /** Where a request on `route` with `major` is charged, or `undefined` when the route has no per-route limit. */
  public bucketOf(route: SimulatorRouteKey, major: string): BucketRef | undefined {
    const hash = this.#routeHash.get(route);
    if (hash === undefined) return undefined;
    const counterKey = this.#separateCounters ? `${hash}|${route}|${major}` : `${hash}|${major}`;
    return { hash, counterKey };
  }

  /** The bucket's window as a request at `now` sees it. */
  public viewBucket(bucket: BucketRef, now: number): WindowView {
    return view(this.#buckets.get(bucket.counterKey), this.#hashLimit.get(bucket.hash)!, now);
  }

  /** Takes one request from the bucket (opening a window if none is open). Call only when the view has room. */
  public consumeBucket(bucket: BucketRef, now: number): WindowView {
    return consume(this.#buckets, bucket.counterKey, this.#hashLimit.get(bucket.hash)!, now);
  }

  /**
   * Public state of a counter, for inspection.
   *
   * @param routeOrHash - a route, or a bucket hash (its counter for `major` without separate counters per route)
   * @param major - the major key
   * @param now - clock milliseconds
   * @returns the counter, or `undefined` for a route without a per-route limit or an unknown hash
   */
  public inspect(routeOrHash: string, major: string, now: number): BucketState | undefined {
    if (isSimulatorRouteKey(routeOrHash)) {
      const bucket = this.bucketOf(routeOrHash, major);
      return bucket && this.#state(bucket.hash, bucket.counterKey, now);
    }
    if (!this.#hashLimit.has(routeOrHash)) return undefined;
    return this.#state(routeOrHash, `${routeOrHash}|${major}`, now);
  }

  #state(hash: string, counterKey: string, now: number): BucketState | undefined {
    const limit = this.#hashLimit.get(hash);
    if (limit === undefined) return undefined;
    const v = view(this.#buckets.get(counterKey), limit, now);
    const window = this.#buckets.get(counterKey);
    return {
      hash,
      limit: v.limit,
      remaining: v.remaining,
      resetAt: v.open ? v.resetAt : undefined,
      windowMs: v.open && window ? window.windowMs : limit.windowMs,
    };
  }

  /** The global window of a client at `now`. */
  public viewGlobal(client: string, now: number): WindowView {
    return view(this.#global.get(client), this.#limits.global, now);
  }

  /** Takes one request from a client's global budget. */
  public consumeGlobal(client: string, now: number): void {
    consume(this.#global, client, this.#limits.global, now);
  }

  /** The channel name/topic sub-limit of a channel at `now`. */
  public viewSubLimit(channelId: string, now: number): WindowView {
    return view(this.#subLimits.get(channelId), this.#limits.channelNameTopic, now);
  }

  /** Takes one request from a channel's name/topic sub-limit. */
  public consumeSubLimit(channelId: string, now: number): void {
    consume(this.#subLimits, channelId, this.#limits.channelNameTopic, now);
  }

  /** Throttles a resource (a channel) until `until`. */
  public throttle(resource: string, until: number): void {
    this.#throttles.set(resource, Math.max(until, this.#throttles.get(resource) ?? 0));
  }

  /** End of a resource's throttle, or `undefined` when it is not throttled at `now`. */
  public throttledUntil(resource: string, now: number): number | undefined {
    const until = this.#throttles.get(resource);
    if (until === undefined) return undefined;
    if (until <= now) {
      this.#throttles.delete(resource);
      return undefined;
    }
    return until;
  }

  /** End of a client's ban, or `undefined` when it is not banned at `now`. */
  public bannedUntil(client: string, now: number): number | undefined {
    const until = this.#bans.get(client);
    if (until === undefined) return undefined;
    if (until <= now) {
      this.#bans.delete(client);
      return undefined;
    }
    return until;
  }

  /**
   * Records an invalid request. Returns `true` when it crosses the limit and starts a ban (the client's log is then
   * cleared, so the count starts over after the ban).
   */
  public recordInvalid(client: string, now: number): boolean {
    const { limit, windowMs, banMs } = this.#limits.invalidRequests;
    let log = this.#invalid.get(client);
    if (!log) {
      log = { times: [], head: 0 };
      this.#invalid.set(client, log);
    }
    prune(log, now - windowMs);
    log.times.push(now);
    if (log.times.length - log.head <= limit) return false;
    this.#invalid.delete(client);
    this.#bans.set(client, now + banMs);
    return true;
  }

  /** Invalid requests of each client within its rolling window at `now`. */
  public invalidCounts(now: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [client, log] of this.#invalid) {
      prune(log, now - this.#limits.invalidRequests.windowMs);
      const count = log.times.length - log.head;
      if (count > 0) counts.set(client, count);
    }
    return counts;
  }

  #dropWindows(hash: string): void {
    for (const key of this.#buckets.keys()) if (key.startsWith(`${hash}|`)) this.#buckets.delete(key);
  }
}

function view(window: Window | undefined, limit: RouteLimit, now: number): WindowView {
  if (window && now < window.resetAt) {
    return { limit: window.limit, remaining: window.remaining, resetAt: window.resetAt, open: true };
  }
  return { limit: limit.limit, remaining: limit.limit, resetAt: now + limit.windowMs, open: false };
}

function consume(map: Map<string, Window>, key: string, limit: RouteLimit, now: number): WindowView {
  let window = map.get(key);
  if (!window || now >= window.resetAt) {
    window = { limit: limit.limit, windowMs: limit.windowMs, remaining: limit.limit, resetAt: now + limit.windowMs };
    map.set(key, window);
  }
  window.remaining = Math.max(0, window.remaining - 1);
  return { limit: window.limit, remaining: window.remaining, resetAt: window.resetAt, open: true };
}

function prune(log: InvalidLog, before: number): void {
  while (log.head < log.times.length && log.times[log.head]! <= before) log.head++;
  // Compact now and then so the array does not grow without bound.
  if (log.head > 1024 && log.head * 2 > log.times.length) {
    log.times.splice(0, log.head);
    log.head = 0;
  }
}
