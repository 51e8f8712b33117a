import type { SessionStartLimit } from './gateway-options.js';

/** IDENTIFYs of one rate-limit key are spaced by this much (GW Session Start Limit: "per 5 seconds"). */
export const IDENTIFY_RATE_WINDOW_MS = 5000;

/**
 * Slack on {@link IDENTIFY_RATE_WINDOW_MS}: a client waits 5 s measured on its own clock from before it sent the
 * previous IDENTIFY (`@discordjs/ws` SimpleIdentifyThrottler), the server measures between receipts, so transport
 * latency alone must not make a well-behaved client miss by a millisecond.
 */
export const IDENTIFY_RATE_GRACE_MS = 100;

/** Why an IDENTIFY may not start a session. */
export type IdentifyRefusal = 'sessionStartLimit' | 'identifyRate';

interface StartWindow {
  remaining: number;
  readonly resetAt: number;
}

/**
 * The gateway's session start accounting, per application: `session_start_limit.remaining` over its window, and
 * the 5-second spacing of IDENTIFYs per rate-limit key `shard_id % max_concurrency`. Only IDENTIFYs that start a
 * session count. Times are the caller's clock readings, so no timer is needed.
 */
export class IdentifyLimiter {
  readonly #limit: SessionStartLimit;
  readonly #enforceRate: boolean;
  readonly #windows = new Map<string, StartWindow>();
  /** `<application id>:<key>` → when that key last identified. */
  readonly #lastIdentify = new Map<string, number>();

  /**
   * @param limit - the session start limit
   * @param enforceRate - whether to enforce the 5-second spacing
   */
  public constructor(limit: SessionStartLimit, enforceRate: boolean) {
    this.#limit = limit;
    this.#enforceRate = enforceRate;
  }

  /**
   * GET /gateway/bot's `session_start_limit` for an application.
   *
   * @param applicationId - the application
   * @param now - clock milliseconds
   * @returns `total`, `remaining`, `reset_after` (ms until the window resets) and `max_concurrency`
   */
  public snapshot(
    applicationId: string,
    now: number,
  ): { total: number; remaining: number; reset_after: number; max_concurrency: number } {
    const window = this.#window(applicationId, now);
    return {
      total: this.#limit.total,
      remaining: window ? window.remaining : this.#limit.total,
      reset_after: window ? window.resetAt - now : this.#limit.resetAfterMs,
      max_concurrency: this.#limit.maxConcurrency,
    };
  }

  /**
   * Whether an IDENTIFY may start a session now.
   *
   * @param applicationId - the application
   * @param shardId - the shard it identifies
   * @param now - clock milliseconds
   * @returns `undefined` when it may, else why not
   */
  public refusal(applicationId: string, shardId: number, now: number): IdentifyRefusal | undefined {
    const window = this.#window(applicationId, now);
    if (window && window.remaining <= 0) return 'sessionStartLimit';
    if (this.#enforceRate) {
      const last = this.#lastIdentify.get(this.#key(applicationId, shardId));
      if (last !== undefined && now - last < IDENTIFY_RATE_WINDOW_MS - IDENTIFY_RATE_GRACE_MS) return 'identifyRate';
    }
    return undefined;
  }

  /**
   * Counts an IDENTIFY that started a session.
   *
   * @param applicationId - the application
   * @param shardId - the shard it identified
   * @param now - clock milliseconds
   */
  public record(applicationId: string, shardId: number, now: number): void {
    let window = this.#window(applicationId, now);
    if (!window) {
      window = { remaining: this.#limit.total, resetAt: now + this.#limit.resetAfterMs };
      this.#windows.set(applicationId, window);
    }
    window.remaining -= 1;
    this.#lastIdentify.set(this.#key(applicationId, shardId), now);
  }

  #window(applicationId: string, now: number): StartWindow | undefined {
    const window = this.#windows.get(applicationId);
    if (window && now >= window.resetAt) {
      this.#windows.delete(applicationId);
      return undefined;
    }
    return window;
  }

  #key(applicationId: string, shardId: number): string {
    return `${applicationId}:${shardId % this.#limit.maxConcurrency}`;
  }
}
