// A real worker process for the crash, zombie and competing-worker tests: it sends updates through a
// MessageUpdateManager with a durable repository to a DiscordSimulator running in the test process, and prints one
// line per accepted update (`accepted <messageId> <version>`) and per outbox acknowledgement (`ack <result>`).
//
// Env: CRASH_SIM_URL, CRASH_PLAN (JSON: { channelId, messageId }[]), CRASH_MODE ('produce' | 'drain' | 'serve'),
//      CRASH_DIALECT ('sqlite' | 'postgres'), CRASH_SQLITE_FILE, CRASH_PG_URL, CRASH_PG_SCHEMA, CRASH_SEED,
//      CRASH_REDIS_URL, CRASH_REDIS_PREFIX, CRASH_REDIS_NAME, CRASH_RESERVATION_TTL_MS, CRASH_GLOBAL_RPS, CRASH_KIND ('edit' | 'sync'), CRASH_REST_TIMEOUT_MS, CRASH_UPDATES (updates to produce), CRASH_VERSION_BASE (added to versions), CRASH_EVERY ('1': touch every
//      message first), CRASH_LEASE_MS, CRASH_TOKEN, CRASH_POLL_MS.
// Modes: produce = enqueue, wait until idle, exit; drain = send what the outbox holds, exit; serve = poll the shared
// outbox and exit once it had work and then stayed empty for a second.
import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from '../../../src/index.js';
import type { UpdateRepository } from '../../../src/repositories/update-repository.js';
import { SeededRandom } from '../../../src/testing/index.js';

const env = process.env;
const plan = JSON.parse(env.CRASH_PLAN ?? '[]') as { channelId: string; messageId: string }[];
const mode = env.CRASH_MODE ?? 'produce';
const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function openRepository(): Promise<UpdateRepository> {
  if (env.CRASH_DIALECT === 'postgres') {
    const { PostgresUpdateRepository } = await import('../../../src/repositories/postgres/index.js');
    return new PostgresUpdateRepository({ connectionString: env.CRASH_PG_URL!, schema: env.CRASH_PG_SCHEMA! });
  }
  const { SqliteUpdateRepository } = await import('../../../src/repositories/sqlite/index.js');
  return new SqliteUpdateRepository({ filename: env.CRASH_SQLITE_FILE! });
}

const repository = await openRepository();
await repository.migrate();
// Report every acknowledgement's result, so the tests can see what a zombie's late ack did.
const ack = repository.ack.bind(repository);
repository.ack = async (input) => {
  const result = await ack(input);
  print(`ack ${result} ${input.targetKey}`);
  return result;
};
const rest = new REST({
  api: env.CRASH_SIM_URL!,
  retries: 0,
  offset: 0,
  timeout: Number(env.CRASH_REST_TIMEOUT_MS ?? 5000),
}).setToken(env.CRASH_TOKEN ?? 'simulator-token');
// Several processes of one bot: share the token's rate limits through Redis when asked to.
const rateLimitStore = env.CRASH_REDIS_URL
  ? new (await import('../../../src/redis/index.js')).RedisRateLimitStore({
      url: env.CRASH_REDIS_URL,
      keyPrefix: env.CRASH_REDIS_PREFIX ?? 'dum:',
      connectionName: env.CRASH_REDIS_NAME ?? 'discord-update-manager',
    })
  : undefined;
const manager = new MessageUpdateManager({
  rest,
  repository,
  ...(rateLimitStore ? { rateLimitStore } : {}),
  ...(env.CRASH_RESERVATION_TTL_MS ? { rateLimitReservationTtlMs: Number(env.CRASH_RESERVATION_TTL_MS) } : {}),
  leaseMs: Number(env.CRASH_LEASE_MS ?? 2000),
  outboxPollIntervalMs: Number(env.CRASH_POLL_MS ?? 0),
  metricsSnapshotIntervalMs: 0,
  config: { baseBackoffMs: 50, maxBackoffMs: 500, globalRequestsPerSecond: Number(env.CRASH_GLOBAL_RPS ?? 50) },
});
manager.on('repositoryError', (error) => print(`repositoryError ${error.message}`));
manager.on('updateFailed', (event) => print(`failed ${event.messageId ?? ''} ${event.error.message}`));
manager.on('globalLimitChanged', (event) => print(`globalLimit ${event.limit} ${event.change} at ${Date.now()}`));
manager.on('rateLimited', (event) => print(`rateLimited ${event.scope} at ${Date.now()}`));
await manager.start();
print('started');

if (mode === 'produce') {
  const random = new SeededRandom(Number(env.CRASH_SEED ?? 1));
  const total = Number(env.CRASH_UPDATES ?? 500);
  const base = Number(env.CRASH_VERSION_BASE ?? 0);
  const versions = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const target =
      env.CRASH_EVERY === '1' && i < plan.length ? plan[i]! : plan[Math.floor(random.next() * plan.length)]!;
    // sync mode: managed messages `item:<index>` (created on first use, so creates are cut by the kill too).
    const id = env.CRASH_KIND === 'sync' ? `item:${plan.indexOf(target)}` : target.messageId;
    const version = (versions.get(id) ?? base) + 1;
    versions.set(id, version);
    const body = { content: `${id} v${version}` };
    const handle =
      env.CRASH_KIND === 'sync'
        ? manager.sync(id, target.channelId, body)
        : manager.edit(target.channelId, target.messageId, body);
    void handle.accepted.then(() => print(`accepted ${id} ${version}`));
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
if (mode === 'serve') {
  // Work until the shared outbox, once it had work, has stayed empty for a second.
  let seenWork = false;
  let emptyChecks = 0;
  while (emptyChecks < 5) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const empty = (await repository.listPending(1)).length === 0 && manager.getStats().queueSize === 0;
    seenWork ||= !empty;
    emptyChecks = empty && seenWork ? emptyChecks + 1 : 0;
  }
}
await manager.onIdle();
await manager.stop();
await rateLimitStore?.close();
await repository.close();
print('idle');
