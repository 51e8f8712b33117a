import { InvalidConfigError } from '../errors/message-update-error.js';
import type { InMemoryMetricsCollector } from '../metrics/in-memory-metrics-collector.js';
import type { MetricsCollector } from '../metrics/metrics-collector.js';
import type { RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';
import type { UpdateRepository } from '../repositories/update-repository.js';
import type { RestLike } from '../transport/rest-transport.js';
import type { Transport } from '../transport/transport.js';
import { systemClock, type Clock } from '../util/clock.js';
import { checkIntegerOption } from '../util/integer-option.js';

/** Options of {@link MessageUpdateManager}. Give exactly one of `rest` and `transport`. */
export interface MessageUpdateManagerOptions<TMetrics extends MetricsCollector = InMemoryMetricsCollector> {
  /**
   * Your `@discordjs/rest` `REST` instance, token set. Tip: `new REST({ retries: 0, offset: 0 })`: the manager retries
   * and paces itself.
   */
  readonly rest?: RestLike;
  /** A custom {@link Transport} instead of `rest` (tests, other HTTP clients). */
  readonly transport?: Transport;
  /** Rate-limit and retry settings; see {@link RateLimitConfig}. Unknown fields are rejected. */
  readonly config?: Partial<RateLimitConfig>;
  /**
   * Where measurements go.
   * @defaultValue a new {@link InMemoryMetricsCollector} (read it from `manager.metrics`)
   */
  readonly metrics?: TMetrics;
  /**
   * Time source for every timing decision.
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
  /**
   * Random source for backoff jitter, returning a number in [0, 1). A value outside it (NaN included) counts as 0.5,
   * so a faulty source can never turn backoff off.
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
  /**
   * How long the manager waits for the transport to answer one request, in ms. A request with no answer by then counts
   * as a timeout (a retryable failure, like a connection reset): the transport's request is aborted through
   * `TransportRequest.signal`, and the rate-limit slot it took stays used. Keep it above your transport's own timeout
   * (REST: 15 s) so that one fires first. Integer from 1,000 to 600,000.
   * @defaultValue 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How many messages' last acknowledged content (for skipping identical edits) and deleted ids are remembered once
   * they have no work pending. Integer from 0 to 10,000,000.
   * @defaultValue 100000
   */
  readonly maxRememberedMessages?: number;
  /**
   * Where accepted updates and managed messages are stored so they survive a crash (`SqliteUpdateRepository`,
   * `PostgresUpdateRepository`). Without one, everything lives in memory. Call `repository.migrate()` first.
   * @defaultValue none: in memory
   */
  readonly repository?: UpdateRepository;
  /**
   * With a repository: how long a claimed outbox row stays leased to this process, in ms (database clock). A
   * process that dies holding a lease delays that row by at most this much. Integer from 1,000 to 3,600,000.
   * @defaultValue 30000
   */
  readonly leaseMs?: number;
  /**
   * With a repository: how often a performance snapshot (the seed's `performance_metrics` row) is recorded, in ms;
   * 0 turns it off. Needs a collector with `getMetrics()` (the default one has it). Integer from 0 to 86,400,000.
   * @defaultValue 60000
   */
  readonly metricsSnapshotIntervalMs?: number;
  /**
   * With a repository shared by several processes: how often to look for outbox rows enqueued by other processes
   * (or left by a crashed one), in ms; 0 turns it off (one process: everything is found at `start()`).
   * Integer from 0 to 3,600,000.
   * @defaultValue 0
   */
  readonly outboxPollIntervalMs?: number;
  /**
   * Rate-limit state shared by every process of the bot (`RedisRateLimitStore` from `discord-update-manager/redis`):
   * each request also needs a slot from it, so several processes with one token stay within one set of limits
   * together. If the store cannot answer, sending pauses (limits are never exceeded because state is unknown).
   * @defaultValue none: this process's own view only
   */
  readonly rateLimitStore?: RateLimitStore;
  /**
   * With a `rateLimitStore`: how long a reservation counts if this process dies before its request is answered, in
   * ms. Keep it above your transport's request timeout (REST: 15 s); lower means a crashed process's slots free up
   * sooner. Integer from 1,000 to 600,000.
   * @defaultValue 30000
   */
  readonly rateLimitReservationTtlMs?: number;
}

/** The options that have a default (every other one is optional and off when left out). */
type DefaultedOption =
  | 'clock'
  | 'random'
  | 'maxRememberedMessages'
  | 'leaseMs'
  | 'metricsSnapshotIntervalMs'
  | 'outboxPollIntervalMs'
  | 'rateLimitReservationTtlMs'
  | 'requestTimeoutMs';

/**
 * The defaults of {@link MessageUpdateManagerOptions} (the rate-limit settings' are `DEFAULT_RATE_LIMIT_CONFIG`).
 *
 * @example
 * ```ts
 * DEFAULT_MANAGER_OPTIONS.leaseMs; // 30000
 * ```
 */
export const DEFAULT_MANAGER_OPTIONS = {
  clock: systemClock,
  random: Math.random,
  maxRememberedMessages: 100_000,
  leaseMs: 30_000,
  metricsSnapshotIntervalMs: 60_000,
  outboxPollIntervalMs: 0,
  rateLimitReservationTtlMs: 30_000,
  requestTimeoutMs: 30_000,
} as const satisfies Required<Pick<MessageUpdateManagerOptions, DefaultedOption>>;

/** Allowed range of each integer option. */
const BOUNDS = {
  maxRememberedMessages: [0, 10_000_000],
  leaseMs: [1000, 3_600_000],
  metricsSnapshotIntervalMs: [0, 86_400_000],
  outboxPollIntervalMs: [0, 3_600_000],
  rateLimitReservationTtlMs: [1000, 600_000],
  requestTimeoutMs: [1000, 600_000],
} as const satisfies Record<Exclude<DefaultedOption, 'clock' | 'random'>, readonly [number, number]>;

/** Validated options, every default applied. */
export type ResolvedManagerOptions = Required<Pick<MessageUpdateManagerOptions, DefaultedOption>> &
  Pick<MessageUpdateManagerOptions, 'rest' | 'transport' | 'repository' | 'rateLimitStore'>;

/**
 * Checks the manager's options (not `config`, which `resolveRateLimitConfig` checks) and applies the defaults.
 *
 * @throws InvalidConfigError naming the option, the value and what is allowed
 */
export function resolveManagerOptions(options: MessageUpdateManagerOptions<MetricsCollector>): ResolvedManagerOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidConfigError('options', options, 'an object with `rest` or `transport`');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidConfigError(
        key,
        (options as unknown as Record<string, unknown>)[key],
        `one of the manager's options (${[...KNOWN_OPTIONS].join(', ')})`,
        'Unknown option',
      );
    }
  }
  for (const field of ['rest', 'transport', 'repository', 'rateLimitStore'] as const) {
    if (options[field] === null) {
      throw new InvalidConfigError(field, null, `${DEPENDENCY_TEXT[field]}, or leave it out (not null)`);
    }
  }
  if ((options.rest === undefined) === (options.transport === undefined)) {
    throw new InvalidConfigError(
      'rest',
      options.rest,
      'a REST instance from @discordjs/rest, or leave it out and pass `transport` (exactly one of the two)',
    );
  }
  if (options.rest !== undefined && typeof (options.rest as Partial<RestLike>).request !== 'function') {
    throw new InvalidConfigError('rest', options.rest, 'a REST instance from @discordjs/rest (with a request method)');
  }
  if (options.transport !== undefined && typeof options.transport.request !== 'function') {
    throw new InvalidConfigError('transport', options.transport, 'an object with a request(request) method');
  }
  if (options.rateLimitStore !== undefined && typeof options.rateLimitStore.acquire !== 'function') {
    throw new InvalidConfigError(
      'rateLimitStore',
      options.rateLimitStore,
      'a RateLimitStore (RedisRateLimitStore, ...)',
    );
  }
  if (options.repository !== undefined && typeof options.repository.claim !== 'function') {
    throw new InvalidConfigError('repository', options.repository, 'an UpdateRepository (SqliteUpdateRepository, ...)');
  }
  checkContract('clock', options.clock, CLOCK_METHODS, 'a Clock');
  checkContract('metrics', options.metrics, METRICS_METHODS, 'a MetricsCollector (InMemoryMetricsCollector, ...)');
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new InvalidConfigError('random', options.random, 'a function returning a number in [0, 1)');
  }
  const integer = (field: keyof typeof BOUNDS): number =>
    checkIntegerOption(field, options[field] ?? DEFAULT_MANAGER_OPTIONS[field], BOUNDS[field]);
  return {
    ...(options.rest === undefined ? {} : { rest: options.rest }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.repository === undefined ? {} : { repository: options.repository }),
    ...(options.rateLimitStore === undefined ? {} : { rateLimitStore: options.rateLimitStore }),
    clock: options.clock ?? DEFAULT_MANAGER_OPTIONS.clock,
    random: options.random === undefined ? DEFAULT_MANAGER_OPTIONS.random : unitInterval(options.random),
    maxRememberedMessages: integer('maxRememberedMessages'),
    leaseMs: integer('leaseMs'),
    metricsSnapshotIntervalMs: integer('metricsSnapshotIntervalMs'),
    outboxPollIntervalMs: integer('outboxPollIntervalMs'),
    rateLimitReservationTtlMs: integer('rateLimitReservationTtlMs'),
    requestTimeoutMs: integer('requestTimeoutMs'),
  };
}

/** What each injected dependency must be, as error messages say it. */
const DEPENDENCY_TEXT = {
  rest: 'a REST instance from @discordjs/rest',
  transport: 'an object with a request(request) method',
  repository: 'an UpdateRepository (SqliteUpdateRepository, ...)',
  rateLimitStore: 'a RateLimitStore (RedisRateLimitStore, ...)',
} as const;

/** Every option's name: a misspelt one is refused, not ignored. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'rest',
  'transport',
  'config',
  'metrics',
  'clock',
  'random',
  'maxRememberedMessages',
  'repository',
  'leaseMs',
  'metricsSnapshotIntervalMs',
  'outboxPollIntervalMs',
  'rateLimitStore',
  'rateLimitReservationTtlMs',
  'requestTimeoutMs',
] satisfies (keyof MessageUpdateManagerOptions)[]);

const CLOCK_METHODS = ['now', 'setTimeout', 'clearTimeout'] as const satisfies readonly (keyof Clock)[];
const METRICS_METHODS = [
  'bindGauges',
  'recordOperation',
  'recordCoalesced',
  'recordRequest',
  'recordRateLimit',
  'recordRetry',
] as const satisfies readonly (keyof MetricsCollector)[];

/** Checks at construction that an injected object has the methods the manager will call (not later, in a timer). */
function checkContract(field: string, value: unknown, methods: readonly string[], what: string): void {
  if (value === undefined) return;
  const missing =
    value === null || typeof value !== 'object'
      ? methods
      : methods.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) {
    throw new InvalidConfigError(
      field,
      value,
      `${what} (with ${methods.join(', ')})`,
      `Missing: ${missing.join(', ')}`,
    );
  }
}

/** A random source whose values outside [0, 1) (NaN included) count as 0.5. */
function unitInterval(random: () => number): () => number {
  return () => {
    const value = random();
    return value >= 0 && value < 1 ? value : 0.5;
  };
}
