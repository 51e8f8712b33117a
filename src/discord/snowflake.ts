/**
 * Discord snowflake ids for the simulator: 64-bit integers whose top 42 bits are milliseconds since Discord's epoch
 * (2015-01-01), written as decimal strings.
 *
 * @see https://discord.com/developers/docs/reference#snowflakes
 * @module
 */
import { InvalidArgumentError } from '../errors/message-update-error.js';

/** Discord's epoch, 2015-01-01T00:00:00.000Z, in Unix milliseconds. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

const DISCORD_EPOCH = BigInt(DISCORD_EPOCH_MS);
/** The largest timestamp a snowflake can hold (42 bits of milliseconds after the epoch). */
const MAX_TIMESTAMP_MS = DISCORD_EPOCH_MS + 2 ** 42 - 1;
/**
 * Below this timestamp a snowflake has fewer than 17 digits, and clients (`@discordjs/rest` among them) no longer
 * recognise it as an id: 2^32 ms after the epoch gives 2^54 ≈ 1.8e16, 17 digits.
 */
export const MIN_SNOWFLAKE_TIMESTAMP_MS = DISCORD_EPOCH_MS + 2 ** 32;

/**
 * Tells whether `value` looks like a Discord snowflake: 17 to 20 decimal digits, no leading zero, that fit in 64 bits.
 *
 * @param value - anything
 * @returns `true` for ids such as `'1180000000000000000'`
 * @example
 * ```ts
 * isSnowflake('1180000000000000000'); // true
 * isSnowflake('123'); // false
 * ```
 */
export function isSnowflake(value: unknown): value is string {
  // No leading zero: a snowflake is a decimal number, and the all-zero id names nothing.
  return typeof value === 'string' && /^[1-9]\d{16,19}$/.test(value) && BigInt(value) < 1n << 64n;
}

/**
 * Reads the creation time out of a snowflake.
 *
 * @param id - a snowflake, as a decimal string
 * @returns Unix milliseconds
 * @throws {@link discord-update-manager!InvalidArgumentError} when `id` is not a snowflake
 * @example
 * ```ts
 * snowflakeToTimestamp('175928847299117063'); // 1462015105796
 * ```
 */
export function snowflakeToTimestamp(id: string): number {
  if (!isSnowflake(id)) throw new InvalidArgumentError('id', id, 'a snowflake (17 to 20 digits, not starting with 0)');
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/**
 * Builds a snowflake from its parts.
 *
 * @param timestampMs - Unix milliseconds, from 2015-01-01 to 2154 (the 42-bit range)
 * @param increment - sequence number within the millisecond, 0 to 4095
 * @param workerId - worker id, 0 to 1023 (worker and process bits together)
 * @returns the id as a decimal string
 * @throws {@link discord-update-manager!InvalidArgumentError} when a part is out of range
 * @example
 * ```ts
 * snowflakeFromTimestamp(1_700_000_000_000); // '1174109840998400000'
 * ```
 */
export function snowflakeFromTimestamp(timestampMs: number, increment = 0, workerId = 0): string {
  if (!Number.isFinite(timestampMs) || timestampMs < DISCORD_EPOCH_MS || timestampMs > MAX_TIMESTAMP_MS) {
    throw new InvalidArgumentError(
      'timestampMs',
      timestampMs,
      `a time from ${DISCORD_EPOCH_MS} to ${MAX_TIMESTAMP_MS}`,
    );
  }
  if (!Number.isInteger(increment) || increment < 0 || increment > 4095) {
    throw new InvalidArgumentError('increment', increment, 'an integer from 0 to 4095');
  }
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023) {
    throw new InvalidArgumentError('workerId', workerId, 'an integer from 0 to 1023');
  }
  const time = BigInt(Math.floor(timestampMs)) - DISCORD_EPOCH;
  return ((time << 22n) | (BigInt(workerId) << 12n) | BigInt(increment)).toString();
}

/**
 * Hands out strictly increasing snowflakes, so ids sort in creation order even when many are made in the same
 * millisecond (the increment runs on, and spills into the next millisecond after 4096 ids).
 *
 * @example
 * ```ts
 * const ids = new SnowflakeGenerator();
 * const a = ids.next(Date.now());
 * const b = ids.next(Date.now()); // BigInt(b) > BigInt(a)
 * ```
 */
export class SnowflakeGenerator {
  #last = 0n;
  readonly #workerBits: bigint;

  /** @param workerId - worker id written into every id, 0 to 1023 (default 1) */
  public constructor(workerId = 1) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023) {
      throw new InvalidArgumentError('workerId', workerId, 'an integer from 0 to 1023');
    }
    this.#workerBits = BigInt(workerId) << 12n;
  }

  /**
   * Returns a new id for an object created at `timestampMs`.
   *
   * @param timestampMs - Unix milliseconds (clamped into the snowflake range)
   * @returns a decimal id greater than every id this generator returned before
   */
  public next(timestampMs: number): string {
    const clamped = Math.min(MAX_TIMESTAMP_MS, Math.max(MIN_SNOWFLAKE_TIMESTAMP_MS, Math.floor(timestampMs)));
    let id = ((BigInt(clamped) - DISCORD_EPOCH) << 22n) | this.#workerBits;
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}
