// The README's quick start as a runnable file: `npx tsx examples/basic/index.ts`.
// With DISCORD_TOKEN and CHANNEL_ID set it talks to Discord; without, to a local DiscordSimulator (offline).
import { REST } from '@discordjs/rest';
import { MessageUpdateManager, UpdatePriority } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';

const token = process.env.DISCORD_TOKEN;
const sim = token ? undefined : await new DiscordSimulator().start();
const rest = new REST({ retries: 0, offset: 0, ...(sim ? { api: sim.url } : {}) }).setToken(token ?? 'simulator-token');
const channelId = process.env.CHANNEL_ID ?? sim!.createChannel({ name: 'status' }).id;

const manager = new MessageUpdateManager({ rest });
await manager.start();

// A managed message: created the first time, edited afterwards.
const first = await manager.sync('status-board', channelId, { content: 'Servers: checking...' });
console.log(`created message ${first.messageId}`);

// A burst of updates: queued edits merge, only the newest body is sent.
const handles = [];
for (let i = 1; i <= 20; i++) {
  handles.push(manager.sync('status-board', channelId, { content: `Servers: ${i}/20 online` }));
}
handles.push(
  manager.sync('status-board', channelId, { content: 'Servers: all online' }, { priority: UpdatePriority.High }),
);
const outcomes = (await Promise.all(handles)).map((result) => result.outcome);
console.log(
  `21 updates -> ${outcomes.filter((o) => o === 'sent').length} sent, ${outcomes.filter((o) => o === 'coalesced').length} coalesced`,
);

await manager.stop({ drain: true });
const { apiCalls, coalesced, averageUpdateTimeMs } = manager.metrics.getMetrics();
console.log(
  `API calls: ${apiCalls}, coalesced: ${coalesced}, average update time: ${averageUpdateTimeMs.toFixed(1)} ms`,
);
if (sim) {
  console.log('simulator shows:', sim.getMessage(channelId, first.messageId!)?.content);
  await sim.close();
}
