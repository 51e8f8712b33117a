import { REST } from '@discordjs/rest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager, type UpdateResult } from '../../../src/index.js';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import { DiscordSimulator } from '../../../src/testing/index.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { seedPlan, versionOf } from '../crash/crash-harness.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

const sims: DiscordSimulator[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await (await postgresTestEnv()).dropAllSchemas();
});
afterAll(async () => {
  await closePostgresTestEnv();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('A MessageUpdateManager on Postgres through an outage of the database', () => {
  it('pauses sending while the database is unreachable, loses nothing accepted, and resumes when it is back', async () => {
    const env = await postgresTestEnv();
    const schema = await env.createSchemaName();
    const server = new URL(env.url);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    proxies.push(proxy);
    const url = new URL(env.url);
    url.host = `${proxy.host}:${proxy.port}`;
    const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 41 }).start();
    sims.push(sim);
    const plan = seedPlan(sim, 3, 10);
    const repository = new PostgresUpdateRepository({ connectionString: url.toString(), schema });
    await repository.migrate();
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    // Repository writes retry on the backoff schedule: 20 ms doubling to 200 ms, far more often than the outage lasts.
    const manager = new MessageUpdateManager({
      rest,
      repository,
      config: { baseBackoffMs: 20, maxBackoffMs: 200, maxRetries: 100 },
    });
    await manager.start();

    const last = new Map<string, number>();
    const handles: PromiseLike<UpdateResult>[] = [];
    const accepted: Promise<void>[] = [];
    const enqueue = (round: number) => {
      for (const target of plan) {
        last.set(target.messageId, round);
        const handle = manager.edit(target.channelId, target.messageId, { content: `${target.messageId} v${round}` });
        handles.push(handle);
        accepted.push(handle.accepted);
      }
    };
    enqueue(1);
    await Promise.all(accepted.splice(0));
    await sleep(100);

    // The outage: every connection reset, new ones refused, for 1.5 s.
    proxy.cut();
    const cutAt = Date.now();
    enqueue(2); // accepted once the database is back: the writes retry meanwhile
    await sleep(1500);
    const writesDuring = sim.getWrites().filter((write) => write.at >= cutAt + 500 && write.at <= Date.now());
    const restoredAt = Date.now();
    proxy.restore();

    // The round enqueued during the outage is accepted (committed) only once the database is back.
    const acceptedAt = await Promise.all(accepted.map((promise) => promise.then(() => Date.now())));
    enqueue(3);
    const results = await Promise.all(
      handles.map((handle) =>
        Promise.resolve(handle).catch((error: unknown) => ({ outcome: `failed: ${String(error)}` })),
      ),
    );
    await manager.stop();

    // Sending pauses: past the first half second (requests claimed before the cut finish) nothing reaches Discord.
    expect(writesDuring).toEqual([]);
    expect(acceptedAt).toHaveLength(plan.length);
    for (const at of acceptedAt) expect(at).toBeGreaterThanOrEqual(restoredAt);
    expect(results.filter((result) => !['sent', 'coalesced', 'skipped'].includes(result.outcome))).toEqual([]);
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content), messageId).toBe(last.get(messageId));
    }
    expect(await repository.listPending()).toEqual([]);
    expect(proxy.accepted).toBeGreaterThan(1); // it reconnected
    await repository.close();
  }, 60_000);
});
