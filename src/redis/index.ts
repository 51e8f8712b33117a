/**
 * Redis rate-limit state (`discord-update-manager/redis`): {@link RedisRateLimitStore}, the learned buckets, global
 * window, 429 pauses and invalid-request budget shared by every process of a sharded bot, updated atomically by Lua
 * scripts on Redis's clock. Needs the optional peer `ioredis` (`npm install ioredis@5`), loaded only when a store
 * first connects with a `url`.
 *
 * @example
 * ```ts
 * import { RedisRateLimitStore } from 'discord-update-manager/redis';
 *
 * const rateLimitStore = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'mybot:' });
 * const manager = new MessageUpdateManager({ transport, rateLimitStore });
 * // ...
 * await rateLimitStore.close();
 * ```
 * @module discord-update-manager/redis
 */
export { DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS, RedisRateLimitStore } from './redis-rate-limit-store.js';
export type { RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export type { RedisClientLike } from './redis-client-like.js';
export type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../rate-limit/rate-limit-store.js';
