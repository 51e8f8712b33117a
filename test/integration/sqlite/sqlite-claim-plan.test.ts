import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteUpdateRepository } from '../../../src/repositories/sqlite/index.js';

/** One statement the repository ran, with its parameters. */
interface Executed {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * A better-sqlite3 database that records every statement the repository runs, so a test can ask SQLite for the plan
 * of exactly what a claim ran (not of a copy of its SQL).
 */
function recordingDatabase(filename: string): {
  readonly database: Database.Database;
  readonly executed: Executed[];
  /** `EXPLAIN QUERY PLAN` of a statement, one line per step. */
  plan(statement: Executed): string[];
} {
  const database = new Database(filename);
  database.pragma('journal_mode = WAL');
  const executed: Executed[] = [];
  const prepare = database.prepare.bind(database);
  const recorded = (sql: string): Database.Statement => {
    const statement = prepare(sql);
    return new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const method = value as (...params: unknown[]) => unknown;
        if (property !== 'all' && property !== 'get' && property !== 'run' && property !== 'iterate') {
          return method.bind(target);
        }
        return (...params: unknown[]) => {
          executed.push({ sql, params });
          return method.apply(target, params);
        };
      },
    });
  };
  database.prepare = recorded as typeof database.prepare;
  return {
    database,
    executed,
    plan: ({ sql, params }) =>
      (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((step) => step.detail),
  };
}

const HOUR = 3_600_000;
const ROWS = 20_000;
/** Rows `0 <= i < WAITING / 2` are leased by another worker, `WAITING / 2 <= i < WAITING` wait for a retry. */
const WAITING = 800;
const key = (i: number): string => `m:${300_000_000_000_000_000n + BigInt(i)}`;

/**
 * Fills the outbox as a busy one looks: the rows a worker took first (the best ones, at the front of the claim order)
 * are leased by another worker or waiting for a retry, both an hour away; the rest are idle.
 */
function fill(database: Database.Database): void {
  const now = Date.now();
  database
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @rows)
      INSERT INTO outbox (target_key, desired, channel_id, message_id, body, priority, enqueued_at, version,
        not_before, lease_token, lease_expires_at)
      SELECT 'm:' || (300000000000000000 + i), 'present', '100000000000000001', CAST(300000000000000000 + i AS TEXT),
        '{"content":"x"}', CASE WHEN i < @waiting THEN 3 ELSE i % 3 END, 1000 + i, 1,
        CASE WHEN i >= @waiting / 2 AND i < @waiting THEN @later ELSE 0 END,
        CASE WHEN i < @waiting / 2 THEN 'other-worker' END,
        CASE WHEN i < @waiting / 2 THEN @later END
      FROM n`,
    )
    .run({ rows: ROWS, waiting: WAITING, later: now + HOUR });
}

/** The plan steps that read the outbox table, under any of the aliases the statements use. */
function outboxSteps(plan: readonly string[]): string[] {
  return plan.filter((step) => /^(SCAN|SEARCH) (outbox|o|w)\b/.test(step));
}

/** Asserts that every read of the outbox in a plan is an index search: no scan of the table or of an index. */
function expectOnlySeeks(plan: readonly string[]): void {
  const reads = outboxSteps(plan);
  expect(reads.length, plan.join('\n')).toBeGreaterThan(0);
  for (const step of reads) expect(step, plan.join('\n')).toMatch(/^SEARCH /);
}

const PRIMARY_KEY = /^SEARCH (outbox|o) USING (COVERING )?INDEX sqlite_autoindex_outbox_1 \(target_key=\?\)$/;

describe('SqliteUpdateRepository claim plans', () => {
  let dir: string;
  let recording: ReturnType<typeof recordingDatabase>;
  let repository: SqliteUpdateRepository;
  const newNonce = (): string => 'nonce';

  /** The statements one claim ran (the lease writes and the probe before them), with their plans. */
  async function claimPlans(options: Parameters<SqliteUpdateRepository['claim']>[0]) {
    recording.executed.length = 0;
    const rows = await repository.claim(options);
    const statements = recording.executed.filter((statement) =>
      /^\s*(UPDATE outbox SET|SELECT EXISTS)/.test(statement.sql),
    );
    return { rows, statements, plans: statements.map((statement) => recording.plan(statement)) };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dum-sqlite-plan-'));
    recording = recordingDatabase(join(dir, 'updates.db'));
    repository = new SqliteUpdateRepository({ database: recording.database });
    await repository.migrate();
    fill(recording.database);
  });

  afterEach(async () => {
    await repository.close();
    recording.database.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const statistics of [false, true]) {
    describe(statistics ? 'with statistics (after ANALYZE)' : 'without statistics', () => {
      beforeEach(() => {
        if (statistics) recording.database.exec('ANALYZE');
      });

      it('claims one target with a primary-key lookup, never walking the backlog', async () => {
        const { rows, plans } = await claimPlans({ limit: 1, leaseMs: HOUR, targetKeys: [key(15_000)], newNonce });
        expect(rows.map((row) => row.targetKey)).toEqual([key(15_000)]);
        expect(plans).toHaveLength(1);
        const plan = plans[0]!;
        expectOnlySeeks(plan);
        expect(
          outboxSteps(plan).every((step) => PRIMARY_KEY.test(step)),
          plan.join('\n'),
        ).toBe(true);
        expect(plan.join('\n')).not.toContain('TEMP B-TREE');
      });

      it('claims several targets with one primary-key lookup per key, sorting only the rows found', async () => {
        const targetKeys = [key(12_000), key(9_000), key(9_000), key(5), 'm:1'];
        const { rows, plans } = await claimPlans({ limit: 10, leaseMs: HOUR, targetKeys, newNonce });
        // key(5) is leased by the other worker, m:1 does not exist; key(9000) has priority 0, key(12000) priority 0.
        expect(rows.map((row) => row.targetKey)).toEqual([key(9_000), key(12_000)]);
        const plan = plans[0]!;
        expectOnlySeeks(plan);
        expect(
          outboxSteps(plan).every((step) => PRIMARY_KEY.test(step)),
          plan.join('\n'),
        ).toBe(true);
        expect(plan).toContain('SCAN json_each VIRTUAL TABLE INDEX 1:');
      });

      it('claims the best rows by seeking the index of idle rows, with no scan and no sort', async () => {
        const { rows, statements, plans } = await claimPlans({ limit: 50, leaseMs: HOUR, newNonce });
        // The leased and backing-off rows rank first but are not claimable: the best idle rows are those of priority 2
        // (WAITING % 3 === 2).
        expect(rows.map((row) => row.targetKey)).toEqual(Array.from({ length: 50 }, (_, i) => key(WAITING + 3 * i)));
        expect(statements.map((statement) => statement.sql.trim().split('\n')[0])).toEqual([
          'SELECT EXISTS (',
          'UPDATE outbox SET lease_token = lower(hex(randomblob(16))),',
        ]);
        const [probe, claim] = plans as [string[], string[]];
        expectOnlySeeks(probe);
        expect(outboxSteps(probe)).toEqual(['SEARCH outbox USING INDEX outbox_waiting_idx (<expr><?)']);
        expectOnlySeeks(claim);
        expect(claim).toContain('SEARCH outbox USING INDEX outbox_claim_idx (dead_at=?)');
        for (const plan of [probe, claim]) expect(plan.join('\n')).not.toContain('TEMP B-TREE');
        // The index searched holds only idle rows, so every entry the claim reads is a row it takes.
        const { sql } = recording.database
          .prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'outbox_claim_idx'`)
          .get() as { sql: string };
        expect(sql).toMatch(/WHERE dead_at IS NULL AND lease_token IS NULL AND not_before = 0$/);
      });

      it('merges in the leased and retried rows whose time has come, sorting only those', async () => {
        // An ended lease and a retry that came due, among the waiting rows at the front.
        recording.database.prepare('UPDATE outbox SET lease_expires_at = 1 WHERE target_key = ?').run(key(7));
        recording.database.prepare('UPDATE outbox SET not_before = 1 WHERE target_key = ?').run(key(WAITING - 1));
        const { rows, plans } = await claimPlans({ limit: 3, leaseMs: HOUR, newNonce });
        expect(rows.map((row) => row.targetKey)).toEqual([key(7), key(WAITING - 1), key(WAITING)]);
        const [probe, claim] = plans as [string[], string[]];
        expectOnlySeeks(probe);
        expectOnlySeeks(claim);
        expect(claim).toContain('SEARCH outbox USING INDEX outbox_claim_idx (dead_at=?)');
        expect(claim).toContain('SEARCH outbox USING INDEX outbox_waiting_idx (<expr><?)');
        // The due rows come from a range of the waiting index: sorted are only they, then the at most 2 × limit rows
        // of both.
        expect(claim.filter((step) => step.includes('TEMP B-TREE'))).toEqual([
          'USE TEMP B-TREE FOR ORDER BY',
          'USE TEMP B-TREE FOR ORDER BY',
        ]);
      });
    });
  }
});
