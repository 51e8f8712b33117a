import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { expect, it, onTestFinished } from 'vitest';

// Your bot's code: one managed message per item.
async function postEquipment(rest: REST, channelId: string, items: string[]): Promise<void> {
  const manager = new MessageUpdateManager({ rest });
  await manager.start();
  for (const [index, name] of items.entries()) manager.sync(`item:${index}`, channelId, { content: name });
  await manager.stop({ drain: true });
}

it('posts one message per item without a 429', async () => {
  const sim = await new DiscordSimulator({ timeScale: 0.1 }).start(); // every window ×0.1: 5 edits per 500 ms
  onTestFinished(() => sim.close());
  // The quick start's options: the manager retries and paces requests itself.
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  const channel = sim.createChannel({ name: 'equipment' });
  // run your bot's code with `rest` and `channel.id`
  await postEquipment(rest, channel.id, ['Drill', 'Saw', 'Ladder']);
  expect(sim.listMessages(channel.id)).toHaveLength(3);
  expect(sim.getStats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
});
