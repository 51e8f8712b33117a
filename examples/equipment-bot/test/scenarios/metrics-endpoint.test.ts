import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotWorld } from '../support/bot-world.js';

/** The samples of a Prometheus text exposition: `name{labels} value` lines, comments left out. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

describe('the bot’s /metrics endpoint (METRICS_PORT)', () => {
  let world: BotWorld;

  beforeEach(async () => {
    world = await BotWorld.create('sqlite', { metricsPort: 0 });
    await world.start();
  });

  afterEach(async () => {
    await world.close();
  });

  it('serves the manager’s metrics in the Prometheus text format over HTTP, and 404 elsewhere', async () => {
    const now = world.now();
    await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill' }, now);
    await world.setUp();
    const url = world.app.metricsUrl!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const scraped = samples(await response.text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      scraped
        .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
        .reduce((sum, sample) => sum + sample.value, 0);
    // The header and the item: two messages created, each one request to the messages routes.
    expect(value('discord_update_manager_updates_total', { outcome: 'sent', kind: 'create' })).toBe(2);
    expect(
      value('discord_update_manager_requests_total', { method: 'POST', route_family: 'messages', status: '200' }),
    ).toBe(2);
    expect(value('discord_update_manager_update_latency_seconds_count')).toBe(2);
    expect(value('discord_update_manager_queue_size')).toBe(0);
    expect(value('discord_update_manager_rate_limits_total')).toBe(0);
    // The in-memory collector beside it still answers (it feeds the performance_metrics snapshots).
    expect(world.app.manager.metrics.getMetrics().messagesUpdated).toBe(2);
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
  });
});
