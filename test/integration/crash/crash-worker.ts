// A real worker process for the crash tests: it sends updates through a MessageUpdateManager with a durable
// repository to a DiscordSimulator running in the test process, and prints one line per accepted update. The test
// SIGKILLs it at a random moment, then starts it again in `drain` mode on the same database.
//
// Env: CRASH_SIM_URL, CRASH_PLAN (JSON: { channelId, messageId }[]), CRASH_MODE ('produce' | 'drain'),
//      CRASH_DIALECT ('sqlite' | 'postgres'), CRASH_SQLITE_FILE, CRASH_PG_URL, CRASH_PG_SCHEMA, CRASH_SEED,
//      CRASH_UPDATES (total updates to produce), CRASH_LEASE_MS.
import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from '../../../src/index.js';
import type { UpdateRepository } from '../../../src/repositories/update-repository.js';
import { SeededRandom } from '../../../src/testing/index.js';

const env = process.env;
const plan = JSON.parse(env.CRASH_PLAN ?? '[]') as { channelId: string; messageId: string }[];
const mode = env.CRASH_MODE ?? 'produce';

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
const rest = new REST({ api: env.CRASH_SIM_URL!, retries: 0, offset: 0, timeout: 5000 }).setToken('simulator-token');
const manager = new MessageUpdateManager({
  rest,
  repository,
  leaseMs: Number(env.CRASH_LEASE_MS ?? 2000),
  metricsSnapshotIntervalMs: 0,
  config: { baseBackoffMs: 50, maxBackoffMs: 500 },
});
await manager.start();
process.stdout.write('started\n');

if (mode === 'produce') {
  const random = new SeededRandom(Number(env.CRASH_SEED ?? 1));
  const total = Number(env.CRASH_UPDATES ?? 500);
  const versions = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const target = plan[Math.floor(random.next() * plan.length)]!;
    const version = (versions.get(target.messageId) ?? 0) + 1;
    versions.set(target.messageId, version);
    const handle = manager.edit(target.channelId, target.messageId, { content: `${target.messageId} v${version}` });
    void handle.accepted.then(() => process.stdout.write(`accepted ${target.messageId} ${version}\n`));
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
await manager.onIdle();
await manager.stop();
await repository.close();
process.stdout.write('idle\n');
