// The registry is typed with prom-client's own `Registry` (a type-only import, erased from the JavaScript): prom-client
// ships its types, and callers want the real class back from `collector.registry` (to merge it, or serve it). Only
// this subpath's declarations name it, so the root entry's types never need the optional peer.
import type { Counter, Gauge, Histogram, Registry, RegistryContentType } from 'prom-client';
import { InvalidConfigError } from '../errors/message-update-error.js';
import {
  NO_GAUGES,
  type ManagerGauges,
  type MetricsCollector,
  type OperationMetric,
  type OperationOutcome,
  type RequestMetric,
} from '../metrics/metrics-collector.js';
import type { RateLimitScope } from '../rate-limit/rate-limit-tracker.js';
import { isRecord } from '../util/is-record.js';
import { loadPromClient } from './prom-client-loader.js';
import { routeFamilyOf } from './route-family.js';

/** Options of {@link PrometheusMetricsCollector}. Unknown fields are rejected. */
export interface PrometheusMetricsCollectorOptions {
  /**
   * The prom-client registry the metrics are registered in. Pass prom-client's global `register` to serve them with
   * your other metrics; none of them may already use one of this collector's names (choose another `prefix`).
   * @defaultValue a new `Registry`, exposed as {@link PrometheusMetricsCollector.registry}
   */
  readonly registry?: Registry<RegistryContentType>;
  /**
   * Prepended to every metric name: letters, digits and underscores, not starting with a digit (or `''` for none).
   * End it with `_`.
   * @defaultValue `'discord_update_manager_'`
   */
  readonly prefix?: string;
  /**
   * Labels added to every metric of this collector, e.g. `{ shard: '0' }` (names: letters, digits and underscores,
   * not starting with a digit or `__`, and none of the collector's own labels; values: non-empty strings or finite
   * numbers). Unlike `Registry.setDefaultLabels`, they do not touch the registry's other metrics.
   * @defaultValue `{}`
   */
  readonly labels?: Readonly<Record<string, string | number>>;
  /**
   * Upper bounds of the `update_latency_seconds` buckets, in seconds: finite numbers above 0, increasing.
   * @defaultValue {@link DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS}`.latencyBuckets` (5 ms to 5 minutes)
   */
  readonly latencyBuckets?: readonly number[];
  /**
   * Upper bounds of the `request_duration_seconds` buckets, in seconds: finite numbers above 0, increasing.
   * @defaultValue {@link DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS}`.requestBuckets` (10 ms to 30 s)
   */
  readonly requestBuckets?: readonly number[];
}

/**
 * The defaults of {@link PrometheusMetricsCollectorOptions}. Update latency spans a lone edit on an idle bucket
 * (milliseconds) to a backlog behind a long 429 (minutes); one request rarely takes more than the manager's request
 * timeout.
 *
 * @example
 * ```ts
 * DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS.prefix; // 'discord_update_manager_'
 * ```
 */
export const DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS = {
  prefix: 'discord_update_manager_',
  latencyBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  requestBuckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
} as const satisfies Required<Pick<PrometheusMetricsCollectorOptions, 'prefix' | 'latencyBuckets' | 'requestBuckets'>>;

const KNOWN_OPTIONS: readonly string[] = [
  'registry',
  'prefix',
  'labels',
  'latencyBuckets',
  'requestBuckets',
] satisfies (keyof PrometheusMetricsCollectorOptions)[];
/** The labels the collector sets itself (and the ones Prometheus reserves for histograms and summaries). */
const OWN_LABELS: readonly string[] = [
  'outcome',
  'kind',
  'method',
  'route_family',
  'status',
  'scope',
  'le',
  'quantile',
];
const PREFIX = /^(?:[A-Za-z_][A-Za-z0-9_]*)?$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OUTCOMES = ['sent', 'skipped', 'cancelled', 'expired', 'failed'] as const satisfies readonly OperationOutcome[];
const KINDS = ['create', 'edit', 'delete'] as const satisfies readonly OperationMetric['kind'][];
const SCOPES = ['user', 'global', 'shared'] as const satisfies readonly RateLimitScope[];
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

type Labels = Record<string, string>;

/**
 * A {@link discord-update-manager!MetricsCollector} that exports the manager's measurements to Prometheus through
 * prom-client (the optional peer `prom-client` 15: `npm install prom-client@15`). With the default prefix:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `discord_update_manager_updates_total` | counter | `outcome` (`sent`, `skipped`, `cancelled`, `expired`, `failed`: operations; `coalesced`: updates merged into another, without `kind`), `kind` (`create`, `edit`, `delete`) |
 * | `discord_update_manager_requests_total` | counter | `method`, `route_family` (see {@link RouteFamily}), `status` (`0`: no answer) |
 * | `discord_update_manager_rate_limits_total` | counter | `scope` (`user`, `global`, `shared`) |
 * | `discord_update_manager_retries_total` | counter | |
 * | `discord_update_manager_global_limit_changes_total` | counter | |
 * | `discord_update_manager_update_latency_seconds` | histogram | (sent operations: earliest enqueue → acknowledged) |
 * | `discord_update_manager_request_duration_seconds` | histogram | `method`, `route_family` |
 * | `discord_update_manager_queue_size` | gauge | |
 * | `discord_update_manager_in_flight` | gauge | |
 * | `discord_update_manager_invalid_request_budget_remaining` | gauge | |
 * | `discord_update_manager_global_limit_requests_per_second` | gauge | |
 * | `discord_update_manager_backoff_seconds` | gauge | |
 *
 * Gauges are read from the manager when the registry is scraped. Every label series of `updates_total` and
 * `rate_limits_total` is exported from the start (at 0), so `rate()` works on the first increase. One collector
 * serves one manager: a second `bindGauges` replaces the first.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { PrometheusMetricsCollector } from 'discord-update-manager/prometheus';
 *
 * const metrics = new PrometheusMetricsCollector({ labels: { shard: '0' } });
 * const manager = new MessageUpdateManager({ rest, metrics });
 * createServer(async (_request, response) => {
 *   response.setHeader('content-type', metrics.contentType).end(await metrics.metrics());
 * }).listen(9464);
 * ```
 */
export class PrometheusMetricsCollector implements MetricsCollector {
  /** The registry holding this collector's metrics (the one passed as `registry`, or the collector's own). */
  public readonly registry: Registry<RegistryContentType>;
  readonly #updates: Counter;
  readonly #requests: Counter;
  readonly #rateLimits: Counter;
  readonly #retries: Counter;
  readonly #globalLimitChanges: Counter;
  readonly #updateLatency: Histogram;
  readonly #requestDuration: Histogram;
  readonly #defaults: Labels;
  /** Label objects (own labels first, then the default ones), built once per series: recording allocates nothing. */
  readonly #updateLabels = new Map<string, Labels>();
  readonly #scopeLabels = new Map<string, Labels>();
  readonly #requestLabels = new Map<string, Labels>();
  readonly #durationLabels = new Map<string, Labels>();
  #readGauges: () => ManagerGauges = () => NO_GAUGES;

  /**
   * Loads prom-client and registers the metrics.
   *
   * @param options - see {@link PrometheusMetricsCollectorOptions}
   * @throws {@link discord-update-manager!InvalidConfigError} for a bad option (naming the field, the value and what
   *   is allowed), or when `registry` already holds a metric of one of this collector's names
   * @throws {@link discord-update-manager!MissingPeerDependencyError} when `prom-client` is not installed
   */
  public constructor(options: PrometheusMetricsCollectorOptions = {}) {
    const resolved = validateOptions(options);
    const prom = loadPromClient();
    this.registry = resolved.registry ?? new prom.Registry();
    this.#defaults = resolved.labels;
    const p = resolved.prefix;
    const names = [
      'updates_total',
      'requests_total',
      'rate_limits_total',
      'retries_total',
      'global_limit_changes_total',
      'update_latency_seconds',
      'request_duration_seconds',
      'queue_size',
      'in_flight',
      'invalid_request_budget_remaining',
      'global_limit_requests_per_second',
      'backoff_seconds',
    ].map((name) => `${p}${name}`);
    const taken = names.filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) {
      throw new InvalidConfigError(
        'prefix',
        p,
        'a prefix no metric of `registry` uses yet',
        `The registry already holds ${taken.join(', ')}: give each collector its own \`prefix\` or \`registry\``,
      );
    }
    const extra = Object.keys(this.#defaults);
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: readonly string[]): Counter =>
      new prom.Counter({ name: `${p}${name}`, help, labelNames: [...labelNames, ...extra], registers });
    const histogram = (name: string, help: string, labelNames: readonly string[], buckets: number[]): Histogram =>
      new prom.Histogram({ name: `${p}${name}`, help, labelNames: [...labelNames, ...extra], buckets, registers });
    const gauge = (name: string, help: string, read: (gauges: ManagerGauges) => number): Gauge => {
      const defaults = this.#defaults;
      const readGauges = (): ManagerGauges => this.#safeGauges();
      return new prom.Gauge({
        name: `${p}${name}`,
        help,
        labelNames: extra,
        registers,
        collect() {
          this.set(defaults, read(readGauges()));
        },
      });
    };

    this.#updates = counter(
      'updates_total',
      'Update operations by outcome (sent, skipped, cancelled, expired, failed) and kind, plus updates coalesced into another (outcome coalesced).',
      ['outcome', 'kind'],
    );
    this.#requests = counter(
      'requests_total',
      'HTTP requests to Discord by method, route family and status (0: no answer).',
      ['method', 'route_family', 'status'],
    );
    this.#rateLimits = counter('rate_limits_total', '429 answers from Discord by scope.', ['scope']);
    this.#retries = counter('retries_total', 'Requests retried after a 5xx, a timeout or a connection reset.', []);
    this.#globalLimitChanges = counter(
      'global_limit_changes_total',
      'Changes of the global limit in force (lowered after a global 429, raised again by probing).',
      [],
    );
    this.#updateLatency = histogram(
      'update_latency_seconds',
      'Time from the earliest enqueue of a sent operation to Discord acknowledging it, in seconds.',
      [],
      [...resolved.latencyBuckets],
    );
    this.#requestDuration = histogram(
      'request_duration_seconds',
      'Duration of HTTP requests to Discord by method and route family, in seconds.',
      ['method', 'route_family'],
      [...resolved.requestBuckets],
    );
    gauge('queue_size', 'Operations waiting to be sent (after coalescing).', (g) => g.queueSize);
    gauge('in_flight', 'Requests on the wire or waiting for their retry slot.', (g) => g.inFlight);
    gauge(
      'invalid_request_budget_remaining',
      'Invalid requests (401, 403, 429) still allowed in the current 10-minute window.',
      (g) => g.invalidRequestBudgetRemaining,
    );
    gauge(
      'global_limit_requests_per_second',
      'Requests per second the manager keeps to: the configured global limit, or a lower one learned from 429s.',
      (g) => g.globalLimit,
    );
    gauge(
      'backoff_seconds',
      'Longest wait currently imposed by a retry backoff or a 429, in seconds.',
      (g) => g.currentBackoffMs / 1000,
    );

    // Export the known series at 0 from the start.
    for (const outcome of OUTCOMES) {
      for (const kind of KINDS) this.#updates.inc(this.#updateLabelsOf(outcome, kind), 0);
    }
    this.#updates.inc(this.#updateLabelsOf('coalesced', undefined), 0);
    for (const scope of SCOPES) this.#rateLimits.inc(this.#scopeLabelsOf(scope), 0);
    this.#retries.inc(this.#defaults, 0);
    this.#globalLimitChanges.inc(this.#defaults, 0);
  }

  /** The `Content-Type` to serve {@link PrometheusMetricsCollector.metrics} with (the registry's). */
  public get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Renders every metric of {@link PrometheusMetricsCollector.registry} (this collector's, and any others registered
   * there) in the text exposition format, reading the manager's gauges first.
   *
   * @returns the exposition text, to serve with {@link PrometheusMetricsCollector.contentType}
   */
  public metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.bindGauges} */
  public bindGauges(read: () => ManagerGauges): void {
    if (typeof read === 'function') this.#readGauges = read;
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordOperation} */
  public recordOperation(metric: OperationMetric): void {
    try {
      this.#updates.inc(this.#updateLabelsOf(metric.outcome, metric.kind));
      if (metric.outcome === 'sent' && Number.isFinite(metric.latencyMs)) {
        this.#updateLatency.observe(this.#defaults, Math.max(0, metric.latencyMs) / 1000);
      }
    } catch {
      // A collector never breaks the manager (an outcome or kind this version does not know, say).
    }
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordCoalesced} */
  public recordCoalesced(count: number): void {
    if (!(count > 0) || !Number.isFinite(count)) return;
    try {
      this.#updates.inc(this.#updateLabelsOf('coalesced', undefined), count);
    } catch {
      // Never throws into the manager.
    }
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordRequest} */
  public recordRequest(metric: RequestMetric): void {
    try {
      const method = METHODS.has(metric.method) ? metric.method : 'OTHER';
      const family = routeFamilyOf(String(metric.route));
      const status = Number.isInteger(metric.status) && metric.status >= 0 && metric.status <= 999 ? metric.status : 0;
      const requestKey = `${method} ${family} ${status}`;
      let labels = this.#requestLabels.get(requestKey);
      if (labels === undefined) {
        labels = { method, route_family: family, status: String(status), ...this.#defaults };
        this.#requestLabels.set(requestKey, labels);
      }
      this.#requests.inc(labels);
      if (Number.isFinite(metric.durationMs)) {
        const durationKey = `${method} ${family}`;
        let duration = this.#durationLabels.get(durationKey);
        if (duration === undefined) {
          duration = { method, route_family: family, ...this.#defaults };
          this.#durationLabels.set(durationKey, duration);
        }
        this.#requestDuration.observe(duration, Math.max(0, metric.durationMs) / 1000);
      }
    } catch {
      // Never throws into the manager.
    }
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordRateLimit} */
  public recordRateLimit(scope: RateLimitScope): void {
    try {
      if (SCOPES.includes(scope)) this.#rateLimits.inc(this.#scopeLabelsOf(scope));
    } catch {
      // Never throws into the manager.
    }
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordRetry} */
  public recordRetry(): void {
    try {
      this.#retries.inc(this.#defaults);
    } catch {
      // Never throws into the manager.
    }
  }

  /** {@inheritDoc discord-update-manager!MetricsCollector.recordGlobalLimitChange} */
  public recordGlobalLimitChange(_limit: number): void {
    try {
      this.#globalLimitChanges.inc(this.#defaults);
    } catch {
      // Never throws into the manager.
    }
  }

  #updateLabelsOf(outcome: OperationOutcome | 'coalesced', kind: OperationMetric['kind'] | undefined): Labels {
    const key = `${outcome} ${kind ?? ''}`;
    let labels = this.#updateLabels.get(key);
    if (labels === undefined) {
      // Bounded: five outcomes and three kinds. Unknown values are refused (the caller drops them) rather than
      // becoming new series.
      if (outcome !== 'coalesced' && (!OUTCOMES.includes(outcome) || !KINDS.includes(kind!))) {
        throw new RangeError(`unknown outcome or kind: ${key}`);
      }
      labels = kind === undefined ? { outcome, ...this.#defaults } : { outcome, kind, ...this.#defaults };
      this.#updateLabels.set(key, labels);
    }
    return labels;
  }

  #scopeLabelsOf(scope: RateLimitScope): Labels {
    let labels = this.#scopeLabels.get(scope);
    if (labels === undefined) {
      labels = { scope, ...this.#defaults };
      this.#scopeLabels.set(scope, labels);
    }
    return labels;
  }

  /** The manager's gauges, or zeros while none is bound or when reading them fails (a scrape never fails on them). */
  #safeGauges(): ManagerGauges {
    try {
      return this.#readGauges();
    } catch {
      return NO_GAUGES;
    }
  }
}

interface ResolvedOptions {
  readonly registry: Registry<RegistryContentType> | undefined;
  readonly prefix: string;
  readonly labels: Labels;
  readonly latencyBuckets: readonly number[];
  readonly requestBuckets: readonly number[];
}

function validateOptions(options: unknown): ResolvedOptions {
  if (!isRecord(options)) throw new InvalidConfigError('options', options, 'an object of collector options');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new InvalidConfigError(
        key,
        options[key],
        `one of the collector's options (${KNOWN_OPTIONS.join(', ')})`,
        'Unknown option',
      );
    }
  }
  const { registry, prefix = DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS.prefix, labels = {} } = options;
  if (
    registry !== undefined &&
    (!isRecord(registry) ||
      typeof registry['registerMetric'] !== 'function' ||
      typeof registry['getSingleMetric'] !== 'function' ||
      typeof registry['metrics'] !== 'function')
  ) {
    throw new InvalidConfigError('registry', registry, "a prom-client `Registry` (or prom-client's global `register`)");
  }
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidConfigError(
      'prefix',
      prefix,
      "letters, digits and underscores, not starting with a digit (e.g. `mybot_`), or `''`",
    );
  }
  if (!isRecord(labels)) throw new InvalidConfigError('labels', labels, 'an object of label names to values');
  const resolvedLabels: Labels = {};
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || OWN_LABELS.includes(name)) {
      throw new InvalidConfigError(
        `labels.${name}`,
        name,
        `a label name of letters, digits and underscores, not starting with a digit or \`__\`, and none of ${OWN_LABELS.join(', ')}`,
      );
    }
    if (!((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value)))) {
      throw new InvalidConfigError(`labels.${name}`, value, 'a non-empty string or a finite number');
    }
    resolvedLabels[name] = String(value);
  }
  return {
    registry: registry as Registry<RegistryContentType> | undefined,
    prefix,
    labels: resolvedLabels,
    latencyBuckets: validateBuckets(
      'latencyBuckets',
      options['latencyBuckets'] ?? DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS.latencyBuckets,
    ),
    requestBuckets: validateBuckets(
      'requestBuckets',
      options['requestBuckets'] ?? DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS.requestBuckets,
    ),
  };
}

function validateBuckets(field: string, buckets: unknown): readonly number[] {
  const allowed = 'a non-empty array of finite numbers of seconds above 0, in increasing order (e.g. `[0.1, 1, 10]`)';
  if (!Array.isArray(buckets) || buckets.length === 0) throw new InvalidConfigError(field, buckets, allowed);
  buckets.forEach((bound: unknown, index) => {
    const previous = index === 0 ? 0 : (buckets[index - 1] as number);
    if (typeof bound !== 'number' || !Number.isFinite(bound) || !(bound > previous)) {
      throw new InvalidConfigError(`${field}[${index}]`, bound, allowed);
    }
  });
  return [...(buckets as number[])];
}
