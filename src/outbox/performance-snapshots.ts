import type { InMemoryMetricsCollector } from '../metrics/in-memory-metrics-collector.js';
import type { MetricsCollector } from '../metrics/metrics-collector.js';
import type { UpdateRepository } from '../repositories/update-repository.js';
import type { Clock, ClockTimer } from '../util/clock.js';

/** Options of {@link PerformanceSnapshots}. */
export interface PerformanceSnapshotsOptions {
  readonly repository: UpdateRepository;
  readonly metrics: MetricsCollector;
  readonly clock: Clock;
  /** How often a snapshot is recorded, ms; 0 turns it off. */
  readonly intervalMs: number;
  /** Operations waiting to be sent now. */
  readonly queueSize: () => number;
  readonly running: () => boolean;
}

/**
 * Records the seed's `performance_metrics` rows (messages updated, average update time, queue size, rate-limit hits,
 * failed updates) into the repository every `intervalMs`, and once more at stop, when the collector can report them
 * (`getMetrics()`, as `InMemoryMetricsCollector` does). Timestamps come from the injected clock.
 *
 * @internal
 */
export class PerformanceSnapshots {
  readonly #options: PerformanceSnapshotsOptions;
  #timer: ClockTimer | undefined;

  public constructor(options: PerformanceSnapshotsOptions) {
    this.#options = options;
  }

  /** Appends one row now (nothing when the collector cannot report). */
  public record(): Promise<void> {
    const { repository, metrics, clock } = this.#options;
    const collector = metrics as Partial<InMemoryMetricsCollector>;
    if (typeof collector.getMetrics !== 'function') return Promise.resolve();
    const m = collector.getMetrics();
    return repository.recordSnapshot({
      timestamp: clock.now(),
      messagesUpdated: m.messagesUpdated,
      averageUpdateTimeMs: m.averageUpdateTimeMs,
      queueSize: this.#options.queueSize(),
      rateLimitHits: m.rateLimitHits,
      failedUpdates: m.failedUpdates,
    });
  }

  /** Starts the periodic snapshots. */
  public start(): void {
    const { clock, intervalMs } = this.#options;
    if (intervalMs === 0 || !this.#options.running()) return;
    this.#timer = clock.setTimeout(() => {
      void this.record()
        .catch(() => undefined)
        .finally(() => this.start());
    }, intervalMs);
    // Periodic snapshots alone must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Stops them. */
  public stop(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
