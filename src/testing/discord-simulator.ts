import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, InvalidConfigError, redactPath } from '../errors/message-update-error.js';
import { assertValidPayload } from '../discord/payload-limits.js';
import { sleep, systemClock, type Clock } from '../util/clock.js';
import { handleControlRequest } from './simulator/control-api.js';
import { DiscordErrors, snowflakeError, type ApiError } from './simulator/discord-errors.js';
import {
  MessageStore,
  snapshotMessage,
  type AuthorJson,
  type StoredInteraction,
  type StoredWebhook,
} from './simulator/message-store.js';
import { multipartBoundary, parseMultipart, type MultipartFile } from './simulator/multipart.js';
import { SeededRandom } from './simulator/seeded-random.js';
import { botUser, SimulatorApi, validNonce, type Answer } from './simulator/simulator-api.js';
import {
  resolveSimulatorLimits,
  validateRouteLimit,
  type RouteLimit,
  type SimulatorLimits,
} from './simulator/simulator-limits.js';
import { SimulatorRateLimiter, type BucketRef, type WindowView } from './simulator/simulator-rate-limiter.js';
import type {
  BucketState,
  ChannelInit,
  FaultConfig,
  InjectedFault,
  InteractionCredentials,
  InteractionInit,
  RateLimitScope,
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
import {
  interactionVariant,
  isSimulatorRouteKey,
  matchRoute,
  parentRoute,
  ROUTE_DEFINITIONS,
  SIMULATOR_ROUTE_KEYS,
  type SimulatorRouteKey,
} from './simulator/simulator-routes.js';
import {
  isSnowflake,
  MIN_SNOWFLAKE_TIMESTAMP_MS,
  snowflakeFromTimestamp,
  SnowflakeGenerator,
} from '../discord/snowflake.js';

/**
 * Options of {@link DiscordSimulator}. Every field is optional; see {@link DEFAULT_SIMULATOR_OPTIONS}.
 *
 * @example
 * ```ts
 * const options: DiscordSimulatorOptions = { timeScale: 0.1, seed: 7, tokens: ['bot-a', 'bot-b'] };
 * ```
 */
export interface DiscordSimulatorOptions {
  /**
   * Time source for rate-limit windows, latency, bans, message timestamps and ids. Inject a `FakeClock` for
   * deterministic tests with {@link DiscordSimulator.handle}; keep the system clock for HTTP clients such as
   * `@discordjs/rest`, which read `Date.now()`.
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
  /** Interface the HTTP server listens on. @defaultValue `'127.0.0.1'` */
  readonly host?: string;
  /** TCP port, 0 to 65535; 0 picks a free port (read it from {@link DiscordSimulator.url}). @defaultValue `0` */
  readonly port?: number;
  /**
   * Bot tokens the API accepts (as `Authorization: Bot <token>` or `Bearer <token>`); rate-limit state is kept per
   * token. They are labelled `token#1`, `token#2`, ... in records; the tokens themselves are never logged.
   * @defaultValue `['simulator-token']`
   */
  readonly tokens?: readonly string[];
  /** Overrides of the preset limits, in real milliseconds (not scaled by `timeScale`). @defaultValue `{}` */
  readonly limits?: Partial<SimulatorLimits>;
  /**
   * Multiplier for every preset window and the ban time: 0.1 turns "5 per 5 s" into "5 per 500 ms". Greater than
   * 0, at most 1000. @defaultValue `1`
   */
  readonly timeScale?: number;
  /**
   * Reproduce Discord's quirk of one bucket hash covering separate counters: create and edit message report the
   * same `X-RateLimit-Bucket` but each route template has its own budget. @defaultValue `false`
   */
  readonly sharedHashSeparateCounters?: boolean;
  /** Seed of the generator behind random latency and injected faults (an integer). @defaultValue `1` */
  readonly seed?: number;
  /**
   * Age in milliseconds beyond which a message counts as old: its delete uses the old-message bucket and bulk
   * delete refuses it. Greater than 0. @defaultValue `1209600000` (14 days)
   */
  readonly oldMessageAgeMs?: number;
  /** How long a `nonce` sent with `enforce_nonce` dedupes creates, milliseconds (0 or more). @defaultValue `300000` */
  readonly nonceWindowMs?: number;
  /** Most recent requests kept in the request log (1 or more). @defaultValue `100000` */
  readonly requestLogLimit?: number;
}

/**
 * Default options of {@link DiscordSimulator}.
 *
 * @example
 * ```ts
 * DEFAULT_SIMULATOR_OPTIONS.tokens; // ['simulator-token']
 * ```
 */
export const DEFAULT_SIMULATOR_OPTIONS = {
  clock: systemClock,
  host: '127.0.0.1',
  port: 0,
  tokens: ['simulator-token'],
  limits: {},
  timeScale: 1,
  sharedHashSeparateCounters: false,
  seed: 1,
  oldMessageAgeMs: 14 * 24 * 60 * 60 * 1000,
  nonceWindowMs: 5 * 60 * 1000,
  requestLogLimit: 100_000,
} as const satisfies Required<DiscordSimulatorOptions>;

/**
 * The error {@link DiscordSimulator.handle} rejects with when a connection-reset fault fires (or the simulator is
 * closed while an answer is delayed). Its `code` is `ECONNRESET`, like Node's socket errors.
 *
 * @example
 * ```ts
 * try {
 *   await sim.handle(request);
 * } catch (error) {
 *   if ((error as { code?: string }).code === 'ECONNRESET') retry();
 * }
 * ```
 */
export class SimulatorConnectionResetError extends Error {
  public override name = 'SimulatorConnectionResetError' as const;
  /** Always `ECONNRESET`. */
  public readonly code = 'ECONNRESET' as const;

  /** @param detail - why the connection was reset */
  public constructor(detail = 'the simulator reset the connection (injected fault)') {
    super(`read ECONNRESET: ${detail}`);
  }
}

/** The body of a 429 answer. */
interface RateLimitBody {
  readonly message: string;
  readonly retry_after: number;
  readonly global: boolean;
}

/** The caller, as identified by its `Authorization` header. */
interface Client {
  /** Key of the caller's rate-limit state: its label. */
  readonly label: string;
  /** The header was present. */
  readonly present: boolean;
  /** The token is one of the simulator's. */
  readonly known: boolean;
  readonly user: AuthorJson | undefined;
}

/** Per-request bookkeeping, filled in as the request goes through the pipeline. */
interface Context {
  readonly now: number;
  readonly method: string;
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly client: Client;
  route: SimulatorRouteKey | undefined;
  majorLabel: string | undefined;
  bucket: BucketRef | undefined;
  rateHeaders: Record<string, string> | undefined;
  scope: RateLimitScope | undefined;
  subLimit: boolean;
  banned: boolean;
  fault: InjectedFault | undefined;
  delayMs: number;
}

type ParsedBody =
  | { readonly ok: true; readonly json: unknown; readonly files: readonly MultipartFile[] }
  | { readonly ok: false; readonly error: ApiError };

interface Outcome {
  readonly response: SimulatorResponse;
  readonly delayMs: number;
  readonly reset: boolean;
}

interface TokenEntry {
  readonly label: string;
  readonly user: AuthorJson;
}

interface MutableStats {
  requests: number;
  byStatus: Record<number, number>;
  rateLimited: { user: number; global: number; shared: number };
  subLimited: number;
  bans: number;
  bannedRequests: number;
  duplicateCreatesPrevented: number;
  faults: { errors: number; resets: number; commitThenTimeouts: number };
}

/** An interaction's token works for 15 min (Discord's rule). */
const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** Clocks reading less than this are not epoch clocks (e.g. `new FakeClock(0)`); ids are shifted to stay valid. */
const REFERENCE_EPOCH_MS = 1_700_000_000_000;
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const RATE_LIMITED_MESSAGE = 'You are being rate limited.';
const SHARED_LIMITED_MESSAGE = 'The resource is being rate limited.';

/** Formats milliseconds as seconds with exactly three decimals, without floating-point surprises. */
function seconds(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return `${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`;
}

function header(headers: SimulatorRequest['headers'], name: string): string | undefined {
  const value = headers?.[name];
  return typeof value === 'string' ? value : value?.[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateRate(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidConfigError(field, value, 'a probability from 0 to 1');
  }
  return value;
}

function validateDelay(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(field, value, 'a finite number of milliseconds from 0 and up');
  }
}

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
 * const rest = new REST({ api: sim.url }).setToken('simulator-token');
 * const message = (await rest.post(`/channels/${channel.id}/messages`, { body: { content: 'hi' } })) as { id: string };
 * await rest.patch(`/channels/${channel.id}/messages/${message.id}`, { body: { content: 'hello' } });
 * sim.getMessage(channel.id, message.id)?.version; // 1
 * await sim.close();
 * ```
 */
export class DiscordSimulator {
  readonly #clock: Clock;
  readonly #host: string;
  readonly #port: number;
  readonly #oldMessageAgeMs: number;
  readonly #nonceWindowMs: number;
  readonly #requestLogLimit: number;
  readonly #limiter: SimulatorRateLimiter;
  readonly #store = new MessageStore();
  readonly #random: SeededRandom;
  readonly #ids = new SnowflakeGenerator(1);
  #backdatedIds = 0;
  /** Added to clock time for ids, timestamps and epoch headers, so a clock starting near 0 still makes valid ids. */
  readonly #epochShift: number;
  readonly #tokens = new Map<string, TokenEntry>();
  readonly #unknownTokens = new Map<string, string>();
  readonly #applicationId: string;
  readonly #api: SimulatorApi;
  readonly #guildId: string;
  #channelCount = 0;
  readonly #faults = new Map<SimulatorRouteKey | '*', FaultConfig>();
  #requestLog: RequestRecord[] = [];
  #stats: MutableStats = DiscordSimulator.#emptyStats();
  #server: Server | undefined;
  #listeningPort: number | undefined;
  #abort = new AbortController();

  /**
   * @param options - see {@link DiscordSimulatorOptions}
   * @throws {@link InvalidConfigError} naming the option, the value and what is allowed
   */
  public constructor(options: DiscordSimulatorOptions = {}) {
    if (!isRecord(options)) throw new InvalidConfigError('options', options, 'an object');
    const merged: Required<DiscordSimulatorOptions> = { ...DEFAULT_SIMULATOR_OPTIONS, ...stripUndefined(options) };
    const clock = merged.clock as unknown;
    if (!isRecord(clock) || typeof clock['now'] !== 'function' || typeof clock['setTimeout'] !== 'function') {
      throw new InvalidConfigError('clock', clock, 'a Clock (`now`, `setTimeout`, `clearTimeout`)');
    }
    if (typeof merged.host !== 'string' || merged.host.length === 0) {
      throw new InvalidConfigError('host', merged.host, 'a non-empty host name or IP address');
    }
    if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65_535) {
      throw new InvalidConfigError('port', merged.port, 'an integer from 0 to 65535');
    }
    if (!Array.isArray(merged.tokens) || merged.tokens.length === 0) {
      throw new InvalidConfigError('tokens', merged.tokens, 'a non-empty array of token strings');
    }
    const { timeScale } = merged;
    if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1000) {
      throw new InvalidConfigError('timeScale', timeScale, 'a number greater than 0 and at most 1000');
    }
    if (typeof merged.sharedHashSeparateCounters !== 'boolean') {
      throw new InvalidConfigError('sharedHashSeparateCounters', merged.sharedHashSeparateCounters, 'a boolean');
    }
    if (!Number.isSafeInteger(merged.seed)) throw new InvalidConfigError('seed', merged.seed, 'an integer');
    if (!(typeof merged.oldMessageAgeMs === 'number' && merged.oldMessageAgeMs > 0)) {
      throw new InvalidConfigError(
        'oldMessageAgeMs',
        merged.oldMessageAgeMs,
        'a number of milliseconds greater than 0',
      );
    }
    if (!(typeof merged.nonceWindowMs === 'number' && merged.nonceWindowMs >= 0)) {
      throw new InvalidConfigError('nonceWindowMs', merged.nonceWindowMs, 'a number of milliseconds from 0 and up');
    }
    if (!Number.isInteger(merged.requestLogLimit) || merged.requestLogLimit < 1) {
      throw new InvalidConfigError('requestLogLimit', merged.requestLogLimit, 'an integer from 1 and up');
    }

    this.#clock = merged.clock;
    this.#host = merged.host;
    this.#port = merged.port;
    this.#oldMessageAgeMs = merged.oldMessageAgeMs;
    this.#nonceWindowMs = merged.nonceWindowMs;
    this.#requestLogLimit = merged.requestLogLimit;
    this.#random = new SeededRandom(merged.seed);
    this.#limiter = new SimulatorRateLimiter(
      resolveSimulatorLimits(merged.limits, timeScale),
      merged.sharedHashSeparateCounters,
    );
    const startedAt = this.#clock.now();
    this.#epochShift = startedAt < MIN_SNOWFLAKE_TIMESTAMP_MS ? REFERENCE_EPOCH_MS - startedAt : 0;
    this.#guildId = this.#nextId();
    this.#applicationId = this.#nextId();
    this.#api = new SimulatorApi({
      store: this.#store,
      nextId: (now) => this.#nextId(now),
      epochShift: this.#epochShift,
      nonceWindowMs: this.#nonceWindowMs,
      oldMessageAgeMs: this.#oldMessageAgeMs,
      applicationId: this.#applicationId,
      applicationUser: botUser(this.#applicationId, 'simulator-app'),
      onDuplicateCreate: () => this.#stats.duplicateCreatesPrevented++,
    });
    merged.tokens.forEach((token, index) => {
      if (typeof token !== 'string' || !/^\S+$/.test(token)) {
        throw new InvalidConfigError(`tokens[${index}]`, '<redacted>', 'a non-empty string without whitespace');
      }
      this.addToken(token);
    });
  }

  static #emptyStats(): MutableStats {
    return {
      requests: 0,
      byStatus: {},
      rateLimited: { user: 0, global: 0, shared: 0 },
      subLimited: 0,
      bans: 0,
      bannedRequests: 0,
      duplicateCreatesPrevented: 0,
      faults: { errors: 0, resets: 0, commitThenTimeouts: 0 },
    };
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
    if (this.#server) throw new Error('DiscordSimulator is already listening; call close() before start() again.');
    const server = createServer((request, response) => void this.#onHttpRequest(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#listeningPort = (server.address() as AddressInfo).port;
    return this;
  }

  /**
   * Base URL to give a REST client as its `api` option: `http://127.0.0.1:<port>/api` (clients append `/v10/...`).
   *
   * @throws Error when the server has not been started
   */
  public get url(): string {
    if (this.#listeningPort === undefined) {
      throw new Error('DiscordSimulator is not listening: `await sim.start()` before reading `sim.url`.');
    }
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#listeningPort}/api`;
  }

  /**
   * Stops the HTTP server (closing open connections) and rejects answers still being delayed with an `ECONNRESET`
   * error. The simulator's state is kept, and {@link DiscordSimulator.handle} keeps working.
   *
   * @returns once the server is closed
   */
  public async close(): Promise<void> {
    this.#abort.abort(new SimulatorConnectionResetError('the simulator was closed'));
    this.#abort = new AbortController();
    const server = this.#server;
    this.#server = undefined;
    this.#listeningPort = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #onHttpRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > MAX_BODY_BYTES) {
          writeResponse(
            response,
            jsonResponse(DiscordErrors.payloadTooLarge.status, DiscordErrors.payloadTooLarge.body),
          );
          return;
        }
        chunks.push(buffer);
      }
      const answer = await this.handle({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: chunks.length === 0 ? undefined : Buffer.concat(chunks),
      });
      writeResponse(response, answer);
    } catch (error) {
      if (error instanceof SimulatorConnectionResetError) {
        request.socket.resetAndDestroy();
        return;
      }
      writeResponse(response, jsonResponse(500, { message: '500: Internal Server Error', code: 0 }));
    }
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
    const outcome = this.#process(request);
    if (outcome.delayMs > 0) await sleep(this.#clock, outcome.delayMs, this.#abort.signal);
    if (outcome.reset) throw new SimulatorConnectionResetError();
    return outcome.response;
  }

  #process(request: SimulatorRequest): Outcome {
    const now = this.#clock.now();
    const method = String(request.method).toUpperCase();
    const rawPath = String(request.path);
    const queryStart = rawPath.indexOf('?');
    const pathname = queryStart < 0 ? rawPath : rawPath.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : rawPath.slice(queryStart + 1));

    if (pathname === '/__sim' || pathname.startsWith('/__sim/')) {
      const body = this.#parseBody(request);
      return {
        response: handleControlRequest(
          this,
          method,
          pathname.slice('/__sim'.length),
          query,
          body.ok ? body.json : null,
        ),
        delayMs: 0,
        reset: false,
      };
    }

    const ctx: Context = {
      now,
      method,
      rawPath,
      query,
      client: this.#identify(header(request.headers, 'authorization')),
      route: undefined,
      majorLabel: undefined,
      bucket: undefined,
      rateHeaders: undefined,
      scope: undefined,
      subLimit: false,
      banned: false,
      fault: undefined,
      delayMs: 0,
    };

    // An invalid-request ban sits in front of everything, like Cloudflare's in front of Discord.
    const bannedUntil = this.#limiter.bannedUntil(ctx.client.label, now);
    if (bannedUntil !== undefined) {
      ctx.banned = true;
      this.#stats.bannedRequests++;
      return this.#finish(ctx, {
        status: 429,
        text: 'error code: 1015',
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'retry-after': String(Math.ceil((bannedUntil - now) / 1000)),
        },
      });
    }

    const api = /^\/api(?:\/v\d+)?(\/.*)$/.exec(pathname);
    const match = api ? matchRoute(method, api[1]!) : ({ kind: 'notFound' } as const);
    if (match.kind === 'notFound') return this.#finish(ctx, this.#error(DiscordErrors.notFound));
    if (match.kind === 'methodNotAllowed') return this.#finish(ctx, this.#error(DiscordErrors.methodNotAllowed));

    const params = match.params;
    let route = match.key;
    const isInteractionWebhook = params.webhookId !== undefined && params.webhookId === this.#applicationId;
    if (isInteractionWebhook) route = interactionVariant(route);
    if (
      route === 'DELETE /channels/:channel_id/messages/:message_id' &&
      isSnowflake(params.messageId) &&
      this.#api.ageOf(params.messageId, now) > this.#oldMessageAgeMs
    ) {
      route = 'DELETE /channels/:channel_id/messages/:message_id (old)';
    }
    ctx.route = route;
    const definition = ROUTE_DEFINITIONS[route];

    // Network faults first: a reset connection never reaches the API.
    const faults = this.#faultsFor(route);
    ctx.delayMs = this.#drawLatency(faults);
    if (this.#random.chance(faults.resetRate ?? 0)) {
      ctx.fault = 'reset';
      this.#stats.faults.resets++;
      this.#log(ctx, 0);
      return { response: { status: 0, headers: {}, body: '' }, delayMs: ctx.delayMs, reset: true };
    }

    // Authentication.
    if (ctx.client.present && !ctx.client.known) return this.#finish(ctx, this.#error(DiscordErrors.unauthorized));
    let webhook: StoredWebhook | undefined;
    let interaction: StoredInteraction | undefined;
    let major: string | undefined;
    if (definition.auth === 'bot') {
      if (!ctx.client.known) return this.#finish(ctx, this.#error(DiscordErrors.unauthorized));
      major = params.channelId;
      ctx.majorLabel = major;
    } else if (route === 'POST /interactions/:interaction_id/:interaction_token/callback') {
      interaction = this.#store.interaction(params.interactionId!);
      if (!interaction || interaction.token !== params.interactionToken) {
        return this.#finish(ctx, this.#error(DiscordErrors.unknownInteraction));
      }
    } else if (isInteractionWebhook) {
      interaction = this.#store.interactionByToken(params.webhookToken!);
      if (!interaction || now - interaction.createdAt > INTERACTION_TOKEN_LIFETIME_MS) {
        return this.#finish(ctx, this.#error(DiscordErrors.invalidWebhookToken));
      }
      major = `${this.#applicationId}/${interaction.id}`;
      ctx.majorLabel = `${this.#applicationId}/:token`;
    } else {
      webhook = isSnowflake(params.webhookId) ? this.#store.webhook(params.webhookId) : undefined;
      if (!webhook) return this.#finish(ctx, this.#error(DiscordErrors.unknownWebhook));
      if (webhook.token !== params.webhookToken) {
        return this.#finish(ctx, this.#error(DiscordErrors.invalidWebhookToken));
      }
      major = webhook.id;
      ctx.majorLabel = `${webhook.id}/:token`;
    }

    // Global limit, before the route limit.
    if (!definition.exemptFromGlobal) {
      const global = this.#limiter.viewGlobal(ctx.client.label, now);
      if (global.remaining <= 0) return this.#finish(ctx, this.#rateLimited(ctx, 'global', global.resetAt - now));
      this.#limiter.consumeGlobal(ctx.client.label, now);
    }

    if (params.channelId !== undefined && !isSnowflake(params.channelId)) {
      return this.#finish(ctx, this.#error(snowflakeError('channel_id', params.channelId)));
    }
    if (
      params.messageId !== undefined &&
      !isSnowflake(params.messageId) &&
      !(params.messageId === '@original' && isInteractionWebhook)
    ) {
      return this.#finish(ctx, this.#error(snowflakeError('message_id', params.messageId)));
    }

    const body = method === 'GET' || method === 'DELETE' ? undefined : this.#parseBody(request);

    // Per-route bucket.
    const bucket = major === undefined ? undefined : this.#limiter.bucketOf(route, major);
    if (bucket) {
      ctx.bucket = bucket;
      const view = this.#limiter.viewBucket(bucket, now);
      ctx.rateHeaders = this.#rateHeaders(bucket.hash, view, now);
      if (view.remaining <= 0) return this.#finish(ctx, this.#rateLimited(ctx, 'user', view.resetAt - now));
    }

    // A throttled shared resource (a channel's messages) answers 429 without charging the bucket or counting as
    // invalid.
    if (params.channelId !== undefined && route.includes('/messages')) {
      const throttledUntil = this.#limiter.throttledUntil(params.channelId, now);
      if (throttledUntil !== undefined) {
        return this.#finish(ctx, this.#rateLimited(ctx, 'shared', throttledUntil - now));
      }
    }

    // Hidden sub-limit: channel name/topic edits. Its 429 keeps the parent headers, which still show room.
    const subLimited =
      route === 'PATCH /channels/:channel_id' &&
      body?.ok === true &&
      isRecord(body.json) &&
      ('name' in body.json || 'topic' in body.json);
    if (subLimited) {
      const sub = this.#limiter.viewSubLimit(params.channelId!, now);
      if (sub.remaining <= 0) {
        ctx.subLimit = true;
        return this.#finish(ctx, this.#rateLimited(ctx, 'user', sub.resetAt - now));
      }
    }

    if (bucket) ctx.rateHeaders = this.#rateHeaders(bucket.hash, this.#limiter.consumeBucket(bucket, now), now);
    if (subLimited) this.#limiter.consumeSubLimit(params.channelId!, now);

    if (this.#random.chance(faults.errorRate ?? 0)) {
      ctx.fault = 'error';
      this.#stats.faults.errors++;
      const status = faults.errorStatus ?? 500;
      return this.#finish(ctx, { status, json: { message: `${status}: ${statusText(status)}`, code: 0 } });
    }

    if (body && !body.ok) return this.#finish(ctx, this.#error(body.error));
    const answer = this.#api.answer({
      now,
      method,
      query,
      route,
      params,
      client: ctx.client,
      json: body?.ok ? body.json : undefined,
      files: body?.ok ? body.files : [],
      webhook,
      interaction,
    });

    const commitThenTimeoutMs = faults.commitThenTimeoutMs ?? 0;
    if (commitThenTimeoutMs > 0) {
      ctx.fault = 'commitThenTimeout';
      ctx.delayMs += commitThenTimeoutMs;
      this.#stats.faults.commitThenTimeouts++;
    }
    return this.#finish(ctx, answer);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pipeline helpers

  #nextId(now = this.#clock.now()): string {
    return this.#ids.next(now + this.#epochShift);
  }

  #identify(authorization: string | undefined): Client {
    if (authorization === undefined) return { label: 'anonymous', present: false, known: false, user: undefined };
    const match = /^(?:Bot|Bearer) (\S+)$/.exec(authorization.trim());
    const entry = match ? this.#tokens.get(match[1]!) : undefined;
    if (entry) return { label: entry.label, present: true, known: true, user: entry.user };
    let label = this.#unknownTokens.get(authorization);
    if (label === undefined) {
      label = `unknown#${this.#unknownTokens.size + 1}`;
      this.#unknownTokens.set(authorization, label);
    }
    return { label, present: true, known: false, user: undefined };
  }

  #parseBody(request: SimulatorRequest): ParsedBody {
    const raw = request.body;
    if (raw === undefined || raw.length === 0) return { ok: true, json: undefined, files: [] };
    const boundary = multipartBoundary(header(request.headers, 'content-type'));
    if (boundary !== undefined) {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      const parsed = parseMultipart(bytes, boundary);
      if (!parsed) return { ok: false, error: DiscordErrors.invalidJson };
      const payload = parsed.fields.get('payload_json');
      if (payload === undefined) return { ok: true, json: Object.fromEntries(parsed.fields), files: parsed.files };
      try {
        return { ok: true, json: JSON.parse(payload) as unknown, files: parsed.files };
      } catch {
        return { ok: false, error: DiscordErrors.invalidJson };
      }
    }
    const text =
      typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    if (text.trim().length === 0) return { ok: true, json: undefined, files: [] };
    try {
      return { ok: true, json: JSON.parse(text) as unknown, files: [] };
    } catch {
      return { ok: false, error: DiscordErrors.invalidJson };
    }
  }

  #faultsFor(route: SimulatorRouteKey): FaultConfig {
    const parent = parentRoute(route);
    return this.#faults.get(route) ?? (parent && this.#faults.get(parent)) ?? this.#faults.get('*') ?? {};
  }

  #drawLatency(faults: FaultConfig): number {
    const latency = faults.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return this.#random.between(latency[0], latency[1]);
  }

  #rateHeaders(hash: string, view: WindowView, now: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(view.limit),
      'x-ratelimit-remaining': String(view.remaining),
      'x-ratelimit-reset': seconds(view.resetAt + this.#epochShift),
      // Rounded up to the millisecond: a client that waits exactly this long is never early.
      'x-ratelimit-reset-after': seconds(view.resetAt - now),
      'x-ratelimit-bucket': hash,
    };
  }

  #rateLimited(ctx: Context, scope: RateLimitScope, retryAfterMs: number): Answer {
    ctx.scope = scope;
    const body: RateLimitBody = {
      message: scope === 'shared' ? SHARED_LIMITED_MESSAGE : RATE_LIMITED_MESSAGE,
      retry_after: Number(seconds(retryAfterMs)),
      global: scope === 'global',
    };
    const headers: Record<string, string> = {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      'x-ratelimit-scope': scope,
    };
    if (scope === 'global') {
      // A global 429 carries no bucket headers.
      ctx.rateHeaders = undefined;
      headers['x-ratelimit-global'] = 'true';
    }
    return { status: 429, json: body, headers };
  }

  #error(error: ApiError): Answer {
    return { status: error.status, json: error.body };
  }

  #finish(ctx: Context, answer: Answer): Outcome {
    const headers: Record<string, string> = { ...ctx.rateHeaders, ...answer.headers };
    let body = '';
    if (answer.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(answer.json);
    } else if (answer.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      body = answer.text;
    }
    const status = answer.status;
    if (ctx.scope !== undefined) {
      this.#stats.rateLimited[ctx.scope]++;
      if (ctx.subLimit) this.#stats.subLimited++;
    }
    const invalid = (status === 401 || status === 403 || status === 429) && ctx.scope !== 'shared' && !ctx.banned;
    if (invalid && this.#limiter.recordInvalid(ctx.client.label, ctx.now)) this.#stats.bans++;
    this.#log(ctx, status);
    return { response: { status, headers, body }, delayMs: ctx.delayMs, reset: false };
  }

  #log(ctx: Context, status: number): void {
    this.#stats.requests++;
    this.#stats.byStatus[status] = (this.#stats.byStatus[status] ?? 0) + 1;
    this.#requestLog.push({
      at: ctx.now,
      method: ctx.method,
      path: redactPath(ctx.rawPath),
      route: ctx.route,
      majorParameter: ctx.majorLabel,
      bucket: ctx.bucket?.hash,
      status,
      scope: ctx.scope,
      subLimit: ctx.subLimit,
      banned: ctx.banned,
      fault: ctx.fault,
      tokenLabel: ctx.client.label,
    });
    // Trim in batches so a long run does not pay an O(n) shift on every request.
    if (this.#requestLog.length > this.#requestLogLimit + Math.ceil(this.#requestLogLimit / 10)) {
      this.#requestLog = this.#requestLog.slice(-this.#requestLogLimit);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // World setup

  /**
   * Accepts another bot token. Each token has its own bot user, rate-limit state and label.
   *
   * @param token - the token (any non-empty string without whitespace)
   * @returns the token's label for records (`token#N`); an already known token keeps its label
   * @throws {@link InvalidArgumentError} for an empty token or one containing whitespace
   * @example
   * ```ts
   * const label = sim.addToken('second-bot-token'); // 'token#2'
   * ```
   */
  public addToken(token: string): string {
    if (typeof token !== 'string' || !/^\S+$/.test(token)) {
      throw new InvalidArgumentError(
        'token',
        typeof token === 'string' ? '<redacted>' : token,
        'a non-empty string without whitespace',
      );
    }
    const existing = this.#tokens.get(token);
    if (existing) return existing.label;
    const label = `token#${this.#tokens.size + 1}`;
    this.#tokens.set(token, { label, user: botUser(this.#nextId(), `simulator-bot-${this.#tokens.size + 1}`) });
    return label;
  }

  /**
   * Creates a channel (world setup: not rate limited, not logged).
   *
   * @param init - name, guild id and topic
   * @returns the channel, with its snowflake `id`
   * @throws {@link InvalidArgumentError} for a name outside 1 to 100 characters or a guild id that is not a snowflake
   * @example
   * ```ts
   * const { id } = sim.createChannel({ name: 'equipment' });
   * ```
   */
  public createChannel(init: ChannelInit = {}): SimulatedChannel {
    const name = init.name ?? `channel-${this.#channelCount + 1}`;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw new InvalidArgumentError('name', name, 'a string of 1 to 100 characters');
    }
    if (init.guildId !== undefined && !isSnowflake(init.guildId)) {
      throw new InvalidArgumentError('guildId', init.guildId, 'a snowflake (17 to 20 digits)');
    }
    if (init.topic !== undefined && (typeof init.topic !== 'string' || init.topic.length > 1024)) {
      throw new InvalidArgumentError('topic', init.topic, 'a string of at most 1024 characters');
    }
    this.#channelCount++;
    const channel: SimulatedChannel = {
      id: this.#nextId(),
      name,
      guildId: init.guildId ?? this.#guildId,
      topic: init.topic,
    };
    this.#store.addChannel(channel);
    return channel;
  }

  /**
   * Puts a message straight into a channel (world setup: not rate limited, not logged, not a write).
   *
   * @param channelId - an existing channel
   * @param body - a message body as for create (`content`, `embeds`, `components`, ...)
   * @param options - backdate it with `createdAt`; choose its author with `tokenLabel`
   * @returns the message
   * @throws {@link InvalidArgumentError} for an unknown channel or token label
   * @throws {@link InvalidPayloadError} for a body Discord would refuse
   * @example
   * ```ts
   * const monthAgo = Date.now() - 30 * 86_400_000;
   * const old = sim.seedMessage(channelId, { content: 'from last month' }, { createdAt: monthAgo });
   * ```
   */
  public seedMessage(channelId: string, body: unknown, options: SeedMessageOptions = {}): SimulatedMessage {
    if (!this.#store.hasChannel(channelId)) {
      throw new InvalidArgumentError('channelId', channelId, 'the id of a channel made with createChannel()');
    }
    assertValidPayload(body, 'create');
    const tokenLabel = options.tokenLabel ?? 'token#1';
    const entry = [...this.#tokens.values()].find((candidate) => candidate.label === tokenLabel);
    if (!entry) throw new InvalidArgumentError('tokenLabel', tokenLabel, 'the label of a known token (`token#1`, ...)');
    const now = this.#clock.now();
    const createdAt = options.createdAt ?? now;
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt) || createdAt > now) {
      throw new InvalidArgumentError('createdAt', createdAt, 'a clock time in milliseconds, not in the future');
    }
    const id =
      options.createdAt === undefined
        ? this.#nextId(now)
        : snowflakeFromTimestamp(
            Math.max(MIN_SNOWFLAKE_TIMESTAMP_MS, createdAt + this.#epochShift),
            this.#backdatedIds++ % 4096,
            2,
          );
    const record = body as Record<string, unknown>;
    const message = this.#api.newMessage(
      channelId,
      record,
      [],
      createdAt,
      {
        author: { kind: 'bot', tokenLabel: entry.label, userId: entry.user.id },
        authorJson: entry.user,
        nonce: validNonce(record['nonce']),
      },
      id,
    );
    return snapshotMessage(message);
  }

  /**
   * Creates a webhook in a channel (world setup).
   *
   * @param channelId - an existing channel
   * @param options - the webhook's display name
   * @returns its id and token (execute it at `/webhooks/{id}/{token}`, no `Authorization` needed)
   * @throws {@link InvalidArgumentError} for an unknown channel
   * @example
   * ```ts
   * const hook = sim.createWebhook(channelId);
   * await rest.post(`/webhooks/${hook.id}/${hook.token}`, { body: { content: 'hi' }, auth: false });
   * ```
   */
  public createWebhook(channelId: string, options: { readonly name?: string } = {}): WebhookCredentials {
    if (!this.#store.hasChannel(channelId)) {
      throw new InvalidArgumentError('channelId', channelId, 'the id of a channel made with createChannel()');
    }
    const webhook: StoredWebhook = {
      id: this.#nextId(),
      token: randomBytes(51).toString('base64url'),
      channelId,
      name: options.name ?? 'Simulator Webhook',
    };
    this.#store.addWebhook(webhook);
    return { id: webhook.id, token: webhook.token };
  }

  /**
   * Creates an interaction to respond to, as if a user had used a command in a channel (world setup). Respond
   * within 3 s at `/interactions/{id}/{token}/callback`; the token then works on the interaction webhook
   * (`/webhooks/{applicationId}/{token}`) for 15 min. Both are exempt from the global limit.
   *
   * @param channelId - an existing channel
   * @param init - `messageId` for a component interaction on that message
   * @returns the interaction's id, token and the application id
   * @throws {@link InvalidArgumentError} for an unknown channel or message
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
    if (!this.#store.hasChannel(channelId)) {
      throw new InvalidArgumentError('channelId', channelId, 'the id of a channel made with createChannel()');
    }
    if (init.messageId !== undefined && !this.#store.message(channelId, init.messageId)) {
      throw new InvalidArgumentError('messageId', init.messageId, 'the id of a message in that channel');
    }
    const id = this.#nextId();
    // Discord's interaction tokens are base64 of `interaction:<id>:<secret>`; clients recognise them by that prefix.
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    this.#store.addInteraction({
      id,
      token,
      channelId,
      createdAt: this.#clock.now(),
      sourceMessageId: init.messageId,
      responded: false,
      originalMessageId: undefined,
    });
    return { id, token, applicationId: this.#applicationId };
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
    const message = this.#store.message(channelId, messageId);
    return message && snapshotMessage(message);
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
    return this.#store.messages(channelId).map(snapshotMessage);
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
    return this.#store.channel(channelId);
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
    return this.#store.writes(filter);
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
    return this.#requestLog.slice(-this.#requestLogLimit);
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
    const counts = this.#limiter.invalidCounts(this.#clock.now());
    const byToken: Record<string, number> = {};
    let total = 0;
    for (const [label, count] of counts) {
      byToken[label] = count;
      total += count;
    }
    const stats = this.#stats;
    return {
      requests: stats.requests,
      byStatus: { ...stats.byStatus },
      rateLimited: { ...stats.rateLimited },
      subLimited: stats.subLimited,
      invalidRequests: { total, byToken },
      bans: stats.bans,
      bannedRequests: stats.bannedRequests,
      duplicateCreatesPrevented: stats.duplicateCreatesPrevented,
      faults: { ...stats.faults },
      writes: this.#store.writeCount,
    };
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
    const now = this.#clock.now();
    const major = this.#majorKey(majorParameter);
    if (isSimulatorRouteKey(routeOrHash)) {
      const bucket = this.#limiter.bucketOf(routeOrHash, major);
      return bucket && this.#limiter.bucketState(bucket.hash, bucket.counterKey, now);
    }
    if (!this.#limiter.hasHash(routeOrHash)) return undefined;
    return this.#limiter.bucketState(routeOrHash, `${routeOrHash}|${major}`, now);
  }

  #majorKey(majorParameter: string): string {
    const slash = majorParameter.indexOf('/');
    if (slash < 0) return majorParameter;
    const id = majorParameter.slice(0, slash);
    if (id !== this.#applicationId) return id;
    const interaction = this.#store.interactionByToken(majorParameter.slice(slash + 1));
    return interaction ? `${id}/${interaction.id}` : majorParameter;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Control

  /**
   * Sets the limit of a route's bucket — every route sharing its hash (create and edit message share one). A
   * route without a per-route limit gets its own bucket. Open windows of that bucket are discarded.
   *
   * @param route - e.g. `'PATCH /channels/:channel_id/messages/:message_id'`
   * @param limit - `{ limit, windowMs }` in real milliseconds
   * @throws {@link InvalidConfigError} for an unknown route or a bad limit
   * @example
   * ```ts
   * sim.setRouteLimit('PATCH /channels/:channel_id/messages/:message_id', { limit: 2, windowMs: 1000 });
   * ```
   */
  public setRouteLimit(route: SimulatorRouteKey, limit: RouteLimit): void {
    this.#limiter.setRouteLimit(assertRoute(route), validateRouteLimit('limit', limit));
  }

  /**
   * Changes the bucket hash of a route (to make two routes share a bucket, or split them). A new hash keeps the
   * route's limit.
   *
   * @param route - the route
   * @param hash - an opaque string of letters, digits, `-`, `_`, `.` or `:` (at most 100)
   * @throws {@link InvalidConfigError} for an unknown route or a bad hash
   * @example
   * ```ts
   * sim.setRouteHash('DELETE /channels/:channel_id/messages/:message_id', 'shared-with-edits');
   * ```
   */
  public setRouteHash(route: SimulatorRouteKey, hash: string): void {
    if (typeof hash !== 'string' || !/^[\w.:-]{1,100}$/.test(hash)) {
      throw new InvalidConfigError('hash', hash, 'a string of 1 to 100 letters, digits, `-`, `_`, `.` or `:`');
    }
    this.#limiter.setRouteHash(assertRoute(route), hash);
  }

  /**
   * Replaces named limits at run time (real milliseconds, not scaled). Open windows of the affected buckets are
   * discarded.
   *
   * @param limits - e.g. `{ global: { limit: 10, windowMs: 1000 } }`
   * @throws {@link InvalidConfigError} for an unknown name or a bad value
   * @example
   * ```ts
   * sim.setLimits({ invalidRequests: { limit: 10, windowMs: 60_000, banMs: 1_000 } });
   * ```
   */
  public setLimits(limits: Partial<SimulatorLimits>): void {
    const resolved = resolveSimulatorLimits(limits, 1, 'limits');
    for (const [name, value] of Object.entries(limits)) {
      if (value === undefined) continue;
      const key = name as keyof SimulatorLimits;
      this.#limiter.setLimit(key, resolved[key]);
    }
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
   * @throws {@link InvalidConfigError} for an unknown route or an out-of-range value
   * @example
   * ```ts
   * sim.setFaults('*', { latencyMs: [5, 25] });
   * sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', { errorRate: 0.2, errorStatus: 502 });
   * ```
   */
  public setFaults(route: SimulatorRouteKey | '*', faults: FaultConfig): void {
    if (route !== '*') assertRoute(route);
    if (!isRecord(faults)) throw new InvalidConfigError('faults', faults, 'an object of fault settings');
    const { latencyMs, errorStatus, commitThenTimeoutMs } = faults;
    if (latencyMs !== undefined) {
      if (Array.isArray(latencyMs)) {
        const [min, max] = latencyMs as readonly unknown[];
        validateDelay('faults.latencyMs[0]', min);
        validateDelay('faults.latencyMs[1]', max);
        if (latencyMs.length !== 2 || (max as number) < (min as number)) {
          throw new InvalidConfigError(
            'faults.latencyMs',
            latencyMs,
            'a number or a `[min, max]` pair with min <= max',
          );
        }
      } else {
        validateDelay('faults.latencyMs', latencyMs);
      }
    }
    validateRate('faults.errorRate', faults.errorRate);
    validateRate('faults.resetRate', faults.resetRate);
    if (errorStatus !== undefined && ![500, 502, 503, 504].includes(errorStatus as number)) {
      throw new InvalidConfigError('faults.errorStatus', errorStatus, 'one of 500, 502, 503, 504');
    }
    if (commitThenTimeoutMs !== undefined) validateDelay('faults.commitThenTimeoutMs', commitThenTimeoutMs);
    const allowed = ['latencyMs', 'errorRate', 'errorStatus', 'commitThenTimeoutMs', 'resetRate'];
    for (const key of Object.keys(faults)) {
      if (!allowed.includes(key))
        throw new InvalidConfigError(`faults.${key}`, faults[key as keyof FaultConfig], `one of ${allowed.join(', ')}`);
    }
    this.#faults.set(route, { ...faults });
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
    if (route === undefined) this.#faults.clear();
    else this.#faults.delete(route);
  }

  /**
   * Throttles a channel as a shared resource: its message routes answer 429 with scope `shared` for `durationMs`
   * (these do not charge the bucket nor count as invalid requests).
   *
   * @param channelId - the channel
   * @param durationMs - how long, milliseconds (greater than 0)
   * @throws {@link InvalidConfigError} for a bad duration
   * @example
   * ```ts
   * sim.throttleResource(channelId, 2_000);
   * ```
   */
  public throttleResource(channelId: string, durationMs: number): void {
    if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) {
      throw new InvalidConfigError('durationMs', durationMs, 'a finite number of milliseconds greater than 0');
    }
    this.#limiter.throttle(channelId, this.#clock.now() + durationMs);
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
    this.#stats = DiscordSimulator.#emptyStats();
    this.#requestLog = [];
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

function assertRoute(route: unknown): SimulatorRouteKey {
  if (!isSimulatorRouteKey(route)) {
    throw new InvalidConfigError(
      'route',
      route,
      'one of DiscordSimulator.routes (e.g. `PATCH /channels/:channel_id/messages/:message_id`)',
    );
  }
  return route;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function statusText(status: number): string {
  switch (status) {
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Internal Server Error';
  }
}

function jsonResponse(status: number, body: unknown): SimulatorResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function writeResponse(response: ServerResponse, answer: SimulatorResponse): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.status === 204 ? undefined : answer.body);
}
