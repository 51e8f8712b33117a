import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite'; // npm install better-sqlite3@12
import { DiscordSimulator } from 'discord-update-manager/testing';

export async function main(folder = './data') {
  const sim = await new DiscordSimulator().start();
  const channelId = sim.createChannel({ name: 'equipment' }).id;
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  await mkdir(folder, { recursive: true }); // SQLite creates the file, not its folder
  const filename = join(folder, 'updates.db');
  const id = 7;
  const embed = { title: 'Drill', description: 'Lent to Ana' };

  // A process that stores an update and dies before sending it (this one is never even started).
  const crashed = new SqliteUpdateRepository({ filename });
  await crashed.migrate();
  const doomed = new MessageUpdateManager({ rest, repository: crashed });
  const handle = doomed.sync(`equipment:${id}`, channelId, { embeds: [embed] });
  await handle.accepted; // committed: survives a crash from here on
  await crashed.close(); // the crash: no stop(), nothing sent

  // The next process.
  const repository = new SqliteUpdateRepository({ filename });
  await repository.migrate();
  const manager = new MessageUpdateManager({ rest, repository });
  await manager.start(); // loads managed messages and what an earlier run left in the outbox
  await manager.onIdle(); // the stored update has been sent
  const messageId = manager.getManagedMessageId(`equipment:${id}`);
  await manager.stop();
  await repository.close();

  const messages = sim.listMessages(channelId);
  await sim.close();
  return { messageId, messages };
}
