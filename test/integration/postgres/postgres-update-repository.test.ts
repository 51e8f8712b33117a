import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  InvalidConfigError,
  MessageUpdateError,
  RepositoryClosedError,
  SchemaVersionError,
} from '../../../src/errors/message-update-error.js';
import { renderPostgresMigration } from '../../../src/repositories/postgres/postgres-migrations.js';
import {
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_VERSION,
  PostgresConnectionError,
  PostgresUpdateRepository,
  type PgPoolLike,
  type PostgresUpdateRepositoryOptions,
} from '../../../src/repositories/postgres/index.js';
import type { OutboxUpsert } from '../../../src/repositories/update-repository.js';
import { describeUpdateRepositoryContract } from '../../contract/update-repository.contract.js';
import { closePostgresTestEnv, postgresTestEnv, sleep } from './postgres-test-env.js';

afterAll(async () => {
  await closePostgresTestEnv();
});

describeUpdateRepositoryContract('postgres', async () => {
  const env = await postgresTestEnv();
  const schema = await env.createSchemaName();
  const repository = new PostgresUpdateRepository({ connectionString: env.url, schema });
  await repository.migrate();
  return {
    repository,
    // A database clock cannot be faked: let real time pass.
    wait: (ms) => sleep(ms),
    shortLeaseMs: 150,
    cleanup: async () => {
      await repository.close();
      await env.dropSchema(schema);
    },
  };
});

function upsert(targetKey: string, overrides: Partial<OutboxUpsert> = {}): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: targetKey.startsWith('m:') ? targetKey.slice(2) : null,
    managedKey: targetKey.startsWith('k:') ? targetKey.slice(2) : null,
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
    ...overrides,
  };
}

const nonce = (): string => `nonce-${randomBytes(4).toString('hex')}`;

/** The connection string with extra query parameters (e.g. a password or an application name). */
function urlWith(base: string, change: (url: URL) => void): string {
  const url = new URL(base);
  change(url);
  return url.toString();
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * Records the statements of the repository's own connections (`application_name` discord-update-manager, not the
 * test's admin connection): each text, shortened, and each connection with its first statement.
 */
function spyOnRepositoryQueries() {
  const texts: string[] = [];
  const clients = new Map<pg.Client, string>();
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const [config] = args;
    const text = typeof config === 'string' ? config : (config as { text: string }).text;
    const application = (this as unknown as { connectionParameters: { application_name?: string } })
      .connectionParameters.application_name;
    if (application === 'discord-update-manager') {
      texts.push(text.trim().replace(/\s+/g, ' ').slice(0, 44));
      if (!clients.has(this)) clients.set(this, text);
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  return { texts, clients, spy };
}

describe('PostgresUpdateRepository', () => {
  const opened: PostgresUpdateRepository[] = [];
  const pools: pg.Pool[] = [];

  /** A repository on a fresh schema (not migrated unless asked), closed after the test. */
  async function open(
    options: Partial<PostgresUpdateRepositoryOptions> & { readonly migrate?: boolean } = {},
  ): Promise<{ repository: PostgresUpdateRepository; schema: string }> {
    const env = await postgresTestEnv();
    const schema = options.schema ?? (await env.createSchemaName());
    const { migrate = true, ...rest } = options;
    const repository = new PostgresUpdateRepository(
      rest.pool ? { ...rest, schema } : { connectionString: env.url, ...rest, schema },
    );
    opened.push(repository);
    if (migrate) await repository.migrate();
    return { repository, schema };
  }

  function ownPool(connectionString: string, max = 4): pg.Pool {
    const pool = new pg.Pool({ connectionString, max });
    pool.on('error', () => {});
    pools.push(pool);
    return pool;
  }

  afterEach(async () => {
    for (const repository of opened.splice(0)) await repository.close();
    for (const pool of pools.splice(0)) await pool.end();
    const env = await postgresTestEnv();
    await env.dropAllSchemas();
  });

  describe('migrate()', () => {
    it('records the applied migrations in schema_migrations and changes nothing when run again', async () => {
      const env = await postgresTestEnv();
      const { repository, schema } = await open();
      await repository.migrate();
      await repository.migrate();
      const { rows } = await env.admin.query<{ version: number; name: string; applied_at: Date }>(
        `SELECT version, name, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
      );
      expect(rows.map(({ version, name }) => ({ version, name }))).toEqual(
        POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      expect(rows[0]!.applied_at).toBeInstanceOf(Date);
      expect(POSTGRES_SCHEMA_VERSION).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    });

    it("creates the tables with the seed's performance_metrics columns and a partial index for claiming", async () => {
      const env = await postgresTestEnv();
      const { schema } = await open();
      const columns = await env.admin.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1
         ORDER BY table_name, ordinal_position`,
        [schema],
      );
      const of = (table: string): string[] =>
        columns.rows.filter((row) => row.table_name === table).map((row) => row.column_name);
      expect(of('performance_metrics')).toEqual([
        'id',
        'timestamp',
        'messages_updated',
        'average_update_time_ms',
        'queue_size',
        'rate_limit_hits',
        'failed_updates',
      ]);
      expect(of('managed_messages')).toEqual(['key', 'channel_id', 'message_id', 'content_hash', 'sort_order']);
      expect(of('outbox')).toEqual([
        'target_key',
        'desired',
        'channel_id',
        'message_id',
        'managed_key',
        'body',
        'priority',
        'enqueued_at',
        'deadline_at',
        'version',
        'nonce',
        'nonce_version',
        'attempts',
        'not_before',
        'lease_token',
        'lease_expires_at',
        'last_error',
        'dead_at',
      ]);
      const types = await env.admin.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'outbox'
         AND column_name IN ('body', 'enqueued_at', 'lease_expires_at')`,
        [schema],
      );
      expect(Object.fromEntries(types.rows.map((row) => [row.column_name, row.data_type]))).toEqual({
        body: 'jsonb',
        enqueued_at: 'bigint',
        lease_expires_at: 'bigint',
      });
      const index = await env.admin.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'outbox_claim_idx'`,
        [schema],
      );
      expect(index.rows[0]?.indexdef).toMatch(/WHERE \(dead_at IS NULL\)/);
    });

    it('leaves room on outbox pages for in-place (HOT) updates of waiting rows', async () => {
      const env = await postgresTestEnv();
      const { schema } = await open();
      const { rows } = await env.admin.query<{ reloptions: string[] | null }>(
        `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = 'outbox'`,
        [schema],
      );
      expect(rows[0]?.reloptions).toEqual(['fillfactor=70']);
    });

    it('lets several processes migrate a fresh schema at the same time', async () => {
      const env = await postgresTestEnv();
      const schema = await env.createSchemaName();
      const repositories = await Promise.all(
        [1, 2, 3, 4].map(async () => (await open({ schema, migrate: false })).repository),
      );
      await Promise.all(repositories.map((repository) => repository.migrate()));
      const { rows } = await env.admin.query(`SELECT version FROM "${schema}".schema_migrations`);
      expect(rows).toHaveLength(POSTGRES_MIGRATIONS.length);
      for (const repository of repositories) expect(await repository.listPending()).toEqual([]);
    });

    it('refuses a schema migrated by a newer release, in migrate() and in every other call', async () => {
      const env = await postgresTestEnv();
      const { schema } = await open();
      const newer = POSTGRES_SCHEMA_VERSION + 1;
      await env.admin.query(
        `INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from-the-future')`,
        [newer],
      );
      const { repository } = await open({ schema, migrate: false });
      const failure = repository.migrate();
      await expect(failure).rejects.toThrow(MessageUpdateError);
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.not.toThrow(InvalidConfigError);
      await expect(failure).rejects.toMatchObject({
        name: 'SchemaVersionError',
        code: 'SCHEMA_VERSION',
        found: newer,
        expected: POSTGRES_SCHEMA_VERSION,
        direction: 'newer',
        database: `the PostgreSQL schema \`${schema}\``,
      });
      await expect(failure).rejects.toThrow(
        new RegExp(
          `^The PostgreSQL schema \`${schema}\` has schema version ${newer}, but this release .* supports schema versions up to ${POSTGRES_SCHEMA_VERSION}`,
        ),
      );
      const enqueued = repository.enqueue(upsert('k:a'));
      await expect(enqueued).rejects.toThrow(/Upgrade discord-update-manager/);
      await expect(enqueued).rejects.toMatchObject({ name: 'SchemaVersionError', found: newer, direction: 'newer' });
      // Nothing was changed by the refused migration.
      const { rows } = await env.admin.query(`SELECT version FROM "${schema}".schema_migrations`);
      expect(rows).toHaveLength(POSTGRES_MIGRATIONS.length + 1);
    });

    it('asks for migrate() when a schema was never migrated', async () => {
      const { repository, schema } = await open({ migrate: false });
      const failure = repository.getRow('k:a');
      await expect(failure).rejects.toThrow(/call `await repository\.migrate\(\)`/);
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        found: 0,
        expected: POSTGRES_SCHEMA_VERSION,
        direction: 'older',
        database: `the PostgreSQL schema \`${schema}\``,
      });
      await repository.migrate();
      expect(await repository.getRow('k:a')).toBeUndefined();
    });

    it('asks for migrate() on a schema an older release migrated, and migrate() brings it up to date', async () => {
      const env = await postgresTestEnv();
      const schema = await env.createSchemaName();
      // A schema the previous release migrated: every migration but the last.
      await env.admin.query(`CREATE SCHEMA "${schema}"`);
      await env.admin.query(
        `CREATE TABLE "${schema}".schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
      );
      for (const migration of POSTGRES_MIGRATIONS.slice(0, -1)) {
        await env.admin.query(renderPostgresMigration(migration, schema));
        await env.admin.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      const { repository } = await open({ schema, migrate: false });
      const failure = repository.enqueue(upsert('k:a'));
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        found: POSTGRES_SCHEMA_VERSION - 1,
        expected: POSTGRES_SCHEMA_VERSION,
        direction: 'older',
      });
      await expect(failure).rejects.toThrow(
        `has schema version ${POSTGRES_SCHEMA_VERSION - 1}, but this release of discord-update-manager needs version ${POSTGRES_SCHEMA_VERSION}: call \`await repository.migrate()\``,
      );
      await repository.migrate();
      expect(await repository.enqueue(upsert('k:a'))).toEqual({ version: 1 });
    });

    it('asks for migrate() when the tables disappear after the version check', async () => {
      const env = await postgresTestEnv();
      const { repository, schema } = await open();
      expect(await repository.getRow('k:a')).toBeUndefined(); // the version check passed
      await env.admin.query(`DROP TABLE "${schema}".outbox`);
      const failure = repository.getRow('k:a');
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        found: null,
        expected: POSTGRES_SCHEMA_VERSION,
        direction: 'older',
      });
      await expect(failure).rejects.toThrow(
        new RegExp(
          `^The PostgreSQL schema \`${schema}\` has no schema version that could be read \\(discord-update-manager's tables are missing: .*outbox.*\\), but this release .* needs version ${POSTGRES_SCHEMA_VERSION}: call \`await repository\\.migrate\\(\\)\``,
        ),
      );
    });
  });

  describe('options', () => {
    it('accepts only plain lower-case identifiers as schema names', async () => {
      const env = await postgresTestEnv();
      for (const schema of [
        'Bad',
        'bad-name',
        '1abc',
        '',
        'a'.repeat(64),
        'x"; DROP TABLE y; --',
        'pg_mine',
        'pg_catalog',
        'information_schema',
        ' a',
      ]) {
        const error = caught(() => new PostgresUpdateRepository({ connectionString: env.url, schema }));
        expect(error, schema).toBeInstanceOf(InvalidConfigError);
        expect(error).toMatchObject({ field: 'schema', value: schema });
        expect((error as Error).message).toMatch(/lower-case letters, digits and underscores/);
      }
      expect(new PostgresUpdateRepository({ connectionString: env.url, schema: `_${'a'.repeat(62)}` }).schema).toBe(
        `_${'a'.repeat(62)}`,
      );
      expect(new PostgresUpdateRepository({ connectionString: env.url }).schema).toBe('discord_update_manager');
    });

    it('needs exactly one of connectionString and pool', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url);
      expect(caught(() => new PostgresUpdateRepository({}))).toMatchObject({
        name: 'InvalidConfigError',
        field: 'connectionString',
      });
      const both = caught(() => new PostgresUpdateRepository({ connectionString: env.url, pool }));
      expect(both).toBeInstanceOf(InvalidConfigError);
      expect((both as Error).message).toMatch(/not both/);
      expect(caught(() => new PostgresUpdateRepository({ pool: {} as PgPoolLike }))).toMatchObject({
        field: 'pool',
      });
      expect(
        caught(() => new PostgresUpdateRepository({ pool, maxConnections: 5 } as PostgresUpdateRepositoryOptions)),
      ).toMatchObject({ field: 'maxConnections' });
      expect(
        caught(() => new PostgresUpdateRepository({ connectionString: env.url, maxConnections: 0 })),
      ).toMatchObject({ field: 'maxConnections' });
      expect(
        caught(() => new PostgresUpdateRepository({ connectionString: env.url, connectionTimeoutMs: 1.5 })),
      ).toMatchObject({ field: 'connectionTimeoutMs' });
    });

    it('runs named prepared statements when asked, with names that never clash between schemas', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const names = new Set<string>();
      const recording = {
        async connect() {
          const client = await pool.connect();
          return {
            query: (config: string | { name: string; text: string; values: unknown[] }, values?: unknown[]) => {
              if (typeof config !== 'string') names.add(config.name);
              return typeof config === 'string' ? client.query(config, values) : client.query(config);
            },
            release: (error?: Error | boolean) => client.release(error),
            on: (event: 'error', listener: (error: Error) => void) => client.on(event, listener),
            removeListener: (event: 'error', listener: (error: Error) => void) =>
              client.removeListener(event, listener),
          };
        },
      } as unknown as PgPoolLike;
      // Two schemas, one pool (two connections): the same statement of each schema needs its own name.
      const first = (await open({ pool: recording, preparedStatements: true })).repository;
      const second = (await open({ pool: recording, preparedStatements: true })).repository;
      for (const repository of [first, second, first, second]) {
        await repository.enqueueMany([upsert('m:300000000000000001'), upsert('m:300000000000000002')]);
        const rows = await repository.claim({ limit: 5, leaseMs: 60_000, newNonce: nonce });
        for (const row of rows) expect(await repository.ack(row)).toBe('done');
      }
      expect(await first.listPending()).toEqual([]);
      expect(names.size).toBeGreaterThanOrEqual(6);
      for (const name of names) expect(name).toMatch(/^dum_[A-Za-z]+_[0-9a-f]{16}$/);
      expect([...names].filter((name) => name.startsWith('dum_upsertBatch_'))).toHaveLength(2);
      expect([...names].filter((name) => name.startsWith('dum_claim_'))).toHaveLength(2);
      // Off by default with a pool of yours (its query() may take only text).
      names.clear();
      const plain = (await open({ pool: recording })).repository;
      await plain.enqueueMany([upsert('m:300000000000000003')]);
      expect(names.size).toBe(0);
      expect(
        caught(() => new PostgresUpdateRepository({ connectionString: env.url, preparedStatements: 'yes' as never })),
      ).toMatchObject({ name: 'InvalidConfigError', field: 'preparedStatements' });
    });

    it('rejects a malformed connection string without showing its password', () => {
      for (const connectionString of ['mysql://user:hunter22@db/app', 'not a url', 'postgres://user:hunter22@[bad']) {
        const error = caught(() => new PostgresUpdateRepository({ connectionString }));
        expect(error, connectionString).toBeInstanceOf(InvalidConfigError);
        expect(error).toMatchObject({ field: 'connectionString' });
        expect((error as Error).message).toMatch(/postgres:\/\/user:password@host:5432\/database/);
        expect((error as Error).message).not.toContain('hunter22');
      }
    });
  });

  describe('claim()', () => {
    it('claims up to 256 rows in one statement and more in two, best first, with nonces only for creates', async () => {
      const { repository } = await open();
      // 300 rows: one create in three (no message id), priorities 0–2, so best first is not insertion order.
      const keys = Array.from({ length: 300 }, (_, i) => `m:${300_000_000_000_000_000n + BigInt(i)}`);
      await repository.enqueueMany(
        keys.map((key, i) =>
          upsert(key, { priority: i % 3, enqueuedAt: 1000 + i, ...(i % 3 === 0 ? { messageId: null } : {}) }),
        ),
      );
      const best = [...keys].sort((a, b) => {
        const [ia, ib] = [keys.indexOf(a), keys.indexOf(b)];
        return (ib % 3) - (ia % 3) || ia - ib;
      });
      const check = (rows: readonly { targetKey: string; nonce: string | null; leaseToken: string }[]): void => {
        for (const row of rows) {
          const create = keys.indexOf(row.targetKey) % 3 === 0;
          expect(row.nonce === null, `${row.targetKey}: a nonce only for a create`).toBe(!create);
        }
        expect(new Set(rows.map((row) => row.leaseToken)).size).toBe(rows.length);
      };
      const first = await repository.claim({ limit: 256, leaseMs: 60_000, newNonce: nonce });
      expect(first.map((row) => row.targetKey)).toEqual(best.slice(0, 256));
      check(first);
      // The rest with a limit of more than 256: the two-statement claim.
      const rest = await repository.claim({ limit: 1000, leaseMs: 60_000, newNonce: nonce });
      expect(rest.map((row) => row.targetKey)).toEqual(best.slice(256));
      check(rest);
      for (const row of [...first, ...rest]) expect(await repository.ack(row)).toBe('done');
      // And all of them (no limit), once more.
      await repository.enqueueMany(keys.map((key) => upsert(key)));
      const all = await repository.claim({ limit: Infinity, leaseMs: 60_000, newNonce: nonce });
      expect(all).toHaveLength(300);
    });
  });

  describe('connections', () => {
    it('names the host and port, never the password, when the server cannot be reached', async () => {
      const repository = new PostgresUpdateRepository({
        connectionString: 'postgres://postgres:s3cret-passw0rd@127.0.0.1:1/test',
        schema: 'unreachable',
      });
      opened.push(repository);
      const failure = repository.migrate();
      await expect(failure).rejects.toBeInstanceOf(PostgresConnectionError);
      const error = (await failure.catch((e: unknown) => e)) as PostgresConnectionError;
      expect(error.message).toMatch(
        /^Could not connect to PostgreSQL at 127\.0\.0\.1:1 \(database test, user postgres\)/,
      );
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(error.message).toMatch(/Check that the server is running/);
      expect(error.message).not.toContain('s3cret-passw0rd');
      expect(String(error.cause)).not.toContain('s3cret-passw0rd');
      expect(error).toMatchObject({ host: '127.0.0.1', port: 1, phase: 'connect', code: 'TRANSPORT_ERROR' });
      // Every call fails the same way until the server answers.
      await expect(repository.listPending()).rejects.toThrow(/127\.0\.0\.1:1/);
    });

    it('says which credentials to check when the login is refused, without the password', async () => {
      const env = await postgresTestEnv();
      const repository = new PostgresUpdateRepository({
        connectionString: urlWith(env.url, (url) => {
          url.pathname = '/no_such_database_dum';
          url.password = 'pa55-w0rd-xyz';
        }),
        schema: 'nowhere',
      });
      opened.push(repository);
      const failure = repository.migrate();
      await expect(failure).rejects.toBeInstanceOf(PostgresConnectionError);
      await expect(failure).rejects.toThrow(/no_such_database_dum/);
      await expect(failure).rejects.not.toThrow(/pa55-w0rd-xyz/);
    });

    it('leaves a pool passed in open on close()', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url);
      const { repository } = await open({ pool });
      await repository.enqueue(upsert('k:mine'));
      await repository.close();
      const { rows } = await pool.query<{ answer: number }>('SELECT 1 AS answer');
      expect(rows).toEqual([{ answer: 1 }]);
      expect(pool.ended).toBe(false);
    });

    it('refuses calls after close(), and close() may be called twice', async () => {
      const { repository } = await open();
      await repository.close();
      await repository.close();
      const failure = repository.enqueue(upsert('k:late'));
      await expect(failure).rejects.toThrow(/Cannot enqueue: this PostgresUpdateRepository .* was closed/);
      await expect(failure).rejects.toThrow(RepositoryClosedError);
      await expect(failure).rejects.toMatchObject({
        code: 'REPOSITORY_CLOSED',
        repository: 'PostgresUpdateRepository',
        action: 'enqueue',
      });
      await expect(repository.migrate()).rejects.toThrow(/closed/);
      await expect(repository.migrate()).rejects.toMatchObject({ name: 'RepositoryClosedError', action: 'migrate' });
    });

    it('carries on after its connection is killed with pg_terminate_backend between calls', async () => {
      const env = await postgresTestEnv();
      const applicationName = `dum_kill_${randomBytes(4).toString('hex')}`;
      const { repository } = await open({
        connectionString: urlWith(env.url, (url) => url.searchParams.set('application_name', applicationName)),
        maxConnections: 1,
      });
      const kill = async (): Promise<number> => {
        const { rows } = await env.admin.query<{ killed: boolean }>(
          `SELECT pg_terminate_backend(pid, 5000) AS killed FROM pg_stat_activity WHERE application_name = $1`,
          [applicationName],
        );
        return rows.filter((row) => row.killed).length;
      };
      expect(await repository.enqueue(upsert('k:survivor'))).toEqual({ version: 1 });
      for (let round = 2; round <= 6; round++) {
        expect(await kill()).toBe(1);
        // Straight after the kill: the pool may still hand out the dead connection.
        expect(await repository.enqueue(upsert('k:survivor', { body: { round } }))).toEqual({ version: round });
        expect(await kill()).toBe(1);
        expect((await repository.getRow('k:survivor'))?.body).toEqual({ round });
      }
      // After the pool noticed (its idle connection emitted 'error'): nothing crashed, the next call reconnects.
      expect(await kill()).toBe(1);
      await sleep(200);
      const [claimed] = await repository.claim({ limit: 1, leaseMs: 60_000, newNonce: nonce });
      expect(claimed).toMatchObject({ targetKey: 'k:survivor', version: 6 });
    });

    it('retries on a fresh connection when the pool hands out one that is already dead', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const { repository } = await open({ pool });
      let killNext = true;
      const released: unknown[] = [];
      const killingPool: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          if (killNext) {
            killNext = false;
            const onError = (): void => {};
            client.on('error', onError);
            await env.admin.query('SELECT pg_terminate_backend($1, 5000)', [
              (client as unknown as { processID: number }).processID,
            ]);
            await sleep(50); // the client has seen its connection die by now
            client.removeListener('error', onError);
          }
          return {
            query: (text, values) => client.query(text, values),
            release: (error) => {
              released.push(error);
              client.release(error);
            },
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const killing = new PostgresUpdateRepository({ pool: killingPool, schema: repository.schema });
      opened.push(killing);
      expect(await killing.enqueue(upsert('k:retried'))).toEqual({ version: 1 });
      expect(await repository.getRow('k:retried')).toMatchObject({ version: 1 });
      // The dead connection went back with its error (so the pool discarded it); the retry's went back clean.
      expect(released.at(-1)).toBeUndefined();
      expect(released).toContainEqual(expect.any(Error));
    });

    it('does not retry when the connection breaks during COMMIT, and says the outcome is unknown', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const { repository } = await open({ pool });
      let commits = 0;
      const breakingPool: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          const pid = (client as unknown as { processID: number }).processID;
          return {
            query: async (text, values) => {
              if (text === 'COMMIT') {
                commits++;
                await env.admin.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
              }
              return client.query(text, values);
            },
            release: (error) => client.release(error),
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const breaking = new PostgresUpdateRepository({ pool: breakingPool, schema: repository.schema });
      opened.push(breaking);
      const failure = breaking.enqueue(upsert('k:unknown'));
      await expect(failure).rejects.toBeInstanceOf(PostgresConnectionError);
      await expect(failure).rejects.toMatchObject({ phase: 'commit' });
      await expect(failure).rejects.toThrow(/during enqueue: .* may or may not have been applied/);
      expect(commits).toBe(1);
      // Here the server died before the commit: nothing was stored.
      expect(await repository.getRow('k:unknown')).toBeUndefined();
    });

    it('runs a batch of edits and an ack as single statements that commit on their own', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const texts: string[] = [];
      const recording: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          return {
            query: (text, values) => {
              texts.push(text.trim().split(/\s+/)[0]!);
              return client.query(text, values);
            },
            release: (error) => client.release(error),
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const { repository } = await open({ pool: recording });
      texts.length = 0;
      await repository.enqueueMany([upsert('m:300000000000000001'), upsert('m:300000000000000002')]);
      expect(texts).toEqual(['INSERT']);
      const [first, second] = await repository.claim({ limit: 2, leaseMs: 60_000, newNonce: nonce });
      await repository.enqueue(upsert(second!.targetKey));
      texts.length = 0;
      expect(await repository.ack({ ...first!, version: first!.version })).toBe('done');
      expect(texts).toEqual(['DELETE']);
      texts.length = 0;
      expect(await repository.ack({ ...second!, version: second!.version })).toBe('newer');
      expect(await repository.ack({ ...second!, version: second!.version })).toBe('lost');
      expect(texts).toEqual(['DELETE', 'UPDATE', 'DELETE', 'UPDATE']);
    });

    it('acks made in one tick share one statement; acks of edits commit without waiting for the disk', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 4);
      const texts: string[] = [];
      const recording: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          return {
            query: (text, values) => {
              texts.push(text.trim().replace(/\s+/g, ' ').slice(0, 40));
              return client.query(text, values);
            },
            release: (error) => client.release(error),
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const { repository } = await open({ pool: recording });
      const keys = ['m:300000000000000011', 'm:300000000000000012', 'm:300000000000000013', 'm:300000000000000014'];
      await repository.enqueueMany(keys.map((key) => upsert(key)));
      const rows = await repository.claim({ limit: 4, leaseMs: 60_000, newNonce: nonce });
      expect(rows.map((row) => row.targetKey).sort()).toEqual(keys);
      const byKey = new Map(rows.map((row) => [row.targetKey, row]));
      await repository.enqueue(upsert(keys[1]!)); // a newer version of the second
      texts.length = 0;
      // What the manager sends for an edit: no message id. Four acks in one tick, the last with a stale lease.
      const ackOf = (key: string, leaseToken = byKey.get(key)!.leaseToken) =>
        repository.ack({ targetKey: key, leaseToken, version: byKey.get(key)!.version, messageId: null });
      const results = await Promise.all([
        ackOf(keys[0]!),
        ackOf(keys[1]!),
        ackOf(keys[2]!),
        ackOf(keys[3]!, 'not-the-lease'),
      ]);
      expect(results).toEqual(['done', 'newer', 'done', 'lost']);
      // One transaction for the four (a DELETE of several rows), then the two that were not done, one by one.
      expect(texts.filter((text) => text.startsWith('DELETE'))).toHaveLength(3);
      expect(texts[0]).toBe('BEGIN; SET LOCAL synchronous_commit TO o');
      expect(await repository.getRow(keys[0]!)).toBeUndefined();
      expect(await repository.getRow(keys[1]!)).toMatchObject({ leaseToken: null });
      expect(await repository.getRow(keys[3]!)).toMatchObject({ leaseToken: byKey.get(keys[3]!)!.leaseToken });

      // The ack of a create records the message id: it commits on its own, durably.
      await repository.enqueue({ ...upsert('k:created'), messageId: null });
      const [create] = await repository.claim({
        limit: 1,
        leaseMs: 60_000,
        newNonce: nonce,
        targetKeys: ['k:created'],
      });
      texts.length = 0;
      const acked = await repository.ack({
        targetKey: 'k:created',
        leaseToken: create!.leaseToken,
        version: create!.version,
        messageId: '300000000000000099',
      });
      expect(acked).toBe('done');
      expect(texts).toEqual([expect.stringMatching(/^DELETE/)]);
    });

    it('opens its own sessions relaxed: an ack of an edit is one statement, durable writes turn synchronous_commit on', async () => {
      const { texts, clients, spy } = spyOnRepositoryQueries();
      try {
        const { repository } = await open();
        // Every connection the repository opened ran the session settings first.
        expect(clients.size).toBeGreaterThan(0);
        for (const first of clients.values()) expect(first).toBe('SET synchronous_commit TO off; SET jit = off');
        texts.length = 0;
        await repository.enqueueMany([upsert('m:300000000000000021'), { ...upsert('k:new'), messageId: null }]);
        expect(texts).toEqual([
          'BEGIN; SET LOCAL synchronous_commit TO on',
          expect.stringMatching(/^INSERT/),
          'COMMIT',
        ]);
        texts.length = 0;
        // A claim is one statement: lock, rank and lease.
        const rows = await repository.claim({ limit: 2, leaseMs: 60_000, newNonce: nonce });
        expect(texts).toEqual([expect.stringMatching(/^WITH locked AS MATERIALIZED/)]);
        const edit = rows.find((row) => row.targetKey === 'm:300000000000000021')!;
        const create = rows.find((row) => row.targetKey === 'k:new')!;
        texts.length = 0;
        expect(await repository.ack({ ...edit, messageId: null })).toBe('done');
        expect(texts).toEqual([expect.stringMatching(/^DELETE/)]);
        texts.length = 0;
        expect(await repository.ack({ ...create, messageId: '300000000000000098' })).toBe('done');
        expect(texts).toEqual([
          'BEGIN; SET LOCAL synchronous_commit TO on',
          expect.stringMatching(/^DELETE/),
          'COMMIT',
        ]);
        // The settings are in effect on the idle connections.
        spy.mockRestore();
        for (const client of clients.keys()) {
          const settings = await client.query<{ sync: string; jit: string }>(
            "SELECT current_setting('synchronous_commit') AS sync, current_setting('jit') AS jit",
          );
          expect(settings.rows[0]).toEqual({ sync: 'off', jit: 'off' });
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('leaves its sessions as they are with relaxedSessions: false, setting what a call needs with SET LOCAL', async () => {
      const { texts, spy } = spyOnRepositoryQueries();
      try {
        const { repository } = await open({ relaxedSessions: false });
        expect(texts).not.toContain('SET synchronous_commit TO off; SET jit = off');
        await repository.enqueueMany([upsert('m:300000000000000022')]);
        const [row] = await repository.claim({ limit: 1, leaseMs: 60_000, newNonce: nonce });
        texts.length = 0;
        expect(await repository.ack({ ...row!, messageId: null })).toBe('done');
        expect(texts).toEqual([
          'BEGIN; SET LOCAL synchronous_commit TO off; ',
          expect.stringMatching(/^DELETE/),
          'COMMIT',
        ]);
      } finally {
        spy.mockRestore();
      }
      const env = await postgresTestEnv();
      expect(
        caught(() => new PostgresUpdateRepository({ connectionString: env.url, relaxedSessions: 1 as never })),
      ).toMatchObject({ name: 'InvalidConfigError', field: 'relaxedSessions' });
      const pool = ownPool(env.url, 1);
      expect(caught(() => new PostgresUpdateRepository({ pool, relaxedSessions: true }))).toMatchObject({
        name: 'InvalidConfigError',
        field: 'relaxedSessions',
        message: expect.stringContaining('with `pool`'),
      });
    });

    it('re-runs a single-statement write on a fresh connection when the one handed out was dead', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const { repository } = await open({ pool });
      await repository.enqueue(upsert('m:300000000000000003'));
      const [row] = await repository.claim({ limit: 1, leaseMs: 60_000, newNonce: nonce });
      let killNext = true;
      const released: unknown[] = [];
      const killingPool: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          if (killNext) {
            killNext = false;
            const onError = (): void => {};
            client.on('error', onError);
            await env.admin.query('SELECT pg_terminate_backend($1, 5000)', [
              (client as unknown as { processID: number }).processID,
            ]);
            await sleep(50); // the client has seen its connection die: pg refuses to send anything on it
            client.removeListener('error', onError);
          }
          return {
            query: (text, values) => client.query(text, values),
            release: (error) => {
              released.push(error);
              client.release(error);
            },
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const killing = new PostgresUpdateRepository({ pool: killingPool, schema: repository.schema });
      opened.push(killing);
      expect(await killing.ack({ ...row!, version: row!.version })).toBe('done');
      expect(released.some((error) => error instanceof Error)).toBe(true);
      killNext = true;
      expect(await killing.enqueueMany([upsert('m:300000000000000004')])).toEqual([{ version: 1 }]);
      expect(await repository.getRow('m:300000000000000004')).toMatchObject({ version: 1 });
    });

    it('carries on when a connection is killed while idle in its pool, before a single-statement write', async () => {
      const env = await postgresTestEnv();
      const applicationName = `dum_kill_${randomBytes(4).toString('hex')}`;
      const { repository } = await open({
        connectionString: urlWith(env.url, (url) => url.searchParams.set('application_name', applicationName)),
        maxConnections: 1,
      });
      const kill = async (): Promise<void> => {
        await env.admin.query(
          `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1`,
          [applicationName],
        );
      };
      for (let round = 1; round <= 5; round++) {
        await kill();
        // The server's answer on the dead connection is its termination notice: the statement never ran.
        expect(await repository.enqueueMany([upsert('m:300000000000000005', { body: { round } })])).toEqual([
          { version: round },
        ]);
      }
      const [row] = await repository.claim({ limit: 1, leaseMs: 60_000, newNonce: nonce });
      await kill();
      expect(await repository.ack({ ...row!, version: row!.version })).toBe('done');
    });

    it('does not re-run a single-statement write whose connection broke before it answered', async () => {
      const env = await postgresTestEnv();
      const pool = ownPool(env.url, 2);
      const { repository } = await open({ pool });
      let statements = 0;
      const breakingPool: PgPoolLike = {
        async connect() {
          const client = await pool.connect();
          return {
            query: (text, values) => {
              // (The schema version check before the first call goes through untouched.)
              if (!text.trimStart().startsWith('INSERT')) return client.query(text, values);
              statements++;
              const running = client.query(text, values);
              // The socket goes away with the statement sent and no answer read: it may or may not have committed.
              (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
              return running;
            },
            release: (error) => client.release(error),
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      };
      const breaking = new PostgresUpdateRepository({ pool: breakingPool, schema: repository.schema });
      opened.push(breaking);
      const failure = breaking.enqueueMany([upsert('m:300000000000000006')]);
      await expect(failure).rejects.toBeInstanceOf(PostgresConnectionError);
      await expect(failure).rejects.toMatchObject({ phase: 'commit' });
      await expect(failure).rejects.toThrow(/during enqueueMany: .* may or may not have been applied/);
      expect(statements).toBe(1);
    });

    it('carries on after a kill with a pool passed in (that has its own error listener)', async () => {
      const env = await postgresTestEnv();
      const applicationName = `dum_kill_${randomBytes(4).toString('hex')}`;
      const pool = ownPool(
        urlWith(env.url, (url) => url.searchParams.set('application_name', applicationName)),
        2,
      );
      const { repository } = await open({ pool });
      await repository.enqueueMany([upsert('k:a'), upsert('k:b')]);
      await env.admin.query(
        `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1`,
        [applicationName],
      );
      expect((await repository.listPending()).map((row) => row.targetKey)).toEqual(['k:a', 'k:b']);
    });
  });

  describe('claims', () => {
    it('never hands the same row to two repositories claiming at once (separate pools)', async () => {
      const { repository, schema } = await open();
      const total = 300;
      await repository.enqueueMany(
        Array.from({ length: total }, (_, index) =>
          upsert(`k:row-${String(index).padStart(3, '0')}`, { priority: index % 4, enqueuedAt: 1000 + (index % 7) }),
        ),
      );
      const claimers = await Promise.all(
        [1, 2, 3, 4].map(async () => (await open({ schema, migrate: false, maxConnections: 3 })).repository),
      );
      const claimedKeys: string[] = [];
      const tokens = new Set<string>();
      await Promise.all(
        claimers.flatMap((claimer) =>
          [1, 2, 3].map(async () => {
            for (;;) {
              const rows = await claimer.claim({ limit: 7, leaseMs: 60_000, newNonce: nonce });
              if (rows.length === 0) return;
              for (const row of rows) {
                claimedKeys.push(row.targetKey);
                tokens.add(row.leaseToken);
                expect(row.nonce).not.toBeNull();
                expect(row.nonceVersion).toBe(1);
              }
            }
          }),
        ),
      );
      expect(claimedKeys).toHaveLength(total);
      expect(new Set(claimedKeys).size).toBe(total);
      expect(tokens.size).toBe(total);
      expect(await repository.claim({ limit: 10, leaseMs: 60_000, newNonce: nonce })).toEqual([]);
    });

    it('lets two processes enqueue overlapping batches in opposite orders at once', async () => {
      const { repository, schema } = await open();
      const other = (await open({ schema, migrate: false })).repository;
      const keys = Array.from({ length: 20 }, (_, index) => `k:overlap-${index}`);
      const rounds = 15;
      await Promise.all(
        [repository, other].map(async (writer, which) => {
          for (let round = 0; round < rounds; round++) {
            const ordered = which === 0 ? keys : [...keys].reverse();
            await writer.enqueueMany(ordered.map((key) => upsert(key, { body: { which, round } })));
          }
        }),
      );
      const rows = await repository.listPending();
      expect(rows).toHaveLength(keys.length);
      for (const row of rows) expect(row.version).toBe(2 * rounds);
    });

    it('returns the versions of a batch in the order given, whatever order it locks rows in', async () => {
      const { repository } = await open();
      await repository.enqueue(upsert('k:b'));
      expect(
        await repository.enqueueMany([upsert('k:c'), upsert('k:b'), upsert('k:a'), upsert('k:c'), upsert('k:b')]),
      ).toEqual([{ version: 1 }, { version: 2 }, { version: 1 }, { version: 2 }, { version: 3 }]);
    });

    it('counts leases and retry times on the database clock', async () => {
      const env = await postgresTestEnv();
      const { repository } = await open();
      await repository.enqueue(upsert('m:300000000000000001'));
      const before = Number(
        (await env.admin.query<{ now: string }>(`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now`))
          .rows[0]!.now,
      );
      const [row] = await repository.claim({ limit: 1, leaseMs: 45_000, newNonce: nonce });
      expect(row!.leaseExpiresAt - before).toBeGreaterThanOrEqual(45_000);
      expect(row!.leaseExpiresAt - before).toBeLessThan(45_000 + 5_000);
      await repository.release({
        targetKey: row!.targetKey,
        leaseToken: row!.leaseToken,
        attempts: 1,
        retryInMs: 30_000,
        error: '503',
      });
      const released = await repository.getRow(row!.targetKey);
      expect(released!.notBefore - before).toBeGreaterThanOrEqual(30_000);
      expect(released!.notBefore - before).toBeLessThan(30_000 + 5_000);
    });
  });

  describe('values', () => {
    it('stores client times in whole milliseconds and round-trips the other numbers', async () => {
      const { repository } = await open();
      await repository.enqueue(upsert('k:t', { enqueuedAt: 1_712_345_678_901.4, deadlineAt: 1_712_345_679_000.6 }));
      expect(await repository.getRow('k:t')).toMatchObject({
        enqueuedAt: 1_712_345_678_901,
        deadlineAt: 1_712_345_679_001,
      });
      await repository.saveManaged({ key: 'a', channelId: '1', messageId: '2', contentHash: null, sortOrder: 2.5 });
      expect(await repository.listManaged()).toEqual([
        { key: 'a', channelId: '1', messageId: '2', contentHash: null, sortOrder: 2.5 },
      ]);
    });

    it('keeps arrays and strings as JSON bodies (not PostgreSQL arrays)', async () => {
      const { repository } = await open();
      await repository.enqueueMany([
        upsert('k:array', { body: [1, 'two', { three: 3 }] }),
        upsert('k:text', { body: 'x' }),
      ]);
      expect((await repository.getRow('k:array'))?.body).toEqual([1, 'two', { three: 3 }]);
      expect((await repository.getRow('k:text'))?.body).toBe('x');
    });

    it('rejects a body PostgreSQL cannot store, before touching the database', async () => {
      const { repository } = await open();
      await expect(repository.enqueue(upsert('k:nul', { body: { content: 'a\u0000b' } }))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        repository.enqueueMany([upsert('k:ok'), upsert('k:big', { body: { n: 1n } })]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await repository.listPending()).toEqual([]);
    });

    it('never splices values into SQL', async () => {
      const { repository } = await open();
      const key = `k:'); DROP TABLE outbox; --`;
      await repository.enqueue(upsert(key, { channelId: "1'--" }));
      expect(await repository.getRow(key)).toMatchObject({ targetKey: key, channelId: "1'--" });
    });
  });
});
