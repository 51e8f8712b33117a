import { randomUUID } from 'node:crypto';
import {
  ErrorCodes,
  InvalidConfigError,
  MessageUpdateError,
  MissingPeerDependencyError,
} from '../errors/message-update-error.js';
import { GLOBAL_LIMIT_LEARNING, RATE_LIMIT_STORE_TIMINGS } from '../rate-limit/rate-limit-store.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../rate-limit/rate-limit-store.js';
import type {
  OwnedRedisClient,
  OwnedRedisClientConstructor,
  OwnedRedisClientOptions,
  RedisClientLike,
} from './redis-client-like.js';
import {
  REDIS_RATE_LIMIT_KEY_COUNT,
  REDIS_RATE_LIMIT_SCRIPTS,
  redisRateLimitKeys,
  type RedisScript,
} from './redis-rate-limit-scripts.js';

/**
 * Options of {@link RedisRateLimitStore}. Give exactly one of `url` (the store creates its own ioredis client and
 * quits it on `close()`) and `client` (yours: the store never quits it).
 */
export interface RedisRateLimitStoreOptions {
  /**
   * Where Redis listens: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. `ioredis` is loaded
   * (with a dynamic `import()`) at the first call, so it must be installed (`npm install ioredis@5`). Passwords never
   * appear in messages.
   */
  readonly url?: string;
  /**
   * An ioredis client you created and will quit yourself (see {@link RedisClientLike}): without ioredis's own
   * `keyPrefix` option, preferably with `enableOfflineQueue: false`.
   */
  readonly client?: RedisClientLike;
  /**
   * Prefix of every key the store writes: 1 to 64 letters, digits and `: _ - . /` (no spaces, braces or glob
   * characters, so `SCAN MATCH <prefix>*` finds exactly the store's keys). Every process of one bot (one token) must
   * use the same prefix; give each bot its own.
   * @defaultValue `'dum:'`
   */
  readonly keyPrefix?: string;
  /**
   * Called (once per problem) with a warning: an eviction policy that may drop the store's keys, a missing `ioredis`
   * (met by `acquire`, which never throws: a `connect()` throws it instead, and it is not warned about then), or an
   * unexpected error reply from Redis.
   * @defaultValue `(message) => process.emitWarning(message, 'DiscordUpdateManagerWarning')`
   */
  readonly onWarning?: (message: string) => void;
  /**
   * Longest wait for one Redis operation, in ms (an integer from 1 to 60000); past it the operation counts as failed
   * (`acquire` answers `unavailable`). Also bounds the wait for the first connection.
   * @defaultValue `2000`
   */
  readonly operationTimeoutMs?: number;
  /**
   * `retryInMs` of an `unavailable` answer (Redis unreachable, restarting or failing), in ms (an integer from 1 to
   * 60000).
   * @defaultValue `1000`
   */
  readonly unavailableRetryMs?: number;
  /**
   * The name of the connection the store creates, as shown by `CLIENT LIST` (1 to 64 characters without spaces).
   * Only with `url`.
   * @defaultValue `'discord-update-manager'`
   */
  readonly connectionName?: string;
}

/**
 * The defaults of {@link RedisRateLimitStoreOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.keyPrefix; // 'dum:'
 * ```
 */
export const DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS = {
  keyPrefix: 'dum:',
  operationTimeoutMs: 2000,
  unavailableRetryMs: 1000,
  connectionName: 'discord-update-manager',
} as const satisfies Required<
  Pick<RedisRateLimitStoreOptions, 'keyPrefix' | 'operationTimeoutMs' | 'unavailableRetryMs' | 'connectionName'>
>;

const KEY_PREFIX = /^[A-Za-z0-9:_\-./]{1,64}$/;
const CONNECTION_NAME = /^[!-~]{1,64}$/;
const URL_EXAMPLE = '`redis://127.0.0.1:6379`';
/** ioredis `connectTimeout` of the clients the store creates, in ms. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Reconnection backoff of the clients the store creates: 50 ms doubling to 2 s, plus up to 50 ms of jitter. */
const RECONNECT_BASE_MS = 50;
const RECONNECT_MAX_MS = 2000;
/** Error replies that are expected while Redis starts, fails over or runs a long script: no warning. */
const TRANSIENT_REPLIES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'READONLY', 'CLUSTERDOWN']);
/** Client states in which nothing can be sent. */
const DOWN_STATES = new Set(['reconnecting', 'close', 'end']);

const UNAVAILABLE = Symbol('unavailable');

/** The event-emitter methods of an ioredis client, used when the client has them. */
interface EventSource {
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

/**
 * The {@link RateLimitStore} for Redis (`discord-update-manager/redis`, with the optional peer `ioredis`): rate-limit
 * state shared by every process of a sharded bot — learned buckets, the global window, 429 pauses and the
 * invalid-request budget — with the semantics of the in-memory reference store.
 *
 * - Each operation is one Lua script (`EVALSHA`, falling back to `EVAL` after a restart emptied the script cache),
 *   atomic and timed by Redis's `TIME`, so clock differences between processes do not matter. Key layout: see
 *   `redis-rate-limit-scripts.ts`; every key has a TTL, so state expires by itself (a bucket 10 minutes after its
 *   last use).
 * - Redis unreachable, restarting or failing: {@link RedisRateLimitStore.acquire} answers
 *   `{ granted: false, reason: 'unavailable', retryInMs }` and never throws, and never grants without Redis;
 *   `complete` and `cancel` fail silently (reservations expire by their TTL). The client it creates reconnects with
 *   backoff. After a restart that lost the state, buckets are unknown again: one request at a time until learned.
 * - At the first use it checks `CONFIG GET maxmemory-policy` and warns once when Redis may evict its keys (any policy
 *   but `noeviction`).
 * - Needs a standalone Redis (or a primary with replicas), not Redis Cluster: the scripts name bucket keys at run time.
 *
 * @example
 * ```ts
 * import { RedisRateLimitStore } from 'discord-update-manager/redis';
 *
 * const rateLimitStore = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'mybot:' });
 * const manager = new MessageUpdateManager({ transport, rateLimitStore });
 * // ...
 * await manager.stop();
 * await rateLimitStore.close(); // quits the client it created
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #prefix: string;
  readonly #keys: readonly string[];
  readonly #url: string | undefined;
  readonly #target: string;
  readonly #givenClient: RedisClientLike | undefined;
  readonly #onWarning: (message: string) => void;
  readonly #operationTimeoutMs: number;
  readonly #unavailableRetryMs: number;
  readonly #connectionName: string;
  #owned: Promise<OwnedRedisClient> | undefined;
  /** The owned client has been ready once: later, any other state answers `unavailable` at once. */
  #everReady = false;
  #policyCheck: Promise<void> | undefined;
  #policyChecked = false;
  readonly #warned = new Set<string>();
  #closed = false;
  /** Generation of the shared state last seen ('' before the first answer): a change means the state was lost. */
  #generation = '';
  #closing: Promise<void> | undefined;
  /** Rejecters of the operations waiting for a reply: a closed connection fails them at once. */
  readonly #pending = new Set<(error: Error) => void>();
  /** The client whose `close` event the store listens to, and the listener. */
  #watched: { readonly client: RedisClientLike; readonly listener: () => void } | undefined;
  /**
   * The wait for the owned client's connection, shared by every call made while it runs, so the client carries one
   * set of `ready`/`close`/`end`/`error` listeners however many calls wait (see `#waitReady`).
   */
  #readyWait: Promise<boolean> | undefined;

  /**
   * Checks the options; connects nothing (the first call does, or {@link RedisRateLimitStore.connect}).
   *
   * @param options - see {@link RedisRateLimitStoreOptions}
   * @throws {@link discord-update-manager!InvalidConfigError} when neither or both of `url` and `client` are given, the
   *   URL is not a `redis://` or `rediss://` URL, the client has no `call()` or has its own `keyPrefix`, the prefix or
   *   connection name has characters outside the allowed set, a timing is out of range, or `onWarning` is not a
   *   function
   * @example
   * ```ts
   * const store = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'mybot:' });
   * ```
   */
  public constructor(options: RedisRateLimitStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidConfigError(
        'options',
        options,
        'an object with `url` or `client`',
        `For example { url: ${URL_EXAMPLE} }`,
      );
    }
    const { url, client } = options;
    if (url === undefined && client === undefined) {
      throw new InvalidConfigError(
        'url',
        url,
        `a Redis URL such as ${URL_EXAMPLE}`,
        'Pass `url` (the store creates and quits its own client) or `client` (an ioredis client you own)',
      );
    }
    if (url !== undefined && client !== undefined) {
      throw new InvalidConfigError(
        'client',
        client,
        'omitted when `url` is given',
        'Pass `url` (the store creates and quits its own client) or `client` (an ioredis client you own), not both',
      );
    }
    if (url !== undefined) {
      const parsed = typeof url === 'string' ? parseRedisUrl(url) : undefined;
      if (parsed === undefined) {
        throw new InvalidConfigError(
          'url',
          typeof url === 'string' ? redactUrl(url) : url,
          `a Redis URL such as ${URL_EXAMPLE} (redis:// or rediss://)`,
          'For a Unix socket, create the ioredis client yourself and pass it as `client`',
        );
      }
      this.#target = parsed;
    } else {
      if (typeof client !== 'object' || client === null || typeof client.call !== 'function') {
        throw new InvalidConfigError('client', client, 'an ioredis client (an object with `call()`)');
      }
      const ownPrefix = (client as { readonly options?: { readonly keyPrefix?: unknown } }).options?.keyPrefix;
      if (typeof ownPrefix === 'string' && ownPrefix.length > 0) {
        throw new InvalidConfigError(
          'client',
          client,
          'an ioredis client without its own `keyPrefix` option',
          `It has keyPrefix ${JSON.stringify(ownPrefix)}: the store's scripts name keys themselves, which ioredis cannot prefix. Pass the prefix as the store's \`keyPrefix\` instead`,
        );
      }
      this.#target = 'the Redis server of the client passed as `client`';
    }
    const keyPrefix = options.keyPrefix ?? DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.keyPrefix;
    if (typeof keyPrefix !== 'string' || !KEY_PREFIX.test(keyPrefix)) {
      throw new InvalidConfigError(
        'keyPrefix',
        keyPrefix,
        'a string of 1 to 64 letters, digits and `: _ - . /` (e.g. `mybot:`)',
      );
    }
    const connectionName = options.connectionName ?? DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.connectionName;
    if (typeof connectionName !== 'string' || !CONNECTION_NAME.test(connectionName)) {
      throw new InvalidConfigError('connectionName', connectionName, 'a string of 1 to 64 characters without spaces');
    }
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
      throw new InvalidConfigError('onWarning', options.onWarning, 'a function taking the warning message');
    }
    this.#operationTimeoutMs = checkMs(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.operationTimeoutMs,
    );
    this.#unavailableRetryMs = checkMs(
      'unavailableRetryMs',
      options.unavailableRetryMs ?? DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.unavailableRetryMs,
    );
    this.#url = url;
    this.#givenClient = client;
    this.#prefix = keyPrefix;
    this.#keys = redisRateLimitKeys(keyPrefix);
    this.#connectionName = connectionName;
    this.#onWarning =
      options.onWarning ?? ((message: string) => process.emitWarning(message, 'DiscordUpdateManagerWarning'));
  }

  /** The prefix of every key the store writes. */
  public get keyPrefix(): string {
    return this.#prefix;
  }

  /**
   * Connects now (optional: the first operation connects otherwise) and checks the eviction policy, so a bot can fail
   * fast at start-up instead of seeing `unavailable` answers.
   *
   * @returns once Redis answered
   * @throws {@link discord-update-manager!MissingPeerDependencyError} (`MISSING_PEER_DEPENDENCY`) when `ioredis` cannot
   *   be loaded ("install ioredis (npm install ioredis@5)"; thrown rather than also passed to `onWarning`), or
   *   {@link MessageUpdateError} with code `TRANSPORT_ERROR` when Redis does not answer within `operationTimeoutMs`
   *   ("Redis is not reachable at host:port ...")
   * @example
   * ```ts
   * await store.connect(); // throws if Redis is down
   * ```
   */
  public async connect(): Promise<void> {
    if (this.#closed) throw new MessageUpdateError(ErrorCodes.InvalidConfig, 'RedisRateLimitStore is closed.');
    const client = await this.#readyClient(true);
    this.#watch(client);
    try {
      await this.#guard(client.call('PING'));
    } catch (error) {
      throw this.#unreachable(error);
    }
    if (!this.#policyChecked) await this.#checkPolicy(client);
  }

  /**
   * Reserves a slot for one request, or says how long to wait and why: one atomic script on Redis's clock. Never
   * throws: while Redis cannot answer (down, restarting, timing out, closed store) it answers
   * `{ granted: false, reason: 'unavailable', retryInMs: unavailableRetryMs }`.
   *
   * @param request - the route and major parameter of the request
   * @param limits - the limits to enforce
   * @returns a granted reservation, or `{ granted: false, reason, retryInMs }`
   */
  public async acquire(request: RateLimitSlotRequest, limits: RateLimitStoreLimits): Promise<RateLimitAcquireResult> {
    const reply = await this.#run(REDIS_RATE_LIMIT_SCRIPTS.acquire, [
      this.#prefix,
      request.routeKey,
      request.majorParameter,
      request.exemptFromGlobal ? '1' : '0',
      whole(limits.globalLimit),
      whole(limits.globalWindowMs),
      whole(limits.maxInFlightPerBucket),
      whole(limits.invalidRequestLimit),
      whole(limits.invalidRequestWindowMs),
      whole(limits.reservationTtlMs),
      randomUUID(),
      RATE_LIMIT_STORE_TIMINGS.answerPollMs,
      RATE_LIMIT_STORE_TIMINGS.bucketIdleMs,
      RATE_LIMIT_STORE_TIMINGS.routesIdleMs,
      this.#generation,
    ]);
    if (reply !== UNAVAILABLE && Array.isArray(reply) && (reply.length === 4 || reply.length === 5)) {
      const [granted, second, third, generation, limit] = reply as [unknown, unknown, unknown, unknown, unknown];
      if (typeof generation === 'string') this.#generation = generation;
      if (granted === 1 && typeof second === 'string' && typeof third === 'string' && typeof limit === 'number') {
        return {
          granted: true,
          reservation: {
            id: second,
            bucket: third,
            routeKey: request.routeKey,
            majorParameter: request.majorParameter,
            exemptFromGlobal: request.exemptFromGlobal,
          },
          globalLimit: limit,
        };
      }
      if (granted === 0 && isBlockReason(second) && typeof third === 'number') {
        return { granted: false, reason: second, retryInMs: Math.max(1, third) };
      }
    }
    if (reply !== UNAVAILABLE)
      this.#warnOnce('reply', `RedisRateLimitStore: unexpected acquire reply ${JSON.stringify(reply)}`);
    return { granted: false, reason: 'unavailable', retryInMs: this.#unavailableRetryMs };
  }

  /**
   * Releases a reservation after its request was answered (or failed without an answer), learning from the answer;
   * the global slot stays held until `globalWindowMs` after now. Never throws: if Redis cannot be reached the
   * reservation expires by its TTL (and what the answer said is lost, which is safe: buckets stay as cautious as
   * they were).
   *
   * @param reservation - what {@link RedisRateLimitStore.acquire} granted
   * @param observation - what the answer said, or `undefined` when there was none
   * @param limits - the limits in force
   */
  public async complete(
    reservation: RateLimitReservation,
    observation: RateLimitObservation | 'observed' | undefined,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    await this.#report('complete', reservation, observation, limits);
  }

  /**
   * Learns at once from an answer to a request its transport may send again (a 429 or 5xx), so every process knows of
   * a pause or a lower global limit now; the attempt it answered holds a global slot of its own. Never throws.
   *
   * @param reservation - what {@link RedisRateLimitStore.acquire} granted
   * @param observation - what the answer said
   * @param limits - the limits in force
   */
  public async observe(
    reservation: RateLimitReservation,
    observation: RateLimitObservation,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    await this.#report('observe', reservation, observation, limits);
  }

  /** Runs the complete script: `complete` releases the reservation, `observe` only learns from the answer. */
  async #report(
    mode: 'complete' | 'observe',
    reservation: RateLimitReservation,
    answer: RateLimitObservation | 'observed' | undefined,
    limits: RateLimitStoreLimits,
  ): Promise<void> {
    const optional = (value: number | undefined): string | number => (value === undefined ? '' : whole(value));
    const observation = answer === 'observed' ? undefined : answer;
    await this.#run(REDIS_RATE_LIMIT_SCRIPTS.complete, [
      this.#prefix,
      reservation.id,
      reservation.bucket,
      reservation.routeKey,
      reservation.majorParameter,
      reservation.exemptFromGlobal ? '1' : '0',
      whole(limits.globalWindowMs),
      whole(limits.invalidRequestWindowMs),
      whole(limits.reservationTtlMs),
      RATE_LIMIT_STORE_TIMINGS.bucketIdleMs,
      RATE_LIMIT_STORE_TIMINGS.routesIdleMs,
      answer === undefined ? '0' : answer === 'observed' ? '2' : '1',
      observation === undefined ? 0 : whole(observation.status),
      observation?.bucketHash ?? '',
      optional(observation?.limit),
      optional(observation?.remaining),
      optional(observation?.resetAfterMs),
      optional(observation?.retryAfterMs),
      observation?.scope ?? '',
      observation?.subLimit === undefined ? '' : observation.subLimit ? '1' : '0',
      observation?.banned === true ? '1' : '0',
      whole(limits.globalLimit),
      whole(limits.globalProbeIntervalMs ?? GLOBAL_LIMIT_LEARNING.firstProbeIntervalMs),
      GLOBAL_LIMIT_LEARNING.safety,
      GLOBAL_LIMIT_LEARNING.minEvidence,
      GLOBAL_LIMIT_LEARNING.maxProbeIntervalMs,
      mode,
    ]);
  }

  /**
   * Gives a reservation back unused (its slot returns to its bucket's window, the global window and the budget).
   * Never throws; if Redis cannot be reached the reservation expires by its TTL.
   *
   * @param reservation - what {@link RedisRateLimitStore.acquire} granted
   */
  public async cancel(reservation: RateLimitReservation): Promise<void> {
    await this.#run(REDIS_RATE_LIMIT_SCRIPTS.cancel, [
      this.#prefix,
      reservation.id,
      reservation.bucket,
      reservation.routeKey,
      RATE_LIMIT_STORE_TIMINGS.bucketIdleMs,
    ]);
  }

  /**
   * Quits the client the store created (a `client` you passed stays open). Later calls answer `unavailable`.
   * Idempotent.
   *
   * @returns once the connection is closed
   */
  public close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#closeOwned();
    return this.#closing;
  }

  /** Stops listening to the client's `close` event (on a client passed as `client`, leave nothing behind). */
  #unwatch(): void {
    const watched = this.#watched;
    this.#watched = undefined;
    if (watched === undefined) return;
    const off = (watched.client as Partial<EventSource>).removeListener;
    if (typeof off === 'function') off.call(watched.client, 'close', watched.listener);
  }

  /**
   * Listens to the client's `close` event: ioredis neither answers nor (with `autoResendUnfulfilledCommands: false`)
   * resends a command whose connection closed, so the store fails what it waits for at once instead of at the
   * timeout.
   */
  #watch(client: RedisClientLike): void {
    if (this.#watched?.client === client) return;
    this.#unwatch();
    const on = (client as Partial<EventSource>).on;
    if (typeof on !== 'function') return;
    const listener = (): void => {
      for (const fail of [...this.#pending]) fail(new Error('Connection is closed.'));
    };
    on.call(client, 'close', listener);
    this.#watched = { client, listener };
  }

  /** `promise`, failed after `operationTimeoutMs` or as soon as the connection closes (it may still run on Redis). */
  #guard<T>(promise: Promise<T>): Promise<T> {
    const ms = this.#operationTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        this.#pending.delete(fail);
        finish();
      };
      const fail = (error: Error): void => settle(() => reject(error));
      const timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
      timer.unref?.();
      this.#pending.add(fail);
      promise.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  async #closeOwned(): Promise<void> {
    this.#unwatch();
    const owned = this.#owned;
    if (owned === undefined) return;
    const client = await owned.catch(() => undefined);
    if (client === undefined) return;
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    try {
      await this.#guard(client.quit());
    } catch {
      client.disconnect();
    }
  }

  /** Runs one script; any failure (no connection, timeout, error reply) is {@link UNAVAILABLE}. */
  async #run(script: RedisScript, args: readonly (string | number)[]): Promise<unknown> {
    if (this.#closed) return UNAVAILABLE;
    let client: RedisClientLike;
    try {
      client = await this.#readyClient(false);
    } catch {
      return UNAVAILABLE;
    }
    this.#watch(client);
    if (!this.#policyChecked) await this.#checkPolicy(client);
    try {
      return await this.#guard(this.#evaluate(client, script, args));
    } catch (error) {
      this.#noteFailure(script, error);
      return UNAVAILABLE;
    }
  }

  async #evaluate(client: RedisClientLike, script: RedisScript, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.call('EVALSHA', script.sha1, REDIS_RATE_LIMIT_KEY_COUNT, ...this.#keys, ...args);
    } catch (error) {
      // A restarted (or SCRIPT FLUSHed) server has an empty script cache: send the source once, which caches it.
      if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
      return client.call('EVAL', script.source, REDIS_RATE_LIMIT_KEY_COUNT, ...this.#keys, ...args);
    }
  }

  /**
   * The client, when commands can be sent to it. The first time, the owned client is created and its first
   * connection awaited (up to `operationTimeoutMs`); later, a client that is not ready fails at once.
   *
   * @param explain - throw the explanation (missing peer, unreachable) rather than a bare failure
   */
  async #readyClient(explain: boolean): Promise<RedisClientLike> {
    const given = this.#givenClient;
    if (given !== undefined) {
      if (given.status !== undefined && DOWN_STATES.has(given.status) && !explain) throw new Error(given.status);
      return given;
    }
    this.#owned ??= this.#createClient();
    let client: OwnedRedisClient;
    try {
      client = await this.#owned;
    } catch (error) {
      // The peer is missing: say so once, and try again next time. `connect()` throws the error, which is then the one
      // report (no warning besides, now or later); `acquire` never throws, so it answers `unavailable` and warns.
      this.#owned = undefined;
      if (explain) this.#warned.add('missing-peer');
      else this.#warnOnce('missing-peer', messageOf(error));
      throw error;
    }
    if (this.#closed) {
      client.disconnect();
      throw new Error('closed');
    }
    if (client.status === 'ready') {
      this.#everReady = true;
      return client;
    }
    if (!this.#everReady || explain) {
      if (await this.#waitReady(client)) {
        this.#everReady = true;
        return client;
      }
    }
    if (explain) throw this.#unreachable(new Error(`connection ${client.status}`));
    throw new Error(client.status);
  }

  /**
   * Resolves `true` once the owned client is ready, `false` when its connection attempt fails or `operationTimeoutMs`
   * pass since the wait began. Calls that arrive while a wait runs join it: one wait per call put four listeners per
   * call on the client, so the burst of `acquire` calls a manager makes at start-up, before the first connection is
   * up, gave the warning "11 close listeners added to [Commander]" in every process (issue 8, item 6).
   */
  #waitReady(client: OwnedRedisClient): Promise<boolean> {
    this.#readyWait ??= waitReady(client, this.#operationTimeoutMs).finally(() => {
      this.#readyWait = undefined;
    });
    return this.#readyWait;
  }

  async #createClient(): Promise<OwnedRedisClient> {
    let loaded: unknown;
    try {
      loaded = await import('ioredis');
    } catch (error) {
      throw missingPeerError(error);
    }
    // ESM sees ioredis's named exports; its CommonJS build (and some bundlers) hand over module.exports as `default`.
    const exported = loaded as {
      readonly Redis?: unknown;
      readonly default?: { readonly Redis?: unknown } | ((...args: never[]) => unknown);
    };
    const Redis = (exported.Redis ??
      (typeof exported.default === 'function' ? exported.default : exported.default?.Redis)) as
      OwnedRedisClientConstructor | undefined;
    if (typeof Redis !== 'function') throw missingPeerError(undefined);
    const options: OwnedRedisClientOptions = {
      retryStrategy: (times) =>
        Math.min(RECONNECT_BASE_MS * 2 ** Math.min(times - 1, 6), RECONNECT_MAX_MS) + Math.floor(Math.random() * 50),
      // Fail fast while disconnected (the store answers `unavailable`) instead of queueing commands.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // A script whose reply was lost must not run a second time after a reconnection (it would hold a slot nobody
      // owns until its reservation expired).
      autoResendUnfulfilledCommands: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      connectionName: this.#connectionName,
    };
    const client = new Redis(this.#url!, options);
    // Connection errors are answered with `unavailable`; an unheard 'error' event would only be logged by ioredis.
    client.on('error', () => {});
    return client;
  }

  /** Warns once when Redis may evict the store's keys. CONFIG may be disabled or renamed: then nothing is said. */
  #checkPolicy(client: RedisClientLike): Promise<void> {
    this.#policyCheck ??= (async () => {
      try {
        const reply = await this.#guard(client.call('CONFIG', 'GET', 'maxmemory-policy'));
        this.#policyChecked = true;
        const policy = policyOf(reply);
        if (policy !== undefined && /^(allkeys|volatile)-/.test(policy)) {
          this.#warnOnce(
            'eviction',
            `RedisRateLimitStore: Redis runs with maxmemory-policy ${policy}, which may evict the rate-limit keys ` +
              `under ${this.#prefix} when memory runs short (every key has a TTL, so volatile-* policies apply too). ` +
              'Lost state is safe (buckets become unknown: one request at a time) but slows sending down. Set ' +
              '`maxmemory-policy noeviction` on this Redis, or give the store a Redis of its own.',
          );
        }
      } catch {
        // An error reply (CONFIG disabled, renamed, not permitted) settles it; a lost connection is checked again.
        if (client.status === undefined || client.status === 'ready') this.#policyChecked = true;
      } finally {
        this.#policyCheck = undefined;
      }
    })();
    return this.#policyCheck;
  }

  #noteFailure(script: RedisScript, error: unknown): void {
    const message = messageOf(error);
    const code = /^([A-Z]{2,}) /.exec(message)?.[1];
    if ((error as { readonly name?: unknown } | undefined)?.name !== 'ReplyError' && code === undefined) return;
    if (code !== undefined && TRANSIENT_REPLIES.has(code)) return;
    this.#warnOnce(
      `reply:${code ?? message}`,
      `RedisRateLimitStore: Redis answered the ${script.name} script with "${message}"; slots are refused ` +
        "('unavailable') while this lasts.",
    );
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    try {
      this.#onWarning(message);
    } catch {
      // A throwing warning handler must not break the store.
    }
  }

  #unreachable(cause: unknown): MessageUpdateError {
    return new MessageUpdateError(
      ErrorCodes.Transport,
      `Redis is not reachable at ${this.#target}: ${messageOf(cause) || 'no answer'}. Start it ` +
        '(redis-server --daemonize yes) or check the `url`.',
      { cause },
    );
  }
}

function missingPeerError(cause: unknown): MissingPeerDependencyError {
  return new MissingPeerDependencyError('ioredis', 'RedisRateLimitStore with a `url`', {
    version: '5',
    alternative: 'pass your own `client`',
    ...(cause === undefined ? { problem: 'it did not export a Redis constructor' } : { cause }),
  });
}

/** `host:port` of a redis:// or rediss:// URL, or `undefined` when it is not one. */
function parseRedisUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return undefined;
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function checkMs(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 60_000) {
    throw new InvalidConfigError(field, value, 'an integer from 1 to 60000 (milliseconds)');
  }
  return value;
}

/** Whole milliseconds (or counts) for the scripts, which work in integers. */
function whole(value: number): number {
  return Number.isFinite(value) ? Math.ceil(value) : 0;
}

function isBlockReason(value: unknown): value is 'bucket' | 'global' | 'paused' | 'invalid-budget' {
  return value === 'bucket' || value === 'global' || value === 'paused' || value === 'invalid-budget';
}

/** The policy from a `CONFIG GET` reply (`['maxmemory-policy', 'noeviction']`, or a map under RESP3). */
function policyOf(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return typeof reply[1] === 'string' ? reply[1] : undefined;
  if (typeof reply === 'object' && reply !== null) {
    const value = (reply as Record<string, unknown>)['maxmemory-policy'];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves `true` once the client is ready, `false` when its connection attempt fails or `ms` pass. */
function waitReady(client: OwnedRedisClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.removeListener('ready', onReady);
      client.removeListener('close', onFail);
      client.removeListener('end', onFail);
      client.removeListener('error', onFail);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const onFail = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    client.on('ready', onReady);
    client.on('close', onFail);
    client.on('end', onFail);
    client.on('error', onFail);
    if (client.status === 'ready') done(true);
    else if (client.status === 'end') done(false);
  });
}
