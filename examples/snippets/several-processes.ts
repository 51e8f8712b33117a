import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { PostgresUpdateRepository } from 'discord-update-manager/postgres'; // npm install pg
import { RedisRateLimitStore } from 'discord-update-manager/redis'; // npm install ioredis
import { DiscordSimulator } from 'discord-update-manager/testing';

const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What every process of the bot runs: the same database and schema, the same Redis and prefix, the same token. */
export async function startProcess(rest: REST, { schema = 'mybot', keyPrefix = 'mybot:' } = {}) {
  const repository = new PostgresUpdateRepository({ connectionString: POSTGRES_URL, schema }); // or { pool }
  await repository.migrate();
  const rateLimitStore = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix }); // or { client }
  const manager = new MessageUpdateManager({ rest, repository, rateLimitStore, outboxPollIntervalMs: 1000 });
  await manager.start();
  const stop = async () => {
    await manager.stop();
    await rateLimitStore.close();
    await repository.close();
  };
  return { manager, stop };
}

export async function main(options: { schema?: string; keyPrefix?: string } = {}) {
  // Offline: a DiscordSimulator stands in for Discord. Against Discord itself, drop `sim` and the `api` option and
  // use your bot's token (`.setToken(process.env.DISCORD_TOKEN!)`).
  const sim = await new DiscordSimulator().start();
  const channelId = sim.createChannel({ name: 'shards' }).id;

  // Two processes (here in one, for the example), each with its own REST and manager.
  const processes = [];
  for (let shard = 0; shard < 2; shard++) {
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    processes.push(await startProcess(rest, options));
  }
  // ... every process: manager.sync(...), manager.edit(...)
  const results = await Promise.all(
    processes.map(({ manager }, shard) => manager.sync(`shard:${shard}`, channelId, { content: `Shard ${shard}: up` })),
  );
  for (const running of processes) await running.stop();

  const messages = sim.listMessages(channelId);
  await sim.close();
  return { outcomes: results.map((result) => result.outcome), messages };
}
