/**
 * The bot an accepted token belongs to, as the gateway sees it.
 *
 * @example
 * ```ts
 * const identity: GatewayIdentity = {
 *   label: 'token#1',
 *   user: { id: '1180000000000000001', username: 'bot', bot: true },
 *   applicationId: '1180000000000000001',
 *   privilegedIntents: GatewayIntent.MESSAGE_CONTENT,
 * };
 * ```
 */
export interface GatewayIdentity {
  /**
   * The token's label (e.g. `token#1`): dispatches target a bot by it and inspection shows it. Never the token.
   */
  readonly label: string;
  /** The bot's user object, sent in READY. */
  readonly user: Readonly<Record<string, unknown>>;
  /** The application's id, READY's `application.id`; identify limits are kept per application. */
  readonly applicationId: string;
  /**
   * The privileged intents (see `PRIVILEGED_INTENTS`) enabled for the application in the developer portal;
   * requesting any other privileged intent closes the connection with 4014.
   */
  readonly privilegedIntents: number;
}

/**
 * What the gateway needs from the simulated world. Calls are synchronous and happen while a client payload is
 * handled, so they see the world as it is at that moment.
 *
 * @example
 * ```ts
 * const host: GatewayHost = {
 *   identify: (token) => (token === 'secret' ? identity : undefined),
 *   guildIds: () => ['1180000000000000000'],
 *   guildCreate: (_identity, guildId) => ({ id: guildId, name: 'Guild', channels: [], members: [] }),
 * };
 * ```
 */
export interface GatewayHost {
  /**
   * The bot a token belongs to.
   *
   * @param token - the token from IDENTIFY or RESUME (never store or log it)
   * @returns the identity, or `undefined` for an unknown token (the connection is closed with 4004)
   */
  identify(token: string): GatewayIdentity | undefined;
  /**
   * The guilds the bot is in; READY lists those of the session's shard as `{ id, unavailable: true }`.
   *
   * @param identity - the bot
   * @returns guild snowflakes
   */
  guildIds(identity: GatewayIdentity): readonly string[];
  /**
   * The GUILD_CREATE `d` of one guild as this session may see it: the host applies intents (members and presences
   * without GUILD_PRESENCES, ...) and the large threshold.
   *
   * @param identity - the bot
   * @param guildId - one of {@link GatewayHost.guildIds}
   * @param intents - the session's intents
   * @param largeThreshold - the session's `large_threshold` (50 to 250; 50 when IDENTIFY had none)
   * @returns the guild object, or `undefined` to send no GUILD_CREATE for it (it stays unavailable)
   */
  guildCreate(
    identity: GatewayIdentity,
    guildId: string,
    intents: number,
    largeThreshold: number,
  ): Record<string, unknown> | undefined;
}

/** The session a dispatch is about to be sent to, as {@link SimulatorGateway.dispatch}'s `payload` sees it. */
export interface GatewayRecipient {
  /** The session's bot. */
  readonly identity: GatewayIdentity;
  /** The intents the session identified with. */
  readonly intents: number;
  /** `[shard_id, num_shards]` of the session. */
  readonly shard: readonly [number, number];
}

/** One gateway session, for inspection ({@link SimulatorGateway.sessions}). */
export interface GatewaySessionInfo {
  /** The `session_id` READY handed out. */
  readonly id: string;
  /** The bot's label (never the token). */
  readonly botLabel: string;
  /** The bot's application id. */
  readonly applicationId: string;
  /** The intents the session identified with. */
  readonly intents: number;
  /** `[shard_id, num_shards]` (`[0, 1]` when IDENTIFY had no `shard`). */
  readonly shard: readonly [number, number];
  /** A socket is attached (the session is READY or RESUMED on it); else it is waiting to be resumed. */
  readonly connected: boolean;
  /** The sequence number of the last dispatch made for the session (sent or buffered). */
  readonly lastSequence: number;
  /** When IDENTIFY created the session, clock milliseconds. */
  readonly identifiedAt: number;
  /** When its socket went away, clock milliseconds, while disconnected; else `undefined`. */
  readonly disconnectedAt: number | undefined;
  /** How many times it was resumed. */
  readonly resumed: number;
}

/** What happened on a gateway connection, for inspection ({@link SimulatorGateway.log}). Holds no payload data. */
export interface GatewayLogEntry {
  /** Clock milliseconds. */
  readonly at: number;
  /** The connection's number, from 1, in order of opening. */
  readonly connection: number;
  /** `open`: the socket opened; `received` / `sent`: a payload; `closed`: the socket closed. */
  readonly type: 'open' | 'received' | 'sent' | 'closed';
  /** The bot's label once the connection is identified or resumed. */
  readonly botLabel: string | undefined;
  /** The payload's opcode (`undefined` for `open`, `closed` and undecodable payloads). */
  readonly op: number | undefined;
  /** A sent dispatch's event name. */
  readonly t: string | undefined;
  /** A sent dispatch's sequence number; for a received heartbeat its `d`, for a received RESUME its `seq`. */
  readonly s: number | undefined;
  /** The `d` of a sent op 9 Invalid Session: whether the session may be resumed. */
  readonly resumable: boolean | undefined;
  /** For `closed`: the close code (the server's own, or what the client sent). */
  readonly code: number | undefined;
  /** For `closed`: who closed it. */
  readonly by: 'server' | 'client' | undefined;
}
