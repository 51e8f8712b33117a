/**
 * `enqueueMany` of the Postgres adapter writes a batch in one or two multi-row statements. These tests check that a
 * batch ends exactly as applying its upserts one by one would: against the memory repository (the reference) and
 * against the adapter's own single-row `enqueue`, from every state a row can be in.
 */
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryUpdateRepository } from '../../../src/repositories/memory/memory-update-repository.js';
import { PostgresUpdateRepository, type PgPoolLike } from '../../../src/repositories/postgres/index.js';
import type { OutboxRow, OutboxUpsert, UpdateRepository } from '../../../src/repositories/update-repository.js';
import { closePostgresTestEnv, postgresTestEnv, sleep } from './postgres-test-env.js';

afterAll(async () => {
  await closePostgresTestEnv();
});

const opened: UpdateRepository[] = [];
const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const repository of opened.splice(0)) await repository.close();
  for (const pool of pools.splice(0)) await pool.end();
  await (await postgresTestEnv()).dropAllSchemas();
});

/** A fresh migrated repository on its own schema (or on `schema`), closed after the test. */
async function openPostgres(
  options: { readonly schema?: string; readonly pool?: PgPoolLike } = {},
): Promise<PostgresUpdateRepository> {
  const env = await postgresTestEnv();
  const schema = options.schema ?? (await env.createSchemaName());
  const repository = new PostgresUpdateRepository(
    options.pool ? { pool: options.pool, schema } : { connectionString: env.url, schema },
  );
  opened.push(repository);
  await repository.migrate();
  return repository;
}

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function upsert(targetKey: string, overrides: Partial<OutboxUpsert> = {}): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: null,
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
    ...overrides,
  };
}

/** A random upsert of `targetKey`: edits, creates and deletes, with and without message ids, deadlines, keys. */
function randomUpsert(next: () => number, targetKey: string, serial: number): OutboxUpsert {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const desired = next() < 0.4 ? 'absent' : 'present';
  return upsert(targetKey, {
    desired,
    channelId: pick(['100000000000000001', '100000000000000002']),
    messageId: next() < 0.3 ? pick(['300000000000000001', '300000000000000002']) : null,
    managedKey: next() < 0.3 ? pick(['board', 'status']) : null,
    body: desired === 'present' ? { content: `${targetKey} #${serial}`, n: serial } : null,
    priority: pick([0, 1, 2, 3, -1, 2.5]),
    enqueuedAt: 1000 + Math.floor(next() * 500),
    deadlineAt: next() < 0.35 ? null : 5000 + Math.floor(next() * 1000),
  });
}

/** The states a target can be in before a batch, and how to get there with the contract's calls. */
const STATES = [
  'none',
  'create', // a create never attempted: a delete drops it
  'edit', // a row with a message id
  'claimed', // a create in flight: leased, with a nonce
  'released', // a create attempted once: a nonce, no lease
  'expired', // a create whose lease ran out: a nonce, an expired token
  'dead', // a dead letter
] as const;

async function reach(repository: UpdateRepository, targetKey: string, state: (typeof STATES)[number]): Promise<void> {
  if (state === 'none') return;
  await repository.enqueue(
    upsert(targetKey, {
      messageId: state === 'edit' ? '300000000000000009' : null,
      priority: 2,
      enqueuedAt: 1200,
      deadlineAt: 5500,
    }),
  );
  if (state === 'create' || state === 'edit') return;
  const [row] = await repository.claim({
    limit: 1,
    leaseMs: state === 'expired' ? 1 : 60_000,
    targetKeys: [targetKey],
    newNonce: () => `nonce-${targetKey}`,
  });
  if (!row) throw new Error(`could not claim ${targetKey}`);
  if (state === 'released') {
    await repository.release({ targetKey, leaseToken: row.leaseToken, attempts: 1, retryInMs: 0, error: '503' });
  } else if (state === 'dead') {
    await repository.deadLetter({ targetKey, leaseToken: row.leaseToken, error: '403' });
  }
}

/** A row with what differs between repositories for reasons outside the batch (tokens, clocks) reduced to presence. */
function comparable(row: OutboxRow | undefined): unknown {
  if (row === undefined) return undefined;
  return {
    ...row,
    leaseToken: row.leaseToken !== null,
    leaseExpiresAt: row.leaseExpiresAt !== null,
    notBefore: row.notBefore > 0,
    deadAt: row.deadAt !== null,
  };
}

async function snapshot(repository: UpdateRepository, keys: readonly string[]): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown> = {};
  for (const key of keys) rows[key] = comparable(await repository.getRow(key));
  return rows;
}

/** A pool that records every statement's text (to count round trips). */
function recordingPool(pool: pg.Pool, texts: string[]): PgPoolLike {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: (text, values) => {
          texts.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
          return client.query(text, values);
        },
        release: (error) => client.release(error),
        on: (event, listener) => client.on(event, listener),
        removeListener: (event, listener) => client.removeListener(event, listener),
      };
    },
  };
}

describe('PostgresUpdateRepository.enqueueMany batches', () => {
  it('ends as the upserts applied one by one, from every row state (memory, single-row enqueue, batch)', async () => {
    const keys = STATES.flatMap((state) => [`k:${state}-1`, `k:${state}-2`]);
    const stateOf = (key: string): (typeof STATES)[number] =>
      key.slice(2, key.lastIndexOf('-')) as (typeof STATES)[number];
    const memory = new MemoryUpdateRepository();
    const single = await openPostgres();
    const batched = await openPostgres();
    for (const repository of [memory, single, batched]) {
      for (const key of keys) await reach(repository, key, stateOf(key));
    }
    await sleep(20); // the `expired` leases run out (database and system clocks)
    const next = random(20_241_202);
    let serial = 0;
    for (let round = 0; round < 12; round++) {
      // Several upserts per target in one batch, targets interleaved.
      const batch = Array.from({ length: 40 }, () =>
        randomUpsert(next, keys[Math.floor(next() * keys.length)]!, serial++),
      );
      const expected: { version: number }[] = [];
      for (const update of batch) {
        const version = await memory.enqueue(update);
        expect(await single.enqueue(update)).toEqual(version);
        expected.push(version);
      }
      expect(await batched.enqueueMany(batch), `round ${round}`).toEqual(expected);
      const reference = await snapshot(memory, keys);
      expect(await snapshot(single, keys), `round ${round}`).toEqual(reference);
      expect(await snapshot(batched, keys), `round ${round}`).toEqual(reference);
    }
  });

  it('replays edit, delete, edit of one target in one batch, with different priorities and deadlines', async () => {
    const cases: { readonly name: string; readonly state: (typeof STATES)[number] }[] = STATES.map((state) => ({
      name: state,
      state,
    }));
    const memory = new MemoryUpdateRepository();
    const batched = await openPostgres();
    for (const { name, state } of cases) {
      const key = `k:${name}`;
      await reach(memory, key, state);
      await reach(batched, key, state);
    }
    await sleep(20);
    const batch = cases.flatMap(({ name }) => [
      upsert(`k:${name}`, { body: { v: 1 }, priority: 3, enqueuedAt: 1100, deadlineAt: 6000 }),
      upsert(`k:${name}`, { desired: 'absent', body: null, priority: 0, enqueuedAt: 900, deadlineAt: 7000 }),
      upsert(`k:${name}`, { body: { v: 3 }, priority: 1, enqueuedAt: 1300, deadlineAt: 6500, managedKey: 'board' }),
    ]);
    const expected = [];
    for (const update of batch) expected.push(await memory.enqueue(update));
    expect(await batched.enqueueMany(batch)).toEqual(expected);
    const keys = cases.map(({ name }) => `k:${name}`);
    expect(await snapshot(batched, keys)).toEqual(await snapshot(memory, keys));
    // Spelled out for two states: a create never attempted is dropped by the delete and re-created by the last edit;
    // a create in flight keeps its row, nonce and lease, and merges all three.
    expect(expected.slice(0, 3)).toEqual([{ version: 1 }, { version: 2 }, { version: 1 }]); // none
    expect(expected.slice(3, 6)).toEqual([{ version: 2 }, { version: 3 }, { version: 1 }]); // create
    expect(await batched.getRow('k:create')).toMatchObject({
      version: 1,
      body: { v: 3 },
      priority: 1,
      enqueuedAt: 1300,
      deadlineAt: 6500,
      managedKey: 'board',
      nonce: null,
    });
    expect(await batched.getRow('k:claimed')).toMatchObject({
      version: 4,
      desired: 'present',
      body: { v: 3 },
      priority: 3,
      enqueuedAt: 900,
      deadlineAt: 7000,
      nonce: 'nonce-k:claimed',
      nonceVersion: 1,
    });
    expect((await batched.getRow('k:claimed'))?.leaseToken).not.toBeNull();
  });

  it('writes 5,000 upserts in one call: one statement for edits, a transaction of two when deletes depend on the rows', async () => {
    const env = await postgresTestEnv();
    const pool = new pg.Pool({ connectionString: env.url, max: 2 });
    pool.on('error', () => {});
    pools.push(pool);
    const texts: string[] = [];
    const batched = await openPostgres({ pool: recordingPool(pool, texts) });
    const memory = new MemoryUpdateRepository();

    // 5,000 edits of 2,500 messages: every message twice in the batch.
    const messageId = (index: number): string => String(300_000_000_000_000_000n + BigInt(index % 2500));
    const edits = Array.from({ length: 5000 }, (_, index) =>
      upsert(`m:${messageId(index)}`, {
        messageId: messageId(index),
        body: { content: `edit ${index}` },
        priority: index % 3,
        enqueuedAt: 2000 - index,
        deadlineAt: index % 7 === 0 ? null : 9000 + index,
      }),
    );
    texts.length = 0;
    const versions = await batched.enqueueMany(edits);
    expect(texts).toEqual(['INSERT INTO "' + batched.schema + '".outbox']); // one statement, committing alone
    expect(versions).toEqual(await memory.enqueueMany(edits));
    expect(versions.slice(0, 2)).toEqual([{ version: 1 }, { version: 1 }]);
    expect(versions.slice(2500, 2502)).toEqual([{ version: 2 }, { version: 2 }]);

    // 5,000 mixed upserts of 1,000 targets: creates, deletes of creates never attempted, edits, deletes of nothing.
    const next = random(5000);
    const targets = Array.from({ length: 1000 }, (_, index) => `k:bulk-${index}`);
    const mixed = Array.from({ length: 5000 }, (_, index) =>
      randomUpsert(next, targets[Math.floor(next() * targets.length)]!, index),
    );
    expect(mixed.some((update) => update.desired === 'absent' && update.messageId === null)).toBe(true);
    texts.length = 0;
    expect(await batched.enqueueMany(mixed)).toEqual(await memory.enqueueMany(mixed));
    expect(texts).toHaveLength(4); // BEGIN, lock, write, COMMIT
    const keys = [...new Set([...edits, ...mixed].map((update) => update.targetKey))];
    expect(await snapshot(batched, keys)).toEqual(await snapshot(memory, keys));
    expect((await batched.listPending()).length).toBe((await memory.listPending()).length);
  });

  it('lets two processes write overlapping batches with deletes, in opposite orders, at once', async () => {
    const first = await openPostgres();
    const second = await openPostgres({ schema: first.schema });
    const keys = Array.from({ length: 20 }, (_, index) => `m:${300_000_000_000_000_100n + BigInt(index)}`);
    const rounds = 15;
    await Promise.all(
      [first, second].map(async (writer, which) => {
        for (let round = 0; round < rounds; round++) {
          const ordered = which === 0 ? keys : [...keys].reverse();
          const batch = ordered.map((key) => upsert(key, { messageId: key.slice(2), body: { which, round } }));
          // A create deleted in the same batch (locks the batch's rows first) on a key both writers share.
          batch.splice(5, 0, upsert('k:shared'), upsert('k:shared', { desired: 'absent', body: null }));
          await writer.enqueueMany(batch);
        }
      }),
    );
    const rows = await first.listPending();
    expect(rows.map((row) => row.targetKey).sort()).toEqual([...keys].sort());
    for (const row of rows) expect(row.version).toBe(2 * rounds);
  });

  it('keeps the checks of the single-row path: bad bodies store nothing, values stay bind parameters', async () => {
    const repository = await openPostgres();
    await expect(
      repository.enqueueMany([upsert('k:ok'), upsert('k:nul', { body: { content: 'a\u0000b' } })]),
    ).rejects.toThrow(/without U\+0000 characters .*target k:nul/);
    await expect(
      repository.enqueueMany([
        upsert('k:ok'),
        upsert('k:gone', { desired: 'absent', body: null }),
        upsert('k:n', { body: 1n }),
      ]),
    ).rejects.toThrow(/JSON-serialisable message body/);
    expect(await repository.listPending()).toEqual([]);
    const key = `k:'); DROP TABLE outbox; --`;
    await repository.enqueueMany([
      upsert(key, { channelId: '1\'"{},\\' }),
      upsert('k:array', { body: ['{', '"', '\\', null] }),
      upsert('k:null', { body: null }),
      upsert(key, { desired: 'absent', body: null }),
      upsert(key, { channelId: '2', body: '{"a":1}' }),
    ]);
    expect(await repository.getRow(key)).toMatchObject({ targetKey: key, channelId: '2', body: '{"a":1}', version: 1 });
    expect((await repository.getRow('k:array'))?.body).toEqual(['{', '"', '\\', null]);
    expect(await repository.getRow('k:null')).toMatchObject({ desired: 'present', body: null });
  });
});
