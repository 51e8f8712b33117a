import type { Clock } from '../../util/clock.js';
import { MIN_SNOWFLAKE_TIMESTAMP_MS, snowflakeFromTimestamp, SnowflakeGenerator } from '../../discord/snowflake.js';

/** Clocks reading less than this are not epoch clocks (e.g. `new FakeClock(0)`); ids are shifted to stay valid. */
const REFERENCE_EPOCH_MS = 1_700_000_000_000;

/**
 * The simulator's snowflakes, made on its clock. A clock that starts near 0 (a `FakeClock(0)`) would give ids too
 * short for clients to recognise, so such a clock's times are shifted onto a plausible epoch for ids, timestamps
 * and epoch headers; everything else keeps clock time.
 */
export class SimulatorIds {
  readonly #clock: Clock;
  readonly #generator = new SnowflakeGenerator(1);
  #backdated = 0;
  /** Added to clock time for ids, timestamps and epoch headers. */
  public readonly epochShift: number;

  /** @param clock - the simulator's clock; its reading now decides the shift */
  public constructor(clock: Clock) {
    this.#clock = clock;
    const startedAt = clock.now();
    this.epochShift = startedAt < MIN_SNOWFLAKE_TIMESTAMP_MS ? REFERENCE_EPOCH_MS - startedAt : 0;
  }

  /**
   * A new id, greater than every id handed out before.
   *
   * @param now - creation time, clock milliseconds (default: the clock's now)
   * @returns a snowflake
   */
  public next(now = this.#clock.now()): string {
    return this.#generator.next(now + this.epochShift);
  }

  /**
   * An id for an object made in the past (a backdated seed message). It does not advance {@link SimulatorIds.next},
   * and a worker id of its own keeps it from colliding with ids made live.
   *
   * @param createdAt - creation time, clock milliseconds
   * @returns a snowflake carrying that time (clamped to the smallest valid one)
   */
  public backdated(createdAt: number): string {
    return snowflakeFromTimestamp(
      Math.max(MIN_SNOWFLAKE_TIMESTAMP_MS, createdAt + this.epochShift),
      this.#backdated++ % 4096,
      2,
    );
  }
}
