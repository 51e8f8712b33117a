import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { InvalidArgumentError, MessageUpdateManager } from 'discord-update-manager';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
import { DiscordSimulator } from 'discord-update-manager/testing';

export async function main(folder = './data') {
  const sim = await new DiscordSimulator().start();
  const lending = sim.createChannel({ name: 'lending' }).id;
  const repairs = sim.createChannel({ name: 'repairs' }).id;
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  await mkdir(folder, { recursive: true }); // SQLite creates the file, not its folder
  const filename = join(folder, 'managed.db');

  // First run: one managed message per item, in the lending channel.
  let repository = new SqliteUpdateRepository({ filename });
  await repository.migrate();
  let manager = new MessageUpdateManager({ rest, repository });
  await manager.start();
  await manager.sync('equipment:1', lending, { content: 'Drill: available' }, { sortOrder: 1 });
  await manager.sync('equipment:2', lending, { content: 'Saw: lent to Ana' }, { sortOrder: 2 });
  await manager.sync('equipment:3', lending, { content: 'Ladder: available' }, { sortOrder: 3 });
  const drillId = manager.getManagedMessageId('equipment:1'); // its message id (undefined until created)
  await manager.stop();
  await repository.close();

  // Second run, same database: every key is still bound to its channel and message.
  repository = new SqliteUpdateRepository({ filename });
  await repository.migrate();
  manager = new MessageUpdateManager({ rest, repository });
  await manager.start();
  const items = new Map([
    ['equipment:1', 'Drill: lent to Bo'],
    ['equipment:2', 'Saw: broken'],
  ]);
  // Reconcile: delete the messages of items that are gone (the ladder), update the others.
  for (const { key } of manager.getManagedMessages()) {
    if (!items.has(key)) await manager.deleteManaged(key); // deletes the message and forgets the key
  }
  await manager.sync('equipment:1', lending, { content: items.get('equipment:1')! });

  // A key stays in its channel: syncing it to another one throws, in this run as after a restart.
  let refused = '';
  try {
    manager.sync('equipment:2', repairs, { content: items.get('equipment:2')! });
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    refused = error.message; // '... the channel managed key "equipment:2" is bound to (...); deleteManaged(key) first ...'
  }
  // To move it: delete it where it is, then sync it in the new channel (it is created there).
  await manager.deleteManaged('equipment:2');
  await manager.sync('equipment:2', repairs, { content: items.get('equipment:2')! }, { sortOrder: 2 });

  const managed = manager.getManagedMessages(); // [{ key, channelId, messageId, sortOrder }, ...]
  await manager.stop();
  await repository.close();
  const shown = { lending: sim.listMessages(lending), repairs: sim.listMessages(repairs) };
  await sim.close();
  return { drillId, refused, managed, shown };
}
