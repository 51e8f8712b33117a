/**
 * Bench part 5: scale-out. (1) 1, 2 and 3 worker processes of one bot (one token) drain the same shared Postgres
 * outbox against one DiscordSimulator whose global limit (20/s) binds, sharing the token's rate limits through one
 * `RedisRateLimitStore` prefix — plus 3 processes without the store, each with only its own view. Together they should
 * stay at the limit, not multiply it. (2) The per-update cost of the Redis store: `acquire` + `complete` pairs on
 * `RedisRateLimitStore` vs `MemoryRateLimitStore` in this process.
 *
 * Workers: `process.execPath --import tsx bench/scale-out-worker.ts`. Postgres: `POSTGRES_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`), one random schema per run (`dum_bench_<hex>_scale_…`, dropped at the
 * end). Redis: `REDIS_URL` (default `redis://127.0.0.1:6379`), one random key prefix per run (its keys deleted at the
 * end). When one of them cannot be reached its rows say so and the rest still runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { MemoryRateLimitStore, type OutboxUpsert } from '../src/index.js';
import type {
  RateLimitObservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../src/rate-limit/rate-limit-store.js';
import { RedisRateLimitStore } from '../src/redis/index.js';
import { PostgresUpdateRepository } from '../src/repositories/postgres/index.js';
import { DiscordSimulator } from '../src/testing/index.js';
import type { WorkerReport } from './scale-out-worker.js';
import { formatInt, formatMs, formatRatio, markdownTable } from './table.js';

/** Options of {@link runScaleOutBench}. */
export interface ScaleOutBenchOptions {
  /** `--quick`: the same measurements (they are short); only noted. */
  readonly quick: boolean;
  /** Progress lines go here. @defaultValue stderr */
  readonly log?: (line: string) => void;
  /** @defaultValue `process.env.POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test` */
  readonly postgresUrl?: string;
  /** @defaultValue `process.env.REDIS_URL`, else `redis://127.0.0.1:6379` */
  readonly redisUrl?: string;
}

/** The shared workload of every multi-process run. */
const WORKLOAD = {
  channels: 4,
  messagesPerChannel: 30,
  versions: 2,
  /** Pause between the enqueues of two versions, ms (so some first versions are already on their way). */
  versionGapMs: 200,
  /** The simulator's limits: the global one binds (4 channels could take 40/s on their own buckets). */
  globalLimit: 20,
  globalWindowMs: 1000,
  routeLimit: 5,
  routeWindowMs: 500,
  latencyMs: [2, 6] as const,
  /** The workers' `globalRequestsPerSecond` and `outboxPollIntervalMs`. */
  globalRequestsPerSecond: 20,
  pollMs: 100,
  /** Longest wait for the workers to drain the outbox, ms. */
  capMs: 45_000,
  /** Longest wait for workers to start, and to stop once asked, ms. */
  startTimeoutMs: 30_000,
  stopTimeoutMs: 15_000,
} as const;

/** The runs of part (1). */
const RUNS: readonly { label: string; processes: number; redis: boolean; globalRequestsPerSecond?: number }[] = [
  { label: '1 process', processes: 1, redis: true },
  { label: '2 processes', processes: 2, redis: true },
  { label: '3 processes', processes: 3, redis: true },
  { label: '3 processes without the Redis store', processes: 3, redis: false },
  // The managers at their default 50/s while the server allows 20/s: the store learns the real limit.
  { label: '3 processes at the default 50/s (limit learned)', processes: 3, redis: true, globalRequestsPerSecond: 50 },
  {
    label: '3 processes at the default 50/s without the Redis store',
    processes: 3,
    redis: false,
    globalRequestsPerSecond: 50,
  },
];

/** Sizes of part (2). */
const STORE = {
  pairs: 5_000,
  warmUpPairs: 500,
  buckets: 50,
  concurrentCallers: 8,
} as const;

const STORE_LIMITS: RateLimitStoreLimits = {
  globalLimit: 1_000_000,
  globalWindowMs: 1000,
  maxInFlightPerBucket: STORE.concurrentCallers,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};

/** The global window of the second in-memory row, ms: answered slots are freed almost at once. */
const SHORT_WINDOW_MS = 1;

const WORKER_PATH = fileURLToPath(new URL('./scale-out-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** The clock the simulator stamps requests with (its default `systemClock`). */
const now = (): number => performance.timeOrigin + performance.now();
const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);

/** A started worker process. */
interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** Resolves with its report once it printed `done`, or `undefined` when it exited without one. */
  readonly report: Promise<WorkerReport | undefined>;
  readonly exit: Promise<number | null>;
  readonly stderr: () => string;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PATH], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let onReady!: () => void;
  let onReport!: (report: WorkerReport | undefined) => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    void exit.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
  ready.catch(() => undefined);
  const report = new Promise<WorkerReport | undefined>((resolve) => (onReport = resolve));
  void exit.then(() => onReport(undefined));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'ready') onReady();
    else if (line.startsWith('done ')) onReport(JSON.parse(line.slice('done '.length)) as WorkerReport);
  });
  return { child, ready, report, exit, stderr: () => stderr };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${formatMs(ms)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Everything the part creates, removed by {@link Resources.cleanUp} whatever happened. */
class Resources {
  readonly runId = randomBytes(4).toString('hex');
  readonly #postgresUrl: string;
  readonly #redisUrl: string;
  readonly #schemas: string[] = [];
  readonly #prefixes: string[] = [];
  readonly #workers = new Set<Worker>();
  readonly #closers = new Set<() => Promise<void>>();
  /** Clean-up has begun (e.g. on Ctrl-C while a run goes on): nothing new may be created. */
  #closed = false;

  public constructor(postgresUrl: string, redisUrl: string) {
    this.#postgresUrl = postgresUrl;
    this.#redisUrl = redisUrl;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('interrupted: cleaning up');
  }

  public schema(purpose: string): string {
    this.#assertOpen();
    const schema = `dum_bench_${this.runId}_${purpose}`;
    this.#schemas.push(schema);
    return schema;
  }

  public prefix(purpose: string): string {
    this.#assertOpen();
    const prefix = `dum_bench_${this.runId}_${purpose}:`;
    this.#prefixes.push(prefix);
    return prefix;
  }

  public track(worker: Worker): Worker {
    if (this.#closed) {
      worker.child.kill('SIGKILL');
      this.#assertOpen();
    }
    this.#workers.add(worker);
    void worker.exit.then(() => this.#workers.delete(worker));
    return worker;
  }

  /** Registers something to close at clean-up; returns a function that closes it now (once). */
  public onCleanUp(close: () => Promise<void>): () => Promise<void> {
    if (this.#closed) {
      void close().catch(() => undefined);
      this.#assertOpen();
    }
    const once = async (): Promise<void> => {
      if (!this.#closers.delete(once)) return;
      await close().catch(() => undefined);
    };
    this.#closers.add(once);
    return once;
  }

  /** Kills the workers still running, closes what is open, drops the schemas and deletes the keys. */
  public async cleanUp(log: (line: string) => void): Promise<void> {
    this.#closed = true;
    const running = [...this.#workers];
    for (const worker of running) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
    await Promise.allSettled(running.map((worker) => worker.exit));
    await Promise.allSettled([...this.#closers].map((close) => close()));
    if (this.#schemas.length > 0) {
      const client = new pg.Client({ connectionString: this.#postgresUrl });
      try {
        await client.connect();
        for (const schema of this.#schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } catch (error) {
        log(`scale-out: could not drop schemas ${this.#schemas.join(', ')}: ${describeError(error)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (this.#prefixes.length > 0) {
      const redis = new Redis(this.#redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        for (const prefix of this.#prefixes) {
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await redis.del(...keys);
          } while (cursor !== '0');
        }
      } catch (error) {
        log(`scale-out: could not delete keys ${this.#prefixes.join(', ')}*: ${describeError(error)}`);
      } finally {
        redis.disconnect();
      }
    }
  }
}

/** The outcome of one multi-process run. */
interface RunResult {
  readonly label: string;
  readonly processes: number;
  readonly editsSent: number;
  readonly requests: number;
  /** First enqueue → last request, ms; `undefined` when the cap was hit. */
  readonly timeMs: number | undefined;
  /** Requests per second: the mean count of a sliding window over the busy period (see {@link slidingRate}). */
  readonly requestsPerSecond: number;
  /** Most requests that arrived within any 1 s (sliding). */
  readonly maxInOneSecond: number;
  readonly global429: number;
  readonly route429: number;
  readonly wrong: number;
  readonly outOfOrder: number;
  /** Each process's report (`undefined` when it gave none). */
  readonly reports: readonly (WorkerReport | undefined)[];
  readonly problems: readonly string[];
}

/**
 * The mean number of requests in a sliding window of `windowMs` placed anywhere within the busy period (first to last
 * request), per second. Unlike `(n - 1) / span` it does not overstate a stream sent in bursts at the start of each
 * window (a short run then shows one more full window than its span); a smooth stream gives the same.
 *
 * @param times - arrival times, ascending, ms
 * @param windowMs - window length
 * @returns requests per second (`(n - 1) / span` when the run is shorter than two windows)
 */
function slidingRate(times: readonly number[], windowMs: number): number {
  if (times.length < 2) return 0;
  const first = times[0]!;
  const last = times.at(-1)!;
  const positions = last - first - windowMs; // window starts t ∈ [first, last - windowMs]
  if (positions < windowMs) return last > first ? (times.length - 1) / ((last - first) / 1000) : 0;
  // Request at `a` is in [t, t + windowMs) for t ∈ (a - windowMs, a]: integrate over the allowed starts.
  let covered = 0;
  for (const at of times) covered += Math.max(0, Math.min(last - windowMs, at) - Math.max(first, at - windowMs));
  return covered / positions / (windowMs / 1000);
}

/** `a/b + c/d …`: 2xx / 429 answers per process. */
function perProcess(reports: readonly (WorkerReport | undefined)[]): string {
  return reports.map((report) => (report ? `${report.ok}/${report.rateLimited}` : '?')).join(' + ');
}

function versionOf(content: unknown): number {
  return typeof content === 'string' && content.includes(' v') ? Number(content.split(' v')[1]) : 0;
}

async function runProcesses(
  run: (typeof RUNS)[number],
  index: number,
  resources: Resources,
  urls: { readonly postgres: string; readonly redis: string },
  log: (line: string) => void,
): Promise<RunResult> {
  const problems: string[] = [];
  const sim = await new DiscordSimulator({
    seed: 500 + index,
    limits: {
      global: { limit: WORKLOAD.globalLimit, windowMs: WORKLOAD.globalWindowMs },
      messageWrite: { limit: WORKLOAD.routeLimit, windowMs: WORKLOAD.routeWindowMs },
    },
  }).start();
  const closeSim = resources.onCleanUp(() => sim.close());
  try {
    sim.setFaults('*', { latencyMs: [...WORKLOAD.latencyMs] });
    const plan: { channelId: string; messageId: string }[] = [];
    for (let c = 0; c < WORKLOAD.channels; c++) {
      const channelId = sim.createChannel({ name: `scale-${c}` }).id;
      for (let m = 0; m < WORKLOAD.messagesPerChannel; m++)
        plan.push({ channelId, messageId: sim.seedMessage(channelId, { content: 'seed' }).id });
    }

    const schema = resources.schema(`scale_${index + 1}`);
    const repository = new PostgresUpdateRepository({ connectionString: urls.postgres, schema });
    const closeRepository = resources.onCleanUp(() => repository.close());
    await repository.migrate();

    const env: Record<string, string> = {
      SCALE_SIM_URL: sim.url,
      SCALE_PG_URL: urls.postgres,
      SCALE_PG_SCHEMA: schema,
      SCALE_GLOBAL_RPS: String(run.globalRequestsPerSecond ?? WORKLOAD.globalRequestsPerSecond),
      SCALE_POLL_MS: String(WORKLOAD.pollMs),
      ...(run.redis
        ? { SCALE_REDIS_URL: urls.redis, SCALE_REDIS_PREFIX: resources.prefix(`scale_${index + 1}`) }
        : { SCALE_REDIS_URL: '' }),
    };
    const workers = Array.from({ length: run.processes }, () => resources.track(startWorker(env)));
    await withTimeout(Promise.all(workers.map((worker) => worker.ready)), WORKLOAD.startTimeoutMs, 'worker start');

    // Every message gets its versions, enqueued straight into the shared outbox.
    const started = now();
    for (let version = 1; version <= WORKLOAD.versions; version++) {
      if (version > 1) await sleep(WORKLOAD.versionGapMs);
      await repository.enqueueMany(
        plan.map((target): OutboxUpsert => ({
          targetKey: `m:${target.messageId}`,
          desired: 'present',
          channelId: target.channelId,
          messageId: target.messageId,
          managedKey: null,
          body: { content: `${target.messageId} v${version}` },
          priority: 1,
          enqueuedAt: Date.now(),
          deadlineAt: null,
        })),
      );
    }
    let capped = false;
    while ((await repository.listPending(1)).length > 0) {
      if (now() - started > WORKLOAD.capMs) {
        capped = true;
        problems.push(`outbox not drained within ${formatMs(WORKLOAD.capMs)}`);
        break;
      }
      await sleep(25);
    }

    for (const worker of workers) worker.child.stdin!.end('stop\n');
    const reports = await Promise.all(
      workers.map((worker) =>
        withTimeout(worker.report, WORKLOAD.stopTimeoutMs, 'worker stop').catch((error: unknown) => {
          problems.push(describeError(error));
          worker.child.kill('SIGKILL');
          return undefined;
        }),
      ),
    );
    const codes = await Promise.all(workers.map((worker) => worker.exit));
    codes.forEach((code, w) => {
      if (code !== 0) problems.push(`worker ${w + 1} exited ${code}: ${workers[w]!.stderr().trim().slice(-300)}`);
    });
    for (const report of reports) {
      if (report && report.failed + report.repositoryErrors > 0)
        problems.push(`${report.failed} failed updates, ${report.repositoryErrors} repository errors in a worker`);
    }

    const deadLetters = (await repository.listDeadLetters()).length;
    if (deadLetters > 0) problems.push(`${deadLetters} dead letters`);
    await closeRepository();

    const requests = sim.getRequestLog();
    const edits = sim.getWrites().filter((write) => write.kind === 'edit');
    const stats = sim.getStats();
    let wrong = 0;
    let outOfOrder = 0;
    for (const { channelId, messageId } of plan) {
      if (versionOf(sim.getMessage(channelId, messageId)?.content) !== WORKLOAD.versions) wrong++;
      const history = edits
        .filter((write) => write.messageId === messageId)
        .map((write) => versionOf((write.body as { content?: unknown } | undefined)?.content));
      if (history.some((version, i) => i > 0 && version < history[i - 1]!)) outOfOrder++;
    }
    const last = requests.at(-1)?.at ?? started;
    let maxInOneSecond = 0;
    for (let i = 0, j = 0; i < requests.length; i++) {
      while (requests[i]!.at - requests[j]!.at >= 1000) j++;
      maxInOneSecond = Math.max(maxInOneSecond, i - j + 1);
    }
    const result: RunResult = {
      label: run.label,
      processes: run.processes,
      editsSent: edits.length,
      requests: requests.length,
      timeMs: capped ? undefined : last - started,
      requestsPerSecond: slidingRate(
        requests.map((request) => request.at),
        WORKLOAD.globalWindowMs,
      ),
      maxInOneSecond,
      global429: stats.rateLimited.global,
      route429: stats.rateLimited.user + stats.rateLimited.shared,
      wrong,
      outOfOrder,
      reports,
      problems,
    };
    log(
      `scale-out: ${run.label}: ${result.editsSent} edits, ${result.requests} requests in ` +
        `${result.timeMs === undefined ? 'cap' : formatMs(result.timeMs)} (${result.requestsPerSecond.toFixed(1)}/s), ` +
        `429s global ${result.global429} route ${result.route429}, wrong ${wrong}, per process ` +
        `${perProcess(result.reports)}, max ${maxInOneSecond} in 1 s`,
    );
    return result;
  } finally {
    await closeSim();
  }
}

/** The outcome of one store measurement. */
interface StoreResult {
  readonly label: string;
  readonly microsPerPair: number;
  readonly pairsPerSecond: number;
  /** Per-pair latency percentiles of a single caller, µs (`undefined` with several callers). */
  readonly p50?: number;
  readonly p99?: number;
  readonly refused: number;
}

const ROUTE_KEY = 'PATCH /channels/:channel_id/messages/:id';
const BUCKET_CHANNELS = Array.from({ length: STORE.buckets }, (_, b) => `${120_000_000_000_000_000n + BigInt(b)}`);

/** One acquire + complete on bucket `b`; returns false when the slot was refused. */
async function pair(store: RateLimitStore, b: number, limits: RateLimitStoreLimits): Promise<boolean> {
  const request: RateLimitSlotRequest = {
    routeKey: ROUTE_KEY,
    majorParameter: BUCKET_CHANNELS[b % STORE.buckets]!,
    exemptFromGlobal: false,
  };
  const slot = await store.acquire(request, limits);
  if (!slot.granted) return false;
  const observation: RateLimitObservation = {
    status: 200,
    bucketHash: 'bench-message-write',
    limit: 1_000_000,
    remaining: 999_999,
    resetAfterMs: 60_000,
  };
  await store.complete(slot.reservation, observation, limits);
  return true;
}

async function measureStore(
  label: string,
  store: RateLimitStore,
  callers: number,
  limits: RateLimitStoreLimits = STORE_LIMITS,
): Promise<StoreResult> {
  let refused = 0;
  for (let i = 0; i < STORE.warmUpPairs; i++) if (!(await pair(store, i, limits))) refused++;
  refused = 0;
  const latencies: number[] = [];
  const started = performance.now();
  if (callers === 1) {
    for (let i = 0; i < STORE.pairs; i++) {
      const t = performance.now();
      if (!(await pair(store, i, limits))) refused++;
      latencies.push((performance.now() - t) * 1000);
    }
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (next < STORE.pairs) if (!(await pair(store, next++, limits))) refused++;
      }),
    );
  }
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number): number | undefined =>
    latencies.length === 0 ? undefined : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  const p50 = percentile(0.5);
  const p99 = percentile(0.99);
  return {
    label,
    microsPerPair: (elapsedMs * 1000) / STORE.pairs,
    pairsPerSecond: STORE.pairs / (elapsedMs / 1000),
    ...(p50 === undefined ? {} : { p50 }),
    ...(p99 === undefined ? {} : { p99 }),
    refused,
  };
}

/**
 * Runs the scale-out bench.
 *
 * @param options - quick mode, Postgres and Redis URLs
 * @returns the markdown section (two tables + notes)
 */
export async function runScaleOutBench(options: ScaleOutBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const urls = {
    postgres: options.postgresUrl ?? process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    redis: options.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
  const resources = new Resources(urls.postgres, urls.redis);
  const unavailable: string[] = [];
  // Interrupted (Ctrl-C): still kill the workers, drop the schemas and delete the keys before exiting.
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`scale-out: ${signal}, cleaning up ...`);
    void resources.cleanUp(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const redisDown = await redisProblem(urls.redis);
    if (redisDown !== undefined) log(`scale-out: Redis unreachable: ${redisDown}`);

    // 1. Several processes, one token.
    const runs: (RunResult | { readonly label: string; readonly error: string })[] = [];
    for (const [index, run] of RUNS.entries()) {
      log(`scale-out: ${run.label} ...`);
      try {
        if (run.redis && redisDown !== undefined) throw new Error(`Redis unreachable: ${redisDown}`);
        runs.push(await runProcesses(run, index, resources, urls, log));
      } catch (error) {
        log(`scale-out: ${run.label} failed: ${describeError(error)}`);
        runs.push({ label: run.label, error: describeError(error) });
        unavailable.push(`${run.label}: ${describeError(error)}`);
      }
    }

    // 2. Store overhead per update.
    const stores: (StoreResult | { readonly label: string; readonly error: string })[] = [];
    const memory = new MemoryRateLimitStore();
    log('scale-out: store overhead, in-memory ...');
    stores.push(await measureStore('MemoryRateLimitStore', memory, 1));
    // The same with answered slots freed after 1 ms: what it costs when few are held (at Discord's 50/s, ≤ 50).
    stores.push(
      await measureStore(`MemoryRateLimitStore, ${SHORT_WINDOW_MS} ms global window`, new MemoryRateLimitStore(), 1, {
        ...STORE_LIMITS,
        globalWindowMs: SHORT_WINDOW_MS,
      }),
    );
    let redisStore: RedisRateLimitStore | undefined;
    let closeRedisStore: (() => Promise<void>) | undefined;
    for (const callers of [1, STORE.concurrentCallers]) {
      const label = `RedisRateLimitStore${callers === 1 ? '' : `, ${callers} callers at once`}`;
      log(`scale-out: store overhead, ${label} ...`);
      try {
        if (redisDown !== undefined) throw new Error(`Redis unreachable: ${redisDown}`);
        if (!redisStore) {
          const store = new RedisRateLimitStore({
            url: urls.redis,
            keyPrefix: resources.prefix('store'),
            connectionName: 'dum-bench-store',
            onWarning: (message) => log(`scale-out: Redis store warning: ${message}`),
          });
          redisStore = store;
          closeRedisStore = resources.onCleanUp(() => store.close());
        }
        const result = await measureStore(label, redisStore, callers);
        if (result.refused === STORE.pairs) throw new Error('every acquire was refused (Redis unreachable?)');
        stores.push(result);
      } catch (error) {
        stores.push({ label, error: describeError(error) });
        unavailable.push(`${label}: ${describeError(error)}`);
      }
    }
    await closeRedisStore?.();

    return render({
      quick: options.quick,
      runs,
      stores,
      unavailable,
      postgresUrl: redact(urls.postgres),
      redisUrl: redact(urls.redis),
      runId: resources.runId,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await resources.cleanUp(log);
  }
}

/** Why Redis cannot be used (one quick PING), or `undefined` when it answers. */
async function redisProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return describeError(error);
  } finally {
    redis.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

interface RenderInput {
  readonly quick: boolean;
  readonly runs: readonly (RunResult | { readonly label: string; readonly error: string })[];
  readonly stores: readonly (StoreResult | { readonly label: string; readonly error: string })[];
  readonly unavailable: readonly string[];
  readonly postgresUrl: string;
  readonly redisUrl: string;
  readonly runId: string;
}

function render(input: RenderInput): string {
  const limit = WORKLOAD.globalLimit;
  const messages = WORKLOAD.channels * WORKLOAD.messagesPerChannel;
  const lines = [
    '## Scale-out (several processes, one token)',
    '',
    '### Throughput with 1, 2 and 3 processes',
    '',
    `Each run: a fresh DiscordSimulator in the bench process (global limit ${limit} per ` +
      `${formatMs(WORKLOAD.globalWindowMs)}, message writes ${WORKLOAD.routeLimit} per ${formatMs(WORKLOAD.routeWindowMs)} ` +
      `per channel, latency ${WORKLOAD.latencyMs[0]}–${WORKLOAD.latencyMs[1]} ms) with ${WORKLOAD.channels} channels × ` +
      `${WORKLOAD.messagesPerChannel} messages — the global limit binds (the channels alone would allow ` +
      `${(WORKLOAD.channels * WORKLOAD.routeLimit * 1000) / WORKLOAD.routeWindowMs}/s). Worker processes ` +
      '(`node --import tsx bench/scale-out-worker.ts`), each a MessageUpdateManager over `@discordjs/rest` with one ' +
      `token, \`globalRequestsPerSecond: ${WORKLOAD.globalRequestsPerSecond}\` (the last two rows: the default 50, so ` +
      'the limit has to be learned from global 429s), sharing one Postgres outbox at ' +
      `\`${input.postgresUrl}\` (schema \`dum_bench_${input.runId}_scale_…\`, \`outboxPollIntervalMs: ${WORKLOAD.pollMs}\`) ` +
      `and one RedisRateLimitStore prefix at \`${input.redisUrl}\` (\`dum_bench_${input.runId}_scale_…:\`), fresh per ` +
      `run. Once they run, the bench process enqueues ${WORKLOAD.versions} versions of each of the ${messages} ` +
      `messages straight into the outbox (\`enqueueMany\`, ${WORKLOAD.versionGapMs} ms apart; a second version of a ` +
      'row not yet claimed replaces the first) and waits until the outbox is empty. Time: first enqueue → last ' +
      'request; requests/s: every request that reached the simulator (429s included), as the mean count of a sliding ' +
      '1 s window placed anywhere between the first and the last request (bursts at window starts do not inflate ' +
      'it, as `(n − 1) / span` would on a run this short); × limit: ' +
      `requests/s ÷ ${limit}; route 429s: user + shared scope; wrong: messages not on their last version.`,
    '',
  ];
  const rows = input.runs.map((run) => {
    if ('error' in run) return [run.label, 'unavailable', '', '', '', '', '', ''];
    return [
      run.label,
      formatInt(run.editsSent),
      run.timeMs === undefined ? `> ${formatMs(WORKLOAD.capMs)}` : formatMs(run.timeMs),
      run.requestsPerSecond.toFixed(1),
      formatRatio(run.requestsPerSecond / limit),
      formatInt(run.global429),
      formatInt(run.route429),
      formatInt(run.wrong),
    ];
  });
  lines.push(
    markdownTable(
      ['processes', 'edits sent', 'time', 'requests/s', '× limit', 'global 429s', 'route 429s', 'wrong final states'],
      rows,
    ),
    '',
  );
  const finished = input.runs.filter((run): run is RunResult => !('error' in run));
  if (finished.length > 0) {
    lines.push(
      'Per run — the answers each process got (2xx / 429); most requests that arrived within any 1 s (sliding); ' +
        'messages whose edits went back to an older version; problems:',
      '',
      ...finished.map(
        (run) =>
          `- ${run.label}: ${perProcess(run.reports)}; max ${run.maxInOneSecond} in 1 s; ${run.outOfOrder} out of order; ` +
          `${run.problems.length === 0 ? 'none' : run.problems.slice(0, 3).join('; ')}`,
      ),
      '',
    );
  }

  lines.push(
    '### Redis store overhead per update',
    '',
    `\`acquire\` + \`complete\` pairs in this process, ${formatInt(STORE.pairs)} pairs (after ` +
      `${formatInt(STORE.warmUpPairs)} not counted) over ${STORE.buckets} buckets of one route (learned from the ` +
      `first answers: limit 1,000,000), globalLimit ${STORE_LIMITS.globalLimit.toLocaleString('en-US')} per ` +
      `${formatMs(STORE_LIMITS.globalWindowMs)}, each pair awaited before the next unless said otherwise (then µs is ` +
      `wall time ÷ pairs). The manager makes one pair per request it sends when a store is configured. Redis at ` +
      `\`${input.redisUrl}\`, prefix \`dum_bench_${input.runId}_store:\`.`,
    '',
    markdownTable(
      ['store', 'µs per acquire+complete', 'pairs/s'],
      input.stores.map((store) =>
        'error' in store
          ? [store.label, 'unavailable', '']
          : [store.label, store.microsPerPair.toFixed(1), formatInt(store.pairsPerSecond)],
      ),
    ),
    '',
  );
  const measured = input.stores.filter((store): store is StoreResult => !('error' in store));
  lines.push(
    `In the first row the loop runs faster than the global window, so up to ${formatInt(STORE.pairs)} answered slots ` +
      `are held at once; the "${SHORT_WINDOW_MS} ms global window" row frees each a millisecond after its answer (a ` +
      'real bot holds at most its global limit, 50): the in-memory store expires them from a queue, so neither walks ' +
      'its maps. The Redis rows pay one Lua script call, a round trip to a local Redis, per operation (two per pair).',
    '',
    `Single-caller latency per pair: ${measured
      .filter((store) => store.p50 !== undefined)
      .map((store) => `${store.label} p50 ${store.p50!.toFixed(1)} µs, p99 ${store.p99!.toFixed(1)} µs`)
      .join('; ')}. Refused acquires: ${measured.reduce((sum, store) => sum + store.refused, 0)}.`,
  );
  if (input.unavailable.length > 0) {
    lines.push('', 'Unavailable:', '', ...input.unavailable.map((line) => `- ${line}`));
  }
  if (input.quick) lines.push('', '`--quick` runs this part in full (it is short).');
  return lines.join('\n');
}
