/**
 * Shared set-up of the Postgres integration tests: the server URL (`POSTGRES_URL`), a one-time reachability check
 * that fails loudly (these tests never skip), and random per-test schemas.
 *
 * @example
 * ```ts
 * const env = postgresTestEnv();
 * const schema = await env.createSchemaName(); // a fresh name; dropped by env.dropSchema(schema)
 * const repository = new PostgresUpdateRepository({ connectionString: env.url, schema });
 * ```
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  postgresTargetOf,
  redactConnectionString,
} from '../../../src/repositories/postgres/postgres-connection-string.js';

/** The server the tests use. */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What the tests get from {@link postgresTestEnv}. */
export interface PostgresTestEnv {
  /** The connection string (`POSTGRES_URL`). */
  readonly url: string;
  /** A pool for the tests' own statements (inspection, `pg_terminate_backend`, dropping schemas). */
  readonly admin: pg.Pool;
  /** A fresh random schema name (`dum_test_<hex>`), registered for {@link PostgresTestEnv.dropAllSchemas}. */
  createSchemaName(): Promise<string>;
  /** Drops a schema and everything in it. */
  dropSchema(schema: string): Promise<void>;
  /** Drops every schema made by {@link PostgresTestEnv.createSchemaName} and not dropped yet. */
  dropAllSchemas(): Promise<void>;
}

let shared: { env: PostgresTestEnv; ready: Promise<void> } | undefined;

/**
 * The message of a failed reachability check.
 *
 * @param cause - why the connection failed
 * @returns the message, saying what to start
 */
function unreachableMessage(cause: unknown): string {
  const target = postgresTargetOf(POSTGRES_URL);
  const reason = cause instanceof Error ? cause.message || String((cause as { code?: unknown }).code) : String(cause);
  return (
    `PostgreSQL is not reachable at ${target.host}:${target.port} (POSTGRES_URL=${redactConnectionString(POSTGRES_URL)}): ` +
    `${reason}. Start it (e.g. pg_ctlcluster 15 main start) or set POSTGRES_URL.`
  );
}

/**
 * Checks once per test file that the server answers; every later call awaits the same check, so each test fails with
 * the same clear message when it does not.
 *
 * @returns the shared environment, once the server has answered
 * @throws Error "PostgreSQL is not reachable at ...: start it (e.g. pg_ctlcluster 15 main start) or set POSTGRES_URL"
 */
export async function postgresTestEnv(): Promise<PostgresTestEnv> {
  if (shared === undefined) {
    const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 4, connectionTimeoutMillis: 5000 });
    // Tests kill connections on purpose; an idle one dying must not end the test process.
    admin.on('error', () => {});
    const schemas = new Set<string>();
    const env: PostgresTestEnv = {
      url: POSTGRES_URL,
      admin,
      async createSchemaName() {
        const schema = `dum_test_${randomBytes(6).toString('hex')}`;
        schemas.add(schema);
        return schema;
      },
      async dropSchema(schema) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Not a test schema name: ${schema}`);
        schemas.delete(schema);
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
      async dropAllSchemas() {
        for (const schema of [...schemas]) await env.dropSchema(schema);
      },
    };
    const ready = admin.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => {
        throw new Error(unreachableMessage(error), { cause: error });
      },
    );
    shared = { env, ready };
  }
  await shared.ready;
  return shared.env;
}

/**
 * Ends the admin pool (call from `afterAll`); the next {@link postgresTestEnv} call starts over.
 *
 * @returns when the pool is ended
 */
export async function closePostgresTestEnv(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current === undefined) return;
  await current.env.dropAllSchemas().catch(() => undefined);
  await current.env.admin.end();
}

/**
 * Real time passing (a database clock cannot be faked).
 *
 * @param ms - how long, in ms
 * @returns after that long
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
