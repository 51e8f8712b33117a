import type { RateLimitScope } from '../rate-limit/rate-limit-tracker.js';
import {
  NO_GAUGES,
  type ManagerGauges,
  type MetricsCollector,
  type OperationMetric,
  type RequestMetric,
} from './metrics-collector.js';

/** Everything {@link InMemoryMetricsCollector.getMetrics} reports. Times are in milliseconds. */
export interface ManagerMetrics {
  /** Creates, edits and deletes acknowledged by Discord (after coalescing: one per request that succeeded). */
  readonly messagesUpdated: number;
  /** Mean time from the (earliest merged) enqueue to Discord's acknowledgement, over all acknowledged operations. */
  readonly averageUpdateTimeMs: number;
  /** Percentiles of the same, over the last `sampleSize` acknowledged operations. */
  readonly p50UpdateTimeMs: number;
  readonly p95UpdateTimeMs: number;
  readonly p99UpdateTimeMs: number;
  /** Operations waiting to be sent. */
  readonly queueSize: number;
  /** Requests in flight or waiting for a retry slot. */
  readonly inFlight: number;
  /** Updates merged into a newer one before being sent. */
  readonly coalesced: number;
  /** Operations skipped because Discord already showed that content. */
  readonly skipped: number;
  /** Operations cancelled (by a delete or `stop({ drain: false })`). */
  readonly cancelled: number;
  /** Operations whose deadline passed before they could be sent. */
  readonly expired: number;
  /** Retries after a 5xx, timeout or connection reset. */
  readonly retries: number;
  /** 429 answers, all scopes. */
  readonly rateLimitHits: number;
  /** 429 answers by scope. */
  readonly rateLimitHitsByScope: Readonly<Record<RateLimitScope, number>>;
  /** Operations that failed for good (4xx, retries exhausted, unauthorized). */
  readonly failedUpdates: number;
  /** HTTP requests made (every attempt). */
  readonly apiCalls: number;
  /** Invalid requests still allowed in the current window. */
  readonly invalidRequestBudgetRemaining: number;
  /** Longest current backoff or 429 wait. */
  readonly currentBackoffMs: number;
  /** Requests per second the manager keeps to now: configured, or lower when learned from global 429s. */
  readonly globalLimit: number;
  /** How often the global limit in force changed (lowered after a global 429, raised by probing). */
  readonly globalLimitChanges: number;
}

/** Options of {@link InMemoryMetricsCollector}. */
export interface InMemoryMetricsCollectorOptions {
  /**
   * How many recent update times the percentiles are computed over (a ring buffer, so memory stays fixed).
   * Integer from 1 to 1,000,000.
   * @defaultValue 10000
   */
  readonly sampleSize?: number;
}

/**
 * Keeps the manager's metrics in memory: the seed's fields (messages updated, average update time, queue size,
 * rate-limit hits, failed updates) plus p50/p95/p99, coalescing, retries, 429s by scope and the invalid-request budget.
 *
 * @example
 * ```ts
 * const metrics = new InMemoryMetricsCollector();
 * const manager = new MessageUpdateManager({ rest, metrics });
 * // ... later
 * console.log(metrics.getMetrics().averageUpdateTimeMs);
 * ```
 */
export class InMemoryMetricsCollector implements MetricsCollector {
  readonly #samples: Float64Array;
  #sampleCount = 0;
  #sampleNext = 0;
  #readGauges: () => ManagerGauges = () => NO_GAUGES;
  #messagesUpdated = 0;
  #updateTimeTotal = 0;
  #coalesced = 0;
  #skipped = 0;
  #cancelled = 0;
  #expired = 0;
  #retries = 0;
  #failed = 0;
  #apiCalls = 0;
  #globalLimitChanges = 0;
  readonly #byScope: Record<RateLimitScope, number> = { user: 0, global: 0, shared: 0 };

  /**
   * @param options - see {@link InMemoryMetricsCollectorOptions}
   * @throws RangeError when `sampleSize` is not an integer from 1 to 1,000,000
   */
  public constructor(options: InMemoryMetricsCollectorOptions = {}) {
    const size = options.sampleSize ?? 10_000;
    if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
      throw new RangeError(`Expected \`sampleSize\` to be an integer from 1 to 1,000,000, got \`${String(size)}\``);
    }
    this.#samples = new Float64Array(size);
  }

  /** {@inheritDoc MetricsCollector.bindGauges} */
  public bindGauges(read: () => ManagerGauges): void {
    this.#readGauges = read;
  }

  /** {@inheritDoc MetricsCollector.recordOperation} */
  public recordOperation(metric: OperationMetric): void {
    switch (metric.outcome) {
      case 'sent':
        this.#messagesUpdated++;
        this.#updateTimeTotal += metric.latencyMs;
        this.#samples[this.#sampleNext] = metric.latencyMs;
        this.#sampleNext = (this.#sampleNext + 1) % this.#samples.length;
        this.#sampleCount = Math.min(this.#sampleCount + 1, this.#samples.length);
        break;
      case 'skipped':
        this.#skipped++;
        break;
      case 'cancelled':
        this.#cancelled++;
        break;
      case 'expired':
        this.#expired++;
        break;
      case 'failed':
        this.#failed++;
        break;
    }
  }

  /** {@inheritDoc MetricsCollector.recordCoalesced} */
  public recordCoalesced(count: number): void {
    this.#coalesced += count;
  }

  /** {@inheritDoc MetricsCollector.recordRequest} */
  public recordRequest(_metric: RequestMetric): void {
    this.#apiCalls++;
  }

  /** {@inheritDoc MetricsCollector.recordRateLimit} */
  public recordRateLimit(scope: RateLimitScope): void {
    this.#byScope[scope]++;
  }

  /** {@inheritDoc MetricsCollector.recordRetry} */
  public recordRetry(): void {
    this.#retries++;
  }

  /** {@inheritDoc MetricsCollector.recordGlobalLimitChange} */
  public recordGlobalLimitChange(_limit: number): void {
    this.#globalLimitChanges++;
  }

  /**
   * A snapshot of every metric.
   *
   * @returns a fresh object; later activity does not change it
   */
  public getMetrics(): ManagerMetrics {
    const sorted = this.#samples.slice(0, this.#sampleCount).sort();
    const percentile = (p: number): number =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    const gauges = this.#readGauges();
    return {
      messagesUpdated: this.#messagesUpdated,
      averageUpdateTimeMs: this.#messagesUpdated === 0 ? 0 : this.#updateTimeTotal / this.#messagesUpdated,
      p50UpdateTimeMs: percentile(50),
      p95UpdateTimeMs: percentile(95),
      p99UpdateTimeMs: percentile(99),
      queueSize: gauges.queueSize,
      inFlight: gauges.inFlight,
      coalesced: this.#coalesced,
      skipped: this.#skipped,
      cancelled: this.#cancelled,
      expired: this.#expired,
      retries: this.#retries,
      rateLimitHits: this.#byScope.user + this.#byScope.global + this.#byScope.shared,
      rateLimitHitsByScope: { ...this.#byScope },
      failedUpdates: this.#failed,
      apiCalls: this.#apiCalls,
      invalidRequestBudgetRemaining: gauges.invalidRequestBudgetRemaining,
      currentBackoffMs: gauges.currentBackoffMs,
      globalLimit: gauges.globalLimit,
      globalLimitChanges: this.#globalLimitChanges,
    };
  }
}
