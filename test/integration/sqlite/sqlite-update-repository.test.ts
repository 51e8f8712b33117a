import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  MessageUpdateError,
  RepositoryClosedError,
  RepositoryError,
  SchemaVersionError,
} from '../../../src/errors/message-update-error.js';
import {
  SQLITE_MIGRATIONS,
  SQLITE_SCHEMA_VERSION,
  SqliteUpdateRepository,
  type SqliteDatabaseLike,
  type SqliteDriver,
} from '../../../src/repositories/sqlite/index.js';
import { CLAIM_ROWS } from '../../../src/repositories/sqlite/sqlite-statements.js';
import { MemoryUpdateRepository } from '../../../src/repositories/memory/memory-update-repository.js';
import type {
  ClaimedRow,
  OutboxRow,
  OutboxUpsert,
  UpdateRepository,
} from '../../../src/repositories/update-repository.js';
import { FakeClock, SeededRandom } from '../../../src/testing/index.js';
import { describeUpdateRepositoryContract } from '../../contract/update-repository.contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dum-sqlite-'));
}

describeUpdateRepositoryContract('sqlite', async () => {
  const dir = await tempDir();
  const repository = new SqliteUpdateRepository({ filename: join(dir, 'updates.db') });
  await repository.migrate();
  return {
    repository,
    // A database clock cannot be faked: let real time pass.
    wait: (ms) => sleep(ms),
    shortLeaseMs: 150,
    cleanup: async () => {
      await repository.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

function upsert(targetKey: string, overrides: Partial<OutboxUpsert> = {}): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: targetKey.startsWith('k:') ? targetKey.slice(2) : null,
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
    ...overrides,
  };
}

let nonceCounter = 0;
const newNonce = (): string => `nonce-${++nonceCounter}`;

/** A driver that remembers the connections it opened, so tests can read the repository's own pragmas. */
function recordingDriver(): { driver: SqliteDriver; opened: Database.Database[] } {
  const opened: Database.Database[] = [];
  class RecordingDatabase extends Database {
    public constructor(filename: string, options?: Database.Options) {
      super(filename, options);
      opened.push(this);
    }
  }
  return { driver: RecordingDatabase, opened };
}

describe('SqliteUpdateRepository', () => {
  let dir: string;
  let file: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, 'updates.db');
  });
  afterEach(async () => {
    for (const item of toClose.splice(0)) await item.close();
    await rm(dir, { recursive: true, force: true });
  });

  function open(options: ConstructorParameters<typeof SqliteUpdateRepository>[0] = { filename: file }) {
    const repository = new SqliteUpdateRepository(options);
    toClose.push(repository);
    return repository;
  }

  function openRaw(): Database.Database {
    const db = new Database(file);
    toClose.push(db);
    return db;
  }

  describe('migrations', () => {
    it('ships contiguous versions starting at 1', () => {
      expect(SQLITE_MIGRATIONS.map((migration) => migration.version)).toEqual(
        SQLITE_MIGRATIONS.map((_, index) => index + 1),
      );
      expect(SQLITE_SCHEMA_VERSION).toBe(SQLITE_MIGRATIONS.length);
      expect(SQLITE_MIGRATIONS[0]?.name).toBe('initial');
    });

    it('records each applied migration once, and migrating again changes nothing', async () => {
      const repository = open();
      await repository.migrate();
      await repository.migrate();
      await open().migrate();
      const rows = openRaw().prepare('SELECT version, name, applied_at FROM schema_migrations').all() as {
        version: number;
        name: string;
        applied_at: number;
      }[];
      expect(rows.map(({ version, name }) => ({ version, name }))).toEqual(
        SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      // applied_at is database time in ms.
      expect(Math.abs(rows[0]!.applied_at - Date.now())).toBeLessThan(60_000);
    });

    it('creates the outbox, managed-message and performance tables, and an index that serves claims', async () => {
      await open().migrate();
      const db = openRaw();
      const columns = (table: string): string[] =>
        (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map(
          (row) => row.name,
        );
      expect(columns('outbox')).toEqual([
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
      expect(columns('managed_messages')).toEqual(['key', 'channel_id', 'message_id', 'content_hash', 'sort_order']);
      expect(columns('performance_metrics')).toEqual([
        'id',
        'timestamp',
        'messages_updated',
        'average_update_time_ms',
        'queue_size',
        'rate_limit_hits',
        'failed_updates',
      ]);
      const claimIndex = db
        .prepare('SELECT name, desc FROM pragma_index_xinfo(?) WHERE key = 1')
        .all('outbox_claim_idx');
      expect(claimIndex).toEqual([
        { name: 'dead_at', desc: 0 },
        { name: 'priority', desc: 1 },
        { name: 'enqueued_at', desc: 0 },
        { name: 'target_key', desc: 0 },
      ]);
      // A claim walks the index in order and stops after LIMIT rows: no sort of the whole backlog.
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_ROWS}`).all({ leaseMs: 1, targetKeys: null, limit: 1 }) as {
        detail: string;
      }[];
      expect(plan.map((step) => step.detail).join('\n')).toContain('USING INDEX outbox_claim_idx');
      expect(plan.map((step) => step.detail).join('\n')).not.toContain('TEMP B-TREE');
    });

    it('refuses a database migrated by a newer release, naming both versions', async () => {
      await open().migrate();
      const newer = SQLITE_SCHEMA_VERSION + 1;
      openRaw()
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(newer, 'from-the-future', Date.now());
      const repository = open();
      const failure = repository.migrate();
      await expect(failure).rejects.toThrow(MessageUpdateError);
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.not.toThrow(InvalidConfigError);
      await expect(failure).rejects.toMatchObject({
        name: 'SchemaVersionError',
        code: 'SCHEMA_VERSION',
        found: newer,
        expected: SQLITE_SCHEMA_VERSION,
        direction: 'newer',
        database: `the SQLite database ${file}`,
      });
      await expect(failure).rejects.toThrow(
        new RegExp(
          `has schema version ${newer}, but this release of discord-update-manager supports schema versions up to ${SQLITE_SCHEMA_VERSION}.*Upgrade discord-update-manager`,
        ),
      );
      await expect(failure).rejects.toThrow(`The SQLite database ${file} has schema version`);
      // Reads and writes are refused too, not only migrate().
      await expect(open().listPending()).rejects.toMatchObject({
        name: 'SchemaVersionError',
        found: newer,
        direction: 'newer',
      });
    });

    it('tells the caller to migrate when a method is used on a database never migrated', async () => {
      const failure = open().listPending();
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        found: 0,
        expected: SQLITE_SCHEMA_VERSION,
        direction: 'older',
        database: `the SQLite database ${file}`,
      });
      await expect(failure).rejects.toThrow(
        new RegExp(
          `has schema version 0, but this release of discord-update-manager needs version ${SQLITE_SCHEMA_VERSION}: ` +
            'call `await repository.migrate\\(\\)`',
        ),
      );
    });

    it('tells the caller to migrate a database an older release migrated, and migrate() brings it up to date', async () => {
      // A database the previous release migrated: every migration but the last.
      const raw = openRaw();
      raw.exec(
        'CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      for (const migration of SQLITE_MIGRATIONS.slice(0, -1)) {
        raw.exec(migration.sql);
        raw
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, Date.now());
      }
      const repository = open();
      const failure = repository.enqueue(upsert('k:a'));
      await expect(failure).rejects.toThrow(SchemaVersionError);
      await expect(failure).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        found: SQLITE_SCHEMA_VERSION - 1,
        expected: SQLITE_SCHEMA_VERSION,
        direction: 'older',
      });
      await expect(failure).rejects.toThrow(/call `await repository\.migrate\(\)` before using the repository/);
      await repository.migrate();
      expect(await repository.enqueue(upsert('k:a'))).toEqual({ version: 1 });
    });
  });

  describe('opening', () => {
    it('sets WAL, the busy timeout, synchronous and foreign keys on a database it opens', async () => {
      const { driver, opened } = recordingDriver();
      await open({ filename: file, driver, busyTimeoutMs: 1234 }).migrate();
      const db = opened[0]!;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    });

    it('defaults the busy timeout to 5000 ms and accepts synchronous NORMAL', async () => {
      const { driver, opened } = recordingDriver();
      await open({ filename: file, driver, synchronous: 'NORMAL' }).migrate();
      expect(opened[0]!.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(opened[0]!.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    });

    it('opens nothing until first used, and loads better-sqlite3 itself when no driver is given', async () => {
      const repository = open();
      expect(existsSync(file)).toBe(false);
      await repository.migrate();
      expect(existsSync(file)).toBe(true);
    });

    it('rejects a file in a folder that does not exist, naming the folder, and creates nothing', () => {
      const missing = join(dir, 'missing', 'updates.db');
      const attempt = (): unknown => new SqliteUpdateRepository({ filename: missing });
      expect(attempt).toThrow(InvalidConfigError);
      expect(attempt).toThrow(`The folder ${join(dir, 'missing')} does not exist: create the folder first`);
      expect(existsSync(join(dir, 'missing'))).toBe(false);
    });

    it('reports a folder removed between construction and first use', async () => {
      const sub = join(dir, 'gone');
      await mkdir(sub);
      const repository = open({ filename: join(sub, 'updates.db') });
      await rm(sub, { recursive: true });
      await expect(repository.migrate()).rejects.toThrow(/create the folder first/);
      expect(existsSync(sub)).toBe(false);
    });

    it('wants exactly one of filename and database', () => {
      const db = openRaw();
      expect(() => new SqliteUpdateRepository({})).toThrow(InvalidConfigError);
      expect(() => new SqliteUpdateRepository({})).toThrow(/Expected `filename` to be a path to a database file/);
      expect(() => new SqliteUpdateRepository({ filename: file, database: db })).toThrow(
        /Expected `filename` to be undefined when `database` is given.*not both/,
      );
    });

    it('rejects a database that is not a better-sqlite3 Database, or is closed or read-only', () => {
      const bad = [{}, { prepare: () => undefined, exec: 1 }, null] as unknown as SqliteDatabaseLike[];
      for (const database of bad) {
        expect(() => new SqliteUpdateRepository({ database })).toThrow(InvalidConfigError);
      }
      expect(() => new SqliteUpdateRepository({ database: {} as SqliteDatabaseLike })).toThrow(
        /Expected `database` to be a better-sqlite3 Database.*It has no prepare\(\) method/,
      );
      const closed = new Database(':memory:');
      closed.close();
      expect(() => new SqliteUpdateRepository({ database: closed })).toThrow(/an open better-sqlite3 Database/);
      openRaw().exec('CREATE TABLE t (x)');
      const readonly = new Database(file, { readonly: true });
      toClose.push(readonly);
      expect(() => new SqliteUpdateRepository({ database: readonly })).toThrow(/a writable better-sqlite3 Database/);
    });

    it('rejects out-of-range options, and connection options next to a database', () => {
      const bad: [ConstructorParameters<typeof SqliteUpdateRepository>[0], RegExp][] = [
        [{ filename: file, busyTimeoutMs: -1 }, /`busyTimeoutMs` to be an integer from 0 to 2147483647/],
        [{ filename: file, busyTimeoutMs: 1.5 }, /`busyTimeoutMs`/],
        [{ filename: file, synchronous: 'OFF' as 'FULL' }, /`synchronous` to be `'FULL'` or `'NORMAL'`, got `OFF`/],
        [{ filename: '' }, /`filename` to be a non-empty path/],
        [{ filename: file, driver: 'better-sqlite3' as unknown as SqliteDriver }, /`driver`/],
        [{ database: new Database(':memory:'), busyTimeoutMs: 10 }, /`busyTimeoutMs` to be undefined when `database`/],
      ];
      for (const [options, message] of bad) expect(() => new SqliteUpdateRepository(options)).toThrow(message);
    });
  });

  describe('closing', () => {
    it('leaves a database passed in open, and refuses calls after close()', async () => {
      const db = openRaw();
      const repository = open({ database: db });
      await repository.migrate();
      await repository.enqueue(upsert('k:a'));
      await repository.close();
      await repository.close(); // idempotent
      expect(db.open).toBe(true);
      expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
      const failure = repository.listPending();
      await expect(failure).rejects.toThrow(/Cannot listPending: this SqliteUpdateRepository .* was closed/);
      await expect(failure).rejects.toThrow(RepositoryClosedError);
      await expect(failure).rejects.toMatchObject({
        code: 'REPOSITORY_CLOSED',
        repository: 'SqliteUpdateRepository',
        action: 'listPending',
      });
      await expect(repository.migrate()).rejects.toMatchObject({ name: 'RepositoryClosedError', action: 'migrate' });
    });

    it('closes a database it opened itself', async () => {
      const { driver, opened } = recordingDriver();
      const repository = open({ filename: file, driver });
      await repository.migrate();
      await repository.close();
      expect(opened).toHaveLength(1);
      expect(opened[0]!.open).toBe(false);
      await expect(repository.enqueue(upsert('k:a'))).rejects.toThrow(/Cannot enqueue: .* was closed/);
      await expect(repository.enqueue(upsert('k:a'))).rejects.toThrow(RepositoryClosedError);
    });

    it('closes a database still opening when close() is called', async () => {
      const { driver, opened } = recordingDriver();
      const repository = open({ filename: file, driver });
      const migrating = repository.migrate();
      await repository.close();
      await expect(migrating).rejects.toThrow(/was closed/);
      await expect(migrating).rejects.toMatchObject({ name: 'RepositoryClosedError', action: 'migrate' });
      for (const [index, db] of opened.entries()) expect(db.open, `database ${index} (${db.name}) is open`).toBe(false);
    });

    it('never opens a database when closed before first use', async () => {
      const repository = open();
      await repository.close();
      expect(existsSync(file)).toBe(false);
    });
  });

  describe('durability', () => {
    it('keeps rows, bodies, nonces, managed messages and snapshots across close and reopen', async () => {
      const body = { content: 'é 🚀', embeds: [{ title: 't', fields: [{ name: 'n', value: 'v', inline: true }] }] };
      const first = open();
      await first.migrate();
      await first.enqueueMany([upsert('k:board', { body, priority: 2, enqueuedAt: 1234.5, deadlineAt: 99_999 })]);
      const [claimed] = await first.claim({ limit: 1, leaseMs: 60_000, newNonce });
      await first.saveManaged({ key: 'board', channelId: '1', messageId: '2', contentHash: 'h', sortOrder: 3 });
      await first.recordSnapshot({
        timestamp: 5,
        messagesUpdated: 1,
        averageUpdateTimeMs: 2.25,
        queueSize: 0,
        rateLimitHits: 0,
        failedUpdates: 0,
      });
      const before = await first.getRow('k:board');
      await first.close();

      const second = open();
      await second.migrate();
      const after = await second.getRow('k:board');
      expect(after).toEqual(before);
      expect(after).toMatchObject({
        body,
        priority: 2,
        enqueuedAt: 1234.5,
        deadlineAt: 99_999,
        nonce: claimed!.nonce,
        nonceVersion: 1,
        leaseToken: claimed!.leaseToken,
      });
      expect(await second.listManaged()).toEqual([
        { key: 'board', channelId: '1', messageId: '2', contentHash: 'h', sortOrder: 3 },
      ]);
      expect((await second.listSnapshots())[0]?.averageUpdateTimeMs).toBe(2.25);
      // The lease taken before the restart still holds: the row is not claimable until it expires.
      expect(await second.claim({ limit: 1, leaseMs: 60_000, newNonce })).toEqual([]);
    });

    it('stamps leases with the database clock', async () => {
      const repository = open();
      await repository.migrate();
      await repository.enqueue(upsert('k:clock'));
      const before = Date.now();
      const [row] = await repository.claim({ limit: 1, leaseMs: 10_000, newNonce });
      // Same machine, so the database clock agrees with Date.now() within a wide margin.
      expect(row!.leaseExpiresAt - (before + 10_000)).toBeGreaterThan(-1000);
      expect(row!.leaseExpiresAt - (Date.now() + 10_000)).toBeLessThan(1000);
      expect(row!.leaseExpiresAt).toSatisfy(Number.isInteger);
    });

    it('rolls back a whole enqueueMany when one body cannot be stored', async () => {
      const repository = open();
      await repository.migrate();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(repository.enqueueMany([upsert('k:ok'), upsert('k:bad', { body: cyclic })])).rejects.toThrow(
        /Expected `body` to be a JSON-serialisable message body/,
      );
      expect(await repository.listPending()).toEqual([]);
    });
  });

  describe('agreement with the memory repository', () => {
    /** Times and tokens differ by nature (database clock, random tokens): compare whether they are set. */
    const normalise = (row: OutboxRow | undefined): unknown =>
      row && {
        ...row,
        leaseToken: row.leaseToken !== null,
        leaseExpiresAt: row.leaseExpiresAt !== null,
        notBefore: row.notBefore > 0,
        deadAt: row.deadAt !== null,
      };

    it.each([1, 2, 3, 4])('returns what the memory repository returns, op for op (seed %i)', async (seed) => {
      const random = new SeededRandom(seed);
      const int = (n: number): number => Math.floor(random.next() * n);
      const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
      const sqlite = open();
      await sqlite.migrate();
      const sides = [new MemoryUpdateRepository({ clock: new FakeClock() }), sqlite].map((repository) => ({
        repository: repository as UpdateRepository,
        nonces: 0,
        claims: [] as ClaimedRow[],
      }));
      const keys = ['k:a', 'k:b', 'k:c', 'm:300000000000000001', 'm:300000000000000002', 'c:1', 'c:2'];
      const LONG = 1e9; // leases never expire here: expiry is covered by the contract suite
      const makeUpsert = (): OutboxUpsert => {
        const targetKey = pick(keys);
        const desired = random.chance(0.25) ? 'absent' : 'present';
        return upsert(targetKey, {
          desired,
          messageId: targetKey.startsWith('m:')
            ? targetKey.slice(2)
            : random.chance(0.1)
              ? `30000000000000090${int(10)}`
              : null,
          body: desired === 'present' ? { content: `v${int(1000)}` } : null,
          priority: int(4),
          enqueuedAt: int(100),
          deadlineAt: random.chance(0.5) ? int(1000) : null,
        });
      };

      for (let step = 0; step < 250; step++) {
        const op = pick([
          'enqueue',
          'enqueueMany',
          'claim',
          'claim',
          'ack',
          'release',
          'deadLetter',
          'redrive',
          'remove',
        ]);
        const upserts = Array.from({ length: op === 'enqueueMany' ? 1 + int(3) : 1 }, makeUpsert);
        const limit = int(4);
        const targetKeys = random.chance(0.2) ? [pick(keys), pick(keys)] : undefined;
        const index = int(64);
        const bumpVersion = random.chance(0.3);
        const learned = random.chance(0.4) ? { messageId: '300000000000000777' } : {};
        const attempts = 1 + int(4);
        const key = pick(keys);
        const results: unknown[] = [];
        for (const side of sides) {
          const { repository } = side;
          const claim = side.claims[index % Math.max(1, side.claims.length)];
          let result: unknown;
          switch (op) {
            case 'enqueue':
              result = await repository.enqueue(upserts[0]!);
              break;
            case 'enqueueMany':
              result = await repository.enqueueMany(upserts);
              break;
            case 'claim': {
              const newNonce = (): string => `n${++side.nonces}`;
              const rows = await repository.claim({
                limit,
                leaseMs: LONG,
                newNonce,
                ...(targetKeys ? { targetKeys } : {}),
              });
              side.claims.push(...rows);
              result = rows.map(normalise);
              break;
            }
            case 'ack':
              result =
                claim &&
                (await repository.ack({
                  targetKey: claim.targetKey,
                  leaseToken: claim.leaseToken,
                  version: claim.version + (bumpVersion ? 1 : 0),
                  ...learned,
                }));
              break;
            case 'release':
              result =
                claim &&
                (await repository.release({
                  targetKey: claim.targetKey,
                  leaseToken: claim.leaseToken,
                  attempts,
                  retryInMs: 0,
                  error: `failure ${attempts}`,
                  ...learned,
                }));
              break;
            case 'deadLetter':
              result =
                claim &&
                (await repository.deadLetter({
                  targetKey: claim.targetKey,
                  leaseToken: claim.leaseToken,
                  error: 'dead',
                }));
              break;
            case 'redrive':
              result = await repository.redrive(key);
              break;
            case 'remove':
              result = await repository.remove(key);
              break;
          }
          const byKey = (a: OutboxRow, b: OutboxRow): number => (a.targetKey < b.targetKey ? -1 : 1);
          results.push({
            result,
            pending: (await repository.listPending()).map(normalise),
            // Dead-letter order is by database time, which may tie within a millisecond: compare as a set.
            dead: [...(await repository.listDeadLetters())].sort(byKey).map(normalise),
          });
        }
        expect(results[1], `step ${step}: ${op}`).toEqual(results[0]);
      }
    });
  });

  describe('concurrency', () => {
    it('never gives the same row to two repositories claiming from the same file', async () => {
      const a = open();
      const b = open();
      await a.migrate();
      await b.migrate();
      const total = 300;
      await a.enqueueMany(
        Array.from({ length: total }, (_, i) => upsert(`k:${i}`, { priority: i % 4, enqueuedAt: i })),
      );
      const drain = async (repository: SqliteUpdateRepository): Promise<string[]> => {
        const keys: string[] = [];
        for (;;) {
          const rows = await repository.claim({ limit: 7, leaseMs: 60_000, newNonce });
          if (rows.length === 0) return keys;
          keys.push(...rows.map((row) => row.targetKey));
          // Let the other repository's claim run between ours.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const [fromA, fromB] = await Promise.all([drain(a), drain(b)]);
      expect(fromA.length).toBeGreaterThan(0);
      expect(fromB.length).toBeGreaterThan(0);
      expect(fromA.length + fromB.length).toBe(total);
      expect(new Set([...fromA, ...fromB]).size).toBe(total);
    });

    it('never gives the same row to two processes claiming from the same file at the same time', async () => {
      const setup = open();
      await setup.migrate();
      const total = 400;
      await setup.enqueueMany(Array.from({ length: total }, (_, i) => upsert(`k:${i}`, { enqueuedAt: i })));
      await setup.close();
      const children = [runClaimer(file), runClaimer(file)];
      await Promise.all(children.map((child) => child.ready));
      // Both processes have opened the file and wait on stdin: start them together.
      const startAt = Date.now() + 100;
      for (const child of children) child.go(startAt);
      const [fromA, fromB] = await Promise.all(children.map((child) => child.keys));
      // Each pauses between claims as a sender awaiting Discord would, so both get a share.
      expect(fromA!.length).toBeGreaterThan(0);
      expect(fromB!.length).toBeGreaterThan(0);
      expect(fromA!.length + fromB!.length).toBe(total);
      expect(new Set([...fromA!, ...fromB!]).size).toBe(total);
      // Every ack was 'done' (checked in the children): nothing is left.
      const check = open();
      expect(await check.listPending()).toEqual([]);
    });
  });
});

/**
 * The claim loop run in each child process (ESM, with tsx registered so it can import the TypeScript source): it
 * opens the file, prints `ready`, reads a start time on stdin, claims one row at a time from then until nothing is
 * left, and prints the keys as JSON.
 */
const CLAIMER = `
const { SqliteUpdateRepository } = await import(process.env.REPOSITORY_MODULE);
const repository = new SqliteUpdateRepository({ filename: process.env.DATABASE_FILE, synchronous: 'NORMAL' });
await repository.listPending(1);
process.stdout.write('ready\\n');
const startAt = Number(await new Promise((resolve) => process.stdin.once('data', resolve)));
process.stdin.destroy();
// Spin until the shared start time, so both processes begin claiming within the same millisecond.
while (Date.now() < startAt);
const keys = [];
let nonces = 0;
for (;;) {
  const rows = await repository.claim({ limit: 1, leaseMs: 60000, newNonce: () => process.pid + '-' + ++nonces });
  if (rows.length === 0) break;
  for (const row of rows) {
    keys.push(row.targetKey);
    // The "send": a pause in which the other process claims, as a real sender awaits Discord.
    await new Promise((resolve) => setTimeout(resolve, 1));
    const result = await repository.ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version: row.version });
    if (result !== 'done') throw new Error('ack of ' + row.targetKey + ' returned ' + result);
  }
}
await repository.close();
process.stdout.write(JSON.stringify(keys) + '\\n');
`;

function runClaimer(databaseFile: string): {
  ready: Promise<void>;
  go(startAt: number): void;
  keys: Promise<string[]>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', CLAIMER], {
    env: {
      ...process.env,
      REPOSITORY_MODULE: new URL('../../../src/repositories/sqlite/index.ts', import.meta.url).href,
      DATABASE_FILE: databaseFile,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const keys = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`claimer exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.slice('ready\n'.length)) as string[]);
    });
  });
  // A child that dies before `ready` must fail the test, not hang it.
  void keys.catch(() => undefined);
  return {
    ready: Promise.race([ready, keys.then(() => undefined)]),
    go: (startAt) => child.stdin.write(`${startAt}\n`),
    keys,
  };
}

describe('SqliteUpdateRepository on a file it cannot use', () => {
  it('refuses a file that is not a SQLite database at migrate(), naming the file, with a typed error', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'not-a-database.db');
    await writeFile(filename, 'these are not the pages of a SQLite database '.repeat(200));
    const repository = new SqliteUpdateRepository({ filename });
    const error = await repository.migrate().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RepositoryError);
    expect((error as Error).message).toContain(filename);
    expect((error as Error).message).toMatch(/It is not a SQLite database/);
    await repository.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds at migrate() that a database cannot be written, instead of failing every enqueue later', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'updates.db');
    const first = new SqliteUpdateRepository({ filename });
    await first.migrate(); // already current: the next migrate() writes nothing
    await first.close();
    // As a read-only file, folder or mount opens it (root ignores file modes, so the driver asks for read-only).
    const ReadOnly = function (path: string, options?: { timeout?: number }) {
      return new Database(path, { ...options, readonly: true });
    } as unknown as SqliteDriver;
    const repository = new SqliteUpdateRepository({ filename, driver: ReadOnly });
    const error = await repository.migrate().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RepositoryError);
    expect((error as Error).message).toContain(filename);
    expect((error as Error).message).toMatch(/cannot be written/);
    await repository.close();
    await rm(dir, { recursive: true, force: true });
  });
});
