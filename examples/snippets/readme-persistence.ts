import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite'; // npm install better-sqlite3@12
// or: import { PostgresUpdateRepository } from 'discord-update-manager/postgres'; // npm install pg
import { DiscordSimulator } from 'discord-update-manager/testing';

export async function main(folder = './data') {
  const sim = await new DiscordSimulator().start();
  const channelId = sim.createChannel({ name: 'board' }).id;
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');

  await mkdir(folder, { recursive: true }); // SQLite creates the file, not its folder
  const repository = new SqliteUpdateRepository({ filename: join(folder, 'updates.db') }); // or { database }
  // const repository = new PostgresUpdateRepository({ connectionString, schema: 'my_bot' }); // or { pool }
  await repository.migrate();
  const manager = new MessageUpdateManager({ rest, repository });
  await manager.start();
  const handle = manager.sync('board', channelId, { content: 'Open: 3 tickets' });
  await handle.accepted; // committed
  const { outcome } = await handle;
  await manager.stop();
  await repository.close(); // closes only what it opened

  const messages = sim.listMessages(channelId);
  await sim.close();
  return { outcome, messages };
}
