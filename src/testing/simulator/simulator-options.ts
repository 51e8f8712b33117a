import type { SimulatorGatewayOptions } from './gateway/gateway-options.js';
import { OLD_MESSAGE_AGE_MS } from '../../discord/route.js';
import { InvalidConfigError } from '../../errors/message-update-error.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { isRecord } from '../../util/is-record.js';
import { isValidToken } from './simulator-auth.js';
import { resolveSimulatorLimits, type SimulatorLimits } from './simulator-limits.js';

/**
 * Options of {@link DiscordSimulator}. Every field is optional; see {@link DEFAULT_SIMULATOR_OPTIONS}.
 *
 * @example
 * ```ts
 * const options: DiscordSimulatorOptions = { timeScale: 0.1, seed: 7, tokens: ['bot-a', 'bot-b'] };
 * ```
 */
export interface DiscordSimulatorOptions {
  /**
   * Time source for rate-limit windows, latency, bans, message timestamps and ids. Inject a `FakeClock` for
   * deterministic tests with {@link DiscordSimulator.handle}; keep the system clock for HTTP clients such as
   * `@discordjs/rest`, which read `Date.now()`.
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
  /** Interface the HTTP server listens on. @defaultValue `'127.0.0.1'` */
  readonly host?: string;
  /** TCP port, 0 to 65535; 0 picks a free port (read it from {@link DiscordSimulator.url}). @defaultValue `0` */
  readonly port?: number;
  /**
   * Bot tokens the API accepts (as `Authorization: Bot <token>` or `Bearer <token>`); rate-limit state is kept per
   * token. They are labelled `token#1`, `token#2`, ... in records; the tokens themselves are never logged.
   * @defaultValue `['simulator-token']`
   */
  readonly tokens?: readonly string[];
  /** Overrides of the preset limits, in real milliseconds (not scaled by `timeScale`). @defaultValue `{}` */
  readonly limits?: Partial<SimulatorLimits>;
  /**
   * Multiplier for every preset window and the ban time: 0.1 turns "5 per 5 s" into "5 per 500 ms". Greater than
   * 0, at most 1000. @defaultValue `1`
   */
  readonly timeScale?: number;
  /**
   * Reproduce Discord's quirk of one bucket hash covering separate counters: create and edit message report the
   * same `X-RateLimit-Bucket` but each route template has its own budget. @defaultValue `false`
   */
  readonly sharedHashSeparateCounters?: boolean;
  /** Seed of the generator behind random latency and injected faults (an integer). @defaultValue `1` */
  readonly seed?: number;
  /**
   * Age in milliseconds beyond which a message counts as old: its delete uses the old-message bucket and bulk
   * delete refuses it. Greater than 0. @defaultValue `1209600000` (14 days)
   */
  readonly oldMessageAgeMs?: number;
  /** How long a `nonce` sent with `enforce_nonce` dedupes creates, milliseconds (0 or more). @defaultValue `300000` */
  readonly nonceWindowMs?: number;
  /** Most recent requests kept in the request log (1 or more). @defaultValue `100000` */
  readonly requestLogLimit?: number;
  /**
   * The gateway's settings: heartbeat interval, how long a session stays resumable, recommended shards, session
   * start limit, identify rate, send limit (see {@link GatewaySettings}). Validated when the gateway starts.
   * @defaultValue `{}` (Discord's values: heartbeat 41250 ms, resumable 3 min, 1 shard, 1000 sessions a day)
   */
  readonly gateway?: GatewaySettings;
  /**
   * The privileged intents enabled for every bot's application (the developer portal's switches):
   * GUILD_PRESENCES `256`, GUILD_MEMBERS `2`, MESSAGE_CONTENT `32768`. Identifying with one that is not enabled
   * closes the gateway with 4014; listing guild members needs GUILD_MEMBERS.
   * @defaultValue `33026` (all three)
   */
  readonly privilegedIntents?: number;
}

/** {@link DiscordSimulatorOptions.gateway}: the gateway's own options, less what the simulator provides. */
export type GatewaySettings = Omit<SimulatorGatewayOptions, 'clock' | 'host' | 'url'>;

/**
 * Default options of {@link DiscordSimulator}.
 *
 * @example
 * ```ts
 * DEFAULT_SIMULATOR_OPTIONS.tokens; // ['simulator-token']
 * ```
 */
export const DEFAULT_SIMULATOR_OPTIONS = {
  clock: systemClock,
  host: '127.0.0.1',
  port: 0,
  tokens: ['simulator-token'],
  limits: {},
  timeScale: 1,
  sharedHashSeparateCounters: false,
  seed: 1,
  oldMessageAgeMs: OLD_MESSAGE_AGE_MS,
  nonceWindowMs: 5 * 60 * 1000,
  requestLogLimit: 100_000,
  gateway: {},
  privilegedIntents: (1 << 8) | (1 << 1) | (1 << 15),
} as const satisfies Required<DiscordSimulatorOptions>;

/** Options after defaults and validation; `limits` is complete, with `timeScale` applied to the presets. */
export interface ResolvedSimulatorOptions extends Required<Omit<DiscordSimulatorOptions, 'limits'>> {
  readonly limits: SimulatorLimits;
}

/**
 * Merges options over {@link DEFAULT_SIMULATOR_OPTIONS} and checks every field (an `undefined` field takes its
 * default).
 *
 * @param options - what the caller passed to the constructor
 * @returns the complete options
 * @throws {@link InvalidConfigError} naming the option, the value and what is allowed
 */
export function resolveSimulatorOptions(options: unknown): ResolvedSimulatorOptions {
  if (!isRecord(options)) throw new InvalidConfigError('options', options, 'an object');
  const merged: Required<DiscordSimulatorOptions> = { ...DEFAULT_SIMULATOR_OPTIONS, ...stripUndefined(options) };
  const clock = merged.clock as unknown;
  if (!isRecord(clock) || typeof clock['now'] !== 'function' || typeof clock['setTimeout'] !== 'function') {
    throw new InvalidConfigError('clock', clock, 'a Clock (`now`, `setTimeout`, `clearTimeout`)');
  }
  if (typeof merged.host !== 'string' || merged.host.length === 0) {
    throw new InvalidConfigError('host', merged.host, 'a non-empty host name or IP address');
  }
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65_535) {
    throw new InvalidConfigError('port', merged.port, 'an integer from 0 to 65535');
  }
  if (!Array.isArray(merged.tokens) || merged.tokens.length === 0) {
    throw new InvalidConfigError('tokens', merged.tokens, 'a non-empty array of token strings');
  }
  const { timeScale } = merged;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1000) {
    throw new InvalidConfigError('timeScale', timeScale, 'a number greater than 0 and at most 1000');
  }
  if (typeof merged.sharedHashSeparateCounters !== 'boolean') {
    throw new InvalidConfigError('sharedHashSeparateCounters', merged.sharedHashSeparateCounters, 'a boolean');
  }
  if (!Number.isSafeInteger(merged.seed)) throw new InvalidConfigError('seed', merged.seed, 'an integer');
  if (!(typeof merged.oldMessageAgeMs === 'number' && merged.oldMessageAgeMs > 0)) {
    throw new InvalidConfigError('oldMessageAgeMs', merged.oldMessageAgeMs, 'a number of milliseconds greater than 0');
  }
  if (!(typeof merged.nonceWindowMs === 'number' && merged.nonceWindowMs >= 0)) {
    throw new InvalidConfigError('nonceWindowMs', merged.nonceWindowMs, 'a number of milliseconds from 0 and up');
  }
  if (!Number.isInteger(merged.requestLogLimit) || merged.requestLogLimit < 1) {
    throw new InvalidConfigError('requestLogLimit', merged.requestLogLimit, 'an integer from 1 and up');
  }
  const privileged = (1 << 8) | (1 << 1) | (1 << 15);
  if (!Number.isInteger(merged.privilegedIntents) || (merged.privilegedIntents & ~privileged) !== 0) {
    throw new InvalidConfigError(
      'privilegedIntents',
      merged.privilegedIntents,
      'a combination of GUILD_PRESENCES (256), GUILD_MEMBERS (2) and MESSAGE_CONTENT (32768)',
    );
  }
  if (!isRecord(merged.gateway))
    throw new InvalidConfigError('gateway', merged.gateway, 'an object of gateway options');
  const limits = resolveSimulatorLimits(merged.limits, timeScale);
  merged.tokens.forEach((token, index) => {
    if (!isValidToken(token)) {
      throw new InvalidConfigError(`tokens[${index}]`, '<redacted>', 'a non-empty string without whitespace');
    }
  });
  return { ...merged, limits };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
