/**
 * The seed's "batched message updates" algorithm (seed/000_7854a22b0b4cbc17.txt, section 1), implemented as its
 * document describes it, as a baseline for the bench:
 *
 * - a priority queue (Critical first; FIFO within a priority);
 * - batched processing: take up to `batchSize` (10) updates, process them with at most `maxConcurrentUpdates` (3)
 *   concurrent workers, then wait `batchDelayMs` (1000 ms) before the next batch;
 * - rate limiting with exponential backoff: a 429 (or any failed update) is retried after
 *   `baseBackoffMs · 2^(retry-1)` (1 s, 2 s, 4 s ... capped at `maxBackoffMs`, 60 s), at most `maxRetries` (5)
 *   times; a rate limit also pauses the processor for the current backoff before its next batch;
 * - no coalescing: every queued update is sent.
 *
 * Requests go through `@discordjs/rest`, which waits out known buckets and retries 429s on its own, so the seed's
 * backoff only fires for errors REST surfaces.
 */

import { setMaxListeners } from 'node:events';
import { DEFAULT_RATE_LIMIT_CONFIG, type RateLimitConfig } from '../src/rate-limit/rate-limit-config.js';
import { PriorityHeap } from '../src/util/priority-heap.js';

/** The seed's `RateLimitConfig`: the six fields our config kept from it (same names, defaults, units). */
export type SeedRateLimitConfig = Pick<
  RateLimitConfig,
  'batchSize' | 'batchDelayMs' | 'maxConcurrentUpdates' | 'baseBackoffMs' | 'maxBackoffMs' | 'maxRetries'
>;

/** The seed's defaults (ours kept them). */
export const SEED_DEFAULT_CONFIG: SeedRateLimitConfig = {
  batchSize: DEFAULT_RATE_LIMIT_CONFIG.batchSize,
  batchDelayMs: DEFAULT_RATE_LIMIT_CONFIG.batchDelayMs,
  maxConcurrentUpdates: DEFAULT_RATE_LIMIT_CONFIG.maxConcurrentUpdates,
  baseBackoffMs: DEFAULT_RATE_LIMIT_CONFIG.baseBackoffMs,
  maxBackoffMs: DEFAULT_RATE_LIMIT_CONFIG.maxBackoffMs,
  maxRetries: DEFAULT_RATE_LIMIT_CONFIG.maxRetries,
};

/** The seed's priorities. */
export const SeedPriority = { Low: 0, Normal: 1, High: 2, Critical: 3 } as const;

/** The part of `@discordjs/rest`'s `REST` the seed algorithm uses. */
export interface SeedRest {
  patch(fullRoute: `/${string}`, options: { body: unknown; signal?: AbortSignal }): Promise<unknown>;
}

/** One queued message update. */
export interface SeedUpdate {
  readonly channelId: string;
  readonly messageId: string;
  readonly body: unknown;
  readonly priority?: number;
}

interface QueuedUpdate extends SeedUpdate {
  readonly priority: number;
  readonly seq: number;
  readonly enqueuedAt: number;
  retries: number;
}

/** The seed's metrics (a subset: what its document lists). */
export interface SeedMetrics {
  readonly messagesUpdated: number;
  readonly averageUpdateTimeMs: number;
  readonly rateLimitHits: number;
  readonly failedUpdates: number;
  readonly retries: number;
}

function before(a: QueuedUpdate, b: QueuedUpdate): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}

function isRateLimit(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const candidate = error as { name?: unknown; status?: unknown };
  return candidate.name === 'RateLimitError' || candidate.status === 429;
}

/** The seed's message update manager, over `@discordjs/rest`. */
export class SeedMessageUpdateManager {
  readonly #rest: SeedRest;
  readonly #config: SeedRateLimitConfig;
  /** Highest priority first, then enqueue order (the package's heap; the seed used its own priority queue). */
  readonly #queue = new PriorityHeap<QueuedUpdate>(before);
  readonly #abort = new AbortController();
  readonly #idleWaiters: (() => void)[] = [];
  #seq = 0;
  #waitingRetries = 0;
  #processing = 0;
  #currentBackoffMs = 0;
  #running = false;
  #wake: (() => void) | undefined;
  #messagesUpdated = 0;
  #updateTimeTotal = 0;
  #rateLimitHits = 0;
  #failed = 0;
  #retries = 0;

  public constructor(rest: SeedRest, config: Partial<SeedRateLimitConfig> = {}) {
    this.#rest = rest;
    this.#config = { ...SEED_DEFAULT_CONFIG, ...config };
    // One signal is shared by every request and sleep (REST adds a listener per request it holds).
    setMaxListeners(100_000, this.#abort.signal);
  }

  /** Queues an update (no merging: every update is sent). */
  public queueUpdate(update: SeedUpdate): void {
    this.#push({
      ...update,
      priority: update.priority ?? SeedPriority.Normal,
      seq: ++this.#seq,
      enqueuedAt: performance.now(),
      retries: 0,
    });
  }

  /** Starts the background processor. */
  public startProcessor(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** Stops the processor and aborts requests in flight. */
  public stop(): void {
    this.#running = false;
    this.#abort.abort(new Error('stopped'));
    this.#wake?.();
  }

  /** Resolves when nothing is queued, waiting for a retry, or being processed. */
  public onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The seed's stats: queue size and current backoff. */
  public getStats(): { queueSize: number; currentBackoffMs: number } {
    return { queueSize: this.#queue.size + this.#waitingRetries, currentBackoffMs: this.#currentBackoffMs };
  }

  /** The seed's metrics. */
  public getMetrics(): SeedMetrics {
    return {
      messagesUpdated: this.#messagesUpdated,
      averageUpdateTimeMs: this.#messagesUpdated === 0 ? 0 : this.#updateTimeTotal / this.#messagesUpdated,
      rateLimitHits: this.#rateLimitHits,
      failedUpdates: this.#failed,
      retries: this.#retries,
    };
  }

  #push(item: QueuedUpdate): void {
    this.#queue.push(item);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #isIdle(): boolean {
    return this.#queue.size === 0 && this.#waitingRetries === 0 && this.#processing === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.#queue.size === 0) {
        this.#checkIdle();
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const batch: QueuedUpdate[] = [];
      while (batch.length < this.#config.batchSize && this.#queue.size > 0) batch.push(this.#queue.pop()!);
      this.#processing = batch.length;
      let rateLimited = false;
      const worker = async (): Promise<void> => {
        for (let item = batch.shift(); item !== undefined; item = batch.shift()) {
          if (!(await this.#process(item))) rateLimited = true;
          this.#processing--;
        }
      };
      await Promise.all(Array.from({ length: this.#config.maxConcurrentUpdates }, worker));
      this.#processing = 0;
      if (!rateLimited) this.#currentBackoffMs = 0;
      this.#checkIdle();
      await this.#sleep(this.#config.batchDelayMs + this.#currentBackoffMs);
    }
  }

  /** Sends one update; returns `false` when it was rate limited. */
  async #process(item: QueuedUpdate): Promise<boolean> {
    try {
      await this.#rest.patch(`/channels/${item.channelId}/messages/${item.messageId}`, {
        body: item.body,
        signal: this.#abort.signal,
      });
      this.#messagesUpdated++;
      this.#updateTimeTotal += performance.now() - item.enqueuedAt;
      return true;
    } catch (error) {
      if (!this.#running) return true;
      const limited = isRateLimit(error);
      if (limited) this.#rateLimitHits++;
      if (item.retries >= this.#config.maxRetries) {
        this.#failed++;
        return !limited;
      }
      item.retries++;
      this.#retries++;
      const delay = Math.min(this.#config.maxBackoffMs, this.#config.baseBackoffMs * 2 ** (item.retries - 1));
      if (limited) this.#currentBackoffMs = Math.max(this.#currentBackoffMs, delay);
      this.#waitingRetries++;
      void this.#sleep(delay).then(() => {
        this.#waitingRetries--;
        if (this.#running) this.#push(item);
        else this.#checkIdle();
      });
      return !limited;
    }
  }
}
