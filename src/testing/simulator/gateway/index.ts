/**
 * The simulator's Discord gateway: {@link SimulatorGateway} and its protocol constants, intents and types.
 *
 * @module
 */
export { SimulatorGateway, type GatewayDisconnectOptions, type GatewayDispatchOptions } from './simulator-gateway.js';
export type {
  GatewayHost,
  GatewayIdentity,
  GatewayLogEntry,
  GatewayRecipient,
  GatewaySessionInfo,
} from './gateway-host.js';
export {
  DEFAULT_GATEWAY_OPTIONS,
  HEARTBEAT_TIMEOUT_FACTOR,
  type GatewaySendLimit,
  type SessionStartLimit,
  type SimulatorGatewayOptions,
} from './gateway-options.js';
export {
  CLIENT_OPCODES,
  GATEWAY_CLOSE_REASONS,
  GatewayCloseCode,
  GatewayOpcode,
  MAX_CLIENT_PAYLOAD_BYTES,
  MAX_GUILDS_PER_SHARD,
  SUPPORTED_GATEWAY_VERSIONS,
  shardForGuild,
  type GatewayCloseCodeValue,
  type GatewayEnvelope,
} from './gateway-protocol.js';
export { IDENTIFY_RATE_GRACE_MS, IDENTIFY_RATE_WINDOW_MS } from './identify-limiter.js';
export { MAX_BUFFERED_DISPATCHES } from './gateway-session.js';
export {
  ALL_INTENTS,
  GatewayIntent,
  PRIVILEGED_INTENTS,
  intentForEvent,
  stripMessageContent,
  type GatewayIntentName,
} from './intents.js';
