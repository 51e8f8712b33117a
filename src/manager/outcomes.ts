import type { APIMessage } from 'discord-api-types/v10';
import type { MetricsCollector } from '../metrics/metrics-collector.js';
import type { Operation, OperationKind, Target } from '../scheduler/target.js';
import type { EmitEvent } from './manager-events.js';
import type { UpdateOutcome, UpdateResult, UpdateSettledEvent } from './types.js';
import { UpdateHandle } from './update-handle.js';

/** An `accepted` that is already true (nothing to store, or stored in memory). */
export const EMPTY_ACCEPTED = Promise.resolve();

/**
 * How an operation's waiters learn how it ended (the README's "Outcomes" table): the update whose body was used gets
 * the outcome (`sent`, `skipped`, `cancelled`, `expired`), the updates it replaced `coalesced`; a failure rejects them
 * all. Every settlement is measured and emitted.
 *
 * @internal
 */
export class Outcomes {
  readonly #metrics: MetricsCollector;
  readonly #emit: EmitEvent;

  public constructor(metrics: MetricsCollector, emit: EmitEvent) {
    this.#metrics = metrics;
    this.#emit = emit;
  }

  /** One waiter's result. */
  public result(
    target: Target,
    kind: OperationKind,
    outcome: UpdateOutcome,
    attempts: number,
    latencyMs: number,
    message: APIMessage | undefined,
  ): UpdateResult {
    return {
      outcome,
      kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      attempts,
      latencyMs,
      message,
    };
  }

  /** The payload of the settle events. */
  public settledEvent(target: Target, op: Operation, updates: number, now: number): UpdateSettledEvent {
    return {
      kind: op.kind,
      channelId: target.channelId,
      messageId: target.messageId,
      key: target.key,
      updates,
      attempts: op.attempts,
      latencyMs: now - op.enqueuedAt,
    };
  }

  /** Resolves every waiter of `op`: the one whose body was used gets `outcome`, the ones it replaced `coalesced`. */
  public settle(
    target: Target,
    op: Operation,
    outcome: 'sent' | 'skipped' | 'cancelled' | 'expired',
    now: number,
    message?: APIMessage,
  ): void {
    if (outcome !== 'sent') undoDelete(target, op);
    const last = op.waiters.length - 1;
    const replaced = outcome === 'sent' || outcome === 'skipped' ? last : 0;
    op.waiters.forEach((waiter, index) => {
      const own = index < replaced ? 'coalesced' : outcome;
      waiter.resolve(
        this.result(
          target,
          op.kind,
          own,
          op.attempts,
          now - waiter.enqueuedAt,
          own === 'coalesced' ? undefined : message,
        ),
      );
    });
    this.#metrics.recordOperation({
      kind: op.kind,
      outcome,
      latencyMs: now - op.enqueuedAt,
      updates: op.waiters.length,
      attempts: op.attempts,
    });
    if (replaced > 0) this.#metrics.recordCoalesced(replaced);
    const event = this.settledEvent(target, op, op.waiters.length, now);
    if (outcome === 'sent') this.#emit('updateSent', event);
    else if (outcome === 'skipped') this.#emit('updateSkipped', event);
    else if (outcome === 'cancelled') this.#emit('updateCancelled', event);
    else this.#emit('updateExpired', event);
  }

  /** Rejects every waiter of `op` with `error`. */
  public fail(target: Target, op: Operation, error: Error, now: number): void {
    undoDelete(target, op);
    for (const waiter of op.waiters) waiter.reject(error);
    this.#metrics.recordOperation({
      kind: op.kind,
      outcome: 'failed',
      latencyMs: now - op.enqueuedAt,
      updates: op.waiters.length,
      attempts: op.attempts,
    });
    this.#emit('updateFailed', { ...this.settledEvent(target, op, op.waiters.length, now), error });
  }

  /** A handle that has its outcome already (nothing to do). */
  public resolvedHandle(
    outcome: UpdateOutcome,
    kind: OperationKind,
    channelId: string,
    messageId: string | undefined,
    key: string | undefined,
  ): UpdateHandle {
    return new UpdateHandle(
      Promise.resolve({ outcome, kind, channelId, messageId, key, attempts: 0, latencyMs: 0, message: undefined }),
      EMPTY_ACCEPTED,
    );
  }
}

/**
 * A delete that ended without being sent (cancelled, expired, failed) did not delete the message: unless another
 * delete of it is still queued or on the wire, the target is not deleted after all (later edits and deletes go on).
 */
function undoDelete(target: Target, op: Operation): void {
  if (op.kind !== 'delete' || !target.deleted) return;
  const otherDelete = (other: Operation | undefined): boolean =>
    other !== undefined && other !== op && other.kind === 'delete';
  if (!otherDelete(target.pending) && !otherDelete(target.inFlight)) target.deleted = false;
}
