/**
 * The bot side of `npm run soak` (see bench/soak.ts), in its own process so that what it measures is the library's
 * memory, not the simulator's: a MessageUpdateManager with a SQLite outbox and a `@discordjs/rest` REST pointed at the
 * parent's DiscordSimulator, editing random messages at a steady rate. Every `SOAK_SAMPLE_MS` it prints one JSON line
 * (a {@link SoakSample}); at the end, after draining, one line `{"done": true, ...}`.
 *
 * Env: SOAK_SIM_URL, SOAK_TOKEN, SOAK_PLAN (JSON [{channelId, messageId}]), SOAK_DURATION_MS, SOAK_SAMPLE_MS,
 * SOAK_RATE (edits per second), SOAK_DB (SQLite file).
 */
import { REST } from '@discordjs/rest';
import { MessageUpdateManager, UpdatePriority, type UpdateHandle } from '../src/index.js';
import { SqliteUpdateRepository } from '../src/repositories/sqlite/index.js';

/** One sample of the bot process, over the interval that ends at `elapsedMs`. */
export interface SoakSample {
  readonly elapsedMs: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  readonly queueSize: number;
  /** Edits enqueued in the interval. */
  readonly enqueued: number;
  /** Handles settled in the interval, and how. */
  readonly settled: number;
  readonly failed: number;
  /** Enqueue → settled latency of the handles settled in the interval (sent ones), ms. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly rateLimited: number;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`soak worker: ${name} is not set`);
  return value;
};

const plan = JSON.parse(env('SOAK_PLAN')) as { channelId: string; messageId: string }[];
const durationMs = Number(env('SOAK_DURATION_MS'));
const sampleMs = Number(env('SOAK_SAMPLE_MS'));
const rate = Number(env('SOAK_RATE'));

const rest = new REST({ api: env('SOAK_SIM_URL'), retries: 0, offset: 0 }).setToken(env('SOAK_TOKEN'));
const repository = new SqliteUpdateRepository({ filename: env('SOAK_DB') });
await repository.migrate();
const manager = new MessageUpdateManager({ rest, repository, metricsSnapshotIntervalMs: 0 });
let rateLimited = 0;
manager.on('rateLimited', () => rateLimited++);
await manager.start();

let latencies: number[] = [];
let enqueued = 0;
let settled = 0;
let failed = 0;
let version = 0;
const started = performance.now();

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function track(handle: UpdateHandle, at: number): void {
  handle.then(
    (result) => {
      settled++;
      if (result.outcome === 'sent') latencies.push(performance.now() - at);
    },
    () => {
      settled++;
      failed++;
    },
  );
}

function sample(): SoakSample {
  const sorted = latencies.sort((a, b) => a - b);
  const memory = process.memoryUsage();
  const result: SoakSample = {
    elapsedMs: Math.round(performance.now() - started),
    heapUsedBytes: memory.heapUsed,
    rssBytes: memory.rss,
    queueSize: manager.getStats().queueSize,
    enqueued,
    settled,
    failed,
    p50Ms: Math.round(percentile(sorted, 50)),
    p95Ms: Math.round(percentile(sorted, 95)),
    rateLimited,
  };
  latencies = [];
  enqueued = 0;
  settled = 0;
  failed = 0;
  rateLimited = 0;
  return result;
}

// Steady load: `rate` edits a second, in ticks of 100 ms, on random messages; 5% High priority (a user's click).
const perTick = rate / 10;
let owed = 0;
const ticker = setInterval(() => {
  owed += perTick;
  for (; owed >= 1; owed--) {
    const target = plan[Math.floor(Math.random() * plan.length)]!;
    version++;
    const priority = Math.random() < 0.05 ? UpdatePriority.High : UpdatePriority.Normal;
    const body = {
      embeds: [
        {
          title: `Item ${target.messageId.slice(-4)}`,
          description: `Version ${version}: reserved by user ${version % 20} until ${new Date().toISOString()}`,
          color: 0x2ecc71,
        },
      ],
    };
    track(manager.edit(target.channelId, target.messageId, body, { priority }), performance.now());
    enqueued++;
  }
}, 100);
const sampler = setInterval(() => process.stdout.write(`${JSON.stringify(sample())}\n`), sampleMs);

await new Promise((resolve) => setTimeout(resolve, durationMs));
clearInterval(ticker);
clearInterval(sampler);
await manager.stop(); // drains
const final = sample();
const pending = (await repository.listPending()).length;
await repository.close();
process.stdout.write(`${JSON.stringify({ done: true, ...final, pendingAfterDrain: pending, versions: version })}\n`);
