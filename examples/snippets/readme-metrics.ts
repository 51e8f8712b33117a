import { REST } from '@discordjs/rest';
import { InMemoryMetricsCollector, MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';

export async function main() {
  const sim = await new DiscordSimulator().start();
  const channelId = sim.createChannel({ name: 'status' }).id;
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken('simulator-token');

  const metrics = new InMemoryMetricsCollector();
  const manager = new MessageUpdateManager({ rest, metrics });
  await manager.start();
  const handles = [];
  for (let online = 1; online <= 10; online++) {
    handles.push(manager.sync('status', channelId, { content: `Servers: ${online}/10 online` }));
  }
  await Promise.all(handles);
  const snapshot = metrics.getMetrics();
  // { messagesUpdated, averageUpdateTimeMs, p50UpdateTimeMs, p95UpdateTimeMs, p99UpdateTimeMs, queueSize, inFlight,
  //   coalesced, skipped, cancelled, expired, retries, rateLimitHits, rateLimitHitsByScope, failedUpdates, apiCalls,
  //   invalidRequestBudgetRemaining, currentBackoffMs, globalLimit, globalLimitChanges }
  console.log(`${snapshot.apiCalls} API calls for 10 updates, ${snapshot.coalesced} coalesced`);
  await manager.stop();
  await sim.close();
  return snapshot;
}
