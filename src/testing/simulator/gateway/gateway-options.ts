import { InvalidConfigError } from '../../../errors/message-update-error.js';
import type { Clock } from '../../../util/clock.js';
import { checkIntegerOption } from '../../../util/integer-option.js';
import { isRecord } from '../../../util/is-record.js';
import type { GatewayHost } from './gateway-host.js';

/** `session_start_limit` of GET /gateway/bot: how many sessions an application may start per window. */
export interface SessionStartLimit {
  /** IDENTIFYs allowed per window (RESUMEs are not counted), 1 or more. */
  readonly total: number;
  /** Length of the window, milliseconds, from the first IDENTIFY in it; 1 or more. */
  readonly resetAfterMs: number;
  /** IDENTIFYs allowed per 5 s: one for each rate-limit key `shard_id % max_concurrency`; 1 to 64. */
  readonly maxConcurrency: number;
}

/** The per-connection limit on client payloads (GW Rate Limiting). */
export interface GatewaySendLimit {
  /** Payloads allowed per window, 1 or more; the next one closes the connection with 4008. */
  readonly limit: number;
  /** Length of the window, milliseconds, 1 or more; windows are fixed and the first starts when the socket opens. */
  readonly windowMs: number;
}

/**
 * Options of {@link SimulatorGateway}. `clock`, `host` and `url` are required; see
 * {@link DEFAULT_GATEWAY_OPTIONS} for the rest.
 *
 * @example
 * ```ts
 * const options: SimulatorGatewayOptions = {
 *   clock: systemClock,
 *   host,
 *   url: () => `ws://127.0.0.1:${port}/`,
 *   heartbeatIntervalMs: 300,
 * };
 * ```
 */
export interface SimulatorGatewayOptions {
  /** Time source of every gateway timer and window (heartbeat watchdog, resume window, identify and send limits). */
  readonly clock: Clock;
  /** The simulated world: tokens, guilds, GUILD_CREATE payloads. */
  readonly host: GatewayHost;
  /**
   * The gateway's URL, bare (`ws://127.0.0.1:<port>/`, no query: clients append `?v=10&encoding=json`). Read when
   * needed, so it may depend on a port bound later. It is both GET /gateway/bot's `url` and READY's
   * `resume_gateway_url`; its path is the only one upgrades are accepted on.
   */
  readonly url: () => string;
  /**
   * HELLO's `heartbeat_interval`, milliseconds, 1 or more. Production sends 41250 (observed,
   * discord/discord-api-docs#274). Heartbeats are payloads like any other for {@link SimulatorGatewayOptions.sendLimit},
   * so an interval under 500 ms alone exceeds 120 per 60 s on a long-lived connection. @defaultValue `41250`
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * How long the server waits for a heartbeat (since the previous one, or since HELLO) before closing the
   * connection with 4009 Session timed out, milliseconds; the session stays resumable. Discord documents neither
   * the code nor the delay. @defaultValue `1.5 × heartbeatIntervalMs`
   */
  readonly heartbeatTimeoutMs?: number;
  /**
   * How long a session whose socket went away (any close but 1000/1001 from the client) can be resumed,
   * milliseconds, 0 or more. Discord says only "a few minutes". @defaultValue `180000`
   */
  readonly resumableForMs?: number;
  /** GET /gateway/bot's recommended `shards`, 1 or more. @defaultValue `1` */
  readonly shards?: number;
  /** GET /gateway/bot's `session_start_limit`, enforced on IDENTIFY. @defaultValue 1000 per 24 h, concurrency 1 */
  readonly sessionStartLimit?: SessionStartLimit;
  /**
   * Answer an IDENTIFY with op 9 (`d: false`) when its rate-limit key (`shard_id % max_concurrency`) already
   * identified in the last 5 s. @defaultValue `true`
   */
  readonly enforceIdentifyRate?: boolean;
  /** Client payloads allowed per connection and window (GW: 120 per 60 s). @defaultValue 120 per 60000 ms */
  readonly sendLimit?: GatewaySendLimit;
  /** Most recent entries kept by {@link SimulatorGateway.log}, 1 or more. @defaultValue `10000` */
  readonly logLimit?: number;
}

/**
 * Defaults of the optional {@link SimulatorGatewayOptions} (`heartbeatTimeoutMs` defaults to 1.5 × the interval).
 *
 * @example
 * ```ts
 * DEFAULT_GATEWAY_OPTIONS.heartbeatIntervalMs; // 41250
 * ```
 */
export const DEFAULT_GATEWAY_OPTIONS = {
  heartbeatIntervalMs: 41_250,
  resumableForMs: 180_000,
  shards: 1,
  sessionStartLimit: { total: 1000, resetAfterMs: 24 * 60 * 60 * 1000, maxConcurrency: 1 },
  enforceIdentifyRate: true,
  sendLimit: { limit: 120, windowMs: 60_000 },
  logLimit: 10_000,
} as const satisfies Required<Omit<SimulatorGatewayOptions, 'clock' | 'host' | 'url' | 'heartbeatTimeoutMs'>>;

/** How much longer than the interval the server waits for a heartbeat by default. */
export const HEARTBEAT_TIMEOUT_FACTOR = 1.5;

/** Options after defaults and validation. */
export type ResolvedGatewayOptions = Required<SimulatorGatewayOptions>;

/** The largest timer delay Node accepts (about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Merges options over {@link DEFAULT_GATEWAY_OPTIONS} and checks every field (an `undefined` field takes its default).
 *
 * @param options - what the caller passed to the constructor
 * @returns the complete options
 * @throws {@link discord-update-manager!InvalidConfigError} naming the option, the value and what is allowed
 */
export function resolveGatewayOptions(options: unknown): ResolvedGatewayOptions {
  if (!isRecord(options)) throw new InvalidConfigError('options', options, 'an object');
  const { clock, host, url } = options;
  if (!isRecord(clock) || typeof clock['now'] !== 'function' || typeof clock['setTimeout'] !== 'function') {
    throw new InvalidConfigError('clock', clock, 'a Clock (`now`, `setTimeout`, `clearTimeout`)');
  }
  if (
    !isRecord(host) ||
    typeof host['identify'] !== 'function' ||
    typeof host['guildIds'] !== 'function' ||
    typeof host['guildCreate'] !== 'function'
  ) {
    throw new InvalidConfigError('host', host, 'a GatewayHost (`identify`, `guildIds`, `guildCreate`)');
  }
  if (typeof url !== 'function') throw new InvalidConfigError('url', url, 'a function returning the ws:// URL');
  const pick = <K extends keyof typeof DEFAULT_GATEWAY_OPTIONS>(key: K): unknown =>
    options[key] === undefined ? DEFAULT_GATEWAY_OPTIONS[key] : options[key];

  const heartbeatIntervalMs = checkIntegerOption('heartbeatIntervalMs', pick('heartbeatIntervalMs'), [1, MAX_DELAY_MS]);
  const heartbeatTimeoutMs = checkIntegerOption(
    'heartbeatTimeoutMs',
    options['heartbeatTimeoutMs'] ?? Math.round(heartbeatIntervalMs * HEARTBEAT_TIMEOUT_FACTOR),
    [1, MAX_DELAY_MS],
  );
  const resumableForMs = checkIntegerOption('resumableForMs', pick('resumableForMs'), [0, MAX_DELAY_MS]);
  const shards = checkIntegerOption('shards', pick('shards'), [1, 1_000_000]);
  const start = pick('sessionStartLimit');
  if (!isRecord(start)) {
    throw new InvalidConfigError('sessionStartLimit', start, 'an object `{ total, resetAfterMs, maxConcurrency }`');
  }
  const sessionStartLimit: SessionStartLimit = {
    total: checkIntegerOption('sessionStartLimit.total', start['total'], [1, Number.MAX_SAFE_INTEGER]),
    resetAfterMs: checkIntegerOption('sessionStartLimit.resetAfterMs', start['resetAfterMs'], [1, MAX_DELAY_MS]),
    maxConcurrency: checkIntegerOption('sessionStartLimit.maxConcurrency', start['maxConcurrency'], [1, 64]),
  };
  const enforceIdentifyRate = pick('enforceIdentifyRate');
  if (typeof enforceIdentifyRate !== 'boolean') {
    throw new InvalidConfigError('enforceIdentifyRate', enforceIdentifyRate, 'a boolean');
  }
  const send = pick('sendLimit');
  if (!isRecord(send)) throw new InvalidConfigError('sendLimit', send, 'an object `{ limit, windowMs }`');
  const sendLimit: GatewaySendLimit = {
    limit: checkIntegerOption('sendLimit.limit', send['limit'], [1, Number.MAX_SAFE_INTEGER]),
    windowMs: checkIntegerOption('sendLimit.windowMs', send['windowMs'], [1, MAX_DELAY_MS]),
  };
  const logLimit = checkIntegerOption('logLimit', pick('logLimit'), [1, 10_000_000]);
  return {
    clock: clock as unknown as Clock,
    host: host as unknown as GatewayHost,
    url: url as () => string,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    resumableForMs,
    shards,
    sessionStartLimit,
    enforceIdentifyRate,
    sendLimit,
    logLimit,
  };
}
