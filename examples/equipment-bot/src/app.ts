import { Client } from '@discordjs/core';
import type { REST } from '@discordjs/rest';
import type { WebSocketManager } from '@discordjs/ws';
import {
  CombinedMetricsCollector,
  InMemoryMetricsCollector,
  MessageUpdateManager,
  rateLimitConfigFromEnv,
  systemClock,
  type Clock,
  type UpdateRepository,
} from 'discord-update-manager';
import { PostgresUpdateRepository } from 'discord-update-manager/postgres';
import { PrometheusMetricsCollector } from 'discord-update-manager/prometheus';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
import { openDatabase, type BotDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrations/index.js';
import { repositories } from './db/repositories.js';
import { EquipmentBot, type GuildDirectory } from './discord/equipment-bot.js';
import { registerFlows } from './discord/flows/index.js';
import { InteractionRouter } from './discord/interactions/router.js';
import { DatabaseSessionStore } from './discord/interactions/database-session-store.js';
import { MemorySessionStore } from './discord/interactions/session-store.js';
import type { SessionStoreKind } from './config.js';
import type { EpochMs } from './domain/model.js';
import { listEquipmentViews } from './domain/services/equipment-views.js';
import { JobRunner } from './jobs/job-runner.js';
import { reservationJobHandlers } from './jobs/reservation-jobs.js';
import { scheduleTransferSweep, transferJobHandlers } from './jobs/transfer-jobs.js';
import type { Logger } from './logger.js';
import { startMetricsServer } from './metrics-server.js';
import { Notifier } from './notify/notifier.js';

/** How long the library's SQLite connection waits for the bot's write lock (synchronously), ms. */
const LIBRARY_BUSY_TIMEOUT_MS = 25;

/** What {@link startBotApp} needs: where the data lives, and a Discord (real, or the simulator) to talk to. */
export interface BotAppOptions {
  readonly databaseUrl: string;
  /** A `REST` with the bot's token (for the simulator: `api: sim.url`). */
  readonly rest: REST;
  /** The gateway, not connected yet (the app connects it). */
  readonly gateway: WebSocketManager;
  /** The application id (the bot's user id). */
  readonly applicationId: string;
  readonly logger: Logger;
  /**
   * Time and timers of the bot (reservations, status, jobs). The manager keeps real time: Discord's rate limits do
   * not move with a test's clock. @defaultValue the system clock
   */
  readonly clock?: Clock;
  /** How often the job table is polled, ms. @defaultValue 5000 */
  readonly jobPollMs?: number;
  /**
   * Serve `/metrics` for Prometheus on this port (`METRICS_PORT`; 0: any free port, see `BotApp.metricsUrl`).
   * @defaultValue not served
   */
  readonly metricsPort?: number;
  /** Where wizard state lives (`SESSION_STORE`). @defaultValue `'memory'` */
  readonly sessionStore?: SessionStoreKind;
  /** The library's rate-limit knobs from the environment. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running bot and everything it is made of. */
export interface BotApp {
  readonly bot: EquipmentBot;
  readonly manager: MessageUpdateManager<CombinedMetricsCollector>;
  readonly database: BotDatabase;
  readonly client: Client;
  readonly jobs: JobRunner;
  /** Where `/metrics` is served, when `metricsPort` was given. */
  readonly metricsUrl: string | undefined;
  /** Stops in order: the gateway, the manager (draining what is queued), the library's repository, the database. */
  stop(): Promise<void>;
}

/**
 * Opens the database, applies the bot's migrations and the library's (one database for both), starts the manager
 * on the library's repository, connects the gateway and starts the bot (slash commands, channel reconcile).
 *
 * @param options - database, Discord, clock, logger
 * @returns the running app
 */
export async function startBotApp(options: BotAppOptions): Promise<BotApp> {
  const base = options.clock ?? systemClock;
  // Whole milliseconds: the database stores epoch ms as integers (the system clock has fractions).
  const clock: Clock = {
    now: () => Math.floor(base.now()),
    setTimeout: (callback, ms) => base.setTimeout(callback, ms),
    clearTimeout: (timer) => base.clearTimeout(timer),
  };
  const now = (): EpochMs => clock.now();
  const database = await openDatabase(options.databaseUrl);
  const applied = await migrateToLatest(database);
  if (applied.length > 0) options.logger.info(`database ${database.url}: applied ${applied.join(', ')}`);
  // The library gets its own SQLite connection to the same file: on one shared connection, a write of the manager made
  // while a bot transaction is open (across an await) would join that transaction and go with its rollback. Its busy
  // timeout is short because better-sqlite3 waits synchronously: waiting long would stall the event loop the bot's
  // open transaction needs to finish; the manager retries a busy write with backoff instead. An in-memory database
  // cannot be opened twice, so it is shared (the simulator mode only).
  const repository: UpdateRepository =
    database.dialect === 'sqlite'
      ? new SqliteUpdateRepository(
          database.filename === ':memory:'
            ? { database: database.database }
            : { filename: database.filename, busyTimeoutMs: LIBRARY_BUSY_TIMEOUT_MS },
        )
      : new PostgresUpdateRepository({ pool: database.pool, schema: database.schema });
  await repository.migrate();
  // With METRICS_PORT, the manager also feeds Prometheus; the in-memory collector keeps the performance_metrics
  // snapshots going either way.
  const prometheus = options.metricsPort === undefined ? undefined : new PrometheusMetricsCollector();
  const metrics = new CombinedMetricsCollector(new InMemoryMetricsCollector(), ...(prometheus ? [prometheus] : []));
  const manager = new MessageUpdateManager({
    rest: options.rest,
    repository,
    metrics,
    config: rateLimitConfigFromEnv(options.env ?? process.env),
  });
  manager.on('updateFailed', (event) => options.logger.warn(`update failed: ${event.error.message}`));
  await manager.start();
  const client = new Client({ rest: options.rest, gateway: options.gateway });
  const directory = guildDirectory(database);
  // In memory for one process; in the database when several processes may get one member's clicks.
  const sessions =
    options.sessionStore === 'database' ? new DatabaseSessionStore({ database, now }) : new MemorySessionStore({ now });
  const router = new InteractionRouter({ sessions, logger: options.logger });
  const bot = new EquipmentBot({
    client,
    manager,
    directory,
    applicationId: options.applicationId,
    now,
    logger: options.logger,
    router,
  });
  const notifier = new Notifier(client.api);
  registerFlows(router, {
    database,
    now,
    sessions,
    display: bot.display,
    refresh: (guildId, reason) => bot.refresh(guildId, reason),
    notifier,
    logger: options.logger,
  });
  const jobs = new JobRunner({
    database,
    clock,
    logger: options.logger,
    ...(options.jobPollMs === undefined ? {} : { pollMs: options.jobPollMs }),
    handlers: {
      ...reservationJobHandlers({
        database,
        notifier,
        now,
        refresh: (guildId) => bot.refresh(guildId, { kind: 'time' }),
        channelOf: (guildId) => directory.reservationChannelOf(guildId),
        deleteMessage: async (channelId, messageId) => void (await manager.delete(channelId, messageId)),
      }),
      ...transferJobHandlers({ database, notifier, now, logger: options.logger }),
    },
  });
  const metricsServer =
    prometheus === undefined || options.metricsPort === undefined
      ? undefined
      : await startMetricsServer(prometheus, options.metricsPort);
  if (metricsServer !== undefined) options.logger.info(`metrics for Prometheus at ${metricsServer.url}`);
  await options.gateway.connect();
  await bot.start();
  await scheduleTransferSweep(database, now());
  await jobs.start();
  let stopped: Promise<void> | undefined;
  return {
    bot,
    manager,
    database,
    client,
    jobs,
    metricsUrl: metricsServer?.url,
    stop: () =>
      (stopped ??= (async () => {
        await jobs.stop();
        await options.gateway.destroy();
        await manager.stop({ drain: true });
        await repository.close();
        await database.close();
        await metricsServer?.close();
      })()),
  };
}

/**
 * The bot's view of its guilds, over the database.
 *
 * @param database - the open database
 * @returns the directory
 */
export function guildDirectory(database: BotDatabase): GuildDirectory {
  const settings = repositories(database.db, database.dialect).guildSettings;
  return {
    listEquipmentViews: (guildId, at) => listEquipmentViews(database.db, guildId, at),
    reservationChannelOf: async (guildId) => (await settings.get(guildId))?.reservationChannelId ?? null,
    displays: async () =>
      (await settings.listConfigured()).flatMap((guild) =>
        guild.reservationChannelId === null ? [] : [{ guildId: guild.guildId, channelId: guild.reservationChannelId }],
      ),
  };
}
