import type { FakeClock } from '../../src/testing/fake-clock.js';

/** How {@link settleOnFakeTime} drives the clock. */
export interface SettleOnFakeTimeOptions {
  /** Fake time after which to give up and throw. */
  readonly maxMs: number;
  /**
   * Longest single jump, in ms (default 250). Time jumps straight to the next timer when one is due sooner, so a
   * long backoff costs one step; the cap keeps work that is not driven by a timer (a promise chain) in step.
   */
  readonly maxStepMs?: number;
}

/**
 * Advances `clock` from timer to timer until `promise` settles, then returns (or rethrows) its outcome. Unlike
 * `advanceUntilSettled` (fixed steps), each step jumps to the next due timer, so property tests that run hundreds of
 * sequences with retries and rate-limit waits stay fast while firing every timer at its exact time.
 *
 * @throws Error naming how much fake time passed when the promise is still pending after `maxMs` (a hang)
 */
export async function settleOnFakeTime<T>(
  clock: FakeClock,
  promise: PromiseLike<T>,
  { maxMs, maxStepMs = 250 }: SettleOnFakeTimeOptions,
): Promise<T> {
  let settled = false;
  const result = Promise.resolve(promise);
  const markSettled = (): void => {
    settled = true;
  };
  result.then(markSettled, markSettled);
  const start = clock.now();
  await clock.advance(0);
  while (!settled) {
    const elapsed = clock.now() - start;
    if (elapsed >= maxMs) {
      throw new Error(
        `settleOnFakeTime: still pending after ${elapsed} ms of fake time (${clock.pendingTimers} timer(s) pending, ` +
          `next at ${clock.nextTimerAt === undefined ? 'none' : `+${clock.nextTimerAt - clock.now()} ms`})`,
      );
    }
    const next = clock.nextTimerAt;
    const step = next === undefined ? maxStepMs : Math.min(maxStepMs, Math.max(1, next - clock.now()));
    await clock.advance(Math.min(step, maxMs - elapsed));
  }
  return result;
}
