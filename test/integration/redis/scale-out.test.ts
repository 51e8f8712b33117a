import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import type { OutboxUpsert } from '../../../src/repositories/update-repository.js';
import { DiscordSimulator } from '../../../src/testing/index.js';
import { editHistory, seedPlan, startWorker, versionOf, type WorkerRun } from '../crash/crash-harness.js';
import { closePostgresTestEnv, postgresTestEnv } from '../postgres/postgres-test-env.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sims: DiscordSimulator[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
  await (await postgresTestEnv()).dropAllSchemas();
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});
afterAll(async () => {
  await closePostgresTestEnv();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function redisReachable(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL}: ${String(error)}. Start it (redis-server --daemonize yes) or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Postgres schema, Redis prefix, a simulator whose 20/s global limit binds, seeded messages, and `count` workers. */
async function scaleOutWorld(options: {
  seed: number;
  channels: number;
  perChannel: number;
  workers: number;
  latencyMs: [number, number];
  workerEnv?: Record<string, string>;
}) {
  await redisReachable();
  const env = await postgresTestEnv();
  const schema = await env.createSchemaName();
  const prefix = `dum_test_${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  // 4 channels could take 40/s on their own buckets: the 20/s global limit is the binding one.
  const sim = await new DiscordSimulator({
    seed: options.seed,
    limits: { global: { limit: 20, windowMs: 1000 }, messageWrite: { limit: 5, windowMs: 500 } },
  }).start();
  sims.push(sim);
  sim.setFaults('*', { latencyMs: options.latencyMs });
  const plan = seedPlan(sim, options.channels, options.perChannel);
  const workers: WorkerRun[] = Array.from({ length: options.workers }, () =>
    startWorker({
      CRASH_DIALECT: 'postgres',
      CRASH_PG_URL: env.url,
      CRASH_PG_SCHEMA: schema,
      CRASH_SIM_URL: sim.url,
      CRASH_PLAN: '[]',
      CRASH_MODE: 'serve',
      CRASH_POLL_MS: '100',
      CRASH_REDIS_URL: REDIS_URL,
      CRASH_REDIS_PREFIX: prefix,
      CRASH_GLOBAL_RPS: '20',
      ...options.workerEnv,
    }),
  );
  await Promise.all(workers.map((worker) => worker.started));
  const repository = new PostgresUpdateRepository({ connectionString: env.url, schema });
  await repository.migrate();
  const last = new Map<string, number>();
  /** Enqueues version `round` of every message straight into the shared outbox. */
  const enqueueRound = (round: number) =>
    repository.enqueueMany(
      plan.map((target): OutboxUpsert => {
        last.set(target.messageId, round);
        return {
          targetKey: `m:${target.messageId}`,
          desired: 'present',
          channelId: target.channelId,
          messageId: target.messageId,
          managedKey: null,
          body: { content: `${target.messageId} v${round}` },
          priority: 1,
          enqueuedAt: Date.now(),
          deadlineAt: null,
        };
      }),
    );
  /** Every message on its last version, never going back; the outbox empty. */
  const expectAllDelivered = async () => {
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content), messageId).toBe(last.get(messageId));
      const history = editHistory(sim, messageId);
      expect(history).toEqual([...history].sort((x, y) => x - y));
    }
    expect(await repository.listPending()).toEqual([]);
  };
  return { sim, plan, workers, repository, enqueueRound, expectAllDelivered };
}

describe('Three worker processes, one token, shared limits in Redis', () => {
  it('stays within the global limit together, uses most of it, and ends every message on its last version', async () => {
    const world = await scaleOutWorld({ seed: 51, channels: 4, perChannel: 30, workers: 3, latencyMs: [2, 6] });
    await world.enqueueRound(1);
    await sleep(200);
    await world.enqueueRound(2);
    for (const worker of world.workers) expect(await worker.exit).toBe(0);

    expect(world.sim.getStats().rateLimited.global).toBe(0);
    await world.expectAllDelivered();
    // At most one 429 per bucket (the four channel buckets).
    expect(world.sim.getRequestLog().filter((entry) => entry.status === 429).length).toBeLessThanOrEqual(4);
    // Together they use the global limit: requests per second over the busy period (first to last write).
    const writes = world.sim.getWrites().filter((write) => write.kind === 'edit');
    const span = (writes.at(-1)!.at - writes[0]!.at) / 1000;
    const rate = (writes.length - 1) / span;
    const finishedBy = world.workers.map(
      (worker) => worker.lines.filter((line) => line.startsWith('ack done ')).length,
    );
    console.log(
      `${writes.length} edits in ${span.toFixed(2)} s = ${rate.toFixed(1)}/s against a global limit of 20/s; rows finished per worker: ${finishedBy.join(', ')}`,
    );
    // Staying within the limit is the simulator's own verdict above (0 global 429s: it counts every request in its
    // windows). The rate over first-to-last write is no upper bound: n writes over 6.3 s may legally be 7 windows' worth.
    expect(rate).toBeGreaterThanOrEqual(16);
    expect(finishedBy.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    await world.repository.close();
  }, 120_000);

  it('learns a global limit lower than configured together: a few global 429s, then most of the real limit', async () => {
    // The managers keep their default 50/s; the server allows 20/s. After a global 429 the shared store derives the
    // real limit from what the three of them sent in the failing window, and every worker keeps under it. Requests
    // already on the wire when the first global 429 comes back cannot be recalled: with three channel buckets (REST
    // sends one request per bucket at a time) at most three are, so at most three global 429s in all.
    const world = await scaleOutWorld({
      seed: 54,
      channels: 3,
      perChannel: 40,
      workers: 3,
      latencyMs: [2, 6],
      workerEnv: { CRASH_GLOBAL_RPS: '50' },
    });
    await world.enqueueRound(1);
    await sleep(200);
    await world.enqueueRound(2);
    for (const worker of world.workers) expect(await worker.exit).toBe(0);

    const global429s = world.sim.getStats().rateLimited.global;
    const writes = world.sim.getWrites().filter((write) => write.kind === 'edit');
    const span = (writes.at(-1)!.at - writes[0]!.at) / 1000;
    const rate = (writes.length - 1) / span;
    // Once learned: the edits from 1 s after the last global 429 (its pause and REST's own one-second hold over).
    const last429 = Math.max(
      0,
      ...world.sim
        .getRequestLog()
        .filter((e) => e.status === 429)
        .map((e) => e.at),
    );
    const after = writes.filter((write) => write.at >= last429 + 1000);
    const steady = after.length > 1 ? (after.length - 1) / ((after.at(-1)!.at - after[0]!.at) / 1000) : NaN;
    console.log(
      `learned global limit: ${global429s} global 429s; ${writes.length} edits in ${span.toFixed(2)} s = ${rate.toFixed(1)}/s ` +
        `against a real limit of 20/s; ${steady.toFixed(1)}/s once learned`,
    );
    expect(global429s).toBeLessThanOrEqual(3);
    // A sanity floor (timings vary on a loaded machine); `npm run bench` measures the rate.
    expect(rate).toBeGreaterThanOrEqual(12);
    await world.expectAllDelivered();
    await world.repository.close();
  }, 120_000);

  it('never exceeds a limit and loses nothing when Redis connections are killed and its state is lost mid-run', async () => {
    const connectionName = `dum_kill_${randomBytes(4).toString('hex')}`;
    const world = await scaleOutWorld({
      seed: 52,
      channels: 4,
      perChannel: 20,
      workers: 2,
      latencyMs: [2, 6],
      workerEnv: { CRASH_REDIS_NAME: connectionName },
    });
    await world.enqueueRound(1);
    await world.enqueueRound(2);
    // Mid-run: kill the workers' Redis connections twice, then lose the whole state (what a restart without
    // persistence does), while they are sending.
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    let killedConnections = 0;
    for (let round = 0; round < 2; round++) {
      await sleep(800);
      const clients = String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${connectionName} `));
      for (const line of clients) {
        const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1];
        if (id) killedConnections += Number(await admin.client('KILL', 'ID', id));
      }
    }
    await sleep(500);
    const lost = await admin.keys(`${prefixes.at(-1)!}*`);
    if (lost.length > 0) await admin.del(...lost);
    await admin.quit();
    for (const worker of world.workers) expect(await worker.exit).toBe(0);

    expect(killedConnections).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThan(0);
    expect(world.sim.getStats().rateLimited.global).toBe(0);
    // After the state loss each bucket is learned again with one request: at most one 429 per channel bucket.
    expect(world.sim.getRequestLog().filter((entry) => entry.status === 429).length).toBeLessThanOrEqual(4);
    await world.expectAllDelivered();
    await world.repository.close();
  }, 120_000);

  it('finishes the targets of a worker SIGKILLed mid-run once its leases expire', async () => {
    // Slow answers: the victim always holds leases on requests in flight when it dies. Its Redis reservations stop
    // counting after 2 s (requests here take ~50 ms).
    const world = await scaleOutWorld({
      seed: 53,
      channels: 4,
      perChannel: 15,
      workers: 3,
      latencyMs: [40, 60],
      workerEnv: { CRASH_LEASE_MS: '2000', CRASH_RESERVATION_TTL_MS: '2000' },
    });
    await world.enqueueRound(1);
    await sleep(1200);
    const victim = world.workers[0]!;
    victim.kill();
    await victim.exit;
    const pendingAtKill = (await world.repository.listPending()).length;
    for (const worker of world.workers.slice(1)) expect(await worker.exit).toBe(0);

    expect(pendingAtKill).toBeGreaterThan(0);
    expect(world.sim.getStats().rateLimited.global).toBe(0);
    await world.expectAllDelivered();
    console.log(
      `rows pending when a worker died: ${pendingAtKill}; all ${world.plan.length} messages finished by the others`,
    );
    await world.repository.close();
  }, 120_000);
});
