/**
 * One worker process of the scale-out bench (bench/scale-out.ts): a MessageUpdateManager over REST, pointed at the
 * DiscordSimulator of the bench process, working from a shared Postgres outbox (polled), with the token's rate limits
 * shared through Redis when `SCALE_REDIS_URL` is set (else only this process's own view).
 *
 * Env: SCALE_SIM_URL, SCALE_PG_URL, SCALE_PG_SCHEMA, SCALE_REDIS_URL (optional), SCALE_REDIS_PREFIX, SCALE_GLOBAL_RPS,
 * SCALE_POLL_MS, SCALE_TOKEN.
 *
 * Protocol (stdout, one line each): `ready` once the manager runs; on a `stop` line on stdin (or stdin closing, e.g.
 * when the bench process died) it settles what it holds, stops, closes everything and prints `done <json>` with its
 * counters (see {@link WorkerReport}), then exits 0. Errors go to stderr with a non-zero exit code.
 */
import { createInterface } from 'node:readline';
import { REST, RESTEvents } from '@discordjs/rest';
import { MessageUpdateManager } from '../src/index.js';
import { PostgresUpdateRepository } from '../src/repositories/postgres/index.js';
import type { RateLimitStore } from '../src/rate-limit/rate-limit-store.js';

/** What a worker reports when it stops. */
export interface WorkerReport {
  /** Answers this process got from Discord (REST `response` events): 2xx, 429, anything else. */
  readonly ok: number;
  readonly rateLimited: number;
  readonly otherStatus: number;
  /** Outbox acknowledgements that removed the row (`done`), and any other result (`stale`, lost lease). */
  readonly acksDone: number;
  readonly acksOther: number;
  /** `updateFailed` and `repositoryError` events. */
  readonly failed: number;
  readonly repositoryErrors: number;
}

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`scale-out worker: ${name} is not set`);
  return value;
};
const print = (line: string): void => void process.stdout.write(`${line}\n`);

const repository = new PostgresUpdateRepository({
  connectionString: required('SCALE_PG_URL'),
  schema: required('SCALE_PG_SCHEMA'),
});
let rateLimitStore: RateLimitStore | undefined;
let manager: MessageUpdateManager | undefined;
const counters = { ok: 0, rateLimited: 0, otherStatus: 0, acksDone: 0, acksOther: 0, failed: 0, repositoryErrors: 0 };

async function main(): Promise<void> {
  await repository.migrate();
  const ack = repository.ack.bind(repository);
  repository.ack = async (input) => {
    const result = await ack(input);
    if (result === 'done') counters.acksDone++;
    else counters.acksOther++;
    return result;
  };
  const redisUrl = env['SCALE_REDIS_URL'];
  if (redisUrl) {
    const { RedisRateLimitStore } = await import('../src/redis/index.js');
    rateLimitStore = new RedisRateLimitStore({
      url: redisUrl,
      keyPrefix: required('SCALE_REDIS_PREFIX'),
      connectionName: `dum-bench-worker-${process.pid}`,
      onWarning: (message) => process.stderr.write(`scale-out worker ${process.pid}: ${message}\n`),
    });
  }
  const rest = new REST({ api: required('SCALE_SIM_URL'), retries: 0, offset: 0, timeout: 5000 }).setToken(
    env['SCALE_TOKEN'] ?? 'simulator-token',
  );
  rest.on(RESTEvents.Response, (_request, response) => {
    if (response.status >= 200 && response.status < 300) counters.ok++;
    else if (response.status === 429) counters.rateLimited++;
    else counters.otherStatus++;
  });
  manager = new MessageUpdateManager({
    rest,
    repository,
    ...(rateLimitStore ? { rateLimitStore } : {}),
    outboxPollIntervalMs: Number(env['SCALE_POLL_MS'] ?? 100),
    metricsSnapshotIntervalMs: 0,
    config: { globalRequestsPerSecond: Number(env['SCALE_GLOBAL_RPS'] ?? 20) },
  });
  manager.on('updateFailed', (event) => {
    counters.failed++;
    process.stderr.write(`scale-out worker ${process.pid}: update failed: ${event.error.message}\n`);
  });
  manager.on('repositoryError', (error) => {
    counters.repositoryErrors++;
    process.stderr.write(`scale-out worker ${process.pid}: repository error: ${error.message}\n`);
  });
  await manager.start();
  print('ready');

  // Wait for `stop` (or the end of stdin), then settle, stop and report.
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'stop') {
        lines.close();
        resolve();
      }
    });
    lines.on('close', () => resolve());
  });
  await manager.stop();
  const report: WorkerReport = counters;
  print(`done ${JSON.stringify(report)}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(
    `scale-out worker ${process.pid}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  if (manager?.getStats().running) await manager.stop({ drain: false }).catch(() => undefined);
  await rateLimitStore?.close().catch(() => undefined);
  await repository.close().catch(() => undefined);
}
