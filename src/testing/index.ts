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
export type { GatewaySettings } from './simulator/simulator-options.js';
export {
  SimulatedGuild,
  SimulatedGuildChannel,
  SimulatedRole,
  toPermissionBits,
  type GuildChannelInit,
  type GuildInit,
  type MemberInit,
  type OverwriteInit,
  type PermissionsInput,
  type RoleInit,
  type SimulatedGuildChannels,
  type SimulatedGuildMembers,
  type SimulatedGuildRoles,
} from './simulator/users/guild-handles.js';
export { InteractionReply } from './simulator/users/interaction-reply.js';
export {
  SimulatedUser,
  type ChannelRef,
  type MessageRef,
  type RunCommandOptions,
} from './simulator/users/simulated-user.js';
export { SimulatedUserError, type SimulatedUserErrorCode } from './simulator/users/simulated-user-error.js';
export {
  ALL_PERMISSIONS,
  Permissions,
  channelPermissions,
  formatPermissions,
  parsePermissions,
  type PermissionGuild,
  type PermissionMember,
  type PermissionName,
  type PermissionOverwrite,
} from './simulator/guild/permissions.js';
export type {
  InteractiveComponent,
  ModalValues,
  VisibleSelectOption,
} from './simulator/interactions/component-rules.js';
export {
  SimulatorGateway,
  GatewayIntent,
  GatewayCloseCode,
  stripMessageContent,
  DEFAULT_GATEWAY_OPTIONS,
  type GatewayDisconnectOptions,
  type GatewayDispatchOptions,
  type GatewayHost,
  type GatewayIdentity,
  type GatewayRecipient,
  type SimulatorGatewayOptions,
  type GatewaySessionInfo,
  type GatewayLogEntry,
  type SessionStartLimit,
  type GatewaySendLimit,
} from './simulator/gateway/index.js';
export { renderChannelText, renderMessageText, type TextRenderingOptions } from './simulator/text-rendering.js';
