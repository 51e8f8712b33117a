import type { RateLimitScope } from '../rate-limit/rate-limit-tracker.js';
import type { InMemoryMetricsCollector, ManagerMetrics } from './in-memory-metrics-collector.js';
import type { ManagerGauges, MetricsCollector, OperationMetric, RequestMetric } from './metrics-collector.js';

/**
 * Feeds several collectors at once: an {@link InMemoryMetricsCollector}, which answers `getMetrics()` (and so keeps
 * the repository's performance snapshots, the seed's `performance_metrics` rows, going), and others — e.g. the
 * `PrometheusMetricsCollector` of `discord-update-manager/prometheus`. A collector that throws does not keep the
 * others from being told, and never reaches the manager.
 *
 * @example
 * ```ts
 * const metrics = new CombinedMetricsCollector(new InMemoryMetricsCollector(), new PrometheusMetricsCollector());
 * const manager = new MessageUpdateManager({ rest, repository, metrics });
 * console.log(manager.metrics.getMetrics().messagesUpdated);
 * ```
 */
export class CombinedMetricsCollector implements MetricsCollector {
  /** The collector that reports (`getMetrics`). */
  public readonly primary: InMemoryMetricsCollector;
  /** The others, told the same. */
  public readonly others: readonly MetricsCollector[];
  readonly #all: readonly MetricsCollector[];

  /**
   * @param primary - the in-memory collector that answers {@link CombinedMetricsCollector.getMetrics}
   * @param others - collectors told the same
   */
  public constructor(primary: InMemoryMetricsCollector, ...others: MetricsCollector[]) {
    this.primary = primary;
    this.others = others;
    this.#all = [primary, ...others];
  }

  public bindGauges(read: () => ManagerGauges): void {
    this.#each((collector) => collector.bindGauges(read));
  }

  public recordOperation(metric: OperationMetric): void {
    this.#each((collector) => collector.recordOperation(metric));
  }

  public recordCoalesced(count: number): void {
    this.#each((collector) => collector.recordCoalesced(count));
  }

  public recordRequest(metric: RequestMetric): void {
    this.#each((collector) => collector.recordRequest(metric));
  }

  public recordRateLimit(scope: RateLimitScope): void {
    this.#each((collector) => collector.recordRateLimit(scope));
  }

  public recordRetry(): void {
    this.#each((collector) => collector.recordRetry());
  }

  public recordGlobalLimitChange(limit: number): void {
    this.#each((collector) => collector.recordGlobalLimitChange?.(limit));
  }

  /**
   * What the primary collector has measured.
   *
   * @returns its metrics
   */
  public getMetrics(): ManagerMetrics {
    return this.primary.getMetrics();
  }

  #each(call: (collector: MetricsCollector) => void): void {
    for (const collector of this.#all) {
      try {
        call(collector);
      } catch {
        // The manager's hot path must not fail for a collector; the others are still told.
      }
    }
  }
}
