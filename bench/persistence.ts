/**
 * Bench part 4: persistence. (1) The outbox of each repository on its own — batched enqueues, claim + ack, and the
 * one-update cycle the manager runs per send. (2) The equipment scenario's manager (strategy (d)) with each
 * repository, against the same ideal schedule as part 1.
 *
 * Memory needs nothing; SQLite uses a file in a fresh temporary folder (deleted at the end); Postgres connects to
 * `POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and uses a random schema per repository
 * (`dum_bench_<hex>_…`, dropped at the end). When Postgres cannot be reached its rows say so and the rest still runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MemoryUpdateRepository, type OutboxUpsert, type UpdateRepository } from '../src/index.js';
import { PostgresUpdateRepository } from '../src/repositories/postgres/index.js';
import { SqliteUpdateRepository } from '../src/repositories/sqlite/index.js';
import {
  buildWorkload,
  idealFor,
  managerStrategy,
  RECOMMENDED_REST_OPTIONS,
  runScenario,
  type Evaluation,
  type ScenarioOptions,
} from './equipment-scenario.js';
import { formatInt, formatMs, formatRatio, markdownTable } from './table.js';

/** Options of {@link runPersistenceBench}. */
export interface PersistenceBenchOptions {
  /** `--quick`: the same measurements (they are short); only noted. */
  readonly quick: boolean;
  /** Progress lines go here. @defaultValue stderr */
  readonly log?: (line: string) => void;
  /** Cap per scenario run, ms. @defaultValue 120000 */
  readonly capMs?: number;
  /** Scenario overrides. */
  readonly scenario?: Partial<ScenarioOptions>;
  /** @defaultValue `process.env.POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test` */
  readonly postgresUrl?: string;
}

/** Target of the scenario with a durable repository: time within this ratio of the ideal schedule, nothing wrong. */
export const PERSISTENCE_TARGETS = { timeRatio: 1.15, wrong: 0 } as const;

/** Sizes of the outbox measurements. */
const OUTBOX = {
  upserts: 20_000,
  keys: 2_000,
  enqueueBatch: 100,
  claimBatch: 50,
  /** Acks in flight at once in the concurrent claim+ack run (the manager acks each answer as it comes). */
  ackConcurrency: 8,
  leaseMs: 30_000,
  cycles: 2_000,
  channels: 10,
} as const;

type RepositoryName = 'memory' | 'SQLite' | 'Postgres';

/** Creates fresh, migrated repositories of each kind and removes what they leave behind. */
class RepositoryFactory {
  readonly #runId = randomBytes(4).toString('hex');
  readonly #postgresUrl: string;
  readonly #schemas: string[] = [];
  readonly #opened: UpdateRepository[] = [];
  #sqliteDir: Promise<string> | undefined;
  #sqliteFiles = 0;

  public constructor(postgresUrl: string) {
    this.#postgresUrl = postgresUrl;
  }

  /** Where the SQLite files go (for the notes). */
  public async sqliteDir(): Promise<string> {
    this.#sqliteDir ??= mkdtemp(join(tmpdir(), 'dum-bench-'));
    return this.#sqliteDir;
  }

  public schemaPrefix(): string {
    return `dum_bench_${this.#runId}`;
  }

  /**
   * A fresh repository, migrated.
   *
   * @param name - kind
   * @param purpose - short label used in the file or schema name
   */
  public async create(name: RepositoryName, purpose: string): Promise<UpdateRepository> {
    let repository: UpdateRepository;
    if (name === 'memory') repository = new MemoryUpdateRepository();
    else if (name === 'SQLite') {
      const file = join(await this.sqliteDir(), `${purpose}-${++this.#sqliteFiles}.db`);
      repository = new SqliteUpdateRepository({ filename: file });
    } else {
      const schema = `${this.schemaPrefix()}_${purpose}_${this.#schemas.length + 1}`;
      this.#schemas.push(schema);
      repository = new PostgresUpdateRepository({ connectionString: this.#postgresUrl, schema });
    }
    this.#opened.push(repository);
    await repository.migrate();
    return repository;
  }

  /** Closes every repository, drops the Postgres schemas and deletes the SQLite folder. */
  public async cleanUp(log: (line: string) => void): Promise<void> {
    await Promise.allSettled(this.#opened.map((repository) => repository.close()));
    if (this.#schemas.length > 0) {
      const client = new pg.Client({ connectionString: this.#postgresUrl });
      try {
        await client.connect();
        for (const schema of this.#schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } catch (error) {
        log(`persistence: could not drop schemas ${this.#schemas.join(', ')}: ${String(error)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (this.#sqliteDir) await rm(await this.#sqliteDir, { recursive: true, force: true });
  }
}

/** Per-method call count and time of a repository (measured around each promise). */
interface CallStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Forwards every method to `repository`, timing the calls. */
function timedRepository(repository: UpdateRepository): {
  readonly repository: UpdateRepository;
  readonly stats: Map<string, CallStats>;
} {
  const stats = new Map<string, CallStats>();
  const proxy = new Proxy(repository, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const record = (): void => {
          const ms = performance.now() - started;
          const entry = stats.get(property) ?? { count: 0, totalMs: 0, maxMs: 0 };
          entry.count++;
          entry.totalMs += ms;
          entry.maxMs = Math.max(entry.maxMs, ms);
          stats.set(property, entry);
        };
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) return result.finally(record);
        record();
        return result;
      };
    },
  });
  return { repository: proxy, stats };
}

function snowflake(base: bigint, index: number): string {
  return `${base + BigInt(index)}`;
}

const CHANNEL_IDS = Array.from({ length: OUTBOX.channels }, (_, c) => snowflake(110_000_000_000_000_000n, c));
const MESSAGE_IDS = Array.from({ length: Math.max(OUTBOX.keys, OUTBOX.cycles) }, (_, m) =>
  snowflake(330_000_000_000_000_000n, m),
);

/** An edit of message `m` (an equipment-like embed), as the manager would store it. */
function upsertFor(m: number, serial: number, prefix = 'm'): OutboxUpsert {
  const messageId = MESSAGE_IDS[m]!;
  return {
    targetKey: `${prefix}:${messageId}`,
    desired: 'present',
    channelId: CHANNEL_IDS[m % OUTBOX.channels]!,
    messageId,
    managedKey: null,
    body: {
      embeds: [{ title: `Item ${m + 1}`, description: `version ${serial} by user ${serial % 20}`, color: 0x2ecc71 }],
    },
    priority: 1,
    enqueuedAt: Date.now(),
    deadlineAt: null,
  };
}

interface OutboxResult {
  readonly enqueuePerSecond: number;
  readonly claimAckPerSecond: number;
  /** The same with {@link OUTBOX.ackConcurrency} acks in flight at once. */
  readonly claimAckConcurrentPerSecond: number;
  readonly cyclePerSecond: number;
  /** Anything that did not behave as the contract says (should stay empty). */
  readonly problems: readonly string[];
}

const newNonce = (): string => randomUUID().replace(/-/g, '').slice(0, 25);

/**
 * Claims batches of `claimBatch` and acks each row, `concurrency` acks in flight at once, until nothing is left;
 * returns rows acked.
 */
async function drain(
  repository: UpdateRepository,
  problems: string[],
  label: string,
  concurrency = 1,
): Promise<number> {
  let acked = 0;
  for (;;) {
    const rows = await repository.claim({ limit: OUTBOX.claimBatch, leaseMs: OUTBOX.leaseMs, newNonce });
    if (rows.length === 0) return acked;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let row = rows[next++]; row !== undefined; row = rows[next++]) {
        const result = await repository.ack({
          targetKey: row.targetKey,
          leaseToken: row.leaseToken,
          version: row.version,
        });
        if (result !== 'done') problems.push(`${label}: ack of ${row.targetKey} returned ${result}`);
        acked++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

/** One update through the outbox, as the manager's durable path does it: enqueue, claim that target, ack. */
async function cycle(repository: UpdateRepository, update: OutboxUpsert, problems: string[]): Promise<void> {
  const { version } = await repository.enqueue(update);
  const [row] = await repository.claim({
    limit: 1,
    leaseMs: OUTBOX.leaseMs,
    targetKeys: [update.targetKey],
    newNonce,
  });
  if (!row || row.version !== version) {
    problems.push(`cycle: claim of ${update.targetKey} returned ${row ? `version ${row.version}` : 'nothing'}`);
    return;
  }
  const result = await repository.ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version });
  if (result !== 'done') problems.push(`cycle: ack of ${update.targetKey} returned ${result}`);
}

async function measureOutbox(repository: UpdateRepository): Promise<OutboxResult> {
  const problems: string[] = [];
  // Warm-up (JIT, prepared statements, pool connections) on other keys, not reported.
  await repository.enqueueMany(Array.from({ length: OUTBOX.enqueueBatch }, (_, m) => upsertFor(m, 0, 'w')));
  await drain(repository, [], 'warm-up');
  for (let i = 0; i < 20; i++) await cycle(repository, upsertFor(i, 0, 'w'), []);

  // (a) enqueueMany, batches of 100, 20,000 upserts over 2,000 keys (each key gets 10 versions).
  let started = performance.now();
  let lastVersion = 0;
  for (let first = 0; first < OUTBOX.upserts; first += OUTBOX.enqueueBatch) {
    const batch: OutboxUpsert[] = [];
    for (let i = first; i < Math.min(first + OUTBOX.enqueueBatch, OUTBOX.upserts); i++) {
      batch.push(upsertFor(i % OUTBOX.keys, i));
    }
    const versions = await repository.enqueueMany(batch);
    lastVersion = versions.at(-1)?.version ?? 0;
  }
  const enqueueMs = performance.now() - started;
  const expectedVersion = OUTBOX.upserts / OUTBOX.keys;
  if (lastVersion !== expectedVersion)
    problems.push(`enqueue: last version ${lastVersion}, expected ${expectedVersion}`);

  // (b) claim 50 at a time (lease 30 s), ack each, until empty.
  started = performance.now();
  const acked = await drain(repository, problems, 'claim+ack');
  const claimAckMs = performance.now() - started;
  if (acked !== OUTBOX.keys) problems.push(`claim+ack: ${acked} rows acked, expected ${OUTBOX.keys}`);

  // (b') the same with concurrent acks, as a manager with many requests answered at once does them.
  for (let first = 0; first < OUTBOX.keys; first += OUTBOX.enqueueBatch) {
    await repository.enqueueMany(
      Array.from({ length: Math.min(OUTBOX.enqueueBatch, OUTBOX.keys - first) }, (_, i) =>
        upsertFor(first + i, 0, 'c'),
      ),
    );
  }
  started = performance.now();
  const ackedConcurrently = await drain(repository, problems, 'claim+ack (concurrent)', OUTBOX.ackConcurrency);
  const claimAckConcurrentMs = performance.now() - started;
  if (ackedConcurrently !== OUTBOX.keys) {
    problems.push(`claim+ack (concurrent): ${ackedConcurrently} rows acked, expected ${OUTBOX.keys}`);
  }

  // (c) enqueue + claim + ack, one update at a time.
  started = performance.now();
  for (let i = 0; i < OUTBOX.cycles; i++) await cycle(repository, upsertFor(i, i), problems);
  const cycleMs = performance.now() - started;

  const left = (await repository.listPending()).length;
  if (left !== 0) problems.push(`${left} rows left in the outbox`);
  return {
    enqueuePerSecond: OUTBOX.upserts / (enqueueMs / 1000),
    claimAckPerSecond: acked / (claimAckMs / 1000),
    claimAckConcurrentPerSecond: ackedConcurrently / (claimAckConcurrentMs / 1000),
    cyclePerSecond: OUTBOX.cycles / (cycleMs / 1000),
    problems,
  };
}

interface ScenarioRow {
  readonly name: 'none' | RepositoryName;
  readonly result?: Evaluation & { readonly capped: boolean; readonly wallMs: number };
  readonly error?: string;
  readonly stats?: Map<string, CallStats>;
  readonly leftInOutbox?: number;
}

/**
 * Runs the persistence bench.
 *
 * @param options - quick mode, cap, Postgres URL
 * @returns the markdown section (two tables + targets)
 */
export async function runPersistenceBench(options: PersistenceBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const capMs = options.capMs ?? 120_000;
  const postgresUrl = options.postgresUrl ?? process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const factory = new RepositoryFactory(postgresUrl);
  const names: RepositoryName[] = ['memory', 'SQLite', 'Postgres'];
  const describeError = (error: unknown): string =>
    (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);

  try {
    // 1. Outbox throughput.
    const outboxRows: string[][] = [];
    const problems: string[] = [];
    const unavailable: string[] = [];
    for (const name of names) {
      log(`persistence: outbox, ${name} ...`);
      try {
        const repository = await factory.create(name, 'outbox');
        const result = await measureOutbox(repository);
        await repository.close();
        problems.push(...result.problems.map((problem) => `${name}: ${problem}`));
        outboxRows.push([
          name,
          formatInt(result.enqueuePerSecond),
          formatInt(result.claimAckPerSecond),
          formatInt(result.claimAckConcurrentPerSecond),
          formatInt(result.cyclePerSecond),
        ]);
      } catch (error) {
        log(`persistence: outbox, ${name} failed: ${describeError(error)}`);
        outboxRows.push([name, 'unavailable', '', '', '']);
        unavailable.push(`${name} (outbox): ${describeError(error)}`);
      }
    }

    // 2. The scenario's manager with each repository.
    const workload = buildWorkload(options.scenario);
    const ideal = idealFor(workload);
    const scenarioRows: ScenarioRow[] = [];
    for (const name of ['none', ...names] as const) {
      log(`persistence: scenario, repository ${name} ...`);
      let timed: ReturnType<typeof timedRepository> | undefined;
      try {
        const strategy =
          name === 'none'
            ? managerStrategy({}, RECOMMENDED_REST_OPTIONS)
            : managerStrategy({}, RECOMMENDED_REST_OPTIONS, async () => {
                timed = timedRepository(await factory.create(name, 'scenario'));
                return timed.repository;
              });
        const { run, ...result } = await runScenario(workload, strategy, { capMs });
        const leftInOutbox = timed ? (await timed.repository.listPending()).length : undefined;
        await timed?.repository.close();
        log(
          `persistence: scenario, ${name}: ${result.capped ? `> cap (${formatMs(capMs)})` : formatMs(result.timeMs ?? NaN)}, ` +
            `${result.apiCalls} calls; inside: ${run.describe?.() ?? ''}`,
        );
        scenarioRows.push({
          name,
          result,
          ...(timed ? { stats: timed.stats } : {}),
          ...(leftInOutbox === undefined ? {} : { leftInOutbox }),
        });
      } catch (error) {
        log(`persistence: scenario, ${name} failed: ${describeError(error)}`);
        scenarioRows.push({ name, error: describeError(error) });
        unavailable.push(`${name} (scenario): ${describeError(error)}`);
      }
    }

    return render({
      quick: options.quick,
      outboxRows,
      problems,
      unavailable,
      scenarioRows,
      ideal,
      capMs,
      workloadLine: `${workload.messages.length} messages, ${workload.updates.length} updates over ${formatMs(workload.options.durationMs)}, seed ${workload.options.seed}`,
      sqliteDir: await factory.sqliteDir(),
      schemaPrefix: factory.schemaPrefix(),
      postgresUrl: redact(postgresUrl),
    });
  } finally {
    await factory.cleanUp(log);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

interface RenderInput {
  readonly quick: boolean;
  readonly outboxRows: readonly (readonly string[])[];
  readonly problems: readonly string[];
  /** Runs that could not start, with the reason. */
  readonly unavailable: readonly string[];
  readonly scenarioRows: readonly ScenarioRow[];
  readonly ideal: { readonly timeMs: number; readonly calls: number };
  readonly capMs: number;
  readonly workloadLine: string;
  readonly sqliteDir: string;
  readonly schemaPrefix: string;
  readonly postgresUrl: string;
}

function render(input: RenderInput): string {
  const { ideal } = input;
  const lines = [
    '## Persistence',
    '',
    '### Outbox throughput',
    '',
    `Each repository fresh and migrated: memory; SQLite in a temporary file (\`${input.sqliteDir}\`, defaults: WAL, ` +
      `synchronous FULL); Postgres at \`${input.postgresUrl}\` (schema \`${input.schemaPrefix}_…\`, pool of 10, dropped ` +
      `afterwards). One caller, each call awaited before the next. enqueue/s: ${formatInt(OUTBOX.upserts)} upserts over ` +
      `${formatInt(OUTBOX.keys)} targets with \`enqueueMany\` batches of ${OUTBOX.enqueueBatch}; claim+ack/s: rows ` +
      `claimed ${OUTBOX.claimBatch} at a time (lease ${OUTBOX.leaseMs / 1000} s) then acked one by one, until empty ` +
      `(each ack a durable commit of its own); the same with ${OUTBOX.ackConcurrency} acks in flight at once, as a ` +
      'manager acks the answers of many requests in flight (Postgres commits them together); ' +
      `single-update cycle/s: \`enqueue\` + \`claim\` of that target + \`ack\`, ${formatInt(OUTBOX.cycles)} updates one ` +
      `at a time (the manager's durable path per send).`,
    '',
    markdownTable(
      [
        'repository',
        'enqueue/s',
        'claim+ack/s',
        `claim+ack/s, ${OUTBOX.ackConcurrency} acks at once`,
        'single-update cycle/s',
      ],
      input.outboxRows,
    ),
    '',
    input.problems.length === 0
      ? 'Checks: every ack returned `done`, versions as expected, outbox empty at the end.'
      : `Checks FAILED: ${input.problems.slice(0, 5).join('; ')}${input.problems.length > 5 ? ` (+${input.problems.length - 5} more)` : ''}`,
    '',
    '### Equipment scenario with a repository',
    '',
    `Strategy (d) of the scenario (${input.workloadLine}): the manager with default config, REST \`{ retries: 0, offset: 0 }\`, ` +
      'and `repository` = none / a fresh migrated repository of each kind (default `leaseMs`, snapshots every 60 s). ' +
      'Time and API calls as in the scenario table; "vs none" = time / time without a repository.',
    '',
  ];
  const none = input.scenarioRows.find((row) => row.name === 'none')?.result;
  const timeOf = (r: ScenarioRow['result']): number | undefined =>
    r === undefined || r.capped || r.timeMs === undefined ? undefined : r.timeMs;
  const noneTime = timeOf(none);
  const rows = input.scenarioRows.map((row) => {
    const r = row.result;
    if (!r) return [row.name, 'unavailable', '', '', '', '', '', ''];
    const time = timeOf(r);
    return [
      row.name,
      r.capped ? `> ${formatMs(input.capMs)}` : time === undefined ? 'never' : formatMs(time),
      time === undefined ? '—' : formatRatio(time / ideal.timeMs),
      formatInt(r.apiCalls),
      formatRatio(r.apiCalls / ideal.calls),
      formatInt(r.total429),
      formatInt(r.wrong),
      time === undefined || noneTime === undefined ? '—' : formatRatio(time / noneTime),
    ];
  });
  rows.push([
    'ideal schedule',
    formatMs(ideal.timeMs),
    formatRatio(1),
    formatInt(ideal.calls),
    formatRatio(1),
    '0',
    '0',
    '',
  ]);
  lines.push(
    markdownTable(['repository', 'time', '× ideal', 'API calls', '× ideal', '429s', 'wrong', 'vs none'], rows),
    '',
    `Targets (SQLite and Postgres): time ≤ ${PERSISTENCE_TARGETS.timeRatio.toFixed(2)}× ideal, 0 wrong.`,
    '',
  );
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  for (const name of ['SQLite', 'Postgres'] as const) {
    const row = input.scenarioRows.find((candidate) => candidate.name === name);
    const r = row?.result;
    if (!r) {
      lines.push(`- ${name}: FAIL (not run, see below)`);
      continue;
    }
    const time = timeOf(r);
    const ratio = time === undefined ? Infinity : time / ideal.timeMs;
    lines.push(
      `- ${name}, time ≤ ${PERSISTENCE_TARGETS.timeRatio.toFixed(2)}× ideal: ${verdict(ratio <= PERSISTENCE_TARGETS.timeRatio)} (${Number.isFinite(ratio) ? formatRatio(ratio) : 'n/a'})`,
      `- ${name}, wrong final states = 0: ${verdict(r.wrong === PERSISTENCE_TARGETS.wrong)} (${r.wrong})`,
    );
  }

  // Where the repository time went during each run.
  const statRows = input.scenarioRows
    .filter((row) => row.stats !== undefined)
    .map((row) => {
      const stats = row.stats!;
      const cell = (method: string): string => {
        const s = stats.get(method);
        return s ? `${formatInt(s.count)} × ${(s.totalMs / s.count).toFixed(2)} ms (max ${s.maxMs.toFixed(0)})` : '0';
      };
      const total = [...stats.values()].reduce((sum, s) => sum + s.totalMs, 0);
      return [
        row.name,
        cell('enqueueMany'),
        cell('claim'),
        cell('getRow'),
        cell('ack'),
        cell('release'),
        formatMs(total),
        formatInt(row.leftInOutbox ?? 0),
      ];
    });
  if (statRows.length > 0) {
    lines.push(
      '',
      'Repository calls during each run (count × mean latency, max in ms; calls overlap, so the total is not wall time):',
      '',
      markdownTable(
        ['repository', 'enqueueMany', 'claim', 'getRow', 'ack', 'release', 'total call time', 'rows left'],
        statRows,
      ),
    );
  }
  if (input.unavailable.length > 0) {
    lines.push('', 'Unavailable:', '', ...input.unavailable.map((line) => `- ${line}`));
  }
  if (input.quick) lines.push('', '`--quick` runs this part in full (it is short).');
  return lines.join('\n');
}
