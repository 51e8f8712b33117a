/**
 * The outbox model (test/property/outbox-model.ts) against Postgres, each test in its own schema (dropped after).
 * The database clock is faked without touching the repository: its connections use `search_path = <clock schema>,
 * pg_catalog`, where the clock schema defines `clock_timestamp()` reading a one-row table, so the repository's own
 * SQL — unchanged — sees leases expire exactly when the run says, with no sleep. Runs reuse the test's schema and
 * empty the outbox in between (a migration per run would cost more than the run). A crash is a new repository on
 * the same pool and schema. Without a server the tests fail (postgresTestEnv), never skip.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import {
  assertOutboxModel,
  runOutboxModel,
  type OutboxAction,
  type OutboxHarness,
  expectFakeDatabaseClock,
} from '../../property/outbox-model.js';
import { closePostgresTestEnv, postgresTestEnv, type PostgresTestEnv } from './postgres-test-env.js';

const START_MS = 1_700_000_000_000;

afterAll(async () => {
  await closePostgresTestEnv();
});

interface Fixture {
  readonly env: PostgresTestEnv;
  readonly schema: string;
  readonly clockSchema: string;
  readonly pool: pg.Pool;
}

let fixture: Fixture | undefined;

beforeEach(async () => {
  const env = await postgresTestEnv();
  const schema = await env.createSchemaName();
  const clockSchema = await env.createSchemaName();
  await env.admin.query(`
    CREATE SCHEMA "${clockSchema}";
    CREATE TABLE "${clockSchema}".fake_now (ms bigint NOT NULL);
    INSERT INTO "${clockSchema}".fake_now VALUES (${START_MS});
    CREATE FUNCTION "${clockSchema}".clock_timestamp() RETURNS timestamptz LANGUAGE sql VOLATILE
      AS 'SELECT to_timestamp(ms / 1000.0) FROM "${clockSchema}".fake_now';`);
  const pool = new pg.Pool({ connectionString: env.url, max: 4, options: `-c search_path=${clockSchema},pg_catalog` });
  pool.on('error', () => {});
  const repository = new PostgresUpdateRepository({ pool, schema, preparedStatements: true });
  await repository.migrate();
  await repository.close();
  fixture = { env, schema, clockSchema, pool };
});

afterEach(async () => {
  if (!fixture) return;
  const { env, schema, clockSchema, pool } = fixture;
  fixture = undefined;
  await pool.end();
  await env.dropSchema(schema);
  await env.dropSchema(clockSchema);
});

/** A harness on the test's schema: the outbox emptied, the fake clock back at its start. */
async function postgresHarness(): Promise<OutboxHarness> {
  const { env, schema, clockSchema, pool } = fixture!;
  await env.admin.query(`TRUNCATE "${schema}".outbox; UPDATE "${clockSchema}".fake_now SET ms = ${START_MS}`);
  let now = START_MS;
  const harness: OutboxHarness = {
    repository: new PostgresUpdateRepository({ pool, schema, preparedStatements: true }),
    now: () => now,
    advance: async (ms) => {
      now += ms;
      await env.admin.query(`UPDATE "${clockSchema}".fake_now SET ms = $1`, [now]);
    },
    reopen: async () => {
      await harness.repository.close();
      harness.repository = new PostgresUpdateRepository({ pool, schema, preparedStatements: true });
    },
    dispose: () => harness.repository.close(),
  };
  return harness;
}

describe('PostgresUpdateRepository (outbox model)', () => {
  it('runs on the fake database clock', async () => {
    await expectFakeDatabaseClock(postgresHarness, START_MS + 1000);
  });

  it('agrees with the outbox model: nothing accepted lost, leases exclusive, stale acks harmless, newest body claimed', async () => {
    await assertOutboxModel(postgresHarness, { seed: 0x9_0570, numRuns: 120 });
  });

  // The SQLite counterexample (test/integration/sqlite/outbox-model.test.ts): Postgres's "C" collation is code-point
  // order too; it claimed a different row than compareRows under a `limit` until compareRows ordered by code point.
  it('breaks claim ties on the target key in compareRows order, astral keys included', async () => {
    const harness = await postgresHarness();
    try {
      await runOutboxModel(harness, REGRESSION_TIE_BREAK);
    } finally {
      await harness.dispose();
    }
  });
});

const REGRESSION_TIE_BREAK: OutboxAction[] = [
  {
    t: 'enqueueMany',
    items: [
      { t: 'enqueue', target: 6, desired: 'present', priority: 1, enqueuedAt: 1000, deadlineAt: null },
      { t: 'enqueue', target: 2, desired: 'present', priority: 3, enqueuedAt: 1000, deadlineAt: null },
      { t: 'enqueue', target: 5, desired: 'present', priority: 0, enqueuedAt: 1000, deadlineAt: null },
    ],
  },
  { t: 'enqueue', target: 5, desired: 'present', priority: 1, enqueuedAt: 1000, deadlineAt: null },
  { t: 'claim', worker: 0, limit: 2, lease: 'short', only: null },
];
