import type { FakeClock } from '../../src/testing/fake-clock.js';

/** How {@link advanceUntilSettled} drives the clock. */
export interface AdvanceUntilSettledOptions {
  /** Milliseconds the clock moves per step (default 10). */
  readonly stepMs?: number;
  /** Fake time after which to give up and throw (default 10_000). */
  readonly maxMs?: number;
}

/**
 * Advances `clock` in steps of `stepMs` until `promise` settles, then returns (or rethrows) its outcome. Time moves by
 * at least one step, even when the promise has already settled.
 *
 * @throws Error naming how long it waited when the promise is still pending after `maxMs` of fake time
 */
export async function advanceUntilSettled<T>(
  clock: FakeClock,
  promise: PromiseLike<T>,
  { stepMs = 10, maxMs = 10_000 }: AdvanceUntilSettledOptions = {},
): Promise<T> {
  assertStep(stepMs);
  if (!(maxMs >= 0)) throw new RangeError(`Expected \`maxMs\` to be a number >= 0, got ${maxMs}`);
  let settled = false;
  const result = Promise.resolve(promise);
  const markSettled = (): void => {
    settled = true;
  };
  result.then(markSettled, markSettled); // also keeps a rejection from counting as unhandled while the clock moves
  let waitedMs = 0;
  let steps = 0;
  while (!settled && waitedMs < maxMs) {
    await clock.advance(stepMs);
    waitedMs += stepMs;
    steps++;
  }
  if (!settled) {
    throw new Error(
      `advanceUntilSettled: the promise was still pending after advancing the fake clock ${waitedMs} ms ` +
        `(${steps} steps of ${stepMs} ms; ${clock.pendingTimers} timer(s) pending, ` +
        `next at ${clock.nextTimerAt === undefined ? 'none' : `+${clock.nextTimerAt - clock.now()} ms`})`,
    );
  }
  return result;
}

/**
 * Advances `clock` by `ms` in steps of `stepMs` (the last step is shorter when `ms` is not a multiple). Unlike one
 * `clock.advance(ms)`, promise callbacks are flushed after every step, so work that is not driven by a timer keeps up
 * with the clock.
 */
export async function advanceBy(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  assertStep(stepMs);
  if (!(ms >= 0)) throw new RangeError(`Expected \`ms\` to be a number >= 0, got ${ms}`);
  for (let elapsedMs = 0; elapsedMs < ms; elapsedMs += stepMs) await clock.advance(Math.min(stepMs, ms - elapsedMs));
}

function assertStep(stepMs: number): void {
  if (!(stepMs > 0)) throw new RangeError(`Expected \`stepMs\` to be a number > 0, got ${stepMs}`);
}
