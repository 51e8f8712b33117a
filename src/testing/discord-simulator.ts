import type { Clock } from '../util/clock.js';
import { AttachmentCdn } from './simulator/attachment-cdn.js';
import { handleControlRequest, isControlPath } from './simulator/control-api.js';
import { DelayedAnswers } from './simulator/delayed-answers.js';
import { FaultInjector } from './simulator/fault-injector.js';
import { readRequestLine } from './simulator/pipeline/request-context.js';
import { RequestPipeline } from './simulator/pipeline/request-pipeline.js';
import { RequestLog } from './simulator/request-log.js';
import { SimulatorAuth } from './simulator/simulator-auth.js';
import { SimulatorConnectionResetError } from './simulator/simulator-connection-reset-error.js';
import { SimulatorHttpServer } from './simulator/simulator-http-server.js';
import { SimulatorIds } from './simulator/simulator-ids.js';
import {
  resolveLimitChanges,
  validateBucketHash,
  validateRouteLimit,
  validateThrottleDuration,
  type RouteLimit,
  type SimulatorLimits,
} from './simulator/simulator-limits.js';
import { resolveSimulatorOptions, type DiscordSimulatorOptions } from './simulator/simulator-options.js';
import { SimulatorRateLimiter } from './simulator/simulator-rate-limiter.js';
import type {
  BucketState,
  ChannelInit,
  FaultConfig,
  InteractionCredentials,
  InteractionInit,
  RequestRecord,
  SeedMessageOptions,
  SimulatedChannel,
  SimulatedMessage,
  SimulatorRequest,
  SimulatorResponse,
  SimulatorStats,
  WebhookCredentials,
  WriteFilter,
  WriteRecord,
} from './simulator/simulator-records.js';
import { assertSimulatorRoute, SIMULATOR_ROUTE_KEYS, type SimulatorRouteKey } from './simulator/simulator-routes.js';
import { SimulatorWorld } from './simulator/simulator-world.js';
import { GatewayBridge } from './simulator/gateway-bridge.js';
import { SimulatorGateway } from './simulator/gateway/simulator-gateway.js';
import {
  SimulatedGuild,
  toPermissionBits,
  type GuildChannelInit,
  type GuildInit,
} from './simulator/users/guild-handles.js';
import { SimulatedUser, type UserDriverDeps } from './simulator/users/simulated-user.js';
import type { WorldEvent } from './simulator/world-events.js';
import { InvalidArgumentError } from '../errors/message-update-error.js';

/**
 * A loopback server that behaves like Discord's REST API v10 for message, channel, reaction, webhook and
 * interaction routes — rate limits included — so bots can be tested offline. A plain `@discordjs/rest` `REST`
 * pointed at {@link DiscordSimulator.url} behaves against it as against Discord.
 *
 * What it reproduces (see `SIMULATOR.md`): per-route buckets with Discord's headers and opaque hashes, the global
 * limit, hidden sub-limits, shared-resource 429s, the invalid-request ban, `enforce_nonce`, payload validation with
 * Discord's error bodies, and injectable faults (latency, 5xx, commit-then-timeout, connection resets). Everything
 * that changes a message is recorded for assertions.
 *
 * @example
 * ```ts
 * import { REST } from '@discordjs/rest';
 * import { DiscordSimulator } from 'discord-update-manager/testing';
 *
 * const sim = await new DiscordSimulator({ timeScale: 0.1 }).start();
 * const channel = sim.createChannel({ name: 'status' });
 * const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
 * const message = (await rest.post(`/channels/${channel.id}/messages`, { body: { content: 'hi' } })) as { id: string };
 * await rest.patch(`/channels/${channel.id}/messages/${message.id}`, { body: { content: 'hello' } });
 * sim.getMessage(channel.id, message.id)?.version; // 1
 * await sim.close();
 * ```
 */
export class DiscordSimulator {
  readonly #clock: Clock;
  readonly #log: RequestLog;
  readonly #faults: FaultInjector;
  readonly #limiter: SimulatorRateLimiter;
  readonly #auth: SimulatorAuth;
  readonly #world: SimulatorWorld;
  readonly #pipeline: RequestPipeline;
  readonly #http: SimulatorHttpServer;
  /** The answers being delayed, failed when the simulator is closed. */
  readonly #delayed: DelayedAnswers;
  readonly #bridge: GatewayBridge;
  readonly #gateway: SimulatorGateway;
  readonly #users: UserDriverDeps;
  readonly #listeners = new Set<(event: WorldEvent) => void>();
  readonly #tokens: readonly string[];
  readonly #cdn: AttachmentCdn;

  /**
   * @param options - see {@link DiscordSimulatorOptions}
   * @throws {@link discord-update-manager!InvalidConfigError} naming the option, the value and what is allowed
   */
  public constructor(options: DiscordSimulatorOptions = {}) {
    const resolved = resolveSimulatorOptions(options);
    this.#clock = resolved.clock;
    this.#delayed = new DelayedAnswers(this.#clock);
    this.#log = new RequestLog(resolved.requestLogLimit);
    this.#faults = new FaultInjector(resolved.seed);
    this.#limiter = new SimulatorRateLimiter(resolved.limits, resolved.sharedHashSeparateCounters);
    const ids = new SimulatorIds(this.#clock);
    this.#auth = new SimulatorAuth(() => ids.next());
    // The world takes the guild and application ids before the tokens take their bot users' ids.
    const privilegedIntents = (): number => resolved.privilegedIntents;
    this.#world = new SimulatorWorld({
      clock: this.#clock,
      ids,
      tokens: this.#auth,
      nonceWindowMs: resolved.nonceWindowMs,
      oldMessageAgeMs: resolved.oldMessageAgeMs,
      onDuplicateCreate: () => this.#log.countDuplicateCreate(),
      onEvent: (event) => this.#onWorldEvent(event),
      gateway: {
        gatewayUrl: () => this.#http.gatewayUrl,
        gatewayBot: (label) => this.#gateway.botGatewayInfo(this.#bridge.identityOf(label)!),
        privilegedIntents,
      },
      attachmentOrigin: () => this.#http.origin,
    });
    this.#cdn = new AttachmentCdn(this.#world.store);
    this.#bridge = new GatewayBridge(this.#world, this.#auth, privilegedIntents, ids.epochShift);
    this.#gateway = new SimulatorGateway({
      ...resolved.gateway,
      clock: this.#clock,
      host: this.#bridge,
      url: () => this.#http.gatewayUrl,
    });
    this.#bridge.attach((event, options) => this.#gateway.dispatch(event, options));
    this.#tokens = [...resolved.tokens];
    for (const token of resolved.tokens) this.#world.addBot(this.#auth.addToken(token));
    this.#users = {
      world: this.#world,
      clock: this.#clock,
      epochShift: ids.epochShift,
      deliverInteraction: (interaction, payload) => {
        const bot = this.#world.guilds.user(interaction.applicationId);
        if (!bot?.tokenLabel) return 0;
        const guildId = payload['guild_id'];
        return this.#gateway.dispatch('INTERACTION_CREATE', {
          botLabel: bot.tokenLabel,
          ...(typeof guildId === 'string' ? { guildId } : {}),
          payload: () => structuredClone(payload),
        });
      },
      subscribe: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      emit: (event) => this.#onWorldEvent(event),
    };
    this.#pipeline = new RequestPipeline({
      clock: this.#clock,
      auth: this.#auth,
      limiter: this.#limiter,
      faults: this.#faults,
      world: this.#world,
      log: this.#log,
      epochShift: ids.epochShift,
    });
    this.#http = new SimulatorHttpServer(
      resolved.host,
      resolved.port,
      (request) => this.handle(request),
      (request, socket, head) => this.#gateway.handleUpgrade(request, socket, head),
      (method, path) => this.#cdn.serve(method, path),
    );
  }

  /**
   * Creates a simulator and starts its server: `const sim = await DiscordSimulator.start()`.
   *
   * @param options - see {@link DiscordSimulatorOptions}
   * @returns the listening simulator
   * @throws {@link discord-update-manager!InvalidConfigError} for bad options
   */
  public static async start(options: DiscordSimulatorOptions = {}): Promise<DiscordSimulator> {
    return new DiscordSimulator(options).start();
  }

  #onWorldEvent(event: WorldEvent): void {
    this.#bridge?.handle(event);
    for (const listener of this.#listeners) listener(event);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Server lifecycle

  /**
   * Starts the HTTP server.
   *
   * @returns this simulator, once it is listening
   * @throws Error when it is already listening, or the port cannot be bound
   * @example
   * ```ts
   * const sim = await new DiscordSimulator().start();
   * ```
   */
  public async start(): Promise<this> {
    await this.#http.listen();
    return this;
  }

  /**
   * Base URL to give a REST client as its `api` option: `http://127.0.0.1:<port>/api` (clients append `/v10/...`).
   *
   * @throws Error when the server has not been started
   */
  public get url(): string {
    return this.#http.url;
  }

  /**
   * Stops the HTTP server (closing open connections) and rejects answers still being delayed with an `ECONNRESET`
   * error. The simulator's state is kept, and {@link DiscordSimulator.handle} keeps working.
   *
   * @returns once the server is closed
   */
  public async close(): Promise<void> {
    this.#delayed.failAll(new SimulatorConnectionResetError('the simulator was closed'));
    await this.#gateway.close();
    await this.#http.close();
  }

  /**
   * The gateway's URL as `GET /gateway/bot` gives it: `ws://127.0.0.1:<port>/`.
   *
   * @throws Error when the server has not been started
   */
  public get gatewayUrl(): string {
    return this.#http.gatewayUrl;
  }

  /**
   * The gateway (WebSocket) every bot connects to: inspect its sessions, and force what a bot must survive —
   * `disconnect()` (clients resume), `restart()` (sessions lost: clients identify again), `requestReconnect()` (op 7),
   * `dropHeartbeatAcks(true)` (a zombie connection).
   *
   * @example
   * ```ts
   * sim.gateway.disconnect();
   * await sim.gateway.waitForSession((session) => session.resumed > 0);
   * ```
   */
  public get gateway(): SimulatorGateway {
    return this.#gateway;
  }

  /** The first bot token the simulator accepts (its `tokens[0]`): give it to your bot's `REST` and gateway. */
  public get token(): string {
    return this.#tokens[0]!;
  }

  /**
   * A bot's application id, which is its user id (the id of `PUT /applications/{id}/commands`).
   *
   * @param tokenLabel - the bot's token label
   * @returns the id
   */
  public applicationId(tokenLabel = 'token#1'): string {
    return this.#world.applicationIdOf(tokenLabel);
  }

  /**
   * The guilds (servers): create one, find one. Every bot token is a member of every guild, with a managed role
   * carrying `botPermissions`.
   *
   * @example
   * ```ts
   * const guild = sim.guilds.create({ name: 'Club' });
   * const channel = guild.channels.create({ name: 'equipment' });
   * const alice = guild.members.create({ username: 'alice' });
   * ```
   */
  public get guilds(): {
    create(init: GuildInit): SimulatedGuild;
    get(id: string): SimulatedGuild | undefined;
    list(): SimulatedGuild[];
  } {
    const handle = (id: string): SimulatedGuild =>
      new SimulatedGuild(this.#users, id, (init: GuildChannelInit & { readonly guildId: string }) =>
        this.createChannel(init),
      );
    const registry = this.#world.guilds;
    return {
      create: (init) => {
        if (typeof init.name !== 'string' || init.name.length < 2 || init.name.length > 100) {
          throw new InvalidArgumentError('name', init.name, 'a string of 2 to 100 characters');
        }
        const owner = registry.addUser({ username: init.ownerName ?? `${init.name}-owner`.slice(0, 32) });
        const guild = registry.createGuild({
          name: init.name,
          ownerId: owner.id,
          ...(init.botPermissions === undefined
            ? {}
            : { botPermissions: toPermissionBits(init.botPermissions, 'botPermissions') }),
          ...(init.everyonePermissions === undefined
            ? {}
            : { everyonePermissions: toPermissionBits(init.everyonePermissions, 'everyonePermissions') }),
          ...(init.locale === undefined ? {} : { preferredLocale: init.locale }),
        });
        return handle(guild.id);
      },
      get: (id) => (registry.guild(id) ? handle(id) : undefined),
      list: () => registry.guilds().map((guild) => handle(guild.id)),
    };
  }

  /**
   * People who are not (yet) in a guild: `sim.users.create({ username })`, then `guild.members.add(user)`.
   */
  public get users(): { create(init: { readonly username: string; readonly locale?: string }): SimulatedUser } {
    return {
      create: (init) => {
        if (typeof init.username !== 'string' || init.username.length < 2 || init.username.length > 32) {
          throw new InvalidArgumentError('username', init.username, 'a string of 2 to 32 characters');
        }
        const user = this.#world.guilds.addUser({
          username: init.username,
          ...(init.locale === undefined ? {} : { locale: init.locale }),
        });
        return new SimulatedUser(this.#users, user, undefined);
      },
    };
  }

  /**
   * The guild owner of a guild as a simulated user (the owner has every permission).
   *
   * @param guild - the guild
   * @returns its owner
   */
  public ownerOf(guild: SimulatedGuild): SimulatedUser {
    const user = this.#world.guilds.user(guild.ownerId)!;
    return new SimulatedUser(this.#users, user, guild.id);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The API

  /**
   * Answers one request in process, exactly as the HTTP server would (the server calls this). Rate-limit decisions
   * are taken at arrival, in call order, so concurrent calls behave like concurrent HTTP requests. Paths under
   * `/__sim/` reach the control API.
   *
   * @param request - method, path (with `/api/v10` or `/api` prefix), lower-case headers and raw body
   * @returns status, lower-case headers and body text
   * @throws {@link SimulatorConnectionResetError} (`code` `ECONNRESET`) for an injected connection reset
   * @example
   * ```ts
   * const response = await sim.handle({
   *   method: 'PATCH',
   *   path: `/api/v10/channels/${channelId}/messages/${messageId}`,
   *   headers: { authorization: 'Bot simulator-token', 'content-type': 'application/json' },
   *   body: JSON.stringify({ content: 'v2' }),
   * });
   * response.headers['x-ratelimit-remaining']; // '4'
   * ```
   */
  public async handle(request: SimulatorRequest): Promise<SimulatorResponse> {
    const line = readRequestLine(request.method, request.path);
    if (isControlPath(line.pathname)) return handleControlRequest(this, request, line);
    const outcome = this.#pipeline.run(request, line);
    if (outcome.delayMs > 0) await this.#delayed.wait(outcome.delayMs);
    if (outcome.reset) throw new SimulatorConnectionResetError();
    return outcome.response;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // World setup

  /**
   * Accepts another bot token. Each token has its own bot user, rate-limit state and label.
   *
   * @param token - the token (any non-empty string without whitespace)
   * @returns the token's label for records (`token#N`); an already known token keeps its label
   * @throws {@link discord-update-manager!InvalidArgumentError} for an empty token or one containing whitespace
   * @example
   * ```ts
   * const label = sim.addToken('second-bot-token'); // 'token#2'
   * ```
   */
  public addToken(token: string): string {
    const label = this.#auth.addToken(token);
    this.#world.addBot(label);
    return label;
  }

  /**
   * Creates a channel (world setup: not rate limited, not logged).
   *
   * @param init - name, guild id and topic
   * @returns the channel, with its snowflake `id`
   * @throws {@link discord-update-manager!InvalidArgumentError} for a name outside 1 to 100 characters or a guild id
   *   that is not a snowflake
   * @example
   * ```ts
   * const { id } = sim.createChannel({ name: 'equipment' });
   * ```
   */
  public createChannel(init: ChannelInit = {}): SimulatedChannel {
    return this.#world.createChannel(init);
  }

  /**
   * Puts a message straight into a channel (world setup: not rate limited, not logged, not a write).
   *
   * @param channelId - an existing channel
   * @param body - a message body as for create (`content`, `embeds`, `components`, ...)
   * @param options - backdate it with `createdAt`; choose its author with `tokenLabel`
   * @returns the message
   * @throws {@link discord-update-manager!InvalidArgumentError} for an unknown channel or token label
   * @throws {@link discord-update-manager!InvalidPayloadError} for a body Discord would refuse
   * @example
   * ```ts
   * const monthAgo = Date.now() - 30 * 86_400_000;
   * const old = sim.seedMessage(channelId, { content: 'from last month' }, { createdAt: monthAgo });
   * ```
   */
  public seedMessage(channelId: string, body: unknown, options: SeedMessageOptions = {}): SimulatedMessage {
    return this.#world.seedMessage(channelId, body, options);
  }

  /**
   * Creates a webhook in a channel (world setup).
   *
   * @param channelId - an existing channel
   * @param options - the webhook's display name
   * @returns its id and token (execute it at `/webhooks/{id}/{token}`, no `Authorization` needed)
   * @throws {@link discord-update-manager!InvalidArgumentError} for an unknown channel
   * @example
   * ```ts
   * const hook = sim.createWebhook(channelId);
   * await rest.post(`/webhooks/${hook.id}/${hook.token}`, { body: { content: 'hi' }, auth: false });
   * ```
   */
  public createWebhook(channelId: string, options: { readonly name?: string } = {}): WebhookCredentials {
    return this.#world.createWebhook(channelId, options.name);
  }

  /**
   * Creates an interaction to respond to, as if a user had used a command in a channel (world setup). Respond
   * within 3 s at `/interactions/{id}/{token}/callback`; the token then works on the interaction webhook
   * (`/webhooks/{applicationId}/{token}`) for 15 min. Both are exempt from the global limit.
   *
   * @param channelId - an existing channel
   * @param init - `messageId` for a component interaction on that message
   * @returns the interaction's id, token and the application id
   * @throws {@link discord-update-manager!InvalidArgumentError} for an unknown channel or message
   * @example
   * ```ts
   * const interaction = sim.createInteraction(channelId);
   * await rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
   *   body: { type: 4, data: { content: 'pong' } },
   *   auth: false,
   * });
   * ```
   */
  public createInteraction(channelId: string, init: InteractionInit = {}): InteractionCredentials {
    return this.#world.createInteraction(channelId, init);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Inspection

  /**
   * The current state of a message.
   *
   * @param channelId - its channel
   * @param messageId - its id
   * @returns a snapshot, or `undefined` when it does not exist (or was deleted)
   * @example
   * ```ts
   * expect(sim.getMessage(channelId, messageId)?.content).toBe('latest');
   * ```
   */
  public getMessage(channelId: string, messageId: string): SimulatedMessage | undefined {
    return this.#world.getMessage(channelId, messageId);
  }

  /**
   * The messages of a channel, in creation order, deleted ones excluded.
   *
   * @param channelId - the channel
   * @returns snapshots (empty for an unknown channel)
   * @example
   * ```ts
   * expect(sim.listMessages(channelId).map((m) => m.content)).toEqual(['a', 'b']);
   * ```
   */
  public listMessages(channelId: string): SimulatedMessage[] {
    return this.#world.listMessages(channelId);
  }

  /**
   * A channel's current state.
   *
   * @param channelId - the channel
   * @returns the channel, or `undefined`
   * @example
   * ```ts
   * expect(sim.getChannel(channelId)?.name).toBe('renamed');
   * ```
   */
  public getChannel(channelId: string): SimulatedChannel | undefined {
    return this.#world.getChannel(channelId);
  }

  /**
   * The bytes of an uploaded file, as a bot sent them in a message (a create, an edit, an interaction response or a
   * follow-up, through multipart `files[n]`). While the server listens, each attachment's `url` (and `proxy_url`)
   * serves the same bytes over HTTP without authentication, as Discord's CDN does:
   * `GET <origin>/attachments/<channel id>/<attachment id>/<file name>`. Files are kept whole while their message
   * lives (a request, and so a file, is at most 25 MiB); deleting the message, or an edit that drops the attachment,
   * forgets them.
   *
   * @param urlOrId - the attachment's `url` or `proxy_url` (the query is ignored; `https://cdn.discordapp.com/...`
   *   URLs given while the server was not listening work too), or its `id`
   * @returns a copy of the bytes, or `undefined` for an unknown attachment (or a URL whose channel or file name is
   *   not the attachment's)
   * @example
   * ```ts
   * const [attachment] = sim.getMessage(channelId, messageId)!.attachments as { url: string }[];
   * sim.attachmentData(attachment!.url)?.toString('utf8'); // 'id,name\r\n...'
   * await (await fetch(attachment!.url)).text(); // the same text, over HTTP
   * ```
   */
  public attachmentData(urlOrId: string): Buffer | undefined {
    const file = this.#cdn.find(urlOrId);
    return file && Buffer.from(file.data);
  }

  /**
   * Every mutation the API applied, in order: creates, edits, deletes, channel edits, reactions.
   *
   * @param filter - restrict to a channel and/or a message
   * @returns write records (copies of the log)
   * @example
   * ```ts
   * const writes = sim.getWrites({ messageId });
   * expect(writes.map((w) => w.kind)).toEqual(['create', 'edit']);
   * ```
   */
  public getWrites(filter: WriteFilter = {}): WriteRecord[] {
    return this.#world.getWrites(filter);
  }

  /**
   * The request log (most recent `requestLogLimit` requests), tokens redacted.
   *
   * @returns request records, oldest first
   * @example
   * ```ts
   * const statuses = sim.getRequestLog().map((r) => r.status);
   * ```
   */
  public getRequestLog(): RequestRecord[] {
    return this.#log.records();
  }

  /**
   * Counters: requests by status, 429s by scope, invalid requests in the current windows, bans, deduplicated
   * creates, injected faults.
   *
   * @returns a snapshot of the counters
   * @example
   * ```ts
   * expect(sim.getStats().rateLimited.user).toBe(0);
   * ```
   */
  public getStats(): SimulatorStats {
    return this.#log.stats(this.#limiter.invalidCounts(this.#clock.now()), this.#world.writeCount);
  }

  /**
   * The state of one rate-limit counter.
   *
   * @param routeOrHash - a route (`'PATCH /channels/:channel_id/messages/:message_id'`) or a bucket hash (with
   *   `sharedHashSeparateCounters`, pass a route: one hash then has several counters)
   * @param majorParameter - channel id, or webhook id (`webhookId/token` also accepted)
   * @returns the counter, or `undefined` for a route without a per-route limit or an unknown hash
   * @example
   * ```ts
   * sim.getBucket('POST /channels/:channel_id/messages', channelId)?.remaining;
   * ```
   */
  public getBucket(routeOrHash: SimulatorRouteKey | string, majorParameter: string): BucketState | undefined {
    return this.#limiter.inspect(routeOrHash, this.#world.majorKey(majorParameter), this.#clock.now());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Control

  /**
   * Sets the limit of a route's bucket — every route sharing its hash (create and edit message share one). A
   * route without a per-route limit gets its own bucket. Open windows of that bucket are discarded.
   *
   * @param route - e.g. `'PATCH /channels/:channel_id/messages/:message_id'`
   * @param limit - `{ limit, windowMs }` in real milliseconds
   * @throws {@link discord-update-manager!InvalidConfigError} for an unknown route or a bad limit
   * @example
   * ```ts
   * sim.setRouteLimit('PATCH /channels/:channel_id/messages/:message_id', { limit: 2, windowMs: 1000 });
   * ```
   */
  public setRouteLimit(route: SimulatorRouteKey, limit: RouteLimit): void {
    this.#limiter.setRouteLimit(assertSimulatorRoute(route), validateRouteLimit('limit', limit));
  }

  /**
   * Changes the bucket hash of a route (to make two routes share a bucket, or split them). A new hash keeps the
   * route's limit.
   *
   * @param route - the route
   * @param hash - an opaque string of letters, digits, `-`, `_`, `.` or `:` (at most 100)
   * @throws {@link discord-update-manager!InvalidConfigError} for an unknown route or a bad hash
   * @example
   * ```ts
   * sim.setRouteHash('DELETE /channels/:channel_id/messages/:message_id', 'shared-with-edits');
   * ```
   */
  public setRouteHash(route: SimulatorRouteKey, hash: string): void {
    const valid = validateBucketHash(hash);
    this.#limiter.setRouteHash(assertSimulatorRoute(route), valid);
  }

  /**
   * Replaces named limits at run time (real milliseconds, not scaled). Open windows of the affected buckets are
   * discarded.
   *
   * @param limits - e.g. `{ global: { limit: 10, windowMs: 1000 } }`
   * @throws {@link discord-update-manager!InvalidConfigError} for an unknown name or a bad value
   * @example
   * ```ts
   * sim.setLimits({ invalidRequests: { limit: 10, windowMs: 60_000, banMs: 1_000 } });
   * ```
   */
  public setLimits(limits: Partial<SimulatorLimits>): void {
    this.#limiter.setLimits(resolveLimitChanges(limits));
  }

  /**
   * The limits in force.
   *
   * @returns the current limits (after `timeScale`, overrides and run-time changes)
   * @example
   * ```ts
   * new DiscordSimulator({ timeScale: 0.1 }).getLimits().messageWrite; // { limit: 5, windowMs: 500 }
   * ```
   */
  public getLimits(): SimulatorLimits {
    return this.#limiter.limits;
  }

  /**
   * Injects faults on a route, or on every route with `'*'` (a route's own configuration replaces the `'*'` one).
   *
   * @param route - a route, or `'*'`
   * @param faults - latency, server errors, commit-then-timeout, connection resets
   * @throws {@link discord-update-manager!InvalidConfigError} for an unknown route or an out-of-range value
   * @example
   * ```ts
   * sim.setFaults('*', { latencyMs: [5, 25] });
   * sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', { errorRate: 0.2, errorStatus: 502 });
   * ```
   */
  public setFaults(route: SimulatorRouteKey | '*', faults: FaultConfig): void {
    this.#faults.set(route, faults);
  }

  /**
   * Removes injected faults.
   *
   * @param route - only this route (or `'*'`); all routes when omitted
   * @example
   * ```ts
   * sim.clearFaults();
   * ```
   */
  public clearFaults(route?: SimulatorRouteKey | '*'): void {
    this.#faults.clear(route);
  }

  /**
   * Throttles a channel as a shared resource: its message routes answer 429 with scope `shared` for `durationMs`
   * (these do not charge the bucket nor count as invalid requests).
   *
   * @param channelId - the channel
   * @param durationMs - how long, milliseconds (greater than 0)
   * @throws {@link discord-update-manager!InvalidConfigError} for a bad duration
   * @example
   * ```ts
   * sim.throttleResource(channelId, 2_000);
   * ```
   */
  public throttleResource(channelId: string, durationMs: number): void {
    this.#limiter.throttle(channelId, this.#clock.now() + validateThrottleDuration(durationMs));
  }

  /**
   * Zeroes the counters of {@link DiscordSimulator.getStats} (except invalid requests, which are rate-limit
   * state, and writes) and empties the request log. Messages, writes and rate-limit windows are kept.
   *
   * @example
   * ```ts
   * sim.resetStats();
   * ```
   */
  public resetStats(): void {
    this.#log.reset();
  }

  /**
   * Every route the simulator serves (the names accepted by `setRouteLimit`, `setRouteHash` and `setFaults`).
   *
   * @example
   * ```ts
   * DiscordSimulator.routes.includes('POST /channels/:channel_id/messages'); // true
   * ```
   */
  public static readonly routes: readonly SimulatorRouteKey[] = SIMULATOR_ROUTE_KEYS;
}
