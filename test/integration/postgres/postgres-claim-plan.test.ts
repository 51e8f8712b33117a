import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import { buildPostgresStatements } from '../../../src/repositories/postgres/postgres-statements.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

afterAll(async () => {
  await closePostgresTestEnv();
});

const HOUR = 3_600_000;
const ROWS = 50_000;
/** Rows `0 <= i < WAITING / 2` are leased by another worker, `WAITING / 2 <= i < WAITING` wait for a retry. */
const WAITING = 2_000;
const key = (i: number): string => `m:${300_000_000_000_000_000n + BigInt(i)}`;

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Actual Loops': number;
  readonly 'Actual Rows': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** Every node of a plan, depth first. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The nodes that ran (`EXPLAIN ANALYZE` reports `Actual Loops: 0` for a branch that never ran). */
function executed(plan: PlanNode): PlanNode[] {
  return nodes(plan).filter((node) => node['Actual Loops'] > 0);
}

const describePlan = (plan: PlanNode): string =>
  nodes(plan)
    .map(
      (node) =>
        `${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''} loops=${node['Actual Loops']} ` +
        `rows=${node['Actual Rows']}${node['Rows Removed by Filter'] ? ` removed=${node['Rows Removed by Filter']}` : ''}`,
    )
    .join('\n');

/** The indexes a plan read, each with the rows it returned, in plan order (only the nodes that ran). */
function indexReads(plan: PlanNode): [string, number][] {
  return executed(plan)
    .filter((node) => node['Index Name'] !== undefined)
    .map((node) => [node['Index Name']!, node['Actual Rows']]);
}

/**
 * Asserts that a plan read the outbox only through indexes, and that its filters threw away at most `rejected` of the
 * rows it read.
 */
function expectOnlySeeks(plan: PlanNode, rejected = 0): void {
  const ran = executed(plan);
  expect(
    ran.filter((node) => node['Node Type'] === 'Seq Scan' || node['Node Type'].startsWith('Bitmap')),
    describePlan(plan),
  ).toEqual([]);
  expect(
    ran.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0), 0),
    describePlan(plan),
  ).toBe(rejected);
}

describe('PostgresUpdateRepository claim plans', () => {
  let schema: string;
  let repository: PostgresUpdateRepository;
  let sql: ReturnType<typeof buildPostgresStatements>;
  let client: pg.Client;
  const touched = new Set<number>();

  /**
   * (Re)writes rows `indices` as a busy outbox holds them: the rows a worker took first (the best ones, at the front
   * of the claim order) are leased by another worker or waiting for a retry, both an hour away; the rest are idle.
   */
  async function put(indices: readonly number[]): Promise<void> {
    await client.query(`DELETE FROM "${schema}".outbox WHERE target_key = ANY($1)`, [indices.map(key)]);
    await client.query(
      `INSERT INTO "${schema}".outbox (target_key, desired, channel_id, message_id, body, priority, enqueued_at, version,
         not_before, lease_token, lease_expires_at)
       SELECT 'm:' || (300000000000000000 + i), 'present', '100000000000000001', (300000000000000000 + i)::text,
         '{"content":"x"}', CASE WHEN i < $2 THEN 3 ELSE i % 3 END, 1000 + i, 1,
         CASE WHEN i >= $2 / 2 AND i < $2 THEN $3::bigint ELSE 0 END,
         CASE WHEN i < $2 / 2 THEN 'other-worker' END,
         CASE WHEN i < $2 / 2 THEN $3::bigint END
       FROM unnest($1::int[]) AS i`,
      [indices, WAITING, Date.now() + HOUR],
    );
  }

  /**
   * `EXPLAIN (ANALYZE, FORMAT JSON)` of one of the repository's statements, in a transaction rolled back afterwards
   * (the claim's locks are taken for real). `generic`: as a prepared statement planned once for any parameters (what
   * the repository's named statements get after five runs), else planned for these parameters.
   */
  async function explain(
    statement: 'claimLock' | 'claimLockKey' | 'claimLockKeys' | 'claimKey',
    params: readonly unknown[],
    generic: boolean,
  ): Promise<PlanNode> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`);
      await client.query(`PREPARE explained AS ${sql[statement]}`);
      // EXECUTE takes its arguments as SQL: the test's own values, quoted.
      const literal = (value: unknown): string =>
        Array.isArray(value)
          ? `ARRAY[${value.map(literal).join(', ')}]::text[]`
          : typeof value === 'number'
            ? String(value)
            : client.escapeLiteral(String(value));
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE explained(${params.map(literal).join(', ')})`,
      );
      return rows[0]!['QUERY PLAN'][0].Plan;
    } finally {
      await client.query('ROLLBACK');
      // A prepared statement outlives the transaction.
      await client.query('DEALLOCATE ALL');
    }
  }

  beforeAll(async () => {
    const env = await postgresTestEnv();
    schema = await env.createSchemaName();
    repository = new PostgresUpdateRepository({ connectionString: env.url, schema });
    await repository.migrate();
    sql = buildPostgresStatements(`"${schema}"`);
    client = new pg.Client({ connectionString: env.url });
    await client.connect();
    await put(Array.from({ length: ROWS }, (_, i) => i));
    await client.query(`ANALYZE "${schema}".outbox`);
  });

  afterEach(async () => {
    // Each test leaves the outbox as it found it.
    await put([...touched]);
    touched.clear();
  });

  afterAll(async () => {
    await client?.end();
    await repository?.close();
  });

  for (const generic of [false, true]) {
    describe(generic ? 'generic plan (a prepared statement after five runs)' : 'plan for the parameters', () => {
      it('claims the best rows by reading the front of the idle index: no scan, no sort, nothing filtered out', async () => {
        const plan = await explain('claimLock', [50], generic);
        expectOnlySeeks(plan);
        const ran = executed(plan);
        expect(
          ran.filter((node) => node['Node Type'] === 'Sort'),
          describePlan(plan),
        ).toEqual([]);
        const idle = ran.filter((node) => node['Index Name'] === 'outbox_idle_idx');
        // Exactly the 50 rows it locks: none of the 2,000 leased or backing-off rows at the front is read.
        expect(
          idle.map((node) => node['Actual Rows']),
          describePlan(plan),
        ).toEqual([50]);
        expect(
          ran.some((node) => node['Index Name'] === 'outbox_waiting_idx'),
          describePlan(plan),
        ).toBe(true);
        expect(
          ran.some((node) => node['Index Name'] === 'outbox_claim_idx'),
          describePlan(plan),
        ).toBe(false);
      });

      it('merges in the leased and retried rows whose time has come, sorting only those', async () => {
        // Two ended leases and a retry that came due, among the waiting rows at the front.
        for (const i of [7, 8, WAITING - 1, WAITING, WAITING + 3]) touched.add(i);
        await client.query(`UPDATE "${schema}".outbox SET lease_expires_at = 1 WHERE target_key = ANY($1)`, [
          [key(7), key(8)],
        ]);
        await client.query(`UPDATE "${schema}".outbox SET not_before = 1 WHERE target_key = $1`, [key(WAITING - 1)]);
        const plan = await explain('claimLock', [5], generic);
        expectOnlySeeks(plan);
        const ran = executed(plan);
        const rowsOf = (select: (node: PlanNode) => boolean): number[] =>
          ran
            .filter(select)
            .map((node) => node['Actual Rows'])
            .sort((a, b) => a - b);
        // The probe stops at the first row due; the claim reads the three due rows and the five best idle ones.
        expect(
          rowsOf((node) => node['Index Name'] === 'outbox_waiting_idx'),
          describePlan(plan),
        ).toEqual([1, 3]);
        expect(
          rowsOf((node) => node['Index Name'] === 'outbox_idle_idx'),
          describePlan(plan),
        ).toEqual([5]);
        // Sorted: the three rows due, then the merge of those and the five idle ones, until five are kept.
        expect(
          rowsOf((node) => node['Node Type'] === 'Sort'),
          describePlan(plan),
        ).toEqual([3, 5]);
        const rows = await repository.claim({ limit: 5, leaseMs: 60_000, newNonce: () => 'nonce' });
        expect(rows.map((row) => row.targetKey)).toEqual([
          key(7),
          key(8),
          key(WAITING - 1),
          key(WAITING),
          key(WAITING + 3),
        ]);
      });

      it('claims one target with a primary-key lookup and no sort', async () => {
        const plan = await explain('claimLockKey', [1, key(40_000)], generic);
        expectOnlySeeks(plan);
        const ran = executed(plan);
        expect(
          ran.filter((node) => node['Node Type'] === 'Sort'),
          describePlan(plan),
        ).toEqual([]);
        expect(indexReads(plan), describePlan(plan)).toEqual([['outbox_pkey', 1]]);
      });

      it('locks, ranks and leases one target in one statement, reading the outbox by primary key only', async () => {
        const plan = await explain('claimKey', [1, key(40_000), 60_000, ['token'], ['nonce']], generic);
        expectOnlySeeks(plan);
        const ran = executed(plan);
        // The lock's lookup, the rank's join back to the row, the update's: one row each.
        expect(indexReads(plan), describePlan(plan)).toEqual([
          ['outbox_pkey', 1],
          ['outbox_pkey', 1],
          ['outbox_pkey', 1],
        ]);
        // The only sort ranks the rows locked: one.
        expect(
          ran.filter((node) => node['Node Type'] === 'Sort').map((node) => node['Actual Rows']),
          describePlan(plan),
        ).toEqual([1]);
      });

      it('claims several targets with one primary-key lookup per key, sorting only the rows found', async () => {
        // key(5) is leased by the other worker: read by its key, and left.
        const plan = await explain('claimLockKeys', [10, [key(30_000), key(20_000), key(5), 'm:1']], generic);
        expectOnlySeeks(plan, 1);
        const ran = executed(plan);
        expect(indexReads(plan), describePlan(plan)).toEqual([['outbox_pkey', 2]]);
        expect(
          ran.filter((node) => node['Node Type'] === 'Sort').map((node) => node['Actual Rows']),
          describePlan(plan),
        ).toEqual([2]);
      });
    });
  }
});
