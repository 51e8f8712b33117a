/**
 * The coalescing rules — the README's "Coalescing semantics" table, in one place:
 *
 * | queued, then | result |
 * |---|---|
 * | edit, edit (same message, still queued) | one edit with the newest body, the highest priority, the earliest enqueue time |
 * | an edit in flight, then edits | at most one follow-up edit, with the newest body |
 * | create (with a key), then syncs before it is sent | one create with the newest body |
 * | anything, then delete | the pending work is cancelled; later edits are refused |
 * | an edit identical to what Discord last acknowledged | skipped, no request |
 * | an edit waiting for its retry, then edits | the retry carries the newest body (late binding) |
 *
 * @module
 */
import { MessageDeletedError, type UnauthorizedError } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import { EMPTY_ACCEPTED, type Outcomes } from '../manager/outcomes.js';
import type { UpdatePriority, UpdateResult } from '../manager/types.js';
import { UpdateHandle } from '../manager/update-handle.js';
import type { OutboxWriter } from '../outbox/outbox-writer.js';
import type { Clock } from '../util/clock.js';
import { contentHash } from '../util/content-hash.js';
import type { Operation, OperationKind, Target, Waiter } from './target.js';
import type { TargetRegistry } from './target-registry.js';
import type { UpdateScheduler } from './update-scheduler.js';

/** Options of {@link Coalescer}. */
export interface CoalescerOptions {
  readonly clock: Clock;
  readonly registry: TargetRegistry;
  readonly scheduler: UpdateScheduler;
  readonly outcomes: Outcomes;
  readonly emit: EmitEvent;
  /** With a repository: where accepted updates are stored before they may be sent. */
  readonly outbox: OutboxWriter | undefined;
  /** Set once a 401 stopped all sending. */
  readonly unauthorized: () => UnauthorizedError | undefined;
}

/**
 * Takes each update into its target's queue, applying the coalescing rules (see the module documentation).
 *
 * @internal
 */
export class Coalescer {
  readonly #options: CoalescerOptions;

  public constructor(options: CoalescerOptions) {
    this.#options = options;
  }

  /** Queues one update of `target`; returns its handle. */
  public enqueue(
    target: Target,
    kind: OperationKind,
    body: unknown,
    priority: number,
    deadlineMs: number | undefined,
  ): UpdateHandle {
    const { clock, registry, scheduler, outcomes, emit, outbox } = this.#options;
    const now = clock.now();
    const unauthorized = this.#options.unauthorized();
    if (unauthorized) {
      registry.dropIfIdle(target);
      return new UpdateHandle(Promise.reject(unauthorized), EMPTY_ACCEPTED);
    }
    if (target.deleted && kind !== 'delete') {
      registry.dropIfIdle(target);
      const error = new MessageDeletedError(target.channelId, target.messageId ?? '(not created)');
      return new UpdateHandle(Promise.reject(error), Promise.reject(error));
    }
    if (
      target.deleted &&
      kind === 'delete' &&
      target.pending?.kind !== 'delete' &&
      target.inFlight?.kind !== 'delete'
    ) {
      // Its delete was sent: nothing more to do.
      return outcomes.resolvedHandle('skipped', 'delete', target.channelId, target.messageId, target.key);
    }

    const deadlineAt = deadlineMs === undefined ? Infinity : now + deadlineMs;
    const skipIdentical =
      kind === 'edit' &&
      target.pending === undefined &&
      target.inFlight === undefined &&
      target.lastAckedHash !== undefined &&
      contentHash(body) === target.lastAckedHash;
    // Stored before anything else happens, so the target is not sent before its outbox row holds this update.
    const write = skipIdentical ? undefined : outbox?.persist(target, kind, body, priority, now, deadlineAt);
    const accepted = write?.accepted ?? EMPTY_ACCEPTED;
    let resolve!: (result: UpdateResult) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<UpdateResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: Waiter = { resolve, reject, enqueuedAt: now };
    if (write) write.item.waiter = waiter;
    let merged = false;

    if (kind === 'delete' && target.pending?.kind === 'delete') {
      // A second delete while the first is queued: one request, the first handle coalesced into this one.
      merged = true;
      this.#merge(target, target.pending, waiter, priority, deadlineAt, now);
    } else if (kind === 'delete') {
      target.deleted = true;
      const pending = target.pending;
      if (pending) {
        scheduler.clearPending(target);
        outcomes.settle(target, pending, 'cancelled', now);
        if (pending.kind === 'create') scheduler.releaseCreateGate(target);
      }
      if (target.messageId === undefined && target.inFlight === undefined) {
        // Never created: nothing to delete.
        registry.forgetKey(target);
        waiter.resolve(outcomes.result(target, 'delete', 'skipped', 0, 0, undefined));
        scheduler.afterChange(target);
        return new UpdateHandle(result, accepted);
      }
      scheduler.setPending(target, scheduler.newOperation('delete', undefined, priority, now, deadlineAt, waiter));
      if (!target.inFlight) scheduler.makeReady(target, now);
    } else if (target.pending) {
      merged = true;
      target.pending.body = body; // the newest body wins
      this.#merge(target, target.pending, waiter, priority, deadlineAt, now);
    } else {
      if (skipIdentical) {
        const skipped = scheduler.newOperation('edit', body, priority, now, deadlineAt, waiter);
        outcomes.settle(target, skipped, 'skipped', now);
        scheduler.afterChange(target);
        return new UpdateHandle(result, EMPTY_ACCEPTED);
      }
      scheduler.setPending(target, scheduler.newOperation(kind, body, priority, now, deadlineAt, waiter));
      if (!target.inFlight) scheduler.makeReady(target, now);
    }
    emit('updateQueued', {
      kind: target.pending?.kind ?? kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      priority: priority as UpdatePriority,
      merged,
    });
    scheduler.schedulePass();
    return new UpdateHandle(result, accepted);
  }

  /**
   * Merges an update into the target's queued operation: its waiter joins, the latest deadline and the highest
   * priority are kept (a higher one makes the target ready sooner).
   */
  #merge(target: Target, pending: Operation, waiter: Waiter, priority: number, deadlineAt: number, now: number): void {
    const { scheduler, outcomes, emit } = this.#options;
    pending.waiters.push(waiter);
    pending.deadlineAt = Math.max(pending.deadlineAt, deadlineAt);
    if (pending.deadlineAt !== Infinity && deadlineAt === pending.deadlineAt) scheduler.watchDeadline(target, pending);
    if (priority > pending.priority) {
      pending.priority = priority;
      if (!target.inFlight) scheduler.makeReady(target, now);
    }
    emit('updateCoalesced', outcomes.settledEvent(target, pending, pending.waiters.length - 1, now));
  }
}

/**
 * Late binding: the updates queued behind an operation in flight fold into it — the newest body, every waiter, the
 * highest priority — and are taken off the queue.
 *
 * @param edits - only when both are edits (a retry carrying the newest body); otherwise any pending operation (a
 *   re-create takes what was queued behind the edit that found the message gone)
 */
export function absorbPending(scheduler: UpdateScheduler, target: Target, op: Operation, edits: boolean): void {
  const pending = target.pending;
  if (!pending) return;
  if (edits && (pending.kind !== 'edit' || op.kind !== 'edit')) return;
  scheduler.clearPending(target);
  op.body = pending.body;
  op.waiters.push(...pending.waiters);
  op.priority = Math.max(op.priority, pending.priority);
}
