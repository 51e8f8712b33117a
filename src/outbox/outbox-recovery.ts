import { RepositoryError } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import type { OutboxRow, UpdateRepository } from '../repositories/update-repository.js';
import type { OperationKind, Target } from '../scheduler/target.js';
import type { TargetRegistry } from '../scheduler/target-registry.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import type { Clock, ClockTimer } from '../util/clock.js';

/** Options of {@link OutboxRecovery}. */
export interface OutboxRecoveryOptions {
  readonly repository: UpdateRepository;
  readonly registry: TargetRegistry;
  readonly scheduler: UpdateScheduler;
  readonly clock: Clock;
  readonly emit: EmitEvent;
  /** How often to look for rows this process does not know, ms; 0: only at start. */
  readonly pollIntervalMs: number;
  readonly running: () => boolean;
}

/**
 * Brings back what the outbox holds: at start, the managed messages and every pending row (left by an earlier run, a
 * crash included); then, with several processes sharing the outbox, every `pollIntervalMs`, rows enqueued elsewhere or
 * left by a process that died. A recovered row is queued like an update nobody waits for.
 *
 * @internal
 */
export class OutboxRecovery {
  readonly #options: OutboxRecoveryOptions;
  #timer: ClockTimer | undefined;

  public constructor(options: OutboxRecoveryOptions) {
    this.#options = options;
  }

  /** Loads the managed messages and queues every pending row. */
  public async recoverAtStart(): Promise<void> {
    const { repository, registry } = this.#options;
    for (const managed of await repository.listManaged()) {
      registry.setManaged(managed.key, {
        channelId: managed.channelId,
        messageId: managed.messageId,
        hash: managed.contentHash ?? undefined,
        sortOrder: managed.sortOrder,
      });
    }
    const rows = await repository.listPending();
    for (let i = 0; i < rows.length; i++) {
      this.recover(rows[i]!);
      // A large outbox is queued in slices, so timers and I/O run meanwhile.
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Puts an outbox row this process does not know yet in the queue (no handle waits for it). */
  public recover(row: OutboxRow): void {
    const { registry, scheduler, clock } = this.#options;
    const existing =
      registry.get(row.targetKey) ?? (row.messageId !== null ? registry.get(`m:${row.messageId}`) : undefined);
    if (existing) return;
    const target: Target = {
      ...registry.newTarget(row.channelId, row.messageId ?? undefined, row.managedKey ?? undefined),
      durableKey: row.targetKey,
    };
    registry.adopt(target);
    const kind: OperationKind = row.desired === 'absent' ? 'delete' : row.messageId === null ? 'create' : 'edit';
    const op = scheduler.newOperation(
      kind,
      row.body,
      row.priority,
      row.enqueuedAt,
      row.deadlineAt ?? Infinity,
      undefined,
    );
    if (kind === 'delete') target.deleted = true;
    scheduler.setPending(target, op);
    scheduler.makeReady(target, clock.now());
  }

  /** Starts polling the shared outbox (when an interval is set). */
  public startPolling(): void {
    const { repository, clock, pollIntervalMs } = this.#options;
    if (pollIntervalMs === 0 || !this.#options.running()) return;
    this.#timer = clock.setTimeout(() => {
      void repository
        .listPending(1000)
        .then((rows) => {
          if (!this.#options.running()) return;
          for (const row of rows) this.recover(row);
          this.#options.scheduler.schedulePass();
        })
        .catch((error: unknown) => this.#options.emit('repositoryError', new RepositoryError('list the outbox', error)))
        .finally(() => this.startPolling());
    }, pollIntervalMs);
    // Polling alone must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Stops polling. */
  public stopPolling(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
