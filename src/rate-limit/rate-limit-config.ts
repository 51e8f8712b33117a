import { InvalidConfigError } from '../errors/message-update-error.js';
import { checkIntegerOption, integerRangeText } from '../util/integer-option.js';

/**
 * How the manager paces requests. The first six fields keep the names, defaults and environment variables of the
 * system this package grew from; their meaning is adapted to a header-driven scheduler, under two rules: the defaults
 * never make the manager slower than Discord's own limits allow, and a lone update on an idle bucket is sent at once.
 *
 * | field | env var | default | meaning |
 * |---|---|---|---|
 * | batchSize | BATCH_SIZE | 10 | requests started in one scheduler pass before it yields to the event loop |
 * | batchDelayMs | BATCH_DELAY_MS | 1000 | longest the scheduler sleeps while work waits (it wakes earlier on every event) |
 * | maxConcurrentUpdates | MAX_CONCURRENT_UPDATES | 3 | requests in flight at once per rate-limit bucket |
 * | baseBackoffMs | BASE_BACKOFF_MS | 1000 | first retry delay after a 5xx, timeout or reset |
 * | maxBackoffMs | MAX_BACKOFF_MS | 60000 | cap on any retry delay |
 * | maxRetries | MAX_RETRIES | 5 | retries after a 5xx, timeout or reset (429s do not count) |
 * | globalRequestsPerSecond | GLOBAL_REQUESTS_PER_SECOND | 50 | pre-emptive global limit per bot token |
 * | priorityAgingMs | PRIORITY_AGING_MS | 5000 | waiting this long is worth one priority level |
 * | invalidRequestLimit | INVALID_REQUEST_LIMIT | 10000 | 401/403/429 responses allowed per `invalidRequestWindowMs` |
 * | invalidRequestWindowMs | INVALID_REQUEST_WINDOW_MS | 600000 | window of the invalid-request budget |
 */
export interface RateLimitConfig {
  /**
   * Requests the scheduler starts in one pass before yielding to the event loop; the next pass follows at once when
   * more can be sent, so this bounds event-loop blocking, never throughput. Integer from 1 to 10,000.
   * @defaultValue 10
   */
  readonly batchSize: number;
  /**
   * Longest time, in milliseconds, the scheduler sleeps while updates wait for a rate limit. It wakes earlier, at the
   * exact moment a bucket resets, a response arrives or an update is enqueued; this is only the re-check interval
   * (it matters when limits are shared with other processes). Integer from 1 to 3,600,000.
   * @defaultValue 1000
   */
  readonly batchDelayMs: number;
  /**
   * Requests in flight at once in one rate-limit bucket (one channel's message routes, say). Discord's message
   * buckets allow 5 requests per 5 s, so 3 is never the bottleneck. Integer from 1 to 1,000.
   * @defaultValue 3
   */
  readonly maxConcurrentUpdates: number;
  /**
   * Base of every exponential backoff, in milliseconds. An update's first retry after a 5xx, timeout or connection reset
   * goes at once; its k-th failure in a row (k ≥ 2) waits `baseBackoffMs × 2^(k-2)`, half of it fixed and half random.
   * An outage (nothing succeeds) is probed from this interval on, doubling; repository writes retry on the same
   * schedule. See the README's retry policy. Integer from 0 to 3,600,000.
   * @defaultValue 1000
   */
  readonly baseBackoffMs: number;
  /**
   * Cap, in milliseconds, on any retry delay, outage probe interval or storm spacing. Integer from `baseBackoffMs` to
   * 3,600,000.
   * @defaultValue 60000
   */
  readonly maxBackoffMs: number;
  /**
   * Retries of one update after a 5xx, timeout or reset before it fails with `RetriesExhaustedError`. 429s are waited
   * out and never use up retries; neither do failures while every request is in a storm or an outage (Discord as a
   * whole failing). Integer from 0 to 100.
   * @defaultValue 5
   */
  readonly maxRetries: number;
  /**
   * Pre-emptive global limit, requests per second per token (Discord's default is 50; large bots get more): the most
   * the manager ever sends. After a global 429 it keeps to a lower limit learned from it, probing back up slowly.
   * Interaction callbacks are exempt. Integer from 1 to 100,000.
   * @defaultValue 50
   */
  readonly globalRequestsPerSecond: number;
  /**
   * Anti-starvation: an update that has waited this many milliseconds ranks one priority level higher, so a Low
   * update waiting long enough goes before fresh Normal ones. Integer from 1 to 86,400,000.
   * @defaultValue 5000
   */
  readonly priorityAgingMs: number;
  /**
   * Invalid requests (401, 403, non-shared 429) allowed per `invalidRequestWindowMs`. Discord bans an IP for an hour
   * past 10,000 per 10 minutes; the manager never sends a request that could cross this budget. Integer from 1.
   * @defaultValue 10000
   */
  readonly invalidRequestLimit: number;
  /**
   * Rolling window of the invalid-request budget, in milliseconds. Integer from 1,000 to 86,400,000.
   * @defaultValue 600000
   */
  readonly invalidRequestWindowMs: number;
}

/** The defaults, declared once so types and values never drift. */
export const DEFAULT_RATE_LIMIT_CONFIG = {
  batchSize: 10,
  batchDelayMs: 1000,
  maxConcurrentUpdates: 3,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
  maxRetries: 5,
  globalRequestsPerSecond: 50,
  priorityAgingMs: 5000,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
} as const satisfies RateLimitConfig;

/** Environment variable for each field. */
export const RATE_LIMIT_ENV_VARS = {
  batchSize: 'BATCH_SIZE',
  batchDelayMs: 'BATCH_DELAY_MS',
  maxConcurrentUpdates: 'MAX_CONCURRENT_UPDATES',
  baseBackoffMs: 'BASE_BACKOFF_MS',
  maxBackoffMs: 'MAX_BACKOFF_MS',
  maxRetries: 'MAX_RETRIES',
  globalRequestsPerSecond: 'GLOBAL_REQUESTS_PER_SECOND',
  priorityAgingMs: 'PRIORITY_AGING_MS',
  invalidRequestLimit: 'INVALID_REQUEST_LIMIT',
  invalidRequestWindowMs: 'INVALID_REQUEST_WINDOW_MS',
} as const satisfies Record<keyof RateLimitConfig, string>;

const BOUNDS: Record<keyof RateLimitConfig, readonly [min: number, max: number]> = {
  batchSize: [1, 10_000],
  batchDelayMs: [1, 3_600_000],
  maxConcurrentUpdates: [1, 1000],
  baseBackoffMs: [0, 3_600_000],
  maxBackoffMs: [0, 3_600_000],
  maxRetries: [0, 100],
  globalRequestsPerSecond: [1, 100_000],
  priorityAgingMs: [1, 86_400_000],
  invalidRequestLimit: [1, 1_000_000_000],
  invalidRequestWindowMs: [1000, 86_400_000],
};

/**
 * Merges `config` over the defaults and validates every field.
 *
 * @param config - fields to override; unknown fields are rejected (a typo would otherwise be ignored silently)
 * @returns a complete, frozen configuration
 * @throws InvalidConfigError naming the field, the value and the allowed range
 * @example
 * ```ts
 * resolveRateLimitConfig({ maxRetries: 3 }).maxRetries; // 3
 * resolveRateLimitConfig({ maxBackoffMs: 10, baseBackoffMs: 100 }); // throws InvalidConfigError
 * ```
 */
export function resolveRateLimitConfig(config: Partial<RateLimitConfig> = {}): Readonly<RateLimitConfig> {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError('config', config, 'an object with RateLimitConfig fields');
  }
  for (const key of Object.keys(config)) {
    // Own fields only: `toString` or `constructor` are not settings.
    if (!Object.hasOwn(DEFAULT_RATE_LIMIT_CONFIG, key)) {
      throw new InvalidConfigError(
        `config.${key}`,
        (config as Record<string, unknown>)[key],
        `one of the known fields (${Object.keys(DEFAULT_RATE_LIMIT_CONFIG).join(', ')})`,
        'Unknown field',
      );
    }
  }
  const merged: Record<string, number> = { ...DEFAULT_RATE_LIMIT_CONFIG };
  for (const [key, value] of Object.entries(config)) if (value !== undefined) merged[key] = value as number;
  for (const key of Object.keys(BOUNDS) as (keyof RateLimitConfig)[]) checkIntegerOption(key, merged[key], BOUNDS[key]);
  if (merged.maxBackoffMs! < merged.baseBackoffMs!) {
    throw new InvalidConfigError(
      'maxBackoffMs',
      merged.maxBackoffMs,
      integerRangeText(merged.baseBackoffMs!, BOUNDS.maxBackoffMs[1]),
      `It must not be below \`baseBackoffMs\` (${merged.baseBackoffMs})`,
    );
  }
  return Object.freeze(merged as unknown as RateLimitConfig);
}

/**
 * Reads a partial configuration from environment variables (`BATCH_SIZE`, `BATCH_DELAY_MS`,
 * `MAX_CONCURRENT_UPDATES`, `BASE_BACKOFF_MS`, `MAX_BACKOFF_MS`, `MAX_RETRIES`, and the extra fields' variables).
 * Unset or empty variables are left out, so the defaults apply; anything else must be the number alone (no spaces).
 *
 * @param env - the environment, usually `process.env`
 * @returns the fields that were set, validated
 * @throws InvalidConfigError when a variable is not a whole number or is out of range (the field is the variable name)
 * @example
 * ```ts
 * const config = rateLimitConfigFromEnv(process.env);
 * const manager = new MessageUpdateManager({ rest, config });
 * ```
 */
export function rateLimitConfigFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<RateLimitConfig> {
  if (env === null || typeof env !== 'object') {
    throw new InvalidConfigError('env', env, 'an object of environment variables (process.env)');
  }
  const result: Record<string, number> = {};
  for (const [field, variable] of Object.entries(RATE_LIMIT_ENV_VARS) as [keyof RateLimitConfig, string][]) {
    const raw: unknown = env[variable];
    if (raw === undefined || raw === '') continue;
    const [min, max] = BOUNDS[field];
    if (typeof raw !== 'string') {
      throw new InvalidConfigError(variable, raw, `a string holding ${integerRangeText(min, max)}`);
    }
    // Digits only: ' 5 ' or '5\n' is a typo in a .env file more often than a number.
    if (!/^-?\d+$/.test(raw)) {
      throw new InvalidConfigError(variable, raw, integerRangeText(min, max), 'Write the number alone, without spaces');
    }
    const value = Number(raw);
    if (value < min || value > max) throw new InvalidConfigError(variable, raw, integerRangeText(min, max));
    result[field] = value;
  }
  // Cross-field rule, reported against the variable names.
  const base = result.baseBackoffMs ?? DEFAULT_RATE_LIMIT_CONFIG.baseBackoffMs;
  const maxBackoff = result.maxBackoffMs ?? DEFAULT_RATE_LIMIT_CONFIG.maxBackoffMs;
  if (maxBackoff < base) {
    throw new InvalidConfigError(
      RATE_LIMIT_ENV_VARS.maxBackoffMs,
      String(maxBackoff),
      integerRangeText(base, BOUNDS.maxBackoffMs[1]),
      `It must not be below BASE_BACKOFF_MS (${base})`,
    );
  }
  return result as Partial<RateLimitConfig>;
}
