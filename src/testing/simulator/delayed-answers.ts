import type { Clock, ClockTimer } from '../../util/clock.js';

/**
 * The answers the simulator is holding back (injected latency, commit-then-timeout): each waits on its own timer, and
 * {@link DelayedAnswers.failAll} fails those still waiting when the simulator closes.
 *
 * They are kept in a map rather than made to listen to one shared `AbortSignal`: a signal shared by every delayed
 * answer collects one `abort` listener per request in flight, so a simulator under load held hundreds at once
 * (Node's MaxListenersExceededWarning, issue 8 item 6). Here nothing is added to any emitter, and an answer leaves the
 * map as soon as it is sent.
 */
export class DelayedAnswers {
  readonly #clock: Clock;
  /** The timer and the rejecter of each answer still waiting. */
  readonly #waiting = new Map<ClockTimer, (reason: Error) => void>();

  /** @param clock - the simulator's clock */
  public constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Waits `ms` on the clock before an answer is sent.
   *
   * @param ms - the delay, milliseconds
   * @returns once the delay has passed; rejects with the reason given to {@link DelayedAnswers.failAll} first
   */
  public wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiting.delete(timer);
        resolve();
      }, ms);
      this.#waiting.set(timer, reject);
    });
  }

  /**
   * Fails every answer still waiting (their timers are cleared).
   *
   * @param reason - what they reject with
   */
  public failAll(reason: Error): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const [timer, reject] of waiting) {
      this.#clock.clearTimeout(timer);
      reject(reason);
    }
  }
}
