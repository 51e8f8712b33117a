import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import { runCrashScenario, runSyncCrashScenario } from '../crash/crash-harness.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

afterEach(async () => {
  await (await postgresTestEnv()).dropAllSchemas();
});
afterAll(async () => {
  await closePostgresTestEnv();
});

describe('MessageUpdateManager with PostgresUpdateRepository, killed with SIGKILL', () => {
  it.each([
    [4, 300],
    [5, 700],
    [6, 1300],
  ])(
    'loses no accepted update and never goes back to an older version (seed %i, killed after %i ms)',
    async (seed, killAfterMs) => {
      const env = await postgresTestEnv();
      const schema = await env.createSchemaName();
      const result = await runCrashScenario({
        seed,
        killAfterMs,
        databaseEnv: { CRASH_DIALECT: 'postgres', CRASH_PG_URL: env.url, CRASH_PG_SCHEMA: schema },
        openRepository: async () => new PostgresUpdateRepository({ connectionString: env.url, schema }),
      });
      // The kill really interrupted work: accepted updates were still in the outbox, and the new process sent them.
      expect(result.accepted).toBeGreaterThan(0);
      expect(result.pendingAtKill).toBeGreaterThan(0);
      expect(result.writesAfterKill).toBeGreaterThan(0);
      console.log(
        `seed ${seed}: killed after ${result.killedAfterMs} ms, ${result.accepted} accepted, ${result.pendingAtKill} rows pending, ${result.writesAfterKill} writes by the new process`,
      );
    },
    90_000,
  );
  it.each([
    [9, 500],
    [10, 1200],
  ])(
    'never duplicates a message whose create was cut by the kill: the nonce makes the retry idempotent (seed %i, killed after %i ms)',
    async (seed, killAfterMs) => {
      const env = await postgresTestEnv();
      const schema = await env.createSchemaName();
      const result = await runSyncCrashScenario({
        seed,
        killAfterMs,
        databaseEnv: { CRASH_DIALECT: 'postgres', CRASH_PG_URL: env.url, CRASH_PG_SCHEMA: schema },
        openRepository: async () => new PostgresUpdateRepository({ connectionString: env.url, schema }),
      });
      expect(result.pendingAtKill).toBeGreaterThan(0);
      console.log(
        `seed ${seed}: ${result.accepted} accepted, ${result.pendingAtKill} rows pending at the kill, ${result.duplicatesPrevented} duplicate creates prevented by nonce`,
      );
    },
    90_000,
  );
});
