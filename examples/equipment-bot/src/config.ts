import { redactDatabaseUrl } from './db/database.js';

/**
 * The bot's configuration, from the environment (see `.env.example`). Every variable is checked at start: a bad
 * value stops the bot with the variable, the value and what is allowed — never a token, which is only said to be
 * missing or present.
 */

/** How much the bot logs. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The bot's configuration. */
export interface BotConfig {
  /** The bot token; `undefined` runs against the local DiscordSimulator instead (`--simulator`). */
  readonly token: string | undefined;
  /** The application id; read from `GET /applications/@me` when not set. */
  readonly applicationId: string | undefined;
  /** `sqlite:./data/bot.db` (default) or `postgres://…`. */
  readonly databaseUrl: string;
  readonly logLevel: LogLevel;
  /** Where wizard state lives: `memory` (one bot process, the default) or `database` (several processes). */
  readonly sessionStore: SessionStoreKind;
  /** Where `/metrics` is served for Prometheus; `undefined`: not served. */
  readonly metricsPort: number | undefined;
}

/** Where the interaction flows keep wizard state. */
export type SessionStoreKind = 'memory' | 'database';

const SESSION_STORES: readonly SessionStoreKind[] = ['memory', 'database'];

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/**
 * Reads the configuration.
 *
 * @param env - the environment (default `process.env`)
 * @returns the configuration
 * @throws Error naming the variable, its value and what is allowed
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): BotConfig {
  const token = nonEmpty(env['DISCORD_TOKEN']);
  if (token !== undefined && /\s/.test(token)) {
    throw new Error('DISCORD_TOKEN contains whitespace: paste the bot token alone (Developer Portal → Bot → Token).');
  }
  const applicationId = nonEmpty(env['DISCORD_APPLICATION_ID']);
  if (applicationId !== undefined && !/^\d{17,20}$/.test(applicationId)) {
    throw new Error(`DISCORD_APPLICATION_ID is "${applicationId}": expected a snowflake (17 to 20 digits).`);
  }
  const databaseUrl = nonEmpty(env['DATABASE_URL']) ?? 'sqlite:./data/bot.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new Error(
      `DATABASE_URL is "${redactDatabaseUrl(databaseUrl)}": expected sqlite:<path> (e.g. sqlite:./data/bot.db) or postgres://user@host:port/database.`,
    );
  }
  const logLevel = (nonEmpty(env['LOG_LEVEL']) ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL is "${logLevel}": expected one of ${LOG_LEVELS.join(', ')}.`);
  }
  const sessionStore = (nonEmpty(env['SESSION_STORE']) ?? 'memory') as SessionStoreKind;
  if (!SESSION_STORES.includes(sessionStore)) {
    throw new Error(
      `SESSION_STORE is "${sessionStore}": expected memory (one bot process) or database (several processes sharing the database).`,
    );
  }
  const metricsPortText = nonEmpty(env['METRICS_PORT']);
  const metricsPort = metricsPortText === undefined ? undefined : Number(metricsPortText);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65_535)) {
    throw new Error(`METRICS_PORT is "${metricsPortText ?? ''}": expected a TCP port, an integer from 1 to 65535.`);
  }
  return { token, applicationId, databaseUrl, logLevel, sessionStore, metricsPort };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed.length === 0 ? undefined : trimmed;
}
