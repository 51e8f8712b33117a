/**
 * Testing tools (`discord-update-manager/testing`): a {@link DiscordSimulator} that behaves like Discord's REST API
 * offline, a {@link FakeClock} for deterministic timing, and snowflake helpers.
 *
 * @example
 * ```ts
 * import { DiscordSimulator, FakeClock } from 'discord-update-manager/testing';
 *
 * const clock = new FakeClock();
 * const sim = new DiscordSimulator({ clock });
 * const channel = sim.createChannel();
 * ```
 * @module discord-update-manager/testing
 */
export { FakeClock, flushPromises } from './fake-clock.js';
export { DiscordSimulator } from './discord-simulator.js';
export { DEFAULT_SIMULATOR_OPTIONS, type DiscordSimulatorOptions } from './simulator/simulator-options.js';
export { SimulatorConnectionResetError } from './simulator/simulator-connection-reset-error.js';
export {
  DEFAULT_SIMULATOR_LIMITS,
  SIMULATOR_LIMIT_NAMES,
  type InvalidRequestLimit,
  type RouteLimit,
  type SimulatorLimitName,
  type SimulatorLimits,
} from './simulator/simulator-limits.js';
export { SIMULATOR_ROUTE_KEYS, type SimulatorRouteKey } from './simulator/simulator-routes.js';
export { SeededRandom } from './simulator/seeded-random.js';
export type {
  BucketState,
  ChannelInit,
  FaultConfig,
  InjectedErrorStatus,
  InjectedFault,
  InteractionCredentials,
  InteractionInit,
  RateLimitScope,
  RequestRecord,
  SeedMessageOptions,
  SimulatedAuthor,
  SimulatedChannel,
  SimulatedMessage,
  SimulatorRequest,
  SimulatorResponse,
  SimulatorStats,
  WebhookCredentials,
  WriteFilter,
  WriteKind,
  WriteRecord,
} from './simulator/simulator-records.js';
export {
  DISCORD_EPOCH_MS,
  isSnowflake,
  MIN_SNOWFLAKE_TIMESTAMP_MS,
  snowflakeFromTimestamp,
  snowflakeToTimestamp,
  SnowflakeGenerator,
} from '../discord/snowflake.js';
export { SimulatorTransport, type SimulatorHandler } from './simulator-transport.js';
