import { MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator, FakeClock, SimulatorTransport } from 'discord-update-manager/testing';
import { expect, it } from 'vitest';

it('sends the sixth edit of a channel when its 5 s window resets', async () => {
  const clock = new FakeClock();
  const sim = new DiscordSimulator({ clock }); // Discord's real windows: 5 edits per 5 s per channel
  const channelId = sim.createChannel({ name: 'equipment' }).id;
  const messageIds = [1, 2, 3, 4, 5, 6].map((n) => sim.seedMessage(channelId, { content: `item ${n}` }).id);
  const manager = new MessageUpdateManager({ transport: new SimulatorTransport(sim), clock });
  await manager.start();
  for (const messageId of messageIds) manager.edit(channelId, messageId, { content: 'returned' });

  await clock.advance(4999); // time moves only when you say so
  expect(sim.getWrites({ channelId }).filter((write) => write.kind === 'edit')).toHaveLength(5);
  await clock.advance(1);
  expect(sim.listMessages(channelId).map((message) => message.content)).toEqual(Array(6).fill('returned'));
  await manager.stop();
});
