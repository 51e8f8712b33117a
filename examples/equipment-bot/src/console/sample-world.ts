/**
 * The sample world of `npm run bot -- --simulator` (and of the walkthrough): a DiscordSimulator with the guild
 * "Equipment Club" (#reservations, #general; members admin — an administrator —, alice and bob), sample tags,
 * items and locations, the bot started on it with a clock a person can move forward, and a {@link SimConsole}.
 * `/setup` is left to the person.
 *
 * @module
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { systemClock, type Clock } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { startBotApp, type BotApp } from '../app.js';
import { repositories } from '../db/repositories.js';
import { BOT_INTENTS } from '../discord/equipment-bot.js';
import type { Logger } from '../logger.js';
import { SimConsole } from './sim-console.js';

/** The sample items (tag null: untagged). */
export const SAMPLE_ITEMS: readonly { readonly name: string; readonly tag: string | null }[] = [
  { name: 'Laptop 1', tag: 'PCs' },
  { name: 'Laptop 2', tag: 'PCs' },
  { name: 'Quest 3', tag: 'VR' },
  { name: 'Tripod', tag: null },
];

/** The sample locations. */
export const SAMPLE_LOCATIONS: readonly string[] = ['Club room', 'Lab'];

/** How long the console waits after an answer for what the bot does next (re-rendering the channel), ms. */
const SETTLE_MS = 150;

/** A running sample world. */
export interface SampleWorld {
  readonly sim: DiscordSimulator;
  readonly app: BotApp;
  readonly console: SimConsole;
  /** The bot's time (real time plus what `wait` added), epoch ms. */
  now(): number;
  /** Stops the bot, then the simulator. */
  close(): Promise<void>;
}

/**
 * Starts the sample world.
 *
 * @param options - where the bot keeps its data, its logger, how long the console waits after an answer, the
 *   `/metrics` port
 * @returns the world
 */
export async function startSampleWorld(options: {
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly settleMs?: number;
  /** Serve `/metrics` for Prometheus on this port. @defaultValue not served */
  readonly metricsPort?: number;
}): Promise<SampleWorld> {
  const sim = await DiscordSimulator.start();
  try {
    const guild = sim.guilds.create({ name: 'Equipment Club' });
    const channel = guild.channels.create({ name: 'reservations' });
    const general = guild.channels.create({ name: 'general' });
    const admins = guild.roles.create({ name: 'Admins', permissions: ['ADMINISTRATOR'] });
    const members = [
      guild.members.create({ username: 'admin', roles: [admins] }),
      guild.members.create({ username: 'alice' }),
      guild.members.create({ username: 'bob' }),
    ];
    options.logger.info(`DiscordSimulator at ${sim.url} (gateway ${sim.gatewayUrl}); guild ${guild.id}`);
    const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(sim.token);
    const gateway = new WebSocketManager({ token: sim.token, intents: BOT_INTENTS, rest });
    // The bot's clock runs ahead of real time when the person types `wait` (timers stay real).
    let offset = 0;
    const clock: Clock = {
      now: () => Date.now() + offset,
      setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
      clearTimeout: (timer) => systemClock.clearTimeout(timer),
    };
    const app = await startBotApp({
      databaseUrl: options.databaseUrl,
      rest,
      gateway,
      applicationId: sim.applicationId(),
      logger: options.logger,
      clock,
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    });
    const repos = repositories(app.database.db, app.database.dialect);
    const now = clock.now();
    const tags = new Map<string, number>();
    for (const [index, name] of ['PCs', 'VR'].entries()) {
      tags.set(name, (await repos.tags.create(guild.id, name, now, index + 1)).id);
    }
    for (const item of SAMPLE_ITEMS) {
      const tagId = item.tag === null ? null : (tags.get(item.tag) ?? null);
      await repos.equipment.create({ guildId: guild.id, name: item.name, tagId }, now);
    }
    for (const name of SAMPLE_LOCATIONS) await repos.locations.create(guild.id, name, now);
    const settleMs = options.settleMs ?? SETTLE_MS;
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
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        await app.manager.onIdle();
      },
    });
    return {
      sim,
      app,
      console: terminal,
      now: () => clock.now(),
      close: async () => {
        await app.stop();
        await sim.close();
      },
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}
