import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { expect, it, onTestFinished } from 'vitest';

// Your bot's code: here, a status board it keeps up to date.
async function reportServers(rest: REST, channelId: string): Promise<string> {
  const manager = new MessageUpdateManager({ rest });
  await manager.start();
  for (let online = 1; online <= 20; online++) manager.sync('servers', channelId, { content: `${online}/20 online` });
  await manager.stop({ drain: true });
  return manager.getManagedMessageId('servers')!;
}

it('shows the last count, in fewer writes than updates, without a 429', async () => {
  const sim = await new DiscordSimulator({ timeScale: 0.1 }).start(); // 5 edits per 500 ms per channel
  onTestFinished(() => sim.close());
  // The quick start's options (see below): the manager retries and paces requests itself.
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  const channel = sim.createChannel({ name: 'equipment' });

  const messageId = await reportServers(rest, channel.id);

  expect(sim.getMessage(channel.id, messageId)?.content).toBe('20/20 online'); // final state
  const writes = sim.getWrites({ channelId: channel.id }); // every create/edit/delete, in order
  expect(writes.length).toBeLessThan(20);
  expect(sim.getStats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 }); // also requests, invalid requests, bans
});
