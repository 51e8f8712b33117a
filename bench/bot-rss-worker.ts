/**
 * The bot process of the bot bench's memory run (bench/bot-queries.ts): starts the real equipment bot
 * (`startBotApp`, SQLite in a temporary folder, deleted at the end) against the DiscordSimulator of the bench
 * process, seeds N items, sets the reservation channel, renders it and waits until the manager is idle, sampling
 * `process.memoryUsage()` on the way (after a forced GC where it says so; run it with `--expose-gc`).
 *
 * Env: BOT_RSS_SIM_URL, BOT_RSS_TOKEN, BOT_RSS_APPLICATION_ID, BOT_RSS_GUILD_ID, BOT_RSS_CHANNEL_ID, BOT_RSS_ITEMS.
 *
 * Protocol (stdout, one line each): `progress <text>` while it works, then `result <json>` (a {@link BotRssReport});
 * exit code 0. Errors go to stderr with a non-zero exit code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { startBotApp, type BotApp } from '../examples/equipment-bot/src/app.js';
import { repositories } from '../examples/equipment-bot/src/db/repositories.js';
import { BOT_INTENTS } from '../examples/equipment-bot/src/discord/equipment-bot.js';
import { silentLogger } from '../examples/equipment-bot/src/logger.js';
import { seedBotData } from './bot-queries.js';

/** One memory sample of the bot process, bytes. */
export interface BotMemorySample {
  readonly label: string;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** What the worker reports. */
export interface BotRssReport {
  readonly items: number;
  readonly reservations: number;
  readonly samples: readonly BotMemorySample[];
  /** Peak resident set of the process, bytes (`process.resourceUsage().maxRSS`). */
  readonly maxRss: number;
  /** From `render` to `onIdle()`, ms. */
  readonly renderMs: number;
  /** `display.plan` alone (the two queries and the renders), measured once before the render, ms. */
  readonly planMs: number;
  readonly managedMessages: number;
  readonly gcExposed: boolean;
  readonly node: string;
}

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`bot-rss worker: ${name} is not set`);
  return value;
};
const print = (line: string): void => void process.stdout.write(`${line}\n`);

const gc = (globalThis as { gc?: () => void }).gc;
const samples: BotMemorySample[] = [];
function sample(label: string, collect: boolean): void {
  if (collect && gc) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  samples.push({
    label,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
  });
}

async function main(): Promise<void> {
  const guildId = required('BOT_RSS_GUILD_ID');
  const channelId = required('BOT_RSS_CHANNEL_ID');
  const items = Number(required('BOT_RSS_ITEMS'));
  const token = required('BOT_RSS_TOKEN');
  const folder = await mkdtemp(join(tmpdir(), 'dum-bench-bot-rss-'));
  let app: BotApp | undefined;
  try {
    sample('loaded, before start (GC)', true);
    const rest = new REST({ api: required('BOT_RSS_SIM_URL'), retries: 0, offset: 0 }).setToken(token);
    const gateway = new WebSocketManager({ token, intents: BOT_INTENTS, rest });
    app = await startBotApp({
      databaseUrl: `sqlite:${join(folder, 'bot.db')}`,
      rest,
      gateway,
      applicationId: required('BOT_RSS_APPLICATION_ID'),
      logger: silentLogger,
      env: {},
    });
    sample('started, no item (GC)', true);
    const now = Math.floor(Date.now());
    const seeded = await seedBotData(app.database, [guildId], items, now);
    await repositories(app.database.db, app.database.dialect).guildSettings.setReservationChannel(
      guildId,
      channelId,
      now,
    );
    sample(`${items} items seeded (GC)`, true);
    print(`progress ${items} items seeded, rendering ...`);

    let started = performance.now();
    await app.bot.display.plan(guildId);
    const planMs = performance.now() - started;

    started = performance.now();
    await Promise.all(await app.bot.display.render(guildId, channelId, { kind: 'structure' }));
    await app.manager.onIdle();
    const renderMs = performance.now() - started;
    sample('rendered, idle', false);
    sample('rendered, idle, after GC', true);
    const report: BotRssReport = {
      items,
      reservations: seeded.reservations,
      samples,
      maxRss: process.resourceUsage().maxRSS * 1024,
      renderMs,
      planMs,
      managedMessages: app.manager.getStats().managedMessages,
      gcExposed: gc !== undefined,
      node: process.version,
    };
    print(`result ${JSON.stringify(report)}`);
  } finally {
    await app?.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bot-rss worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
