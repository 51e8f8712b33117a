import { RepositoryError } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import type { OutboxUpsert, UpdateRepository } from '../repositories/update-repository.js';
import type { OperationKind, Target, Waiter } from '../scheduler/target.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import type { Clock } from '../util/clock.js';
import { withRepositoryRetries } from './repository-retry.js';

/** Most upserts written in one `enqueueMany` call. */
const MAX_BATCH = 1000;

/** An outbox write waiting for its batch to commit; `waiter` is the handle it stores (set once created). */
export interface PendingWrite {
  readonly upsert: OutboxUpsert;
  readonly target: Target;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  waiter?: Waiter;
}

/** Options of {@link OutboxWriter}. */
export interface OutboxWriterOptions {
  readonly repository: UpdateRepository;
  readonly scheduler: UpdateScheduler;
  readonly clock: Clock;
  readonly emit: EmitEvent;
  /** How long an expired row's claim leases it, ms. */
  readonly leaseMs: number;
  /** Retries of a failing write (the config's `maxRetries`), and the delay before retry `n`. */
  readonly maxRetries: number;
  readonly retryDelayMs: (retry: number) => number;
  readonly newNonce: () => string;
  /** The manager has stopped: failing writes are not retried any more. */
  readonly stopped: () => boolean;
}

/**
 * The write-behind of the durable outbox: every accepted update's new desired state is stored before the target may
 * be sent (batched per tick, one `enqueueMany` in order, retried with backoff), and `handle.accepted` resolves on
 * commit. A batch that never commits rejects its handles and takes those updates out of the queue: nothing unstored
 * is ever sent. Expired updates' rows are dropped in the same chain, so they follow the writes already queued.
 *
 * @internal
 */
export class OutboxWriter {
  readonly #options: OutboxWriterOptions;
  #batch: PendingWrite[] = [];
  #chain: Promise<void> = Promise.resolve();
  #flushQueued = false;

  public constructor(options: OutboxWriterOptions) {
    this.#options = options;
  }

  /**
   * Stores the new desired state of `target` (batched per tick) and returns the promise `handle.accepted` waits for,
   * with the write (whose `waiter` the caller sets once the handle exists).
   */
  public persist(
    target: Target,
    kind: OperationKind,
    body: unknown,
    priority: number,
    now: number,
    deadlineAt: number,
  ): { accepted: Promise<void>; item: PendingWrite } {
    const upsert: OutboxUpsert = {
      targetKey: target.durableKey,
      desired: kind === 'delete' ? 'absent' : 'present',
      channelId: target.channelId,
      messageId: target.messageId ?? null,
      managedKey: target.key ?? null,
      body: kind === 'delete' ? null : body,
      priority,
      enqueuedAt: now,
      deadlineAt: deadlineAt === Infinity ? null : deadlineAt,
    };
    target.unflushed++;
    let item!: PendingWrite;
    const accepted = new Promise<void>((resolve, reject) => {
      item = { upsert, target, resolve, reject };
      this.#batch.push(item);
    });
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        const all = this.#batch;
        this.#batch = [];
        // At most MAX_BATCH upserts a statement and a transaction: a synchronous driver (SQLite) holds the event loop
        // for the whole of one.
        for (let start = 0; start < all.length; start += MAX_BATCH) {
          const batch = all.slice(start, start + MAX_BATCH);
          this.#chain = this.#chain.then(() => this.#flush(batch));
        }
      });
    }
    return { accepted, item };
  }

  /**
   * Removes an expired update's outbox row, after the writes already queued (its own included): claimed, then
   * acknowledged with its own version, so a newer version enqueued meanwhile (here or by another process) survives,
   * and a row leased elsewhere is left to its holder.
   */
  public dropExpired(targetKey: string): void {
    this.#chain = this.#chain.then(() => this.#dropExpiredRow(targetKey));
  }

  /** Resolves once every write and drop queued so far is done. */
  public drained(): Promise<void> {
    return this.#chain;
  }

  /**
   * Commits one batch, retrying a failing database with backoff (an upsert applied twice only bumps the version). If
   * it never commits, those updates were not accepted: their handles reject and they are not sent.
   */
  async #flush(batch: PendingWrite[]): Promise<void> {
    const { repository, clock, scheduler, emit } = this.#options;
    const stored = await withRepositoryRetries(() => repository.enqueueMany(batch.map((item) => item.upsert)), {
      clock,
      maxRetries: this.#options.maxRetries,
      retryDelayMs: this.#options.retryDelayMs,
      stop: this.#options.stopped,
    });
    // A batch that failed for good is written again one update at a time, in order, once each: one row the database
    // refuses does not fail its neighbours.
    const failures: (RepositoryError | undefined)[] = stored.ok
      ? batch.map(() => undefined)
      : batch.length === 1
        ? [notStored(stored.error)]
        : await this.#flushOneByOne(batch);
    const now = clock.now();
    batch.forEach((item, i) => {
      const failure = failures[i];
      item.target.unflushed--;
      if (failure === undefined) item.resolve();
      else {
        item.reject(failure);
        this.#dropWaiter(item.target, item.waiter, failure);
      }
      // Committed (or failed for good): the target may be sent now.
      if (item.target.unflushed === 0 && item.target.pending && !item.target.inFlight)
        scheduler.makeReady(item.target, now);
    });
    const first = failures.find((failure) => failure !== undefined);
    if (first) emit('repositoryError', first);
    scheduler.schedulePass();
  }

  async #flushOneByOne(batch: readonly PendingWrite[]): Promise<(RepositoryError | undefined)[]> {
    const failures: (RepositoryError | undefined)[] = [];
    for (const item of batch) {
      try {
        await this.#options.repository.enqueueMany([item.upsert]);
        failures.push(undefined);
      } catch (error) {
        failures.push(notStored(error));
      }
    }
    return failures;
  }

  /** Takes a waiter whose update could not be stored out of its operation, rejecting it. */
  #dropWaiter(target: Target, waiter: Waiter | undefined, error: Error): void {
    if (!waiter) return;
    waiter.reject(error);
    const pending = target.pending;
    if (!pending) return;
    const index = pending.waiters.indexOf(waiter);
    if (index < 0) return;
    pending.waiters.splice(index, 1);
    if (pending.waiters.length === 0) {
      const { scheduler } = this.#options;
      scheduler.clearPending(target);
      if (pending.kind === 'create') scheduler.releaseCreateGate(target);
      scheduler.afterChange(target);
    }
  }

  async #dropExpiredRow(targetKey: string): Promise<void> {
    const { repository, clock } = this.#options;
    try {
      const [row] = await repository.claim({
        limit: 1,
        leaseMs: this.#options.leaseMs,
        targetKeys: [targetKey],
        newNonce: this.#options.newNonce,
      });
      if (!row) return;
      if (row.deadlineAt !== null && row.deadlineAt <= clock.now()) {
        await repository.ack({ targetKey, leaseToken: row.leaseToken, version: row.version });
      } else {
        await repository.release({
          targetKey,
          leaseToken: row.leaseToken,
          attempts: row.attempts,
          retryInMs: 0,
          error: null,
        });
      }
    } catch (error) {
      // The row keeps its deadline: whoever claims it next drops it.
      this.#options.emit('repositoryError', new RepositoryError('drop an expired outbox row', error));
    }
  }
}

/** The error of an update that could not be stored: it was not accepted and is not sent. */
function notStored(cause: unknown): RepositoryError {
  return new RepositoryError('store the update', cause, 'The update was not stored and will not be sent');
}
