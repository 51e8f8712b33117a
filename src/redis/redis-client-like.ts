/**
 * The small slice of `ioredis` the Redis store uses, typed locally so the package never imports `ioredis` (an
 * optional peer) outside the lazy loader in `redis-rate-limit-store.ts`. An `ioredis` `Redis` client satisfies
 * {@link RedisClientLike}.
 *
 * @module
 */

/**
 * A Redis connection shaped like an `ioredis` client: what you pass as `client` to `RedisRateLimitStore` when you own
 * the connection. The store only sends commands through {@link RedisClientLike.call} (`EVALSHA`, `EVAL`, and once
 * `CONFIG GET maxmemory-policy`) and never quits it.
 *
 * Create it without ioredis's own `keyPrefix` option (the store's scripts build key names themselves; pass the prefix
 * as the store's `keyPrefix`), and preferably with `enableOfflineQueue: false` so calls fail at once while the
 * connection is down instead of queueing until the store's `operationTimeoutMs`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisRateLimitStore, type RedisClientLike } from 'discord-update-manager/redis';
 *
 * const client: RedisClientLike = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: false });
 * const store = new RedisRateLimitStore({ client });
 * // ...
 * await store.close(); // leaves `client` open
 * ```
 */
export interface RedisClientLike {
  /**
   * The connection state as ioredis reports it: `ready` when commands can be sent; `reconnecting`, `close` or `end`
   * make the store answer `unavailable` without sending anything. Optional for clients that do not report one.
   */
  readonly status?: string;
  /**
   * Sends one command and resolves with its reply (rejects with a Redis error reply or a connection error).
   *
   * @param command - the command name, e.g. `EVALSHA`
   * @param args - its arguments
   * @returns the reply
   */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A client the store created itself: it waits for its connection, and quits it on `close()`. */
export interface OwnedRedisClient extends RedisClientLike {
  readonly status: string;
  /** Closes the connection after pending replies. */
  quit(): Promise<unknown>;
  /** Closes the connection at once and stops reconnecting. */
  disconnect(): void;
  /** Listens to connection events (`ready`, `error`, `close`, `end`). */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Removes a listener added with {@link OwnedRedisClient.on}. */
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The ioredis options the store sets on the clients it creates. */
export interface OwnedRedisClientOptions {
  readonly retryStrategy: (times: number) => number;
  readonly maxRetriesPerRequest: number;
  readonly enableOfflineQueue: boolean;
  readonly autoResendUnfulfilledCommands: boolean;
  readonly connectTimeout: number;
  readonly connectionName: string;
}

/** The ioredis `Redis` constructor, as far as the store uses it. */
export type OwnedRedisClientConstructor = new (url: string, options: OwnedRedisClientOptions) => OwnedRedisClient;
