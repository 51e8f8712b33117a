import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InvalidConfigError, MessageUpdateError } from '../../../src/errors/message-update-error.js';
import type {
  RateLimitObservation,
  RateLimitSlotRequest,
  RateLimitStoreLimits,
} from '../../../src/rate-limit/rate-limit-store.js';
import {
  DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS,
  RedisRateLimitStore,
  type RedisClientLike,
} from '../../../src/redis/index.js';
import { describeRateLimitStoreContract } from '../../contract/rate-limit-store.contract.js';

/** The server the tests use. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let admin: Promise<Redis> | undefined;

/**
 * A client for the tests' own commands, connected once per file; every test awaits it, so without a server each test
 * fails with the same message saying what to start (these tests never skip).
 */
function redisAdmin(): Promise<Redis> {
  admin ??= (async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      const target = new URL(REDIS_URL);
      throw new Error(
        `Redis is not reachable at ${target.hostname}:${target.port || 6379} (REDIS_URL=${REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}): ` +
          `${error instanceof Error ? error.message : String(error)}: start it (redis-server --daemonize yes) or set REDIS_URL`,
        { cause: error },
      );
    }
    return client;
  })();
  return admin;
}

afterAll(async () => {
  const client = await admin?.catch(() => undefined);
  admin = undefined;
  await client?.quit();
});

const newPrefix = (): string => `dumtest:${randomBytes(6).toString('hex')}:`;

async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysOf(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

/** Client ids of the connections named `name`, from `CLIENT LIST`. */
async function connectionsNamed(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.split(' ').includes(`name=${name}`))
    .map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
}

const CHANNEL = '111111111111111111';
const EDIT: RateLimitSlotRequest = {
  routeKey: 'PATCH /channels/:channel_id/messages/:id',
  majorParameter: CHANNEL,
  exemptFromGlobal: false,
};
const LIMITS: RateLimitStoreLimits = {
  globalLimit: 50,
  globalWindowMs: 1000,
  maxInFlightPerBucket: 10,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};
const ok = (remaining: number, resetAfterMs: number, limit = 5): RateLimitObservation => ({
  status: 200,
  bucketHash: 'abc',
  limit,
  remaining,
  resetAfterMs,
});
const inChannel = (channel: string): RateLimitSlotRequest => ({ ...EDIT, majorParameter: channel });

/** Node's default `maxListeners`: past it, an emitter whose limit was not raised prints MaxListenersExceededWarning. */
const NODE_DEFAULT_MAX_LISTENERS = 10;

/**
 * Records, for every listener added to an ioredis client while it runs, how many listeners of that event the client
 * then held: the largest count per event is what MaxListenersExceededWarning reports, transient listeners included.
 * (ioredis copies EventEmitter's methods onto `Redis.prototype`, so they are wrapped there.)
 */
function trackRedisListenerPeaks(): { readonly peaks: Map<Redis, Map<string, number>>; readonly restore: () => void } {
  const peaks = new Map<Redis, Map<string, number>>();
  const prototype = Redis.prototype as EventEmitter;
  const { on, addListener, prependListener } = prototype;
  const note = (client: Redis, event: string | symbol): void => {
    if (typeof event !== 'string') return;
    const counts = peaks.get(client) ?? new Map<string, number>();
    peaks.set(client, counts);
    counts.set(event, Math.max(counts.get(event) ?? 0, client.listenerCount(event)));
  };
  const wrap = (add: EventEmitter['on']) =>
    function (this: Redis, event: string | symbol, listener: (...args: unknown[]) => void) {
      add.call(this, event, listener);
      note(this, event);
      return this;
    };
  // `once` goes through `on`.
  prototype.on = wrap(on);
  prototype.addListener = wrap(addListener);
  prototype.prependListener = wrap(prependListener);
  return {
    peaks,
    restore: () => Object.assign(prototype, { on, addListener, prependListener }),
  };
}

/** Collects the MaxListenersExceededWarning messages the process emits until `stop()`. */
function collectListenerWarnings(): { readonly messages: string[]; readonly stop: () => Promise<void> } {
  const messages: string[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'MaxListenersExceededWarning') messages.push(warning.message);
  };
  process.on('warning', onWarning);
  return {
    messages,
    stop: async () => {
      // Node emits a warning on a later tick than the listener that raised it.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    },
  };
}

/** The connection events the store listens to. */
const CONNECTION_EVENTS = ['ready', 'close', 'end', 'error'] as const;

/** The listener count of each connection event. */
function connectionListeners(client: Redis): Record<string, number> {
  return Object.fromEntries(CONNECTION_EVENTS.map((event) => [event, client.listenerCount(event)]));
}

/** `operations` acquires (spread over as many channels) in bursts of `burst` at once, each grant completed. */
async function runOperations(store: RedisRateLimitStore, operations: number, burst: number): Promise<void> {
  for (let done = 0; done < operations; done += burst) {
    await Promise.all(
      Array.from({ length: Math.min(burst, operations - done) }, async (_, i) => {
        const slot = await store.acquire(inChannel(`7${String(done + i).padStart(17, '0')}`), LIMITS);
        if (slot.granted) await store.complete(slot.reservation, ok(4, 5000), LIMITS);
      }),
    );
  }
}

describeRateLimitStoreContract('redis', async () => {
  const redis = await redisAdmin();
  const prefixes = [newPrefix()];
  const stores: RedisRateLimitStore[] = [];
  const warnings: string[] = [];
  const open = (keyPrefix: string): RedisRateLimitStore => {
    const store = new RedisRateLimitStore({
      url: REDIS_URL,
      keyPrefix,
      onWarning: (message) => warnings.push(message),
    });
    stores.push(store);
    return store;
  };
  return {
    store: open(prefixes[0]!),
    // Redis's clock cannot be faked: let real time pass.
    wait: (ms) => sleep(ms),
    peer: async () => open(prefixes[0]!),
    isolated: async () => {
      const prefix = newPrefix();
      prefixes.push(prefix);
      return open(prefix);
    },
    slackMs: 150,
    cleanup: async () => {
      for (const store of stores) await store.close();
      for (const prefix of prefixes) await deleteKeys(redis, prefix);
      expect(warnings).toEqual([]);
    },
  };
});

describe('RedisRateLimitStore', () => {
  describe('options', () => {
    it('rejects neither or both of url and client, naming the field', () => {
      expect(() => new RedisRateLimitStore({})).toThrow(InvalidConfigError);
      expect(() => new RedisRateLimitStore({})).toThrow(/Expected `url` to be a Redis URL/);
      const client: RedisClientLike = { call: async () => 'OK' };
      expect(() => new RedisRateLimitStore({ url: REDIS_URL, client })).toThrow(
        /Expected `client` to be omitted when `url` is given/,
      );
      expect(() => new RedisRateLimitStore(undefined as never)).toThrow(InvalidConfigError);
    });

    it('rejects a URL that is not redis:// or rediss://, without showing its password', () => {
      let error: unknown;
      try {
        new RedisRateLimitStore({ url: 'http://user:secret@127.0.0.1:6379' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).field).toBe('url');
      expect((error as Error).message).not.toContain('secret');
      expect(() => new RedisRateLimitStore({ url: 'not a url' })).toThrow(/redis:\/\/ or rediss:\/\//);
      expect(() => new RedisRateLimitStore({ url: 'rediss://:pw@example.com:6380/2' })).not.toThrow();
    });

    it('rejects a bad key prefix', () => {
      for (const keyPrefix of ['', 'my bot:', 'bot*', '{bot}:', 'x'.repeat(65), 42 as unknown as string]) {
        let error: unknown;
        try {
          new RedisRateLimitStore({ url: REDIS_URL, keyPrefix });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(InvalidConfigError);
        expect(error).toMatchObject({ field: 'keyPrefix', value: keyPrefix });
        expect((error as InvalidConfigError).allowed).toMatch(/1 to 64 letters, digits/);
      }
      expect(new RedisRateLimitStore({ url: REDIS_URL }).keyPrefix).toBe('dum:');
      expect(DEFAULT_REDIS_RATE_LIMIT_STORE_OPTIONS.keyPrefix).toBe('dum:');
      expect(new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: 'my-bot/prod.v2:' }).keyPrefix).toBe(
        'my-bot/prod.v2:',
      );
    });

    it('rejects a client without call(), a client with its own keyPrefix, and out-of-range timings', () => {
      expect(() => new RedisRateLimitStore({ client: {} as RedisClientLike })).toThrow(
        /Expected `client` to be an ioredis client/,
      );
      const prefixed = new Redis(REDIS_URL, { lazyConnect: true, keyPrefix: 'theirs:' });
      expect(() => new RedisRateLimitStore({ client: prefixed })).toThrow(/without its own `keyPrefix`/);
      prefixed.disconnect();
      expect(() => new RedisRateLimitStore({ url: REDIS_URL, operationTimeoutMs: 0 })).toThrow(
        /Expected `operationTimeoutMs` to be an integer from 1 to 60000/,
      );
      expect(() => new RedisRateLimitStore({ url: REDIS_URL, unavailableRetryMs: 1.5 })).toThrow(/unavailableRetryMs/);
      expect(() => new RedisRateLimitStore({ url: REDIS_URL, connectionName: 'has space' })).toThrow(/connectionName/);
      expect(() => new RedisRateLimitStore({ url: REDIS_URL, onWarning: 'log' as never })).toThrow(/onWarning/);
    });
  });

  describe('keys', () => {
    it('keeps every key under its prefix, each with a TTL', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix });
      try {
        const learned = await store.acquire(EDIT, LIMITS);
        if (!learned.granted) throw new Error('expected a slot');
        await store.complete(learned.reservation, ok(4, 5000), LIMITS);
        const inFlight = await store.acquire(EDIT, LIMITS); // left in flight
        expect(inFlight.granted).toBe(true);
        const invalid = await store.acquire(inChannel('222222222222222222'), LIMITS);
        if (!invalid.granted) throw new Error('expected a slot');
        await store.complete(invalid.reservation, { status: 429, scope: 'global', retryAfterMs: 3000 }, LIMITS);

        const keys = (await keysOf(redis, prefix)).sort();
        // (An in-flight set that empties disappears, as Redis does with empty sorted sets.)
        expect(keys).toEqual(
          [
            'routes',
            `bucket:${EDIT.routeKey}|${CHANNEL}`, // where the first request went, before the hash was known
            `bucket:abc:${CHANNEL}`,
            `bucket-inflight:abc:${CHANNEL}`,
            'bucket:abc:222222222222222222',
            'global:inflight',
            'global:released',
            'global:paused',
            'global:sent',
            'global:counted',
            'invalid:log',
            'invalid:inflight',
            'state',
          ]
            .map((key) => `${prefix}${key}`)
            .sort(),
        );
        for (const key of keys) {
          const ttl = await redis.pttl(key);
          expect(ttl, key).toBeGreaterThan(0);
          expect(ttl, key).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
        }
        // Buckets are forgotten ten minutes after their last use.
        const bucketTtl = await redis.pttl(`${prefix}bucket:abc:${CHANNEL}`);
        expect(bucketTtl).toBeGreaterThan(9 * 60 * 1000);
        expect(bucketTtl).toBeLessThanOrEqual(10 * 60 * 1000);
        expect(await redis.pttl(`${prefix}global:paused`)).toBeLessThanOrEqual(3000);
        expect(await redis.hgetall(`${prefix}bucket:abc:${CHANNEL}`)).toMatchObject({
          known: '1',
          unlimited: '0',
          limit: '5',
          remaining: '3',
          window_known: '1',
          paused_until: '0',
          epoch: '0',
        });
        expect(await redis.hget(`${prefix}routes`, EDIT.routeKey)).toBe('h:abc');
      } finally {
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });
  });

  describe('clients', () => {
    it('leaves a client passed as `client` open on close()', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const client = new Redis(REDIS_URL, { enableOfflineQueue: false });
      client.on('error', () => {});
      try {
        await client.ping().catch(async () => {
          await new Promise((resolve) => client.once('ready', resolve));
        });
        const store = new RedisRateLimitStore({ client, keyPrefix: prefix });
        expect((await store.acquire(EDIT, LIMITS)).granted).toBe(true);
        await store.close();
        await store.close();
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
        // A closed store grants nothing.
        expect(await store.acquire(inChannel('333333333333333333'), LIMITS)).toMatchObject({
          granted: false,
          reason: 'unavailable',
        });
      } finally {
        client.disconnect();
        await deleteKeys(redis, prefix);
      }
    });

    it('quits the client it created on close()', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const connectionName = `dumtest-${randomBytes(4).toString('hex')}`;
      const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix, connectionName });
      try {
        await store.connect();
        expect(await connectionsNamed(redis, connectionName)).toHaveLength(1);
        await store.close();
        await vi.waitFor(async () => expect(await connectionsNamed(redis, connectionName)).toHaveLength(0));
      } finally {
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });
  });

  describe('failures', () => {
    it('answers unavailable quickly, and never throws, when Redis is unreachable', async () => {
      const warnings: string[] = [];
      const store = new RedisRateLimitStore({
        url: 'redis://127.0.0.1:1',
        unavailableRetryMs: 700,
        onWarning: (message) => warnings.push(message),
      });
      try {
        let started = performance.now();
        expect(await store.acquire(EDIT, LIMITS)).toEqual({ granted: false, reason: 'unavailable', retryInMs: 700 });
        expect(performance.now() - started).toBeLessThan(1500);
        started = performance.now();
        for (let i = 0; i < 5; i++) {
          expect(await store.acquire(EDIT, LIMITS)).toMatchObject({ granted: false, reason: 'unavailable' });
        }
        expect(performance.now() - started).toBeLessThan(500);
        const reservation = {
          id: 'gone.0',
          bucket: `${EDIT.routeKey}|${CHANNEL}`,
          routeKey: EDIT.routeKey,
          majorParameter: CHANNEL,
          exemptFromGlobal: false,
        };
        await expect(store.complete(reservation, ok(4, 5000), LIMITS)).resolves.toBeUndefined();
        await expect(store.cancel(reservation)).resolves.toBeUndefined();
        const failure = store.connect();
        await expect(failure).rejects.toThrow(MessageUpdateError);
        await expect(failure).rejects.toMatchObject({ code: 'TRANSPORT_ERROR' });
        await expect(failure).rejects.toThrow(/Redis is not reachable at 127\.0\.0\.1:1/);
        expect(warnings).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('reconnects after its connection is killed and grants again', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const connectionName = `dumtest-${randomBytes(4).toString('hex')}`;
      const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix, connectionName });
      try {
        expect((await store.acquire(EDIT, LIMITS)).granted).toBe(true);
        const [before] = await connectionsNamed(redis, connectionName);
        expect(before).toBeDefined();
        await redis.call('CLIENT', 'KILL', 'ID', before!);
        const answers: string[] = [];
        let granted = false;
        const deadline = Date.now() + 10_000;
        for (let i = 0; !granted && Date.now() < deadline; i++) {
          const result = await store.acquire(inChannel(`5${String(i).padStart(17, '0')}`), LIMITS);
          answers.push(result.granted ? 'granted' : result.reason);
          granted = result.granted;
          if (!granted) await sleep(20);
        }
        expect(granted).toBe(true);
        expect(new Set(answers)).toEqual(
          new Set(answers.includes('unavailable') ? ['unavailable', 'granted'] : ['granted']),
        );
        const [after] = await connectionsNamed(redis, connectionName);
        expect(after).toBeDefined();
        expect(after).not.toBe(before);
        // The state survived: the first reservation still holds its unknown bucket.
        expect(await store.acquire(EDIT, LIMITS)).toMatchObject({ granted: false, reason: 'bucket' });
      } finally {
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });

    it('waits one global window after the state was lost (restart, flush), then learns buckets again', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix });
      try {
        const learned = await store.acquire(EDIT, LIMITS);
        if (!learned.granted) throw new Error('expected a slot');
        await store.complete(learned.reservation, ok(4, 5000), LIMITS);
        expect(await store.acquire(EDIT, LIMITS)).toMatchObject({
          granted: true,
          reservation: { bucket: `abc:${CHANNEL}` },
        });
        expect((await store.acquire(EDIT, LIMITS)).granted).toBe(true);

        // What a restart without persistence does: the keys and the script cache are gone.
        await deleteKeys(redis, prefix);
        await redis.script('FLUSH');

        // The store saw this state before and finds it gone: requests made before may still count in Discord's
        // window, so nothing is granted for one global window...
        const cold = await store.acquire(EDIT, LIMITS);
        expect(cold).toMatchObject({ granted: false, reason: 'global' });
        expect(cold.granted ? 0 : cold.retryInMs).toBeGreaterThan(LIMITS.globalWindowMs - 200);
        await new Promise((resolve) => setTimeout(resolve, LIMITS.globalWindowMs + 50));
        // ...then buckets are learned again, one request at a time.
        const first = await store.acquire(EDIT, LIMITS);
        expect(first).toMatchObject({ granted: true, reservation: { bucket: `${EDIT.routeKey}|${CHANNEL}` } });
        expect(await store.acquire(EDIT, LIMITS)).toMatchObject({ granted: false, reason: 'bucket' });
        // A store that never saw this prefix (a fresh process on a fresh prefix) starts at once.
        const freshPrefix = newPrefix();
        const fresh = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: freshPrefix });
        try {
          expect((await fresh.acquire(EDIT, LIMITS)).granted).toBe(true);
        } finally {
          await fresh.close();
          await deleteKeys(redis, freshPrefix);
        }
      } finally {
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });
  });

  describe('eviction policy', () => {
    it('warns once when Redis may evict its keys (allkeys-lru)', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const original = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1]!;
      const warnings: string[] = [];
      const store = new RedisRateLimitStore({
        url: REDIS_URL,
        keyPrefix: prefix,
        onWarning: (message) => warnings.push(message),
      });
      try {
        await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
        expect((await store.acquire(EDIT, LIMITS)).granted).toBe(true);
        expect((await store.acquire(inChannel('222222222222222222'), LIMITS)).granted).toBe(true);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/maxmemory-policy allkeys-lru/);
        expect(warnings[0]).toMatch(/noeviction/);
      } finally {
        await redis.config('SET', 'maxmemory-policy', original);
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });

    /** A client that runs scripts on Redis but answers CONFIG itself. */
    function clientWithConfig(real: Redis, config: () => Promise<unknown>): RedisClientLike {
      return {
        status: 'ready',
        call: (command, ...args) => (command === 'CONFIG' ? config() : real.call(command, ...args)),
      };
    }

    it('warns through process.emitWarning by default, for volatile-* policies too', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const store = new RedisRateLimitStore({
        client: clientWithConfig(redis, async () => ['maxmemory-policy', 'volatile-ttl']),
        keyPrefix: prefix,
      });
      try {
        expect((await store.acquire(EDIT, LIMITS)).granted).toBe(true);
        expect(emitWarning).toHaveBeenCalledTimes(1);
        expect(emitWarning).toHaveBeenCalledWith(
          expect.stringMatching(/volatile-ttl.*noeviction/s),
          'DiscordUpdateManagerWarning',
        );
      } finally {
        emitWarning.mockRestore();
        await store.close();
        await deleteKeys(redis, prefix);
      }
    });

    it('says nothing when the policy is noeviction or CONFIG is disabled', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const warnings: string[] = [];
      let configCalls = 0;
      const disabled = clientWithConfig(redis, async () => {
        configCalls++;
        throw Object.assign(new Error("ERR unknown command 'CONFIG'"), { name: 'ReplyError' });
      });
      const stores = [
        new RedisRateLimitStore({ client: disabled, keyPrefix: prefix, onWarning: (m) => warnings.push(m) }),
        new RedisRateLimitStore({
          client: clientWithConfig(redis, async () => ['maxmemory-policy', 'noeviction']),
          keyPrefix: prefix,
          onWarning: (m) => warnings.push(m),
        }),
      ];
      try {
        expect((await stores[0]!.acquire(EDIT, LIMITS)).granted).toBe(true);
        expect((await stores[0]!.acquire(inChannel('222222222222222222'), LIMITS)).granted).toBe(true);
        expect(configCalls).toBe(1); // checked once, not at every call
        expect((await stores[1]!.acquire(inChannel('333333333333333333'), LIMITS)).granted).toBe(true);
        expect(warnings).toEqual([]);
      } finally {
        for (const store of stores) await store.close();
        await deleteKeys(redis, prefix);
      }
    });
  });

  describe('concurrency', () => {
    it('never lets four processes send more than the bucket allows in one window', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const limit = 5;
      const windowMs = 400;
      const stores = Array.from({ length: 4 }, () => new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix }));
      // Discord's side of one bucket: a window opens at the first request after the previous one ended.
      const server = { windowEnd: 0, count: 0, windows: [] as number[], rejected: 0, served: 0 };
      const handle = (): RateLimitObservation => {
        const now = Date.now();
        if (now >= server.windowEnd) {
          server.windowEnd = now + windowMs;
          server.count = 0;
          server.windows.push(0);
        }
        if (server.count >= limit) {
          server.rejected++;
          return {
            status: 429,
            scope: 'user',
            bucketHash: 'abc',
            limit,
            remaining: 0,
            resetAfterMs: server.windowEnd - now,
            retryAfterMs: server.windowEnd - now,
            subLimit: false,
          };
        }
        server.count++;
        server.served++;
        server.windows[server.windows.length - 1] = server.count;
        return {
          status: 200,
          bucketHash: 'abc',
          limit,
          remaining: limit - server.count,
          resetAfterMs: server.windowEnd - now,
        };
      };
      const limits = { ...LIMITS, maxInFlightPerBucket: 5 };
      const until = Date.now() + 3000;
      const worker = async (store: RedisRateLimitStore): Promise<void> => {
        while (Date.now() < until) {
          const slot = await store.acquire(EDIT, limits);
          if (!slot.granted) {
            expect(slot.reason).not.toBe('unavailable');
            await sleep(Math.min(slot.retryInMs, 30));
            continue;
          }
          await sleep(1 + Math.random() * 10); // on the way to Discord
          const answer = handle();
          await sleep(1 + Math.random() * 30); // on the way back
          await store.complete(slot.reservation, answer, limits);
        }
      };
      try {
        await Promise.all(stores.map((store) => worker(store)));
        expect(server.rejected).toBe(0);
        expect(Math.max(...server.windows)).toBeLessThanOrEqual(limit);
        // And it did send: several full windows in three seconds.
        expect(server.served).toBeGreaterThanOrEqual(limit * 3);
      } finally {
        for (const store of stores) await store.close();
        await deleteKeys(redis, prefix);
      }
    });
  });
  describe('listeners', () => {
    it('keeps one set of connection listeners on its client however many calls wait for it to connect', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const connectionName = `dumtest-${randomBytes(4).toString('hex')}`;
      const warnings = collectListenerWarnings();
      const listeners = trackRedisListenerPeaks();
      const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix, connectionName });
      try {
        // A manager's first burst: 200 calls before the connection is up, then 800 more once it is.
        await runOperations(store, 1000, 200);
        const client = [...listeners.peaks.keys()].find((c) => c.options.connectionName === connectionName);
        if (client === undefined) throw new Error('the store created no ioredis client');
        const settled = connectionListeners(client);
        // A reconnection met by 100 calls that wait for it (connect() does), then 1000 operations more.
        const [id] = await connectionsNamed(redis, connectionName);
        await redis.call('CLIENT', 'KILL', 'ID', id!);
        await vi.waitFor(() => expect(client.status).not.toBe('ready'));
        await Promise.all(Array.from({ length: 100 }, () => store.connect()));
        await runOperations(store, 1000, 200);
        expect(connectionListeners(client)).toEqual(settled);
        const peaks = Object.fromEntries(listeners.peaks.get(client)!);
        for (const event of CONNECTION_EVENTS) {
          expect(peaks[event] ?? 0, `${event} listeners at the peak`).toBeLessThanOrEqual(NODE_DEFAULT_MAX_LISTENERS);
        }
      } finally {
        listeners.restore();
        await warnings.stop();
        await store.close();
        await deleteKeys(redis, prefix);
      }
      expect(warnings.messages).toEqual([]);
    });

    it('adds one close listener to a client passed as `client`, whatever the load, and removes it on close()', async () => {
      const redis = await redisAdmin();
      const prefix = newPrefix();
      const client = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
      client.on('error', () => {});
      const warnings = collectListenerWarnings();
      try {
        await client.connect();
        const before = connectionListeners(client);
        const store = new RedisRateLimitStore({ client, keyPrefix: prefix });
        await runOperations(store, 1000, 200);
        expect(connectionListeners(client)).toEqual({ ...before, close: before.close! + 1 });
        await store.close();
        expect(connectionListeners(client)).toEqual(before);
      } finally {
        await warnings.stop();
        await client.quit();
        await deleteKeys(redis, prefix);
      }
      expect(warnings.messages).toEqual([]);
    });
  });
});
