/**
 * discord-update-manager: keep Discord messages up to date under Discord's rate limits.
 *
 * @module discord-update-manager
 */
export { MessageUpdateManager } from './manager/message-update-manager.js';
export type { MessageUpdateManagerOptions, StopOptions, ManagerStats } from './manager/message-update-manager.js';
export { DEFAULT_MANAGER_OPTIONS } from './manager/manager-options.js';
export { UpdateHandle } from './manager/update-handle.js';
export { UpdatePriority, ManagerEvents } from './manager/types.js';
export type {
  UpdateOutcome,
  UpdateResult,
  UpdateOptions,
  CreateOptions,
  SyncOptions,
  MessageEditBody,
  MessageCreateBody,
  ManagerEventMap,
  UpdateQueuedEvent,
  UpdateSettledEvent,
  UpdateFailedEvent,
  UpdateRetriedEvent,
  RateLimitedEvent,
  GlobalLimitChangedEvent,
  InvalidRequestWarningEvent,
  MessageRecreatedEvent,
} from './manager/types.js';
export { contentHash } from './util/content-hash.js';
export { findPayloadViolation, assertValidPayload, PAYLOAD_LIMITS } from './discord/payload-limits.js';
export type { PayloadKind, PayloadViolation } from './discord/payload-limits.js';
export {
  DEFAULT_RATE_LIMIT_CONFIG,
  RATE_LIMIT_ENV_VARS,
  rateLimitConfigFromEnv,
  resolveRateLimitConfig,
} from './rate-limit/rate-limit-config.js';
export type { RateLimitConfig } from './rate-limit/rate-limit-config.js';
export type { RateLimitScope, BucketSnapshot } from './rate-limit/rate-limit-tracker.js';
export { INVALID_BUDGET_SHARES } from './rate-limit/rate-limit-tracker.js';
export { routeOf } from './discord/route.js';
export { isSnowflake } from './discord/snowflake.js';
export type { HttpMethod, RouteInfo } from './discord/route.js';
export { systemClock } from './util/clock.js';
export type { Clock, ClockTimer } from './util/clock.js';
export { RestTransport } from './transport/rest-transport.js';
export type { RestLike, RestRequestLike, RestResponseLike, RestResponseRequest } from './transport/rest-transport.js';
export type { Transport, TransportRequest, TransportResponse } from './transport/transport.js';
export { InMemoryMetricsCollector } from './metrics/in-memory-metrics-collector.js';
export { CombinedMetricsCollector } from './metrics/combined-metrics-collector.js';
export type { ManagerMetrics, InMemoryMetricsCollectorOptions } from './metrics/in-memory-metrics-collector.js';
export type {
  MetricsCollector,
  ManagerGauges,
  OperationMetric,
  OperationOutcome,
  RequestMetric,
} from './metrics/metrics-collector.js';
export {
  ErrorCodes,
  MessageUpdateError,
  InvalidConfigError,
  InvalidArgumentError,
  InvalidPayloadError,
  ManagerClosedError,
  RepositoryClosedError,
  MissingPeerDependencyError,
  SchemaVersionError,
  MessageDeletedError,
  DiscordAPIError,
  UnauthorizedError,
  RetriesExhaustedError,
  TransportError,
  RepositoryError,
  DeadLetterError,
  maskTokens,
  redactPath,
} from './errors/message-update-error.js';
export type { ErrorCode } from './errors/message-update-error.js';
export { MemoryUpdateRepository } from './repositories/memory/memory-update-repository.js';
export type { MemoryUpdateRepositoryOptions } from './repositories/memory/memory-update-repository.js';
export type {
  UpdateRepository,
  OutboxUpsert,
  OutboxRow,
  ClaimedRow,
  ClaimOptions,
  AckInput,
  AckResult,
  ReleaseInput,
  DesiredState,
  ManagedMessage,
  PerformanceSnapshot,
} from './repositories/update-repository.js';
export type {
  RateLimitStore,
  RateLimitStoreLimits,
  RateLimitSlotRequest,
  RateLimitReservation,
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitBlockReason,
} from './rate-limit/rate-limit-store.js';
export { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.js';
export type { MemoryRateLimitStoreOptions } from './rate-limit/memory-rate-limit-store.js';
