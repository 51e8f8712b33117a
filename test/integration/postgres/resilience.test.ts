import { randomBytes } from 'node:crypto';
import { REST } from '@discordjs/rest';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager, RestTransport, type UpdateResult } from '../../../src/index.js';
import type { PgPoolClientLike, PgPoolLike } from '../../../src/repositories/postgres/index.js';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import type { Transport } from '../../../src/transport/transport.js';
import { DiscordSimulator } from '../../../src/testing/index.js';
import { seedPlan, versionOf } from '../crash/crash-harness.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

const sims: DiscordSimulator[] = [];
const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
  await (await postgresTestEnv()).dropAllSchemas();
});
afterAll(async () => {
  await closePostgresTestEnv();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `count` versions spread over `plan`, 10 every 20 ms; returns the handles and the last version per message. */
async function produce(manager: MessageUpdateManager, plan: { channelId: string; messageId: string }[], count: number) {
  const last = new Map<string, number>();
  const handles: PromiseLike<UpdateResult>[] = [];
  for (let i = 0; i < count; i++) {
    const target = plan[(i * 7) % plan.length]!;
    const version = (last.get(target.messageId) ?? 0) + 1;
    last.set(target.messageId, version);
    handles.push(manager.edit(target.channelId, target.messageId, { content: `${target.messageId} v${version}` }));
    if (i % 10 === 9) await sleep(20);
  }
  return { handles, last };
}

describe('PostgresUpdateRepository under a MessageUpdateManager', () => {
  it('survives its connections being killed (pg_terminate_backend) mid-run and finishes', async () => {
    const env = await postgresTestEnv();
    const schema = await env.createSchemaName();
    const applicationName = `dum_term_${randomBytes(4).toString('hex')}`;
    const url = `${env.url}${env.url.includes('?') ? '&' : '?'}application_name=${applicationName}`;
    const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 31 }).start();
    sims.push(sim);
    const plan = seedPlan(sim, 3, 10);
    const repository = new PostgresUpdateRepository({ connectionString: url, schema });
    await repository.migrate();
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    const manager = new MessageUpdateManager({ rest, repository, config: { baseBackoffMs: 20, maxBackoffMs: 200 } });
    await manager.start();
    let killed = 0;
    let killing = true;
    const killer = (async () => {
      while (killing) {
        const result = await env.admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        );
        killed += result.rowCount ?? 0;
        await sleep(60);
      }
    })();
    const { handles, last } = await produce(manager, plan, 300);
    const results = await Promise.all(
      handles.map((handle) =>
        Promise.resolve(handle).catch((error: unknown) => ({ outcome: `failed: ${String(error)}` })),
      ),
    );
    killing = false;
    await killer;
    await manager.stop();
    expect(killed).toBeGreaterThan(0);
    // skipped: an earlier request already carried that exact body (its write committed before that request's claim).
    expect(results.filter((result) => !['sent', 'coalesced', 'skipped'].includes(result.outcome))).toEqual([]);
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content)).toBe(last.get(messageId));
    }
    expect(await repository.listPending()).toEqual([]);
    await repository.close();
  }, 60_000);

  it('never holds a transaction open across a Discord request (instrumented pool and transport)', async () => {
    const env = await postgresTestEnv();
    const schema = await env.createSchemaName();
    const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 32 }).start();
    sims.push(sim);
    sim.setFaults('*', { latencyMs: [5, 15] });
    const plan = seedPlan(sim, 3, 10);

    // Every transaction gets an id when BEGIN runs and is closed by COMMIT/ROLLBACK (or the client's release); it
    // records the outbox keys its statements touched, so a request can be matched with its own target's transactions.
    const open = new Set<number>();
    const keysOf = new Map<number, Set<string>>();
    let nextTransaction = 0;
    let transactions = 0;
    const pool = new pg.Pool({ connectionString: env.url, max: 4 });
    pools.push(pool);
    pool.on('error', () => undefined);
    const instrumented: PgPoolLike = {
      async connect(): Promise<PgPoolClientLike> {
        const client = await pool.connect();
        let current: number | undefined;
        const close = () => {
          if (current !== undefined) open.delete(current);
          current = undefined;
        };
        return {
          async query(text, values) {
            const verb = text.trim().split(/\s+/)[0]!.toUpperCase();
            // A statement outside BEGIN ... COMMIT is a transaction of its own (single-statement writes commit
            // alone). It is counted, but cannot be held open across a request (no code runs inside it), so it is
            // never "open": one that merely overlaps a request of one of its targets is concurrency, not holding.
            const implicit = current === undefined && verb !== 'BEGIN';
            if (verb === 'BEGIN' || implicit) {
              current = ++nextTransaction;
              transactions++;
              if (!implicit) open.add(current);
              keysOf.set(current, new Set());
            }
            if (current !== undefined) {
              for (const value of values ?? []) {
                // Batches send their keys as array literals ({"m:1","m:2"}).
                const items = Array.isArray(value)
                  ? value
                  : typeof value === 'string' && value.startsWith('{')
                    ? [...value.matchAll(/"([^"\\]*)"/g)].map((match) => match[1])
                    : [value];
                for (const item of items)
                  if (typeof item === 'string' && /^[mkc]:/.test(item)) keysOf.get(current)!.add(item);
              }
            }
            try {
              return await client.query(text, values);
            } finally {
              if (verb === 'COMMIT' || verb === 'ROLLBACK' || implicit) close();
            }
          },
          release(error) {
            close();
            client.release(error);
          },
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
      },
    };
    const repository = new PostgresUpdateRepository({ pool: instrumented, schema });
    await repository.migrate();

    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    const inner = new RestTransport(rest);
    const spanning: number[] = [];
    let requests = 0;
    const transport: Transport = {
      sequentialPerBucket: inner.sequentialPerBucket,
      async request(request) {
        requests++;
        const key = `m:${request.path.split('/')[4]}`;
        const atStart = [...open].filter((id) => keysOf.get(id)?.has(key));
        try {
          return await inner.request(request);
        } finally {
          // A transaction on this target open before its request and still open after it spanned the Discord call.
          for (const id of atStart) if (open.has(id)) spanning.push(id);
        }
      },
    };
    const manager = new MessageUpdateManager({ transport, repository });
    await manager.start();
    const { handles } = await produce(manager, plan, 200);
    await Promise.all(handles);
    await manager.stop();
    inner.close();
    expect(requests).toBeGreaterThan(20);
    expect(transactions).toBeGreaterThan(requests); // claims, acks and enqueues all ran in (one-statement) transactions
    // The matching is not vacuous: claims and acks name their target, so most transactions carry a key.
    expect([...keysOf.values()].filter((keys) => keys.size > 0).length).toBeGreaterThan(requests);
    expect(spanning).toEqual([]);
    await repository.close();
  }, 60_000);
});
