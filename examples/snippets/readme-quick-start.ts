import { REST } from '@discordjs/rest';
import { MessageUpdateManager, UpdatePriority } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';

export async function main() {
  // Offline: a DiscordSimulator stands in for Discord. Against Discord itself, drop `sim` and the `api` option,
  // use your bot's token (`.setToken(process.env.DISCORD_TOKEN!)`) and the id of one of your channels.
  const sim = await new DiscordSimulator().start();
  const channelId = sim.createChannel({ name: 'equipment' }).id;

  // retries: 0 and offset: 0 because the manager retries with backoff and paces requests itself.
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  const manager = new MessageUpdateManager({ rest });
  await manager.start();

  // create(channelId, body, options?) returns a handle; its result carries the new message's id.
  // (A message your bot posted earlier works as well: pass its id.)
  const created = await manager.create(channelId, { content: 'Equipment' });
  const messageId = created.messageId!;

  // Edit a message as often as you like: queued edits merge, only the newest body is sent.
  const embed = { title: 'Drill', description: 'Lent to Ana until Friday' };
  const handle = manager.edit(channelId, messageId, { embeds: [embed] }, { priority: UpdatePriority.High });
  await handle.accepted; // stored
  const { outcome } = await handle; // 'sent' | 'coalesced' | 'skipped' | 'cancelled' | 'expired'

  // Managed messages: created the first time, edited afterwards, re-created if someone deletes them.
  const item = { id: 42, name: 'Ladder', holder: 'Bo' };
  const render = (x: typeof item) => ({ title: x.name, description: `Lent to ${x.holder}` });
  await manager.sync(`equipment:${item.id}`, channelId, { embeds: [render(item)] });

  console.log(manager.getStats()); // { queueSize, inFlight, currentBackoffMs, buckets, ... }
  await manager.stop({ drain: true }); // a second stop() (another shutdown hook) joins this one

  const messages = sim.listMessages(channelId); // what the channel shows now
  await sim.close();
  return { outcome, messageId, messages };
}
