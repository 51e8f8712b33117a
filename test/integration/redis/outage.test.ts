import { randomBytes } from 'node:crypto';
import { REST } from '@discordjs/rest';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager, type UpdateResult } from '../../../src/index.js';
import { RedisRateLimitStore } from '../../../src/redis/index.js';
import { DiscordSimulator } from '../../../src/testing/index.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { seedPlan, versionOf } from '../crash/crash-harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sims: DiscordSimulator[] = [];
const proxies: TcpProxy[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL}: start it (redis-server --daemonize yes) or set REDIS_URL`,
      {
        cause: error,
      },
    );
  }
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('A MessageUpdateManager sharing limits in Redis through an outage of Redis', () => {
  it('pauses sending while Redis is unreachable (limits are never guessed), loses nothing, and resumes', async () => {
    const server = new URL(REDIS_URL);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 6379) });
    proxies.push(proxy);
    const url = new URL(REDIS_URL);
    url.host = `${proxy.host}:${proxy.port}`;
    const keyPrefix = `dumtest:outage:${randomBytes(6).toString('hex')}:`;
    prefixes.push(keyPrefix);
    const store = new RedisRateLimitStore({ url: url.toString(), keyPrefix });
    const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 42 }).start();
    sims.push(sim);
    const plan = seedPlan(sim, 3, 10);
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    const manager = new MessageUpdateManager({ rest, rateLimitStore: store });
    await manager.start();

    const last = new Map<string, number>();
    const handles: PromiseLike<UpdateResult>[] = [];
    const enqueue = (round: number) => {
      for (const target of plan) {
        last.set(target.messageId, round);
        handles.push(manager.edit(target.channelId, target.messageId, { content: `${target.messageId} v${round}` }));
      }
    };
    enqueue(1);
    await Promise.all(handles);

    proxy.cut();
    const cutAt = Date.now();
    enqueue(2);
    await sleep(1500);
    const restoredAt = Date.now();
    // Requests granted before the cut may still be answered in its first moments; after that, nothing is sent.
    const writesDuring = sim.getWrites().filter((write) => write.at >= cutAt + 300 && write.at <= restoredAt);
    proxy.restore();
    enqueue(3);
    const results = await Promise.all(
      handles.map((handle) =>
        Promise.resolve(handle).catch((error: unknown) => ({ outcome: `failed: ${String(error)}` })),
      ),
    );
    await manager.stop();
    await store.close();

    expect(writesDuring).toEqual([]);
    expect(sim.getWrites().filter((write) => write.at > restoredAt).length).toBeGreaterThan(0);
    expect(results.filter((result) => !['sent', 'coalesced', 'skipped'].includes(result.outcome))).toEqual([]);
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content), messageId).toBe(last.get(messageId));
    }
    const stats = sim.getStats();
    expect(stats.rateLimited.user + stats.rateLimited.global).toBe(0);
    expect(proxy.accepted).toBeGreaterThan(1); // it reconnected
  }, 60_000);
});
