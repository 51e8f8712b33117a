/**
 * Starts the equipment-lending bot: `npm run bot` against Discord (`DISCORD_TOKEN`), or `npm run bot -- --simulator`
 * against a local DiscordSimulator with a sample guild, no token needed.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import type { APIApplication } from 'discord-api-types/v10';
import { createInterface } from 'node:readline';
import { startBotApp, type BotApp } from './app.js';
import { loadConfig } from './config.js';
import { SAMPLE_ITEMS, startSampleWorld } from './console/sample-world.js';
import { BOT_INTENTS } from './discord/equipment-bot.js';
import { consoleLogger, type Logger } from './logger.js';

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
    ? await startOnSimulator(
        process.env['DATABASE_URL'] ? config.databaseUrl : 'sqlite::memory:',
        logger,
        config.metricsPort,
      )
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
  return startBotApp({
    databaseUrl: config.databaseUrl,
    rest,
    gateway,
    applicationId,
    logger,
    sessionStore: config.sessionStore,
    ...(config.metricsPort === undefined ? {} : { metricsPort: config.metricsPort }),
  });
}

/**
 * Starts the sample world (a simulator with a sample guild, the bot on it).
 *
 * @returns the app, and `attach` to start the console on stdin / stdout
 */
async function startOnSimulator(
  databaseUrl: string,
  logger: Logger,
  metricsPort: number | undefined,
): Promise<{ app: BotApp; attach: () => void }> {
  const world = await startSampleWorld({
    databaseUrl,
    logger,
    ...(metricsPort === undefined ? {} : { metricsPort }),
  });
  const terminal = world.console;
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
  return { app: { ...world.app, stop: () => world.close() }, attach };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
