import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/message-update-error.js';
import {
  DISCORD_EPOCH_MS,
  isSnowflake,
  snowflakeFromTimestamp,
  snowflakeToTimestamp,
  SnowflakeGenerator,
} from '../../../src/discord/snowflake.js';

describe('snowflakeFromTimestamp', () => {
  it('round-trips the timestamp and matches a known Discord id', () => {
    expect(snowflakeToTimestamp('175928847299117063')).toBe(1_462_015_105_796);
    const id = snowflakeFromTimestamp(1_700_000_000_000);
    expect(id).toBe('1174109840998400000');
    expect(snowflakeToTimestamp(id)).toBe(1_700_000_000_000);
  });

  it('refuses timestamps before the Discord epoch and bad increments', () => {
    expect(() => snowflakeFromTimestamp(DISCORD_EPOCH_MS - 1)).toThrow(InvalidArgumentError);
    expect(() => snowflakeFromTimestamp(1_700_000_000_000, 4096)).toThrow(/increment/);
  });
});

describe('isSnowflake', () => {
  it('accepts 17 to 20 digit ids that fit in 64 bits', () => {
    expect(isSnowflake('175928847299117063')).toBe(true);
    expect(isSnowflake('18446744073709551615')).toBe(true);
    expect(isSnowflake('18446744073709551616')).toBe(false);
    expect(isSnowflake('1234')).toBe(false);
    expect(isSnowflake(175928847299117)).toBe(false);
  });

  it('refuses ids with a leading zero, the all-zero one among them', () => {
    expect(isSnowflake('00000000000000000')).toBe(false);
    expect(isSnowflake('0175928847299117063')).toBe(false);
  });
});

describe('SnowflakeGenerator', () => {
  it('hands out strictly increasing ids within one millisecond', () => {
    const ids = new SnowflakeGenerator();
    const made = Array.from({ length: 5000 }, () => BigInt(ids.next(1_700_000_000_000)));
    for (let i = 1; i < made.length; i++) expect(made[i]!, `id ${i} of ${made.length}`).toBeGreaterThan(made[i - 1]!);
    expect(snowflakeToTimestamp(made[0]!.toString())).toBe(1_700_000_000_000);
  });

  it('keeps ids at 17 digits or more for clocks before 2015', () => {
    expect(new SnowflakeGenerator().next(0)).toMatch(/^\d{17}$/);
  });
});
