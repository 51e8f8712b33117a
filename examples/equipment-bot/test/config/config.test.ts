import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('defaults to SQLite in ./data and the info level, with no token (the simulator mode)', () => {
    expect(loadConfig({})).toEqual({
      token: undefined,
      applicationId: undefined,
      databaseUrl: 'sqlite:./data/bot.db',
      logLevel: 'info',
      sessionStore: 'memory',
      metricsPort: undefined,
    });
  });

  it('names the variable, the value and what is allowed, and never prints a password or a token', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(
      /^DATABASE_URL is "mysql:\/\/root:\*\*\*@db\/x": expected sqlite:/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(
      'LOG_LEVEL is "verbose": expected one of error, warn, info, debug.',
    );
    expect(() => loadConfig({ DISCORD_APPLICATION_ID: '42' })).toThrow(
      /DISCORD_APPLICATION_ID is "42": expected a snowflake/,
    );
    expect(() => loadConfig({ METRICS_PORT: '99999' })).toThrow(
      'METRICS_PORT is "99999": expected a TCP port, an integer from 1 to 65535.',
    );
    expect(() => loadConfig({ METRICS_PORT: 'http' })).toThrow(/METRICS_PORT is "http"/);
    expect(() => loadConfig({ SESSION_STORE: 'redis' })).toThrow(
      'SESSION_STORE is "redis": expected memory (one bot process) or database (several processes sharing the database).',
    );
    expect(() => loadConfig({ DISCORD_TOKEN: 'abc def' })).toThrow(/DISCORD_TOKEN contains whitespace/);
    expect(() => loadConfig({ DISCORD_TOKEN: 'abc def' })).not.toThrow(/abc/);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        DISCORD_TOKEN: ' token ',
        DISCORD_APPLICATION_ID: '1100000000000000000',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/bot',
        LOG_LEVEL: 'debug',
        SESSION_STORE: 'database',
        METRICS_PORT: '9464',
      }),
    ).toEqual({
      token: 'token',
      applicationId: '1100000000000000000',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/bot',
      logLevel: 'debug',
      sessionStore: 'database',
      metricsPort: 9464,
    });
  });
});
