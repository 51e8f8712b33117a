/**
 * Starts the equipment-lending bot: `npm run bot` against Discord (`DISCORD_TOKEN`), or `npm run bot -- --simulator`
 * against a local DiscordSimulator with a sample guild, no token needed.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import type { APIApplication } from 'discord-api-types/v10';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { startBotApp, type BotApp } from './app.js';
import { loadConfig } from './config.js';
import { repositories } from './db/repositories.js';
import { BOT_INTENTS } from './discord/equipment-bot.js';
import { consoleLogger, type Logger } from './logger.js';

const SAMPLE_ITEMS: readonly { readonly name: string; readonly tag: string | null }[] = [
  { name: 'Laptop 1', tag: 'PCs' },
  { name: 'Laptop 2', tag: 'PCs' },
  { name: 'Quest 3', tag: 'VR' },
  { name: 'Tripod', tag: null },
];

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = consoleLogger(config.logLevel);
  const simulator = process.argv.includes('--simulator');
  if (!simulator && config.token === undefined) {
    throw new Error(
      'DISCORD_TOKEN is not set: put the bot token in the environment (see examples/equipment-bot/.env.example), or run `npm run bot -- --simulator` to try the bot offline.',
    );
  }
  // The simulator is new at each run (new guild and channel ids): its data lives in memory unless DATABASE_URL is set.
  const app = simulator
    ? await startOnSimulator(process.env['DATABASE_URL'] ? config.databaseUrl : 'sqlite::memory:', logger)
    : await startOnDiscord(config, logger);
  logger.info('the bot is running; Ctrl+C stops it');
  const stop = (): void => {
    logger.info('stopping…');
    void app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function startOnDiscord(config: ReturnType<typeof loadConfig>, logger: Logger): Promise<BotApp> {
  const rest = new REST().setToken(config.token!);
  const applicationId = config.applicationId ?? ((await rest.get('/applications/@me')) as APIApplication).id;
  const gateway = new WebSocketManager({ token: config.token!, intents: BOT_INTENTS, rest });
  return startBotApp({ databaseUrl: config.databaseUrl, rest, gateway, applicationId, logger });
}

async function startOnSimulator(databaseUrl: string, logger: Logger): Promise<BotApp> {
  const sim = await DiscordSimulator.start();
  const guild = sim.guilds.create({ name: 'Equipment Club' });
  const channel = guild.channels.create({ name: 'reservations' });
  logger.info(`DiscordSimulator at ${sim.url} (gateway ${sim.gatewayUrl}); guild ${guild.id}, channel ${channel.id}`);
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(sim.token);
  const gateway = new WebSocketManager({ token: sim.token, intents: BOT_INTENTS, rest });
  const app = await startBotApp({ databaseUrl, rest, gateway, applicationId: sim.applicationId(), logger });
  // The simulator is new at each run: its guild gets the sample items and becomes the display's guild.
  const repos = repositories(app.database.db, app.database.dialect);
  const now = Date.now();
  const tags = new Map<string, number>();
  for (const [index, name] of ['PCs', 'VR'].entries()) {
    tags.set(name, (await repos.tags.create(guild.id, name, now, index + 1)).id);
  }
  for (const item of SAMPLE_ITEMS) {
    await repos.equipment.create(
      { guildId: guild.id, name: item.name, tagId: item.tag === null ? null : tags.get(item.tag)! },
      now,
    );
  }
  await repos.guildSettings.setReservationChannel(guild.id, channel.id, now);
  await Promise.all(await app.bot.display.render(guild.id, channel.id, { kind: 'structure' }));
  await app.manager.onIdle();
  for (const message of sim.listMessages(channel.id)) {
    logger.info(`  ${String((message.embeds[0] as { title?: string } | undefined)?.title)}`);
  }
  const stop = app.stop;
  return { ...app, stop: async () => (await stop(), await sim.close()) };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
