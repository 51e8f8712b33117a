/**
 * Time source used by every timing decision in the package, so tests can inject a
 * {@link discord-update-manager/testing!FakeClock}.
 *
 * @example
 * ```ts
 * const clock: Clock = systemClock;
 * const timer = clock.setTimeout(() => console.log('later'), 100);
 * clock.clearTimeout(timer);
 * ```
 */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale (the system clock uses `performance.timeOrigin + performance.now()`). */
  now(): number;
  /** Calls `callback` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): ClockTimer;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(timer: ClockTimer): void;
}

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type ClockTimer = { readonly __clockTimer?: never } | object;

/**
 * The real clock: `performance.now()`-based wall time and Node's timers. The manager arms a timer only while updates
 * wait, so a queued update keeps the process alive until it is sent, and an idle manager does not.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.max(0, ms)),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock`; rejects with the signal's reason if `signal` aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
