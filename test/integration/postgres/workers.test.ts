import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import type { OutboxUpsert } from '../../../src/repositories/update-repository.js';
import { DiscordSimulator } from '../../../src/testing/index.js';
import { editHistory, seedPlan, startWorker, versionOf } from '../crash/crash-harness.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

const sims: DiscordSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
  await (await postgresTestEnv()).dropAllSchemas();
});
afterAll(async () => {
  await closePostgresTestEnv();
});

async function setup(tokens: string[]) {
  const env = await postgresTestEnv();
  const schema = await env.createSchemaName();
  const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 21, tokens }).start();
  sims.push(sim);
  const databaseEnv = {
    CRASH_DIALECT: 'postgres',
    CRASH_PG_URL: env.url,
    CRASH_PG_SCHEMA: schema,
    CRASH_SIM_URL: sim.url,
  };
  const open = () => new PostgresUpdateRepository({ connectionString: env.url, schema });
  return { sim, databaseEnv, open };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Several worker processes on one Postgres outbox', () => {
  it('fences a zombie: paused past its lease, its late acks touch no row and it sends nothing stale', async () => {
    // One bot, one token, as for a sharded bot's processes (another bot could not edit these messages: 403).
    const { sim, databaseEnv, open } = await setup(['simulator-token']);
    // Slow answers keep several of A's requests in flight when it is paused.
    sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', { latencyMs: 400 });
    const plan = seedPlan(sim, 2, 20);
    // A long client timeout, so that A still reads the answers to its paused requests and acknowledges them.
    const common = {
      ...databaseEnv,
      CRASH_PLAN: JSON.stringify(plan),
      CRASH_LEASE_MS: '1500',
      CRASH_REST_TIMEOUT_MS: '60000',
    };
    const a = startWorker({
      ...common,
      CRASH_MODE: 'produce',
      CRASH_UPDATES: '120',
      CRASH_SEED: '3',
    });
    await a.started;
    await sleep(700);
    a.signal('SIGSTOP');
    // B takes over A's rows once their leases expire, and writes newer versions (1001+) of every message.
    const b = startWorker({
      ...common,
      CRASH_MODE: 'produce',
      CRASH_UPDATES: String(plan.length),
      CRASH_EVERY: '1',
      CRASH_VERSION_BASE: '1000',
    });
    expect(await b.exit).toBe(0);
    const resumedAt = Date.now();
    const linesBeforeResume = a.lines.length;
    a.signal('SIGCONT');
    expect(await a.exit).toBe(0);
    const lateAcks = a.lines.slice(linesBeforeResume).filter((line) => line.startsWith('ack '));
    expect(lateAcks.length).toBeGreaterThan(0); // A had requests in flight when it was paused
    expect(lateAcks.filter((line) => !line.startsWith('ack lost '))).toEqual([]);
    // B has exited: whatever reaches the simulator after A resumes comes from A, and A only has stale versions.
    const staleWrites = sim.getWrites().filter((write) => write.at > resumedAt);
    expect(staleWrites).toEqual([]);
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content), messageId).toBe(1001);
      const history = editHistory(sim, messageId);
      expect(history).toEqual([...history].sort((x, y) => x - y));
    }
    const repository = open();
    expect(await repository.listPending()).toEqual([]);
    await repository.close();
  }, 90_000);

  it('shares the work between competing workers: every version delivered, none regressed', async () => {
    const { sim, databaseEnv, open } = await setup(['simulator-token']);
    sim.setFaults('*', { latencyMs: [2, 8] });
    const plan = seedPlan(sim, 3, 20);
    const workers = [1, 2, 3].map(() =>
      startWorker({ ...databaseEnv, CRASH_PLAN: '[]', CRASH_MODE: 'serve', CRASH_POLL_MS: '100' }),
    );
    await Promise.all(workers.map((worker) => worker.started));
    // The test process enqueues 300 updates straight into the shared outbox, in batches, while the workers run.
    const repository = open();
    await repository.migrate();
    const last = new Map<string, number>();
    for (let batch = 0; batch < 10; batch++) {
      const upserts: OutboxUpsert[] = [];
      for (let i = 0; i < 30; i++) {
        const target = plan[(batch * 31 + i * 7) % plan.length]!;
        const version = (last.get(target.messageId) ?? 0) + 1;
        last.set(target.messageId, version);
        upserts.push({
          targetKey: `m:${target.messageId}`,
          desired: 'present',
          channelId: target.channelId,
          messageId: target.messageId,
          managedKey: null,
          body: { content: `${target.messageId} v${version}` },
          priority: 1,
          enqueuedAt: Date.now(),
          deadlineAt: null,
        });
      }
      await repository.enqueueMany(upserts);
      await sleep(100);
    }
    for (const worker of workers) expect(await worker.exit).toBe(0);

    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content), messageId).toBe(last.get(messageId) ?? 0);
      const history = editHistory(sim, messageId);
      expect(history, messageId).toEqual([...history].sort((x, y) => x - y));
    }
    // One token, so the simulator cannot tell the workers apart: their own acknowledgements can.
    const byWorker = workers.map((worker) => worker.lines.filter((line) => line.startsWith('ack done ')).length);
    expect(byWorker.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    expect(await repository.listPending()).toEqual([]);
    await repository.close();
    console.log(
      `rows finished per worker: ${byWorker.join(', ')} for ${[...last.values()].reduce((a, b) => a + b, 0)} updates`,
    );
  }, 90_000);
});
