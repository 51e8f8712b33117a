import { REST } from '@discordjs/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager, RetriesExhaustedError } from '../../src/index.js';
import { DiscordSimulator } from '../../src/testing/index.js';

const sims: DiscordSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function world(seed: number) {
  const sim = await new DiscordSimulator({ timeScale: 0.1, seed }).start();
  sims.push(sim);
  const channel = sim.createChannel({ name: 'faults' });
  const messages = Array.from({ length: 5 }, (_, i) => sim.seedMessage(channel.id, { content: `m${i} v0` }).id);
  return { sim, channelId: channel.id, messages };
}

describe('MessageUpdateManager under injected faults (REST over HTTP)', () => {
  it('retries 5xx and connection resets until every message shows its last version', async () => {
    const { sim, channelId, messages } = await world(11);
    sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', {
      errorRate: 0.3,
      errorStatus: 502,
      resetRate: 0.15,
    });
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');
    const manager = new MessageUpdateManager({
      rest,
      config: { baseBackoffMs: 10, maxBackoffMs: 100, maxRetries: 20 },
    });
    const retried: number[] = [];
    manager.on('updateRetried', (event) => retried.push(event.attempt));
    await manager.start();
    const handles = [];
    for (let version = 1; version <= 6; version++) {
      for (const [i, messageId] of messages.entries()) {
        handles.push(manager.edit(channelId, messageId, { content: `m${i} v${version}` }));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const results = await Promise.all(handles);
    await manager.stop();
    expect(results.filter((r) => r.outcome !== 'sent' && r.outcome !== 'coalesced')).toEqual([]);
    for (const [i, messageId] of messages.entries()) {
      expect(sim.getMessage(channelId, messageId)?.content).toBe(`m${i} v6`);
    }
    expect(retried.length).toBeGreaterThan(0);
    expect(manager.metrics.getMetrics().retries).toBe(retried.length);
    expect(sim.getStats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
  });

  it('recovers from "commit then time out": the retry carries the newest body and nothing regresses', async () => {
    const { sim, channelId, messages } = await world(12);
    const messageId = messages[0]!;
    sim.setFaults('PATCH /channels/:channel_id/messages/:message_id', { commitThenTimeoutMs: 400 });
    const rest = new REST({ api: sim.url, retries: 0, offset: 0, timeout: 100 }).setToken('simulator-token');
    const manager = new MessageUpdateManager({ rest, config: { baseBackoffMs: 10, maxBackoffMs: 20, maxRetries: 2 } });
    await manager.start();
    const first = manager.edit(channelId, messageId, { content: 'v1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = manager.edit(channelId, messageId, { content: 'v2' });
    // Every attempt is applied but never answered in time: the update fails after its retries, typed, with a cause.
    const error = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).cause).toBeDefined();
    await second.then(
      () => undefined,
      () => undefined,
    );
    await manager.stop();
    const versions = sim.getWrites({ messageId }).map((write) => (write.body as { content: string }).content);
    expect(versions[0]).toBe('v1');
    expect(versions.at(-1)).toBe('v2'); // the retry picked up the newer body
    expect(versions.indexOf('v1', versions.indexOf('v2'))).toBe(-1); // never back to v1 after v2
    expect(sim.getMessage(channelId, messageId)?.content).toBe('v2');
  });
});
