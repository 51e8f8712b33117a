import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMIT_CONFIG,
  InvalidConfigError,
  MessageUpdateManager,
  rateLimitConfigFromEnv,
  resolveRateLimitConfig,
} from '../../../src/index.js';

describe('RateLimitConfig', () => {
  it('keeps the seed defaults', () => {
    expect(DEFAULT_RATE_LIMIT_CONFIG).toMatchObject({
      batchSize: 10,
      batchDelayMs: 1000,
      maxConcurrentUpdates: 3,
      baseBackoffMs: 1000,
      maxBackoffMs: 60_000,
      maxRetries: 5,
      globalRequestsPerSecond: 50,
    });
    expect(resolveRateLimitConfig()).toEqual(DEFAULT_RATE_LIMIT_CONFIG);
  });

  it.each([
    ['batchSize', 0, /`batchSize` to be an integer from 1 to 10,000, got `0` \(number\)/],
    ['maxRetries', -1, /`maxRetries` to be an integer from 0 to 100, got `-1`/],
    ['batchDelayMs', Number.NaN, /`batchDelayMs`.*got `NaN` \(number\)/],
    ['maxConcurrentUpdates', 1.5, /`maxConcurrentUpdates`/],
    ['globalRequestsPerSecond', '50', /`globalRequestsPerSecond`.*got `50` \(string\)/],
  ])('rejects %s = %s naming the field, value and range', (field, value, message) => {
    expect(() => resolveRateLimitConfig({ [field]: value })).toThrow(message);
    try {
      resolveRateLimitConfig({ [field]: value });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).field).toBe(field);
    }
  });

  it('rejects maxBackoffMs below baseBackoffMs', () => {
    expect(() => resolveRateLimitConfig({ baseBackoffMs: 500, maxBackoffMs: 100 })).toThrow(
      /`maxBackoffMs` to be an integer from 500 to 3,600,000, got `100`.*baseBackoffMs/,
    );
  });

  it('rejects unknown fields so typos are not silently ignored', () => {
    expect(() => resolveRateLimitConfig({ batchSise: 3 } as never)).toThrow(/config.batchSise/);
  });

  it('reads the seed environment variables', () => {
    expect(
      rateLimitConfigFromEnv({
        BATCH_SIZE: '15',
        BATCH_DELAY_MS: '800',
        MAX_CONCURRENT_UPDATES: '5',
        BASE_BACKOFF_MS: '250',
        MAX_BACKOFF_MS: '30000',
        MAX_RETRIES: '2',
        UNRELATED: 'x',
      }),
    ).toEqual({
      batchSize: 15,
      batchDelayMs: 800,
      maxConcurrentUpdates: 5,
      baseBackoffMs: 250,
      maxBackoffMs: 30_000,
      maxRetries: 2,
    });
    expect(rateLimitConfigFromEnv({ BATCH_SIZE: '' })).toEqual({});
  });

  it('rejects non-numeric and out-of-range environment values, naming the variable', () => {
    expect(() => rateLimitConfigFromEnv({ BATCH_SIZE: 'ten' })).toThrow(
      /`BATCH_SIZE` to be an integer from 1 to 10,000, got `ten`/,
    );
    expect(() => rateLimitConfigFromEnv({ MAX_RETRIES: '1.5' })).toThrow(/MAX_RETRIES/);
    expect(() => rateLimitConfigFromEnv({ MAX_RETRIES: '-1' })).toThrow(/MAX_RETRIES/);
    expect(() => rateLimitConfigFromEnv({ BASE_BACKOFF_MS: '5000', MAX_BACKOFF_MS: '100' })).toThrow(
      /MAX_BACKOFF_MS.*BASE_BACKOFF_MS/,
    );
  });

  it('refuses inherited names as fields: toString and constructor are not settings', () => {
    expect(() => resolveRateLimitConfig({ toString: 5 } as never)).toThrow(/config.toString.*Unknown field/);
    expect(() => resolveRateLimitConfig(JSON.parse('{"constructor": 1}') as never)).toThrow(InvalidConfigError);
  });

  it('refuses environment values that are not strings or not the number alone, with a typed error', () => {
    for (const value of [5, null, {}, ' 5 ', '5\n', ' ', '0x10', '1e3']) {
      expect(() => rateLimitConfigFromEnv({ BATCH_SIZE: value } as never), JSON.stringify(value)).toThrow(
        InvalidConfigError,
      );
    }
    expect(() => rateLimitConfigFromEnv(null as never)).toThrow(/`env`/);
  });

  it('never echoes a token put where a number belongs', () => {
    const token = `${'M'.repeat(24)}.${'a'.repeat(6)}.${'b'.repeat(27)}`;
    const error = (() => {
      try {
        rateLimitConfigFromEnv({ BATCH_SIZE: token });
      } catch (caught) {
        return caught as InvalidConfigError;
      }
      throw new Error('expected a throw');
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).not.toContain(token);
    expect(error.message).toContain('[token]');
    expect(String(error.value)).not.toContain(token);
    expect(() => new MessageUpdateManager({ rest: token as never })).toThrow(/`rest` to be .*\[token\]/);
    expect(() => new MessageUpdateManager({ rest: token as never })).not.toThrow(token);
  });

  it('is validated when the manager is constructed', () => {
    const transport = { request: async () => ({ status: 200, headers: {}, body: {} }) };
    expect(() => new MessageUpdateManager({ transport, config: { maxRetries: -3 } })).toThrow(InvalidConfigError);
  });
});
