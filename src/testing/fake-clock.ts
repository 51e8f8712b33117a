import type { Clock, ClockTimer } from '../util/clock.js';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A manually driven {@link Clock} for deterministic tests: time only moves when you call {@link FakeClock.advance}
 * (or {@link FakeClock.runAll}), and timers fire in order, with pending promise callbacks flushed between them.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(0);
 * let fired = false;
 * clock.setTimeout(() => (fired = true), 100);
 * await clock.advance(99);  // fired === false
 * await clock.advance(1);   // fired === true
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #timers: FakeTimer[] = [];
  #nextId = 1;

  /** @param startMs - the initial value of {@link FakeClock.now} (default `1_700_000_000_000`, a plausible epoch). */
  public constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  /** {@inheritDoc discord-update-manager!Clock.now} */
  public now(): number {
    return this.#now;
  }

  /** {@inheritDoc discord-update-manager!Clock.setTimeout} */
  public setTimeout(callback: () => void, ms: number): ClockTimer {
    const timer: FakeTimer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    // Keep timers sorted by due time, then by creation order (stable, like Node's timers).
    let index = this.#timers.length;
    while (index > 0 && this.#timers[index - 1]!.at > timer.at) index--;
    this.#timers.splice(index, 0, timer);
    return { id: timer.id };
  }

  /** {@inheritDoc discord-update-manager!Clock.clearTimeout} */
  public clearTimeout(timer: ClockTimer): void {
    const id = (timer as { id?: number }).id;
    const index = this.#timers.findIndex((t) => t.id === id);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /** Number of timers waiting to fire. */
  public get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Due time of the next timer, or `undefined` when none is pending. */
  public get nextTimerAt(): number | undefined {
    return this.#timers[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order, and letting promise
   * callbacks run after each one (so code awaiting a timer can schedule the next before time moves on).
   *
   * @param ms - milliseconds to advance (0 flushes pending promise callbacks and due timers)
   */
  public async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`Expected \`ms\` to be a number >= 0, got ${ms}`);
    const target = this.#now + ms;
    await flushPromises();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await flushPromises();
    }
    this.#now = target;
    await flushPromises();
  }

  /**
   * Fires timers until none is left (or `maxTimers` have fired, to stop runaway loops), advancing time to each.
   *
   * @param maxTimers - safety bound on the number of timers fired
   * @throws RangeError when more than `maxTimers` timers fire (a timer loop that never ends)
   */
  public async runAll(maxTimers = 100_000): Promise<void> {
    await flushPromises();
    let fired = 0;
    while (this.#timers.length > 0) {
      if (++fired > maxTimers) throw new RangeError(`FakeClock.runAll fired more than ${maxTimers} timers`);
      const next = this.#timers.shift()!;
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await flushPromises();
    }
  }
}

/** Lets every queued promise callback (and anything they queue) run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
