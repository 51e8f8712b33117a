/**
 * Bench part: what one claim costs as the outbox grows, and how long the event loop is held while an outbox is
 * drained (issue 8, item 4). Run it alone with `npm run bench -- --only claim-cost`.
 *
 * Each outbox is filled with one `INSERT … SELECT` (the enqueue path is measured by the persistence part) and holds,
 * at the front of the claim order, 2 % of its rows leased by another worker (lease ending in an hour) and 2 % waiting
 * for a retry (in an hour): the rows a worker took first are the ones still in flight or backing off. The claims then
 * measured leave the outbox as they found it (the claimed rows are acknowledged and enqueued again, not timed).
 *
 * SQLite uses a file in a fresh temporary folder (the repository's defaults: WAL, `synchronous = FULL`); Postgres
 * connects to `POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`) with a random schema per outbox,
 * `ANALYZE`d after the fill as autovacuum would do, and dropped at the end. When Postgres cannot be reached its rows
 * say so and the rest still runs.
 */
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import type { ClaimedRow, OutboxRow, OutboxUpsert, UpdateRepository } from '../src/index.js';
import { PostgresUpdateRepository } from '../src/repositories/postgres/index.js';
import { SqliteUpdateRepository } from '../src/repositories/sqlite/index.js';
import { formatInt, formatMs, markdownTable } from './table.js';

/** Options of {@link runClaimCostBench}. */
export interface ClaimCostBenchOptions {
  /** `--quick`: outboxes up to 100,000 rows (no 1,000,000-row outbox). */
  readonly quick: boolean;
  /** Progress lines go here. @defaultValue stderr */
  readonly log?: (line: string) => void;
  /** @defaultValue `process.env.POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test` */
  readonly postgresUrl?: string;
  /** Which dialects to measure. @defaultValue both */
  readonly dialects?: readonly DialectName[];
  /** Outbox sizes to measure. @defaultValue 1,000 to 1,000,000 (to 100,000 with `quick`) */
  readonly sizes?: readonly number[];
}

/** Targets of issue 8, item 4. */
export const CLAIM_COST_TARGETS = {
  /** p95 of one claim, at every outbox size, ms. */
  claimP95Ms: 0.2,
  /** Longest event-loop delay while draining {@link CLAIM_COST.drainRows} rows, ms. */
  stallMs: 50,
  /** "Flat": p50 of the largest outbox at most this many times the p50 of the smallest ("one target" and "next"). */
  flatRatio: 1.5,
} as const;

/** Sizes and sample counts. */
const CLAIM_COST = {
  sizes: [1_000, 10_000, 100_000, 1_000_000],
  quickSizes: [1_000, 10_000, 100_000],
  /** Share of each outbox leased by another worker, and the same share waiting for a retry. */
  waitingShare: 0.02,
  samples: 300,
  batchSamples: 60,
  warmUp: 20,
  batch: 50,
  leaseMs: 30_000,
  drainRows: 100_000,
  /** Event-loop delay histogram resolution, ms. */
  resolutionMs: 1,
  /** How long the process idles, histogram running, before the drain (the machine's own delays), ms. */
  idleMs: 3000,
} as const;

const HOUR_MS = 3_600_000;
const KEY_BASE = 330_000_000_000_000_000n;
const CHANNEL_BASE = 110_000_000_000_000_000n;

/** A dialect the bench measures. */
export type DialectName = 'SQLite' | 'Postgres';

/** One outbox under test: the repository, and a way to fill its table directly. */
interface Subject {
  readonly repository: UpdateRepository;
  /**
   * Inserts `count` rows, keys `m:<KEY_BASE + i>`; rows `i < waiting / 2` leased by another worker, rows
   * `waiting / 2 <= i < waiting` waiting for a retry, both an hour from now and at the front of the claim order.
   */
  fill(count: number, waiting: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens fresh, migrated outboxes of one dialect and removes them afterwards. */
interface SubjectFactory {
  readonly name: DialectName;
  open(purpose: string): Promise<Subject>;
  cleanUp(): Promise<void>;
}

/** The upsert that row `i` of a fill holds (so a claimed row can be put back exactly). */
function upsertOf(row: OutboxRow): OutboxUpsert {
  return {
    targetKey: row.targetKey,
    desired: row.desired,
    channelId: row.channelId,
    messageId: row.messageId,
    managedKey: row.managedKey,
    body: row.body,
    priority: row.priority,
    enqueuedAt: row.enqueuedAt,
    deadlineAt: row.deadlineAt,
  };
}

const newNonce = (): string => randomUUID().replace(/-/g, '').slice(0, 25);

function sqliteFactory(): SubjectFactory {
  let dir: Promise<string> | undefined;
  let files = 0;
  return {
    name: 'SQLite',
    async open(purpose) {
      dir ??= mkdtemp(join(tmpdir(), 'dum-claim-cost-'));
      const file = join(await dir, `${purpose}-${++files}.db`);
      const repository = new SqliteUpdateRepository({ filename: file });
      await repository.migrate();
      // A second connection for the fill, as another process would have.
      const raw = new Database(file);
      raw.pragma('busy_timeout = 5000');
      return {
        repository,
        async fill(count, waiting) {
          const now = Date.now();
          raw
            .prepare(
              `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count)
              INSERT INTO outbox (target_key, desired, channel_id, message_id, body, priority, enqueued_at, version,
                attempts, not_before, lease_token, lease_expires_at, last_error)
              SELECT 'm:' || (@keyBase + i), 'present', CAST(@channelBase + i % 10 AS TEXT), CAST(@keyBase + i AS TEXT),
                json_object('embeds', json_array(json_object('title', 'Item ' || i, 'description', 'version 1',
                  'color', 3066993))),
                CASE WHEN i < @waiting THEN 3 ELSE i % 3 END, @enqueuedAt + i, 1,
                CASE WHEN i >= @waiting / 2 AND i < @waiting THEN 1 ELSE 0 END,
                CASE WHEN i >= @waiting / 2 AND i < @waiting THEN @later ELSE 0 END,
                CASE WHEN i < @waiting / 2 THEN 'other-worker-' || i END,
                CASE WHEN i < @waiting / 2 THEN @later END,
                CASE WHEN i >= @waiting / 2 AND i < @waiting THEN 'HTTP 503' END
              FROM n`,
            )
            .run({
              count,
              waiting,
              keyBase: KEY_BASE,
              channelBase: CHANNEL_BASE,
              enqueuedAt: now - HOUR_MS,
              later: now + HOUR_MS,
            });
        },
        async close() {
          raw.close();
          await repository.close();
        },
      };
    },
    async cleanUp() {
      if (dir) await rm(await dir, { recursive: true, force: true });
    },
  };
}

function postgresFactory(url: string): SubjectFactory {
  const runId = randomBytes(4).toString('hex');
  const schemas: string[] = [];
  const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  admin.on('error', () => {});
  return {
    name: 'Postgres',
    async open(purpose) {
      const schema = `dum_bench_${runId}_${purpose}_${schemas.length + 1}`;
      schemas.push(schema);
      const repository = new PostgresUpdateRepository({ connectionString: url, schema });
      await repository.migrate();
      return {
        repository,
        async fill(count, waiting) {
          const now = Date.now();
          await admin.query(
            `INSERT INTO "${schema}".outbox (target_key, desired, channel_id, message_id, body, priority, enqueued_at,
               version, attempts, not_before, lease_token, lease_expires_at, last_error)
             SELECT 'm:' || ($2::bigint + i), 'present', ($3::bigint + i % 10)::text, ($2::bigint + i)::text,
               jsonb_build_object('embeds', jsonb_build_array(jsonb_build_object('title', 'Item ' || i,
                 'description', 'version 1', 'color', 3066993))),
               CASE WHEN i < $4 THEN 3 ELSE i % 3 END, $5::bigint + i, 1,
               CASE WHEN i >= $4 / 2 AND i < $4 THEN 1 ELSE 0 END,
               CASE WHEN i >= $4 / 2 AND i < $4 THEN $6::bigint ELSE 0 END,
               CASE WHEN i < $4 / 2 THEN 'other-worker-' || i END,
               CASE WHEN i < $4 / 2 THEN $6::bigint END,
               CASE WHEN i >= $4 / 2 AND i < $4 THEN 'HTTP 503' END
             FROM generate_series(0, $1::int - 1) AS i`,
            [count, KEY_BASE.toString(), CHANNEL_BASE.toString(), waiting, now - HOUR_MS, now + HOUR_MS],
          );
          await admin.query(`ANALYZE "${schema}".outbox`);
        },
        async close() {
          await repository.close();
        },
      };
    },
    async cleanUp() {
      try {
        for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** p50 and p95 of samples in ms. */
interface Quantiles {
  readonly p50: number;
  readonly p95: number;
}

function quantiles(samples: number[]): Quantiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95) };
}

/** Deterministic pseudo-random integers in [0, bound), so every run claims the same keys. */
function sequence(seed: number): (bound: number) => number {
  let state = seed >>> 0 || 1;
  return (bound) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % bound;
  };
}

interface SizeResult {
  readonly size: number;
  /** `claim({ limit: 1, targetKeys: [key] })`: the manager's claim before each send. */
  readonly one: Quantiles;
  /** `claim({ limit: 1 })`: the best claimable row. */
  readonly next: Quantiles;
  /** `claim({ limit: 50 })`. */
  readonly batch: Quantiles;
  readonly fillMs: number;
  readonly problems: readonly string[];
}

/** Acks what a claim took and enqueues it again, so the outbox keeps its size and shape (not timed). */
async function putBack(repository: UpdateRepository, rows: readonly ClaimedRow[], problems: string[]): Promise<void> {
  for (const row of rows) {
    const result = await repository.ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version: row.version });
    if (result !== 'done') problems.push(`ack of ${row.targetKey} returned ${result}`);
  }
  if (rows.length > 0) await repository.enqueueMany(rows.map(upsertOf));
}

async function measureSize(factory: SubjectFactory, size: number, log: (line: string) => void): Promise<SizeResult> {
  const subject = await factory.open(`c${size}`);
  const problems: string[] = [];
  try {
    const waiting = 2 * Math.round(size * CLAIM_COST.waitingShare);
    let started = performance.now();
    await subject.fill(size, waiting);
    const fillMs = performance.now() - started;
    const { repository } = subject;
    const timed = async (claim: () => Promise<readonly ClaimedRow[]>, expected: number): Promise<number> => {
      const begin = performance.now();
      const rows = await claim();
      const ms = performance.now() - begin;
      if (rows.length !== expected) problems.push(`a claim returned ${rows.length} rows, expected ${expected}`);
      if (rows.some((row) => BigInt(row.targetKey.slice(2)) < KEY_BASE + BigInt(waiting))) {
        problems.push('a claim took a leased or backing-off row');
      }
      await putBack(repository, rows, problems);
      return ms;
    };
    const run = async (count: number, claim: () => Promise<readonly ClaimedRow[]>, expected: number) => {
      const samples: number[] = [];
      for (let i = 0; i < CLAIM_COST.warmUp + count; i++) {
        const ms = await timed(claim, expected);
        if (i >= CLAIM_COST.warmUp) samples.push(ms);
      }
      return quantiles(samples);
    };
    const pick = sequence(size);
    started = performance.now();
    const one = await run(
      CLAIM_COST.samples,
      () =>
        repository.claim({
          limit: 1,
          leaseMs: CLAIM_COST.leaseMs,
          targetKeys: [`m:${KEY_BASE + BigInt(waiting + pick(size - waiting))}`],
          newNonce,
        }),
      1,
    );
    const next = await run(
      CLAIM_COST.samples,
      () => repository.claim({ limit: 1, leaseMs: CLAIM_COST.leaseMs, newNonce }),
      1,
    );
    const batch = await run(
      CLAIM_COST.batchSamples,
      () => repository.claim({ limit: CLAIM_COST.batch, leaseMs: CLAIM_COST.leaseMs, newNonce }),
      CLAIM_COST.batch,
    );
    log(
      `claim-cost: ${factory.name}, ${formatInt(size)} rows: filled in ${formatMs(fillMs)}, measured in ` +
        `${formatMs(performance.now() - started)}`,
    );
    return { size, one, next, batch, fillMs, problems };
  } finally {
    await subject.close();
  }
}

interface DrainResult {
  readonly rows: number;
  readonly ms: number;
  /** Longest event-loop delay while the process only waited, just before the drain: what the machine adds. */
  readonly idleLoopMaxMs: number;
  readonly loopMaxMs: number;
  readonly loopP99Ms: number;
  readonly loopMeanMs: number;
  readonly claim: Quantiles & { readonly max: number };
  readonly problems: readonly string[];
}

/**
 * Drains `CLAIM_COST.drainRows` rows as a worker would: claims 50, acks each (awaited one by one, each a commit of its
 * own), until nothing is left, with the event-loop delay histogram running.
 */
async function measureDrain(factory: SubjectFactory): Promise<DrainResult> {
  const subject = await factory.open('drain');
  const problems: string[] = [];
  try {
    await subject.fill(CLAIM_COST.drainRows, 0);
    const { repository } = subject;
    const claims: number[] = [];
    const idle = monitorEventLoopDelay({ resolution: CLAIM_COST.resolutionMs });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, CLAIM_COST.idleMs));
    idle.disable();
    const histogram = monitorEventLoopDelay({ resolution: CLAIM_COST.resolutionMs });
    histogram.enable();
    const started = performance.now();
    let drained = 0;
    for (;;) {
      const begin = performance.now();
      const rows = await repository.claim({ limit: CLAIM_COST.batch, leaseMs: CLAIM_COST.leaseMs, newNonce });
      claims.push(performance.now() - begin);
      if (rows.length === 0) break;
      for (const row of rows) {
        const result = await repository.ack({
          targetKey: row.targetKey,
          leaseToken: row.leaseToken,
          version: row.version,
        });
        if (result !== 'done') problems.push(`ack of ${row.targetKey} returned ${result}`);
        drained++;
      }
    }
    const ms = performance.now() - started;
    // The histogram samples on a timer: let it fire once more, so that a drain that never gave the event loop a turn
    // is recorded as one delay as long as the drain (instead of no sample at all).
    await new Promise((resolve) => setTimeout(resolve, 2 * CLAIM_COST.resolutionMs));
    histogram.disable();
    if (drained !== CLAIM_COST.drainRows) problems.push(`${drained} rows drained, expected ${CLAIM_COST.drainRows}`);
    return {
      rows: drained,
      ms,
      idleLoopMaxMs: idle.max / 1e6,
      loopMaxMs: histogram.max / 1e6,
      loopP99Ms: histogram.percentile(99) / 1e6,
      loopMeanMs: histogram.mean / 1e6,
      claim: { ...quantiles(claims), max: Math.max(...claims) },
      problems,
    };
  } finally {
    await subject.close();
  }
}

interface DialectResult {
  readonly name: DialectName;
  readonly sizes: readonly SizeResult[];
  readonly drain?: DrainResult;
  readonly error?: string;
  /** Postgres: a transaction of the claim's shape with trivial statements, what the wire alone costs. */
  readonly floor?: Quantiles;
}

/** Statements of a Postgres claim of up to 256 rows (lock, rank and lease in one): each one round trip. */
const POSTGRES_CLAIM_ROUND_TRIPS = 1;

/**
 * The round trips of a Postgres claim with nothing to do: {@link POSTGRES_CLAIM_ROUND_TRIPS} `SELECT $1::int` on one
 * connection, p50 / p95 over {@link CLAIM_COST.samples} after {@link CLAIM_COST.warmUp}.
 */
async function measurePostgresFloor(url: string): Promise<Quantiles> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const samples: number[] = [];
    for (let i = 0; i < CLAIM_COST.warmUp + CLAIM_COST.samples; i++) {
      const started = performance.now();
      for (let trip = 0; trip < POSTGRES_CLAIM_ROUND_TRIPS; trip++) await client.query('SELECT $1::int AS n', [i]);
      if (i >= CLAIM_COST.warmUp) samples.push(performance.now() - started);
    }
    return quantiles(samples);
  } finally {
    await client.end();
  }
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');
const pair = (q: Quantiles): string => `${ms(q.p50)} / ${ms(q.p95)}`;

/**
 * Runs the claim-cost bench.
 *
 * @param options - quick mode, Postgres URL
 * @returns the markdown section
 */
export async function runClaimCostBench(options: ClaimCostBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const postgresUrl = options.postgresUrl ?? process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const sizes = options.sizes ?? (options.quick ? CLAIM_COST.quickSizes : CLAIM_COST.sizes);
  const dialects = options.dialects ?? ['SQLite', 'Postgres'];
  const results: DialectResult[] = [];
  const factories = [
    ...(dialects.includes('SQLite') ? [sqliteFactory()] : []),
    ...(dialects.includes('Postgres') ? [postgresFactory(postgresUrl)] : []),
  ];
  for (const factory of factories) {
    const measured: SizeResult[] = [];
    try {
      for (const size of sizes) measured.push(await measureSize(factory, size, log));
      log(`claim-cost: ${factory.name}, draining ${formatInt(CLAIM_COST.drainRows)} rows ...`);
      const drain = await measureDrain(factory);
      const floor = factory.name === 'Postgres' ? await measurePostgresFloor(postgresUrl) : undefined;
      results.push({ name: factory.name, sizes: measured, drain, ...(floor === undefined ? {} : { floor }) });
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
      log(`claim-cost: ${factory.name} failed: ${message}`);
      results.push({ name: factory.name, sizes: measured, error: message });
    } finally {
      await factory.cleanUp().catch(() => undefined);
    }
  }
  return render(results, sizes);
}

function render(results: readonly DialectResult[], sizes: readonly number[]): string {
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const claimRows = results.flatMap((result) =>
    result.sizes.map((size) => [
      result.name,
      formatInt(size.size),
      pair(size.one),
      pair(size.next),
      pair(size.batch),
      ms(size.batch.p50 / CLAIM_COST.batch),
    ]),
  );
  const drainRows = results
    .filter((result) => result.drain !== undefined)
    .map((result) => {
      const drain = result.drain!;
      return [
        result.name,
        formatInt(drain.rows),
        formatMs(drain.ms),
        formatInt(drain.rows / (drain.ms / 1000)),
        ms(drain.claim.p50),
        ms(drain.claim.p95),
        ms(drain.claim.max),
        drain.loopMaxMs.toFixed(1),
        drain.loopP99Ms.toFixed(1),
        drain.loopMeanMs.toFixed(2),
        drain.idleLoopMaxMs.toFixed(1),
      ];
    });
  const lines = [
    '## Claim cost by outbox size',
    '',
    `Outboxes of ${sizes.map(formatInt).join(', ')} rows, filled with one \`INSERT … SELECT\`; at the front of the ` +
      `claim order ${CLAIM_COST.waitingShare * 100} % of the rows are leased by another worker and ` +
      `${CLAIM_COST.waitingShare * 100} % wait for a retry (both an hour away). Wall time of \`claim()\` as the ` +
      `caller sees it, p50 / p95 in ms over ${CLAIM_COST.samples} claims (${CLAIM_COST.batchSamples} for batches) ` +
      `after ${CLAIM_COST.warmUp} not counted; what a claim takes is acknowledged and enqueued again, untimed. ` +
      '"one target": `claim({ limit: 1, targetKeys: [key] })` of a random claimable key, the claim the manager makes ' +
      'before each send; "next": `claim({ limit: 1 })`; "batch": `claim({ limit: 50 })`.',
    '',
    markdownTable(
      [
        'dialect',
        'outbox rows',
        'one target p50 / p95',
        'next p50 / p95',
        'batch of 50 p50 / p95',
        'batch p50 per row',
      ],
      claimRows,
    ),
    '',
    `Draining ${formatInt(CLAIM_COST.drainRows)} rows: \`claim({ limit: ${CLAIM_COST.batch} })\`, then \`ack\` of each ` +
      'row, each awaited before the next (every ack a durable commit of its own), until a claim returns nothing; ' +
      `event-loop delay from \`perf_hooks.monitorEventLoopDelay({ resolution: ${CLAIM_COST.resolutionMs} })\` over ` +
      'the whole drain, in ms. "idle loop delay max": the same histogram over ' +
      `${CLAIM_COST.idleMs / 1000} s of doing nothing just before, what the machine itself adds (other processes, GC).`,
    '',
    markdownTable(
      [
        'dialect',
        'rows',
        'time',
        'rows/s',
        'claim p50',
        'claim p95',
        'claim max',
        'loop delay max',
        'loop delay p99',
        'loop delay mean',
        'idle loop delay max',
      ],
      drainRows,
    ),
    '',
    `Targets: claim p95 ≤ ${CLAIM_COST_TARGETS.claimP95Ms} ms at every size ("one target" and "next"); flat: the ` +
      `p50 of the largest outbox ≤ ${CLAIM_COST_TARGETS.flatRatio}× the p50 of the smallest; no event-loop delay ` +
      `over ${CLAIM_COST_TARGETS.stallMs} ms while draining. A Postgres claim is ${POSTGRES_CLAIM_ROUND_TRIPS} round ` +
      'trip (one statement locks, ranks and leases): "wire floor" is a trivial statement (`SELECT $1::int`), what ' +
      'the connection alone costs on this machine.',
    '',
  ];
  for (const result of results) {
    if (result.error !== undefined) {
      lines.push(`- ${result.name}: not measured (${result.error})`);
      continue;
    }
    const worst = Math.max(...result.sizes.flatMap((size) => [size.one.p95, size.next.p95]));
    lines.push(
      `- ${result.name}, claim p95 ≤ ${CLAIM_COST_TARGETS.claimP95Ms} ms: ` +
        `${verdict(worst <= CLAIM_COST_TARGETS.claimP95Ms)} (worst ${ms(worst)} ms)`,
    );
    const [smallest, largest] = [result.sizes[0], result.sizes.at(-1)];
    if (smallest !== undefined && largest !== undefined && largest !== smallest) {
      const ratio = Math.max(largest.one.p50 / smallest.one.p50, largest.next.p50 / smallest.next.p50);
      lines.push(
        `- ${result.name}, flat from ${formatInt(smallest.size)} to ${formatInt(largest.size)} rows (p50 ratio ≤ ` +
          `${CLAIM_COST_TARGETS.flatRatio}): ${verdict(ratio <= CLAIM_COST_TARGETS.flatRatio)} (${ratio.toFixed(2)}×)`,
      );
    }
    if (result.floor !== undefined) {
      lines.push(`- ${result.name}, wire floor of a claim (p50 / p95): ${pair(result.floor)} ms`);
    }
    if (result.drain) {
      lines.push(
        `- ${result.name}, event-loop delay ≤ ${CLAIM_COST_TARGETS.stallMs} ms while draining: ` +
          `${verdict(result.drain.loopMaxMs <= CLAIM_COST_TARGETS.stallMs)} (max ${result.drain.loopMaxMs.toFixed(1)} ms)`,
      );
    }
    const problems = [...result.sizes.flatMap((size) => size.problems), ...(result.drain?.problems ?? [])];
    if (problems.length > 0) {
      lines.push(
        `- ${result.name}, checks FAILED: ${problems.slice(0, 3).join('; ')}` +
          `${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`,
      );
    }
  }
  return lines.join('\n');
}
