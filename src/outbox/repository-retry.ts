import { sleep, type Clock } from '../util/clock.js';

/** How a repository call is retried: the config's `maxRetries`, and the failure policy's delays. */
export interface RepositoryRetry {
  readonly clock: Clock;
  readonly maxRetries: number;
  readonly retryDelayMs: (retry: number) => number;
  /** Give up at once when this turns true (the manager stopped). */
  readonly stop?: () => boolean;
}

/**
 * Runs a repository call, retrying a failing database with backoff: the one retry loop of every outbox write and ack
 * (each is safe to apply twice: an upsert only bumps the version, an ack is fenced by lease and version).
 *
 * @returns the call's value, or the last error once the retries are used up
 */
export async function withRepositoryRetries<T>(
  call: () => Promise<T>,
  retry: RepositoryRetry,
): Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      if (attempt > retry.maxRetries || retry.stop?.() === true) return { ok: false, error };
      await sleep(retry.clock, retry.retryDelayMs(attempt));
    }
  }
}
