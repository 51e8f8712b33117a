/**
 * Starts the equipment-lending bot: `npm run bot` against Discord (`DISCORD_TOKEN`), or `npm run bot -- --simulator`
 * against a local DiscordSimulator with a sample guild, no token needed.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import type { APIApplication } from 'discord-api-types/v10';
import { createInterface } from 'node:readline';
import { systemClock, type Clock } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { startBotApp, type BotApp } from './app.js';
import { loadConfig } from './config.js';
import { SimConsole } from './console/sim-console.js';
import { repositories } from './db/repositories.js';
import { BOT_INTENTS } from './discord/equipment-bot.js';
import { consoleLogger, type Logger } from './logger.js';

/** How long the console waits after an answer for what the bot does next (re-rendering the channel), ms. */
const SETTLE_MS = 150;

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
  const { app, attach } = simulator
    ? await startOnSimulator(process.env['DATABASE_URL'] ? config.databaseUrl : 'sqlite::memory:', logger)
    : { app: await startOnDiscord(config, logger), attach: undefined };
  logger.info('the bot is running; Ctrl+C stops it');
  attach?.();
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

/**
 * Starts a simulator with a sample guild and the bot on it.
 *
 * @returns the app, and `attach` to start the console on stdin / stdout
 */
async function startOnSimulator(databaseUrl: string, logger: Logger): Promise<{ app: BotApp; attach: () => void }> {
  const sim = await DiscordSimulator.start();
  const guild = sim.guilds.create({ name: 'Equipment Club' });
  const channel = guild.channels.create({ name: 'reservations' });
  const general = guild.channels.create({ name: 'general' });
  const admins = guild.roles.create({ name: 'Admins', permissions: ['ADMINISTRATOR'] });
  const members = [
    guild.members.create({ username: 'admin', roles: [admins] }),
    guild.members.create({ username: 'alice' }),
    guild.members.create({ username: 'bob' }),
  ];
  logger.info(`DiscordSimulator at ${sim.url} (gateway ${sim.gatewayUrl}); guild ${guild.id}, channel ${channel.id}`);
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(sim.token);
  const gateway = new WebSocketManager({ token: sim.token, intents: BOT_INTENTS, rest });
  // The bot's clock runs ahead of real time when the person types `wait` (timers stay real).
  let offset = 0;
  const clock: Clock = {
    now: () => Date.now() + offset,
    setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
    clearTimeout: (timer) => systemClock.clearTimeout(timer),
  };
  const app = await startBotApp({ databaseUrl, rest, gateway, applicationId: sim.applicationId(), logger, clock });
  // The simulator is new at each run: its guild gets sample tags, items and locations; /setup is the person's.
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
  for (const name of ['Club room', 'Lab']) await repos.locations.create(guild.id, name, now);
  const terminal = new SimConsole({
    guild,
    channels: [channel, general],
    members,
    advance: async (ms) => {
      offset += ms;
      await app.jobs.runDue();
    },
    // What a click set off (the bot renders after it answered): a moment, then until the manager has sent it all.
    settle: async () => {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      await app.manager.onIdle();
    },
  });
  const stop = app.stop;
  const attach = (): void => {
    process.stdout.write(
      `\nThe bot is running on a simulated Discord: guild "Equipment Club", channels #reservations and #general, ` +
        `members admin (an administrator), alice and bob; ${SAMPLE_ITEMS.length} items are registered.\n` +
        'You are admin. Start with `/setup #reservations`, then `click Confirm`, `click Skip`, `click Complete`, ' +
        'and `show` the channel. `help` lists the commands; Ctrl+D or `quit` stops.\n\n',
    );
    const lines = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
    const prompt = (): void => void process.stdout.write(`${terminal.user.username}> `);
    prompt();
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      queue = queue.then(async () => {
        if (line.trim() === 'quit') return void lines.close();
        process.stdout.write(`${await terminal.execute(line)}\n`);
        prompt();
      });
    });
    // Ctrl+D, `quit` or the end of piped input: stop as Ctrl+C does.
    lines.on('close', () => void queue.then(() => process.kill(process.pid, 'SIGINT')));
  };
  return { app: { ...app, stop: async () => (await stop(), await sim.close()) }, attach };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
