import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { WebSocketManager, type SessionInfo } from '@discordjs/ws';
import pg from 'pg';
import {
  DiscordSimulator,
  type SimulatedGuild,
  type SimulatedGuildChannel,
  type SimulatedUser,
} from 'discord-update-manager/testing';
import { systemClock, type Clock } from 'discord-update-manager';
import { startBotApp, type BotApp } from '../../src/app.js';
import { repositories, type Repositories } from '../../src/db/repositories.js';
import { BOT_INTENTS } from '../../src/discord/equipment-bot.js';
import type { Reservation, Snowflake } from '../../src/domain/model.js';
import { createReservation } from '../../src/domain/services/reservations.js';
import { scheduleReservationJobs } from '../../src/jobs/reservation-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { SessionStoreKind } from '../../src/config.js';

/** The dialects every bot suite runs on. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** Each dialect with wizard state in memory and in the database (for the suites that exercise sessions most). */
export const SESSION_VARIANTS: readonly { readonly dialect: Dialect; readonly sessionStore: SessionStoreKind }[] =
  DIALECTS.flatMap((dialect) => (['memory', 'database'] as const).map((sessionStore) => ({ dialect, sessionStore })));

const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A simulated Discord with a guild ("Club"), its reservation channel and another channel, two members, and a place
 * for the bot's data (a SQLite file in a temporary folder, or a Postgres schema of its own); `start()` starts the
 * real bot against them, `restart()` stops it and starts it again on the same data.
 */
export class BotWorld {
  public readonly sim: DiscordSimulator;
  public readonly guild: SimulatedGuild;
  public readonly channel: SimulatedGuildChannel;
  public readonly general: SimulatedGuildChannel;
  public readonly alice: SimulatedUser;
  public readonly bob: SimulatedUser;
  public readonly databaseUrl: string;
  /** How far the bot's clock runs ahead of real time, ms: `advance()` moves it (timers stay real). */
  #offset = 0;
  /** The bot's clock: real time plus the offset. */
  public readonly clock: Clock = {
    now: () => Date.now() + this.#offset,
    setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
    clearTimeout: (timer) => systemClock.clearTimeout(timer),
  };
  readonly #cleanup: () => Promise<void>;
  #app: BotApp | undefined;

  private constructor(sim: DiscordSimulator, databaseUrl: string, cleanup: () => Promise<void>) {
    this.sim = sim;
    this.databaseUrl = databaseUrl;
    this.#cleanup = cleanup;
    this.guild = sim.guilds.create({ name: 'Club' });
    this.channel = this.guild.channels.create({ name: 'reservations' });
    this.general = this.guild.channels.create({ name: 'general' });
    this.alice = this.guild.members.create({ username: 'alice' });
    this.bob = this.guild.members.create({ username: 'bob' });
  }

  /**
   * A new world (the bot not started).
   *
   * @param dialect - where the bot keeps its data
   * @param options - where it keeps wizard state (default in memory); the `/metrics` port (default none)
   * @returns the world
   */
  public static async create(
    dialect: Dialect,
    options: { readonly sessionStore?: SessionStoreKind; readonly metricsPort?: number } = {},
  ): Promise<BotWorld> {
    const world = await BotWorld.#make(dialect);
    world.#sessionStore = options.sessionStore ?? 'memory';
    world.#metricsPort = options.metricsPort;
    return world;
  }

  /** Where the bot serves `/metrics` (`METRICS_PORT`), if at all. */
  #metricsPort: number | undefined;

  /** Where the bot keeps wizard state (`SESSION_STORE`). */
  #sessionStore: SessionStoreKind = 'memory';

  static async #make(dialect: Dialect): Promise<BotWorld> {
    const sim = await DiscordSimulator.start({ timeScale: 0.05 });
    if (dialect === 'sqlite') {
      const folder = await mkdtemp(join(tmpdir(), 'equipment-bot-'));
      return new BotWorld(sim, `sqlite:${join(folder, 'bot.db')}`, () => rm(folder, { recursive: true, force: true }));
    }
    const schema = `bot_${randomBytes(6).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end();
      throw new Error(
        `PostgreSQL is not reachable at ${POSTGRES_URL} (${String(error)}): start it, or set POSTGRES_URL, to run the bot's Postgres suite.`,
      );
    }
    return new BotWorld(sim, `${POSTGRES_URL}?schema=${schema}`, async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    });
  }

  /** The running bot. */
  public get app(): BotApp {
    if (!this.#app) throw new Error('The bot is not running: await world.start() first.');
    return this.#app;
  }

  /** The bot's repositories, over its database (to arrange data the way an admin flow would). */
  public get repos(): Repositories {
    return repositories(this.app.database.db, this.app.database.dialect);
  }

  /**
   * Starts the bot: database, migrations, manager, gateway, slash commands, reconcile.
   *
   * @returns the app
   */
  public async start(): Promise<BotApp> {
    const rest = new REST({ api: this.sim.url, retries: 0, offset: 0 }).setToken(this.sim.token);
    // Its own session store: @discordjs/ws's default one is shared by every manager of the process.
    const sessions = new Map<number, SessionInfo | null>();
    const gateway = new WebSocketManager({
      token: this.sim.token,
      intents: BOT_INTENTS,
      rest,
      retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
      updateSessionInfo: (shardId, info) => void sessions.set(shardId, info),
    });
    this.#app = await startBotApp({
      databaseUrl: this.databaseUrl,
      rest,
      gateway,
      applicationId: this.sim.applicationId(),
      logger: silentLogger,
      env: {},
      sessionStore: this.#sessionStore,
      ...(this.#metricsPort === undefined ? {} : { metricsPort: this.#metricsPort }),
      clock: this.clock,
      jobPollMs: 20,
    });
    return this.#app;
  }

  /**
   * Moves the bot's clock forward and lets its job loop run what became due.
   *
   * @param ms - how far
   */
  public async advance(ms: number): Promise<void> {
    this.#offset += ms;
    await this.app.jobs.runDue();
    await this.app.manager.onIdle();
  }

  /** The bot's current time. */
  public now(): number {
    return this.clock.now();
  }

  /** Stops the bot (its data stays). */
  public async stopBot(): Promise<void> {
    await this.#app?.stop();
    this.#app = undefined;
  }

  /**
   * A new member with the Administrator permission, through a role of their own.
   *
   * @param username - their name
   * @param roleName - the role's name
   * @returns the member
   */
  public addAdmin(username = 'ada', roleName = 'admins'): SimulatedUser {
    const role = this.guild.roles.create({ name: roleName, permissions: ['ADMINISTRATOR'] });
    return this.guild.members.create({ username, roles: [role] });
  }

  /**
   * Reserves as the wizard's Confirm does: the reservation and its jobs (reminders, overdue notices, re-renders), in
   * one transaction.
   *
   * @param input - the item, the member, the times (epoch ms) and the location (none by default)
   * @returns the reservation
   * @throws Error when the domain refuses it
   */
  public async reserve(input: {
    readonly equipmentId: number;
    readonly userId: Snowflake;
    readonly startAt: number;
    readonly endAt: number;
    readonly locationId?: number | null;
  }): Promise<Reservation> {
    const now = this.now();
    const made = await createReservation(
      this.app.database,
      { locationId: null, ...input, guildId: this.guild.id },
      now,
      (repos, reservation) => scheduleReservationJobs(repos, this.guild.id, reservation, now),
    );
    if (!made.ok) throw new Error(`reservation refused: ${made.reason}`);
    return made.reservation;
  }

  /** Makes the world's reservation channel the guild's (what /setup's Complete does), and renders it. */
  public async setUp(): Promise<void> {
    await this.repos.guildSettings.setReservationChannel(this.guild.id, this.channel.id, this.now());
    await this.render();
  }

  /** Re-renders the channel and waits until Discord shows it. */
  public async render(): Promise<void> {
    const handles = await this.app.bot.display.render(this.guild.id, this.channel.id, { kind: 'structure' });
    await Promise.all(handles);
    await this.app.manager.onIdle();
  }

  /** The titles of the channel's embeds, in order: what a member sees. */
  public titles(): string[] {
    return this.channel.messages.map((message) => String((message.embeds[0] as { title?: string } | undefined)?.title));
  }

  /** Stops everything and removes the data. */
  public async close(): Promise<void> {
    await this.stopBot();
    await this.sim.close();
    await this.#cleanup();
  }
}
