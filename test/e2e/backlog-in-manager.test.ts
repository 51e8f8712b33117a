import { REST } from '@discordjs/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager } from '../../src/index.js';
import { DiscordSimulator } from '../../src/testing/index.js';

const sims: DiscordSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function world() {
  // Discord's presets scaled ×0.1: 5 creates/edits per 500 ms per channel.
  const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 1 }).start();
  sims.push(sim);
  const channel = sim.createChannel({ name: 'board' });
  const message = sim.seedMessage(channel.id, { content: 'v0' });
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
  return { sim, channelId: channel.id, messageId: message.id, rest };
}

async function burst(send: (version: number) => unknown): Promise<void> {
  // 100 updates of one message over ~1 s: 10 every 100 ms.
  for (let round = 0; round < 10; round++) {
    for (let i = 1; i <= 10; i++) send(round * 10 + i);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('MessageUpdateManager with @discordjs/rest against the DiscordSimulator', () => {
  it('keeps the backlog itself: Discord receives a handful of requests, not every stale version', async () => {
    const { sim, channelId, messageId, rest } = await world();
    const manager = new MessageUpdateManager({ rest });
    await manager.start();
    const handles: PromiseLike<unknown>[] = [];
    await burst((version) => handles.push(manager.edit(channelId, messageId, { content: `v${version}` })));
    await Promise.all(handles);
    await manager.stop();

    const writes = sim.getWrites({ messageId });
    expect(sim.getMessage(channelId, messageId)?.content).toBe('v100');
    // ~1.1 s at 5 requests per 500 ms allows at most ~15; every one of them carried the newest body at send time.
    expect(writes.length).toBeLessThanOrEqual(16);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(sim.getStats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    const versions = writes.map((write) => Number((write.body as { content: string }).content.slice(1)));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions); // never goes back to an older version
  });

  it('compared with REST alone, whose queue sends all 100 versions one after another', async () => {
    const { sim, channelId, messageId, rest } = await world();
    const requests: Promise<unknown>[] = [];
    await burst((version) =>
      requests.push(rest.patch(`/channels/${channelId}/messages/${messageId}`, { body: { content: `v${version}` } })),
    );
    await Promise.all(requests);
    expect(sim.getWrites({ messageId })).toHaveLength(100);
    expect(sim.getMessage(channelId, messageId)?.content).toBe('v100');
  }, 30_000);
});
