/**
 * Wire constants of the Discord gateway: opcodes, close codes with their texts, the payload envelope and the shard
 * formula. Source: discord-api-docs `topics/opcodes-and-status-codes.mdx`, `events/gateway.mdx`,
 * `events/gateway-events.mdx`.
 *
 * @module
 */

/**
 * Gateway opcodes (OC Gateway Opcodes).
 *
 * @example
 * ```ts
 * GatewayOpcode.Heartbeat; // 1
 * ```
 */
export const GatewayOpcode = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

/** Opcodes a client may send. Any other opcode (including the server-only ones) closes the connection with 4001. */
export const CLIENT_OPCODES: ReadonlySet<number> = new Set([
  GatewayOpcode.Heartbeat,
  GatewayOpcode.Identify,
  GatewayOpcode.PresenceUpdate,
  GatewayOpcode.VoiceStateUpdate,
  GatewayOpcode.Resume,
  GatewayOpcode.RequestGuildMembers,
  GatewayOpcode.RequestSoundboardSounds,
]);

/**
 * Gateway close codes (OC Gateway Close Event Codes). 4006 is not used any more.
 *
 * @example
 * ```ts
 * GatewayCloseCode.AuthenticationFailed; // 4004
 * ```
 */
export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidAPIVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/** One of the values of {@link GatewayCloseCode}. */
export type GatewayCloseCodeValue = (typeof GatewayCloseCode)[keyof typeof GatewayCloseCode];

/**
 * The close reason sent with each close code: the "Description" column of the docs' table.
 *
 * @example
 * ```ts
 * GATEWAY_CLOSE_REASONS[4002]; // 'Decode error'
 * ```
 */
export const GATEWAY_CLOSE_REASONS: Readonly<Record<GatewayCloseCodeValue, string>> = {
  4000: 'Unknown error',
  4001: 'Unknown opcode',
  4002: 'Decode error',
  4003: 'Not authenticated',
  4004: 'Authentication failed',
  4005: 'Already authenticated',
  4007: 'Invalid seq',
  4008: 'Rate limited',
  4009: 'Session timed out',
  4010: 'Invalid shard',
  4011: 'Sharding required',
  4012: 'Invalid API version',
  4013: 'Invalid intent(s)',
  4014: 'Disallowed intent(s)',
};

/** The envelope of every gateway payload; `s` and `t` are `null` except on dispatches (op 0). */
export interface GatewayEnvelope {
  /** Opcode. */
  readonly op: number;
  /** Event data. */
  readonly d: unknown;
  /** Sequence number of a dispatch, else `null`. */
  readonly s: number | null;
  /** Event name of a dispatch, else `null`. */
  readonly t: string | null;
}

/** A client payload larger than this many bytes is closed with 4002 (GW Sending Events). */
export const MAX_CLIENT_PAYLOAD_BYTES = 4096;

/** API versions whose gateway the simulator serves (`?v=`); any other closes with 4012. */
export const SUPPORTED_GATEWAY_VERSIONS: readonly number[] = [9, 10];

/** Guilds one shard may hold before IDENTIFY is refused with 4011 Sharding required (GW Sharding). */
export const MAX_GUILDS_PER_SHARD = 2500;

/**
 * The shard that receives a guild's events: `(guild_id >> 22) % num_shards` (GW Sharding Formula).
 *
 * @param guildId - the guild's snowflake
 * @param shardCount - the number of shards, 1 or more
 * @returns the shard id, from 0 to `shardCount - 1`
 * @example
 * ```ts
 * shardForGuild('1180000000000000000', 2); // 1
 * ```
 */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
