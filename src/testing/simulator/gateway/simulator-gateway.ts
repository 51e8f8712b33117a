import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isSnowflake } from '../../../discord/snowflake.js';
import { InvalidArgumentError } from '../../../errors/message-update-error.js';
import type { Clock } from '../../../util/clock.js';
import { isRecord } from '../../../util/is-record.js';
import { GatewayConnection, messageBytes } from './gateway-connection.js';
import type {
  GatewayHost,
  GatewayIdentity,
  GatewayLogEntry,
  GatewayRecipient,
  GatewaySessionInfo,
} from './gateway-host.js';
import { resolveGatewayOptions, type ResolvedGatewayOptions, type SimulatorGatewayOptions } from './gateway-options.js';
import {
  CLIENT_OPCODES,
  GATEWAY_CLOSE_REASONS,
  GatewayCloseCode,
  GatewayOpcode,
  MAX_CLIENT_PAYLOAD_BYTES,
  MAX_GUILDS_PER_SHARD,
  SUPPORTED_GATEWAY_VERSIONS,
  shardForGuild,
  type GatewayCloseCodeValue,
} from './gateway-protocol.js';
import { GatewaySession } from './gateway-session.js';
import { IdentifyLimiter } from './identify-limiter.js';
import { ALL_INTENTS, GatewayIntent, PRIVILEGED_INTENTS } from './intents.js';

/**
 * Frames above this size are refused by `ws` itself (close 1009) before the gateway sees them; anything from
 * {@link MAX_CLIENT_PAYLOAD_BYTES} up to it is closed with 4002 as Discord does.
 */
const MAX_FRAME_BYTES = 1024 * 1024;

/** `large_threshold` bounds and default (GE Identify). */
const LARGE_THRESHOLD = { min: 50, max: 250, default: 50 } as const;

/** How long {@link SimulatorGateway.close} waits for clients to finish the closing handshake before dropping them. */
const CLOSE_GRACE_MS = 1000;

/** Default of {@link SimulatorGateway.waitForSession}'s `timeoutMs`. */
const DEFAULT_WAIT_MS = 30_000;

/** Options of {@link SimulatorGateway.dispatch}. */
export interface GatewayDispatchOptions {
  /** Only sessions of this bot (its {@link GatewayIdentity.label}); default every bot. */
  readonly botLabel?: string;
  /**
   * The guild the event happens in: only the shard owning it (`(guild_id >> 22) % num_shards`) receives it. Without
   * it only shard 0 does (DMs and other guild-less events).
   */
  readonly guildId?: string;
  /** Intent bit(s) a session must have identified with, every one of them (see `intentForEvent`). */
  readonly intent?: number;
  /**
   * Builds the `d` for one session, or returns `undefined` to skip it (how the host strips message content from
   * sessions without MESSAGE_CONTENT, or hides what the bot may not see). Called once per eligible session.
   */
  readonly payload: (recipient: GatewayRecipient) => Record<string, unknown> | undefined;
}

/** Options of {@link SimulatorGateway.disconnect}. */
export interface GatewayDisconnectOptions {
  /**
   * The close code: 1000, 1001 or 3000–4999. 1000 and 1001 end the sessions (clients re-identify); any other keeps
   * them resumable. @defaultValue `4000` (Unknown error: `@discordjs/ws` resumes)
   */
  readonly code?: number;
}

interface Waiter {
  readonly check: () => void;
  readonly fail: (error: Error) => void;
}

interface QueryCheck {
  readonly version: number;
  readonly refusal: GatewayCloseCodeValue | undefined;
}

/**
 * The simulator's Discord gateway: a WebSocket endpoint that an unmodified `@discordjs/ws` `WebSocketManager`
 * (JSON encoding, no transport compression) connects, identifies, heartbeats and resumes against, with Discord's
 * opcodes, close codes and limits (see GATEWAY_AND_INTERACTIONS.md §1–2).
 *
 * It has no HTTP server of its own: mount it with {@link SimulatorGateway.handleUpgrade} on an `upgrade` event, and
 * answer GET /gateway/bot with {@link SimulatorGateway.botGatewayInfo}. The world (tokens, guilds) comes from a
 * {@link GatewayHost}; events come in through {@link SimulatorGateway.dispatch}. Tokens are only passed to the host,
 * never stored, logged or put in a close reason.
 *
 * Choices where Discord documents nothing: a silent client is closed with 4009 after `heartbeatTimeoutMs`
 * (1.5 × the interval) and its session stays resumable; sessions stay resumable for `resumableForMs` (3 min);
 * READY has `s` 1 and RESUMED takes the next sequence number; `?encoding=` other than `json` and any `compress`
 * are closed with 4002 right after the upgrade, a missing or unsupported `?v=` with 4012.
 *
 * @example
 * ```ts
 * const gateway = new SimulatorGateway({ clock: systemClock, host, url: () => `ws://127.0.0.1:${port}/` });
 * server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
 * // ... a WebSocketManager connects ...
 * await gateway.waitForSession();
 * gateway.dispatch('MESSAGE_CREATE', { guildId, intent: GatewayIntent.GUILD_MESSAGES, payload: () => message });
 * await gateway.close();
 * ```
 */
export class SimulatorGateway {
  readonly #options: ResolvedGatewayOptions;
  readonly #clock: Clock;
  readonly #host: GatewayHost;
  readonly #server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  readonly #connections = new Set<GatewayConnection>();
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #limiter: IdentifyLimiter;
  readonly #log: GatewayLogEntry[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #hostErrors: unknown[] = [];
  #nextConnectionId = 1;
  #dropAcks = false;
  #closed = false;

  /**
   * @param options - clock, host, URL and limits
   * @throws {@link discord-update-manager!InvalidConfigError} naming the first invalid option
   */
  public constructor(options: SimulatorGatewayOptions) {
    this.#options = resolveGatewayOptions(options);
    this.#clock = this.#options.clock;
    this.#host = this.#options.host;
    this.#limiter = new IdentifyLimiter(this.#options.sessionStartLimit, this.#options.enforceIdentifyRate);
  }

  /**
   * Takes over an HTTP `upgrade` request. Upgrades on another path than {@link SimulatorGatewayOptions.url}'s get
   * 404, and 503 once the gateway is closed. The query is checked once the socket is open: `v` must be 9 or 10
   * (else close 4012); `encoding` must be `json` or absent and `compress` absent (else close 4002, Decode error:
   * the simulator speaks neither ETF nor zlib/zstd transport compression). Otherwise HELLO is sent at once.
   *
   * @param request - the upgrade request
   * @param socket - its socket
   * @param head - the first packet of the upgraded stream
   */
  public handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const target = new URL(request.url ?? '/', 'http://gateway.invalid');
    let path: string;
    try {
      path = new URL(this.#options.url()).pathname;
    } catch {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    if (target.pathname !== path) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const query = checkQuery(target.searchParams);
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#onOpen(ws, query));
  }

  /**
   * GET /gateway/bot's body for a bot.
   *
   * @param identity - the bot calling
   * @returns `{ url, shards, session_start_limit: { total, remaining, reset_after, max_concurrency } }`
   */
  public botGatewayInfo(identity: GatewayIdentity): Record<string, unknown> {
    return {
      url: this.#options.url(),
      shards: this.#options.shards,
      session_start_limit: this.#limiter.snapshot(identity.applicationId, this.#clock.now()),
    };
  }

  /**
   * Sends a dispatch (op 0) to every session it concerns: of the given bot (or every bot), whose intents include
   * `intent`, whose shard owns `guildId` (shard 0 when there is none), and for which `payload` returns a `d`.
   * Each such session takes the next sequence number; sessions waiting to be resumed keep the dispatch and get it
   * on RESUME. Sessions a client abandoned without closing cleanly count until their resume window ends.
   *
   * @param event - the event name (`t`), e.g. `MESSAGE_CREATE`
   * @param options - targeting and the payload builder
   * @returns how many sessions got it (sent or kept for replay)
   * @throws {@link discord-update-manager!InvalidArgumentError} for a malformed event name, guild id, intent or bot label
   */
  public dispatch(event: string, options: GatewayDispatchOptions): number {
    if (typeof event !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(event)) {
      throw new InvalidArgumentError('event', event, 'a dispatch name in capitals, such as `MESSAGE_CREATE`');
    }
    if (!isRecord(options) || typeof options.payload !== 'function') {
      throw new InvalidArgumentError('options.payload', isRecord(options) ? options.payload : options, 'a function');
    }
    const { botLabel, guildId, intent } = options;
    if (botLabel !== undefined && typeof botLabel !== 'string') {
      throw new InvalidArgumentError('options.botLabel', botLabel, 'a bot label such as `token#1`');
    }
    if (guildId !== undefined && !isSnowflake(guildId)) {
      throw new InvalidArgumentError('options.guildId', guildId, 'a snowflake');
    }
    if (intent !== undefined && !(Number.isInteger(intent) && intent > 0 && (intent & ~ALL_INTENTS) === 0)) {
      throw new InvalidArgumentError('options.intent', intent, 'one or more intent bits (see GatewayIntent)');
    }
    let reached = 0;
    for (const session of this.#liveSessions()) {
      if (botLabel !== undefined && session.identity.label !== botLabel) continue;
      if (intent !== undefined && (session.intents & intent) !== intent) continue;
      const [shardId, shardCount] = session.shard;
      if ((guildId === undefined ? 0 : shardForGuild(guildId, shardCount)) !== shardId) continue;
      const d = options.payload({ identity: session.identity, intents: session.intents, shard: session.shard });
      if (d === undefined) continue;
      this.#dispatchTo(session, event, d, true);
      reached += 1;
    }
    if (reached > 0) this.#notify();
    return reached;
  }

  /**
   * Closes every socket (identified or not), as when Discord drops connections.
   *
   * @param options - the close code (default 4000: sessions stay resumable and `@discordjs/ws` resumes)
   * @throws {@link discord-update-manager!InvalidArgumentError} for a code a WebSocket close frame cannot carry
   */
  public disconnect(options: GatewayDisconnectOptions = {}): void {
    const code = options.code ?? GatewayCloseCode.UnknownError;
    if (!Number.isInteger(code) || !(code === 1000 || code === 1001 || (code >= 3000 && code <= 4999))) {
      throw new InvalidArgumentError('code', code, 'a close code: 1000, 1001 or an integer from 3000 to 4999');
    }
    const reason =
      (GATEWAY_CLOSE_REASONS as Readonly<Record<number, string>>)[code] ??
      (code === 1000 ? 'Normal closure' : code === 1001 ? 'Going away' : 'Disconnected by the simulator');
    for (const connection of [...this.#connections]) {
      this.#close(connection, code, reason, code === 1000 || code === 1001);
    }
  }

  /**
   * The gateway "restarts": every socket is closed with 4000 and every session forgotten, so a client's RESUME is
   * answered with op 9 (`d: false`) and it must IDENTIFY again (which `@discordjs/ws` throttles to one per 5 s).
   * Identify limits (`session_start_limit`, the 5 s spacing) are kept.
   */
  public restart(): void {
    for (const connection of [...this.#connections]) {
      this.#close(connection, GatewayCloseCode.UnknownError, GATEWAY_CLOSE_REASONS[4000], true);
    }
    for (const session of [...this.#sessions.values()]) this.#endSession(session);
    this.#notify();
  }

  /**
   * Sends op 7 Reconnect to every open socket; `@discordjs/ws` then closes and resumes. The server does not close
   * the socket itself afterwards.
   */
  public requestReconnect(): void {
    for (const connection of this.#connections) this.#sendOp(connection, GatewayOpcode.Reconnect, null);
  }

  /** Sends op 1 Heartbeat to every open socket: "beat now", which clients answer with a heartbeat at once. */
  public requestHeartbeat(): void {
    for (const connection of this.#connections) this.#sendOp(connection, GatewayOpcode.Heartbeat, null);
  }

  /**
   * Fault: stop (or resume) answering heartbeats with op 11. Heartbeats still keep the connection from timing out;
   * `@discordjs/ws` notices the missing ACK at its next beat, closes the "zombie" socket and RESUMEs.
   *
   * @param drop - `true` to drop ACKs, `false` to send them again
   */
  public dropHeartbeatAcks(drop: boolean): void {
    this.#dropAcks = drop;
  }

  /**
   * The sessions that exist (connected, or waiting to be resumed), oldest first.
   *
   * @returns snapshots
   */
  public sessions(): GatewaySessionInfo[] {
    return this.#liveSessions().map((session) => session.info());
  }

  /**
   * What happened on the gateway's connections, oldest first (at most `logLimit` entries). It holds opcodes,
   * event names, sequence numbers and close codes, never payload data or tokens.
   *
   * @returns the entries
   */
  public log(): GatewayLogEntry[] {
    return [...this.#log];
  }

  /** Number of open sockets (identified or not). */
  public get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Errors thrown by the host (or by encoding its payloads) while a client payload was handled; each closed that
   * connection with 4000. An empty list means the host never failed.
   *
   * @returns the errors, oldest first
   */
  public hostErrors(): unknown[] {
    return [...this.#hostErrors];
  }

  /**
   * Resolves once a connected session (READY or RESUMED on a socket) matches `predicate`, checking now and after
   * every change.
   *
   * @param predicate - which session to wait for (default: any)
   * @param timeoutMs - how long to wait, on the gateway's clock (a `FakeClock` must be advanced)
   * @returns the session's snapshot
   * @throws Error when the time runs out or the gateway closes first
   */
  public waitForSession(
    predicate: (session: GatewaySessionInfo) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<GatewaySessionInfo> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('SimulatorGateway is closed; no session will come.'));
        return;
      }
      const finish = (): void => {
        this.#clock.clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          let match: GatewaySessionInfo | undefined;
          try {
            match = this.sessions().find((session) => session.connected && predicate(session));
          } catch (error) {
            finish();
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (match) {
            finish();
            resolve(match);
          }
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const timer = this.#clock.setTimeout(
        () => waiter.fail(new Error(`No gateway session matched within ${timeoutMs} ms.`)),
        timeoutMs,
      );
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  /**
   * Closes every socket (1001 Going away), forgets every session, clears every timer and refuses further upgrades.
   * Clients get up to a second to finish the closing handshake before their sockets are dropped.
   *
   * @returns once every socket is closed
   */
  public async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.fail(new Error('SimulatorGateway closed.'));
    const connections = [...this.#connections];
    for (const connection of connections) this.#close(connection, 1001, 'Going away', true);
    for (const session of [...this.#sessions.values()]) this.#endSession(session);
    let grace: ReturnType<typeof setTimeout> | undefined;
    // Real time on purpose: this bounds a real socket handshake, and a FakeClock nobody advances would hang here.
    const timedOut = new Promise<void>((resolve) => {
      grace = setTimeout(resolve, CLOSE_GRACE_MS);
      grace.unref();
    });
    await Promise.race([Promise.all(connections.map((connection) => connection.closed)), timedOut]);
    clearTimeout(grace);
    for (const connection of this.#connections) connection.terminate();
    await Promise.all(connections.map((connection) => connection.closed));
    this.#server.close();
  }

  #onOpen(ws: WebSocket, query: QueryCheck): void {
    const connection = new GatewayConnection(this.#nextConnectionId++, ws, query.version, this.#clock);
    this.#connections.add(connection);
    this.#record(connection, 'open', {});
    ws.on('message', (data: RawData) => this.#guard(connection, () => this.#onMessage(connection, data)));
    ws.on('close', (code: number) => this.#onSocketClose(connection, code));
    ws.on('error', () => {
      // A protocol error on the socket; `ws` closes it and the 'close' event follows.
    });
    if (this.#closed) {
      this.#close(connection, 1001, 'Going away', true);
      return;
    }
    if (query.refusal !== undefined) {
      this.#closeWith(connection, query.refusal);
      return;
    }
    this.#sendOp(connection, GatewayOpcode.Hello, { heartbeat_interval: this.#options.heartbeatIntervalMs });
    this.#armWatchdog(connection);
  }

  #onMessage(connection: GatewayConnection, data: RawData): void {
    if (!connection.open) return;
    if (!connection.admitPayload(this.#options.sendLimit)) {
      this.#closeWith(connection, GatewayCloseCode.RateLimited);
      return;
    }
    const bytes = messageBytes(data);
    if (bytes.length > MAX_CLIENT_PAYLOAD_BYTES) {
      this.#closeWith(connection, GatewayCloseCode.DecodeError);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.#closeWith(connection, GatewayCloseCode.DecodeError);
      return;
    }
    if (!isRecord(payload) || typeof payload['op'] !== 'number' || !Number.isInteger(payload['op'])) {
      this.#closeWith(connection, GatewayCloseCode.DecodeError);
      return;
    }
    const op = payload['op'];
    const d = payload['d'];
    const s = op === GatewayOpcode.Heartbeat ? d : op === GatewayOpcode.Resume && isRecord(d) ? d['seq'] : undefined;
    this.#record(connection, 'received', { op, s: typeof s === 'number' ? s : undefined });
    if (!CLIENT_OPCODES.has(op)) {
      this.#closeWith(connection, GatewayCloseCode.UnknownOpcode);
      return;
    }
    switch (op) {
      case GatewayOpcode.Heartbeat:
        this.#armWatchdog(connection);
        connection.session?.acknowledge(d);
        if (!this.#dropAcks) this.#sendOp(connection, GatewayOpcode.HeartbeatAck, null);
        return;
      case GatewayOpcode.Identify:
        this.#identify(connection, d);
        return;
      case GatewayOpcode.Resume:
        this.#resume(connection, d);
        return;
      default:
        // Presence/voice updates, member and soundboard requests: accepted and ignored once authenticated.
        if (!connection.session) this.#closeWith(connection, GatewayCloseCode.NotAuthenticated);
    }
  }

  #identify(connection: GatewayConnection, d: unknown): void {
    const identity = this.#authenticate(connection, d, (payload) => isRecord(payload['properties']));
    if (!identity || !isRecord(d)) return;
    const shardRequested = d['shard'] !== undefined && d['shard'] !== null;
    const shard = shardRequested ? parseShard(d['shard']) : ([0, 1] as const);
    if (!shard) {
      this.#closeWith(connection, GatewayCloseCode.InvalidShard);
      return;
    }
    const guildIds = this.#host.guildIds(identity);
    if (guildIds.length > shard[1] * MAX_GUILDS_PER_SHARD) {
      this.#closeWith(connection, GatewayCloseCode.ShardingRequired);
      return;
    }
    const intents = d['intents'];
    if (
      typeof intents !== 'number' ||
      !Number.isSafeInteger(intents) ||
      intents < 0 ||
      (BigInt(intents) & ~BigInt(ALL_INTENTS)) !== 0n
    ) {
      this.#closeWith(connection, GatewayCloseCode.InvalidIntents);
      return;
    }
    if ((intents & PRIVILEGED_INTENTS & ~identity.privilegedIntents) !== 0) {
      this.#closeWith(connection, GatewayCloseCode.DisallowedIntents);
      return;
    }
    const threshold = d['large_threshold'] ?? LARGE_THRESHOLD.default;
    if (
      typeof threshold !== 'number' ||
      !Number.isInteger(threshold) ||
      threshold < LARGE_THRESHOLD.min ||
      threshold > LARGE_THRESHOLD.max
    ) {
      this.#closeWith(connection, GatewayCloseCode.DecodeError);
      return;
    }
    const now = this.#clock.now();
    if (this.#limiter.refusal(identity.applicationId, shard[0], now) !== undefined) {
      this.#sendOp(connection, GatewayOpcode.InvalidSession, false);
      return;
    }
    this.#limiter.record(identity.applicationId, shard[0], now);
    const session = new GatewaySession({
      id: randomBytes(16).toString('hex'),
      identity,
      intents,
      shard,
      shardRequested,
      largeThreshold: threshold,
      identifiedAt: now,
    });
    this.#sessions.set(session.id, session);
    this.#attach(connection, session);
    const own = guildIds.filter((guildId) => shardForGuild(guildId, shard[1]) === shard[0]);
    this.#dispatchTo(
      session,
      'READY',
      {
        v: connection.version,
        user: identity.user,
        guilds: own.map((id) => ({ id, unavailable: true })),
        session_id: session.id,
        resume_gateway_url: this.#options.url(),
        ...(shardRequested ? { shard: [shard[0], shard[1]] } : {}),
        application: { id: identity.applicationId, flags: 0 },
      },
      false,
    );
    // GUILD_CREATE is a GUILDS event: without the intent the guilds stay unavailable (GW List of Intents).
    if ((intents & GatewayIntent.GUILDS) !== 0) {
      for (const guildId of own) {
        const guild = this.#host.guildCreate(identity, guildId, intents, threshold);
        if (guild !== undefined) this.#dispatchTo(session, 'GUILD_CREATE', guild, true);
      }
    }
    this.#notify();
  }

  #resume(connection: GatewayConnection, d: unknown): void {
    const identity = this.#authenticate(connection, d, (payload) => typeof payload['session_id'] === 'string');
    if (!identity || !isRecord(d) || typeof d['session_id'] !== 'string') return;
    const session = this.#liveSession(d['session_id']);
    if (!session || session.identity.label !== identity.label) {
      this.#sendOp(connection, GatewayOpcode.InvalidSession, false);
      return;
    }
    const seq = d['seq'];
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || seq > session.sequence) {
      this.#closeWith(connection, GatewayCloseCode.InvalidSeq);
      return;
    }
    const replay = session.replayAfter(seq);
    if (!replay) {
      this.#endSession(session);
      this.#sendOp(connection, GatewayOpcode.InvalidSession, false);
      return;
    }
    const previous = session.connection;
    if (previous) this.#closeWith(previous, GatewayCloseCode.UnknownError);
    this.#attach(connection, session);
    for (const dispatch of replay) {
      if (connection.send(dispatch.json)) this.#record(connection, 'sent', { op: 0, t: dispatch.t, s: dispatch.s });
    }
    session.resumed += 1;
    this.#dispatchTo(session, 'RESUMED', {}, false);
    this.#notify();
  }

  /**
   * The checks IDENTIFY and RESUME share: not already authenticated (4005), a well-formed payload (4002), a known token
   * (4004). Closes the connection and answers `undefined` when one fails.
   */
  #authenticate(
    connection: GatewayConnection,
    d: unknown,
    wellFormed: (payload: Record<string, unknown>) => boolean,
  ): GatewayIdentity | undefined {
    if (connection.session) {
      this.#closeWith(connection, GatewayCloseCode.AlreadyAuthenticated);
      return undefined;
    }
    if (!isRecord(d) || typeof d['token'] !== 'string' || !wellFormed(d)) {
      this.#closeWith(connection, GatewayCloseCode.DecodeError);
      return undefined;
    }
    const identity = this.#host.identify(d['token']);
    if (!identity) this.#closeWith(connection, GatewayCloseCode.AuthenticationFailed);
    return identity;
  }

  #onSocketClose(connection: GatewayConnection, code: number): void {
    this.#connections.delete(connection);
    connection.markClosed();
    if (connection.serverCloseCode !== undefined) return;
    this.#record(connection, 'closed', { code, by: 'client' });
    // A clean close (1000/1001) from the client ends the session; anything else leaves it resumable (GW Resuming).
    this.#detach(connection, code === 1000 || code === 1001);
    this.#notify();
  }

  #closeWith(connection: GatewayConnection, code: GatewayCloseCodeValue): void {
    this.#close(connection, code, GATEWAY_CLOSE_REASONS[code], false);
  }

  #close(connection: GatewayConnection, code: number, reason: string, endSession: boolean): void {
    if (connection.serverCloseCode !== undefined) return;
    this.#record(connection, 'closed', { code, by: 'server' });
    connection.close(code, reason);
    this.#detach(connection, endSession);
    this.#notify();
  }

  #attach(connection: GatewayConnection, session: GatewaySession): void {
    connection.session = session;
    session.connection = connection;
    session.disconnectedAt = undefined;
    if (session.expiryTimer !== undefined) this.#clock.clearTimeout(session.expiryTimer);
    session.expiryTimer = undefined;
  }

  /** Takes the session off a connection: it ends, or waits `resumableForMs` to be resumed. */
  #detach(connection: GatewayConnection, endSession: boolean): void {
    const session = connection.session;
    connection.session = undefined;
    if (!session || session.connection !== connection) return;
    session.connection = undefined;
    if (endSession) {
      this.#endSession(session);
      return;
    }
    session.disconnectedAt = this.#clock.now();
    session.expiryTimer = this.#clock.setTimeout(() => {
      session.expiryTimer = undefined;
      if (session.connection === undefined) this.#endSession(session);
    }, this.#options.resumableForMs);
  }

  #endSession(session: GatewaySession): void {
    if (session.expiryTimer !== undefined) this.#clock.clearTimeout(session.expiryTimer);
    session.expiryTimer = undefined;
    this.#sessions.delete(session.id);
  }

  #liveSession(id: string): GatewaySession | undefined {
    const session = this.#sessions.get(id);
    if (session?.expired(this.#clock.now(), this.#options.resumableForMs)) {
      this.#endSession(session);
      return undefined;
    }
    return session;
  }

  #liveSessions(): GatewaySession[] {
    return [...this.#sessions.keys()].flatMap((id) => this.#liveSession(id) ?? []);
  }

  #dispatchTo(session: GatewaySession, t: string, d: Record<string, unknown>, replayable: boolean): void {
    const dispatch = session.nextDispatch(t, replayable, (s) =>
      JSON.stringify({ op: GatewayOpcode.Dispatch, d, s, t }),
    );
    const connection = session.connection;
    if (connection?.send(dispatch.json)) this.#record(connection, 'sent', { op: 0, t, s: dispatch.s });
  }

  #sendOp(connection: GatewayConnection, op: number, d: unknown): void {
    if (!connection.send(JSON.stringify({ op, d, s: null, t: null }))) return;
    this.#record(connection, 'sent', { op, ...(op === GatewayOpcode.InvalidSession ? { resumable: d === true } : {}) });
  }

  #armWatchdog(connection: GatewayConnection): void {
    connection.armWatchdog(this.#options.heartbeatTimeoutMs, () =>
      this.#closeWith(connection, GatewayCloseCode.SessionTimedOut),
    );
  }

  /** Runs a socket event handler; a host failure closes that connection with 4000 instead of crashing the process. */
  #guard(connection: GatewayConnection, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#hostErrors.push(error);
      this.#close(connection, GatewayCloseCode.UnknownError, GATEWAY_CLOSE_REASONS[4000], false);
    }
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  #record(
    connection: GatewayConnection,
    type: GatewayLogEntry['type'],
    fields: Partial<Pick<GatewayLogEntry, 'op' | 't' | 's' | 'resumable' | 'code' | 'by'>>,
  ): void {
    this.#log.push({
      at: this.#clock.now(),
      connection: connection.id,
      type,
      botLabel: connection.session?.identity.label,
      op: fields.op,
      t: fields.t,
      s: fields.s,
      resumable: fields.resumable,
      code: fields.code,
      by: fields.by,
    });
    if (this.#log.length > this.#options.logLimit) this.#log.splice(0, this.#log.length - this.#options.logLimit);
  }
}

/** `[shard_id, num_shards]` from IDENTIFY, or `undefined` when it is not a valid pair (close 4010). */
function parseShard(value: unknown): readonly [number, number] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [id, count] = value as unknown[];
  if (typeof id !== 'number' || typeof count !== 'number') return undefined;
  if (!Number.isInteger(id) || !Number.isInteger(count) || count < 1 || id < 0 || id >= count) return undefined;
  return [id, count];
}

/** The version a connection asked for, and the close code its query earns, if any. */
function checkQuery(params: URLSearchParams): QueryCheck {
  const v = params.get('v');
  const version = v !== null && /^\d{1,3}$/.test(v) ? Number(v) : 0;
  if (!SUPPORTED_GATEWAY_VERSIONS.includes(version)) {
    return { version, refusal: GatewayCloseCode.InvalidAPIVersion };
  }
  const encoding = params.get('encoding');
  if ((encoding !== null && encoding !== 'json') || params.has('compress')) {
    return { version, refusal: GatewayCloseCode.DecodeError };
  }
  return { version, refusal: undefined };
}

/** Answers an upgrade request with a plain HTTP error and drops the socket. */
function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
