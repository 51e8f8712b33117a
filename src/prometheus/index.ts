/**
 * Prometheus metrics (`discord-update-manager/prometheus`): {@link PrometheusMetricsCollector}, a `MetricsCollector`
 * that registers counters, histograms and gauges in a prom-client registry. Needs the optional peer `prom-client`
 * (`npm install prom-client@15`), loaded when a collector is constructed.
 *
 * @example
 * ```ts
 * import { PrometheusMetricsCollector } from 'discord-update-manager/prometheus';
 *
 * const metrics = new PrometheusMetricsCollector({ prefix: 'mybot_' });
 * const manager = new MessageUpdateManager({ rest, metrics });
 * // ... serve `await metrics.metrics()` with `metrics.contentType` on /metrics
 * ```
 * @module discord-update-manager/prometheus
 */
export {
  DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS,
  PrometheusMetricsCollector,
} from './prometheus-metrics-collector.js';
export type { PrometheusMetricsCollectorOptions } from './prometheus-metrics-collector.js';
export { ROUTE_FAMILIES, routeFamilyOf } from './route-family.js';
export type { RouteFamily } from './route-family.js';
export type {
  ManagerGauges,
  MetricsCollector,
  OperationMetric,
  OperationOutcome,
  RequestMetric,
} from '../metrics/metrics-collector.js';
