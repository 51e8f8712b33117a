import { InvalidConfigError } from '../../errors/message-update-error.js';
import { isRecord } from '../../util/is-record.js';

/**
 * A fixed-window rate limit: at most `limit` requests in a window of `windowMs` that opens with the first request
 * after the previous window ended (Discord's behaviour).
 *
 * @example
 * ```ts
 * const fivePerFiveSeconds: RouteLimit = { limit: 5, windowMs: 5000 };
 * ```
 */
export interface RouteLimit {
  /** Requests allowed per window, an integer from 1. */
  readonly limit: number;
  /** Window length in milliseconds, greater than 0. */
  readonly windowMs: number;
}

/**
 * Discord's invalid-request limit: more than `limit` responses with status 401, 403 or 429 (shared-scope 429s
 * excepted) within a rolling `windowMs` put the client in a ban of `banMs`.
 *
 * @example
 * ```ts
 * const strict: InvalidRequestLimit = { limit: 100, windowMs: 60_000, banMs: 5_000 };
 * ```
 */
export interface InvalidRequestLimit extends RouteLimit {
  /** How long the ban lasts, in milliseconds (0 or more). */
  readonly banMs: number;
}

/**
 * Every rate limit the simulator enforces. Presets are observed Discord behaviour (see `SIMULATOR.md`); override
 * any of them with {@link DiscordSimulatorOptions.limits}.
 *
 * @example
 * ```ts
 * const sim = new DiscordSimulator({ limits: { messageWrite: { limit: 2, windowMs: 1000 } } });
 * ```
 */
export interface SimulatorLimits {
  /**
   * Create and edit message (`POST` / `PATCH /channels/:channel_id/messages[/:message_id]`): one bucket hash,
   * counted per channel.
   * @defaultValue `{ limit: 5, windowMs: 5000 }`
   */
  readonly messageWrite: RouteLimit;
  /**
   * Delete message, per channel.
   * @defaultValue `{ limit: 5, windowMs: 1000 }`
   */
  readonly messageDelete: RouteLimit;
  /**
   * Delete a message older than {@link DiscordSimulatorOptions.oldMessageAgeMs}: a bucket with its own hash, per
   * channel.
   * @defaultValue `{ limit: 5, windowMs: 1000 }`
   */
  readonly oldMessageDelete: RouteLimit;
  /**
   * Bulk delete, per channel (not in Discord's documentation; a conservative guess).
   * @defaultValue `{ limit: 1, windowMs: 1000 }`
   */
  readonly bulkDelete: RouteLimit;
  /**
   * Add or remove an own reaction: one hash, per channel.
   * @defaultValue `{ limit: 1, windowMs: 250 }`
   */
  readonly reactions: RouteLimit;
  /**
   * Edit channel (`PATCH /channels/:channel_id`), per channel.
   * @defaultValue `{ limit: 10, windowMs: 15000 }`
   */
  readonly channelEdit: RouteLimit;
  /**
   * Hidden sub-limit on channel edits that change `name` or `topic`, per channel: its 429 carries the parent
   * bucket's headers, which still show requests remaining.
   * @defaultValue `{ limit: 2, windowMs: 600000 }`
   */
  readonly channelNameTopic: RouteLimit;
  /**
   * Execute webhook (and interaction follow-ups), per webhook.
   * @defaultValue `{ limit: 5, windowMs: 2000 }`
   */
  readonly webhookExecute: RouteLimit;
  /**
   * Edit or delete a webhook message (and an interaction's messages), per webhook.
   * @defaultValue `{ limit: 5, windowMs: 2000 }`
   */
  readonly webhookMessage: RouteLimit;
  /**
   * Global limit per token (or per anonymous client for webhook requests without a token), checked before the
   * route limit. Interaction callbacks and interaction webhooks are exempt.
   * @defaultValue `{ limit: 50, windowMs: 1000 }`
   */
  readonly global: RouteLimit;
  /**
   * Invalid requests (401, 403, non-shared 429) per client over a rolling window, and the ban that follows.
   * @defaultValue `{ limit: 10000, windowMs: 600000, banMs: 3600000 }`
   */
  readonly invalidRequests: InvalidRequestLimit;
}

/** Name of one entry of {@link SimulatorLimits}. */
export type SimulatorLimitName = keyof SimulatorLimits;

/**
 * The presets from `SIMULATOR.md`, before {@link DiscordSimulatorOptions.timeScale} is applied.
 *
 * @example
 * ```ts
 * DEFAULT_SIMULATOR_LIMITS.messageWrite; // { limit: 5, windowMs: 5000 }
 * ```
 */
export const DEFAULT_SIMULATOR_LIMITS = {
  messageWrite: { limit: 5, windowMs: 5_000 },
  messageDelete: { limit: 5, windowMs: 1_000 },
  oldMessageDelete: { limit: 5, windowMs: 1_000 },
  bulkDelete: { limit: 1, windowMs: 1_000 },
  reactions: { limit: 1, windowMs: 250 },
  channelEdit: { limit: 10, windowMs: 15_000 },
  channelNameTopic: { limit: 2, windowMs: 600_000 },
  webhookExecute: { limit: 5, windowMs: 2_000 },
  webhookMessage: { limit: 5, windowMs: 2_000 },
  global: { limit: 50, windowMs: 1_000 },
  invalidRequests: { limit: 10_000, windowMs: 600_000, banMs: 3_600_000 },
} as const satisfies SimulatorLimits;

/**
 * Every limit name, in declaration order.
 *
 * @example
 * ```ts
 * SIMULATOR_LIMIT_NAMES.includes('messageWrite'); // true
 * ```
 */
export const SIMULATOR_LIMIT_NAMES = Object.keys(DEFAULT_SIMULATOR_LIMITS) as readonly SimulatorLimitName[];

/**
 * Checks a {@link RouteLimit} given by a caller.
 *
 * @param field - name of the option, for the error message (e.g. `limits.messageWrite`)
 * @param value - the value to check
 * @returns the value, typed
 * @throws {@link InvalidConfigError} naming the field, the value and what is allowed
 */
export function validateRouteLimit(field: string, value: unknown): RouteLimit {
  if (!isRecord(value)) throw new InvalidConfigError(field, value, 'an object `{ limit, windowMs }`');
  const { limit, windowMs } = value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new InvalidConfigError(`${field}.limit`, limit, 'an integer from 1 and up');
  }
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new InvalidConfigError(`${field}.windowMs`, windowMs, 'a finite number of milliseconds greater than 0');
  }
  return { limit, windowMs };
}

function validateInvalidRequestLimit(field: string, value: unknown): InvalidRequestLimit {
  const base = validateRouteLimit(field, value);
  const { banMs } = value as Record<string, unknown>;
  if (typeof banMs !== 'number' || !Number.isFinite(banMs) || banMs < 0) {
    throw new InvalidConfigError(`${field}.banMs`, banMs, 'a finite number of milliseconds from 0 and up');
  }
  return { ...base, banMs };
}

/**
 * Merges caller overrides over the presets. Presets are scaled by `timeScale` (windows and ban time); overrides are
 * taken as given, in real milliseconds.
 *
 * @param overrides - partial limits from the options, or `undefined`
 * @param timeScale - multiplier for preset windows
 * @param field - option name used in error messages
 * @returns a complete, validated set of limits
 * @throws {@link InvalidConfigError} for an unknown name or a bad value
 */
export function resolveSimulatorLimits(overrides: unknown, timeScale: number, field = 'limits'): SimulatorLimits {
  if (overrides !== undefined && !isRecord(overrides)) {
    throw new InvalidConfigError(field, overrides, 'an object of limits');
  }
  const result: Record<string, RouteLimit | InvalidRequestLimit> = {};
  for (const name of SIMULATOR_LIMIT_NAMES) {
    const preset: RouteLimit & { banMs?: number } = DEFAULT_SIMULATOR_LIMITS[name];
    result[name] = {
      ...preset,
      windowMs: preset.windowMs * timeScale,
      ...(preset.banMs === undefined ? {} : { banMs: preset.banMs * timeScale }),
    };
  }
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) continue;
    if (!(SIMULATOR_LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new InvalidConfigError(`${field}.${name}`, value, `one of the limits ${SIMULATOR_LIMIT_NAMES.join(', ')}`);
    }
    result[name] =
      name === 'invalidRequests'
        ? validateInvalidRequestLimit(`${field}.${name}`, value)
        : validateRouteLimit(`${field}.${name}`, value);
  }
  return result as unknown as SimulatorLimits;
}

/**
 * Validates limit changes made at run time: overrides in real milliseconds, not scaled.
 *
 * @param limits - some of the named limits
 * @returns the same names, validated, in the order given
 * @throws {@link InvalidConfigError} for an unknown name or a bad value
 */
export function resolveLimitChanges(limits: Partial<SimulatorLimits>): Partial<SimulatorLimits> {
  const resolved = resolveSimulatorLimits(limits, 1, 'limits');
  const changes: Partial<Record<SimulatorLimitName, RouteLimit | InvalidRequestLimit>> = {};
  for (const [name, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    const key = name as SimulatorLimitName;
    changes[key] = resolved[key];
  }
  return changes as Partial<SimulatorLimits>;
}

/**
 * Checks a bucket hash given by a caller: opaque, like Discord's, but short and without spaces.
 *
 * @param hash - the value to check
 * @returns the hash
 * @throws {@link InvalidConfigError} naming `hash` unless it is 1 to 100 letters, digits, `-`, `_`, `.` or `:`
 */
export function validateBucketHash(hash: unknown): string {
  if (typeof hash !== 'string' || !/^[\w.:-]{1,100}$/.test(hash)) {
    throw new InvalidConfigError('hash', hash, 'a string of 1 to 100 letters, digits, `-`, `_`, `.` or `:`');
  }
  return hash;
}

/**
 * Checks how long a shared resource is throttled.
 *
 * @param durationMs - the value to check
 * @returns the duration
 * @throws {@link InvalidConfigError} naming `durationMs` unless it is a finite number greater than 0
 */
export function validateThrottleDuration(durationMs: unknown): number {
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) {
    throw new InvalidConfigError('durationMs', durationMs, 'a finite number of milliseconds greater than 0');
  }
  return durationMs;
}
