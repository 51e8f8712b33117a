import type { RateLimitScope } from '../rate-limit/rate-limit-tracker.js';

/** How an update operation ended, as reported to a {@link MetricsCollector}. */
export type OperationOutcome = 'sent' | 'skipped' | 'cancelled' | 'expired' | 'failed';

/** One operation (a create, edit or delete, after coalescing) that reached its end. */
export interface OperationMetric {
  readonly kind: 'create' | 'edit' | 'delete';
  readonly outcome: OperationOutcome;
  /** Earliest enqueue of the updates merged into it → acknowledged (or settled), in milliseconds. */
  readonly latencyMs: number;
  /** Updates merged into this operation (its own included). */
  readonly updates: number;
  /** Requests made for it (0 when none was needed). */
  readonly attempts: number;
}

/** One HTTP answer (or a request that got none: `status` 0). */
export interface RequestMetric {
  readonly method: string;
  /** Route key, e.g. `PATCH /channels/:channel_id/messages/:id`. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

/** Gauges the manager exposes; collectors read them when they report. */
export interface ManagerGauges {
  /** Operations waiting to be sent (after coalescing: at most one per message, plus one follow-up). */
  readonly queueSize: number;
  /** Requests on the wire or waiting for their retry slot. */
  readonly inFlight: number;
  /** Invalid requests (401/403/429) still allowed in the current 10-minute window. */
  readonly invalidRequestBudgetRemaining: number;
  /** Longest wait currently imposed by a retry backoff or a 429, in milliseconds. */
  readonly currentBackoffMs: number;
  /** Requests per second the manager keeps to: the configured global limit, or a lower one learned from 429s. */
  readonly globalLimit: number;
}

/** The gauges a collector reports before the manager has bound its own (all zero). @internal */
export const NO_GAUGES: ManagerGauges = {
  queueSize: 0,
  inFlight: 0,
  invalidRequestBudgetRemaining: 0,
  currentBackoffMs: 0,
  globalLimit: 0,
};

/**
 * Receives what the manager measures. Implement it to feed your own monitoring; the package ships
 * {@link InMemoryMetricsCollector} (and a Prometheus collector in `discord-update-manager/prometheus`).
 * Every method is called synchronously on the manager's hot path: keep them cheap and never throw.
 */
export interface MetricsCollector {
  /** Called once with a function returning the current gauges, when the manager is constructed. */
  bindGauges(read: () => ManagerGauges): void;
  /** An operation ended. */
  recordOperation(metric: OperationMetric): void;
  /** An update was merged into another one (it will settle as `coalesced`). */
  recordCoalesced(count: number): void;
  /** An HTTP request was answered (or failed without an answer). */
  recordRequest(metric: RequestMetric): void;
  /** Discord answered 429. */
  recordRateLimit(scope: RateLimitScope): void;
  /** A request is retried after a 5xx, timeout or reset. */
  recordRetry(): void;
  /** The global limit in force changed (learned lower after a global 429, or raised again by probing). Optional. */
  recordGlobalLimitChange?(limit: number): void;
}
