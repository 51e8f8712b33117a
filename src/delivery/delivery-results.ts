import type { APIMessage } from 'discord-api-types/v10';
import { messageRequestLine } from '../discord/message-request.js';
import { isSnowflake } from '../discord/snowflake.js';
import { DiscordAPIError, RetriesExhaustedError, UnauthorizedError } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import type { ManagerState } from '../manager/manager-state.js';
import type { Outcomes } from '../manager/outcomes.js';
import type { RateLimitTracker } from '../rate-limit/rate-limit-tracker.js';
import { absorbPending } from '../scheduler/coalescing.js';
import type { Operation, Target } from '../scheduler/target.js';
import type { TargetRegistry } from '../scheduler/target-registry.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import type { TransportResponse } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import { contentHash } from '../util/content-hash.js';
import { isRetryable, OperationCancelled } from './failure-classification.js';

/** Discord's "Unknown Message". */
const UNKNOWN_MESSAGE = 10008;

/** Options of {@link DeliveryResults}. */
export interface DeliveryResultsOptions {
  readonly clock: Clock;
  readonly registry: TargetRegistry;
  readonly scheduler: UpdateScheduler;
  readonly outcomes: Outcomes;
  readonly tracker: RateLimitTracker;
  readonly state: ManagerState;
  readonly emit: EmitEvent;
}

/**
 * What a finished run means for its target, the same for both deliveries: on success the message id and content
 * Discord acknowledged are remembered (creates bind the message, deletes forget the key) and the waiters settle
 * `sent`; on failure a managed message Discord says is gone is created again, a 401 stops all sending, and the rest
 * reject with the typed error (a retryable one wrapped in `RetriesExhaustedError`).
 *
 * @internal
 */
export class DeliveryResults {
  readonly #options: DeliveryResultsOptions;

  public constructor(options: DeliveryResultsOptions) {
    this.#options = options;
  }

  /** The run ended with Discord's acknowledgement `answer`. */
  public succeeded(target: Target, op: Operation, answer: TransportResponse): void {
    const { clock, registry, scheduler, outcomes } = this.#options;
    const now = clock.now();
    scheduler.endInFlight(target);
    let message: APIMessage | undefined;
    if (op.kind === 'create') {
      message = answer.body as APIMessage;
      const id = (answer.body as { id?: unknown } | undefined)?.id;
      scheduler.releaseCreateGate(target);
      if (!isSnowflake(id)) {
        const error = new DiscordAPIError(
          answer.status,
          0,
          'create answered without a message id',
          'POST',
          `/channels/${target.channelId}/messages`,
          answer.body,
        );
        outcomes.fail(target, op, error, now);
        scheduler.afterChange(target);
        return;
      }
      registry.bindMessage(target, id);
      target.lastAckedHash = contentHash(op.body);
      if (target.key !== undefined) {
        registry.setManaged(target.key, {
          channelId: target.channelId,
          messageId: id,
          hash: target.lastAckedHash,
          sortOrder: target.sortOrder,
        });
      }
    } else if (op.kind === 'edit') {
      message = answer.body as APIMessage;
      target.lastAckedHash = contentHash(op.body);
      const record = target.key === undefined ? undefined : registry.managed(target.key);
      if (record) record.hash = target.lastAckedHash;
    } else {
      if (target.messageId !== undefined) registry.markDeleted(target.messageId);
      registry.forgetKey(target);
    }
    outcomes.settle(target, op, 'sent', now, message);
    scheduler.afterChange(target);
  }

  /**
   * The run ended without Discord's acknowledgement: nothing to send after all (`outcome`), because another worker
   * delivered it, its deadline passed, or there was nothing to delete.
   */
  public settledWithoutSending(target: Target, op: Operation, outcome: 'sent' | 'expired' | 'skipped'): void {
    const { scheduler, outcomes, clock } = this.#options;
    scheduler.endInFlight(target);
    if (op.kind === 'create') scheduler.releaseCreateGate(target);
    outcomes.settle(target, op, outcome, clock.now());
    scheduler.afterChange(target);
  }

  /** The run failed for good with `error` (or was cancelled). */
  public failed(target: Target, op: Operation, error: unknown): void {
    const { clock, scheduler, outcomes, state } = this.#options;
    const now = clock.now();
    scheduler.endInFlight(target);
    if (op.kind === 'create') scheduler.releaseCreateGate(target);
    if (error instanceof OperationCancelled || (state.cancelling && isRetryable(error))) {
      outcomes.settle(target, op, 'cancelled', now);
      scheduler.afterChange(target);
      return;
    }
    if (
      error instanceof DiscordAPIError &&
      error.status === 404 &&
      error.discordCode === UNKNOWN_MESSAGE &&
      op.kind === 'edit' &&
      target.key !== undefined &&
      target.messageId !== undefined
    ) {
      this.#recreate(target, op, now);
      return;
    }
    const final = isRetryable(error)
      ? new RetriesExhaustedError(
          op.kind === 'create' ? 'POST' : op.kind === 'edit' ? 'PATCH' : 'DELETE',
          messageRequestLine(op.kind, target.channelId, target.messageId).path,
          op.attempts,
          error,
        )
      : error instanceof Error
        ? error
        : new Error(String(error));
    if (final instanceof UnauthorizedError) this.#stopSending(final);
    outcomes.fail(target, op, final, now);
    if (error instanceof DiscordAPIError && error.status === 404 && target.pending?.kind === 'edit') {
      // The message is gone: the queued follow-up would fail the same way.
      const pending = target.pending;
      scheduler.clearPending(target);
      outcomes.fail(target, pending, final, now);
    }
    scheduler.afterChange(target);
  }

  /** A managed message was deleted behind our back: create it again with the newest body. */
  #recreate(target: Target, op: Operation, now: number): void {
    const { registry, scheduler, outcomes, emit } = this.#options;
    const previousMessageId = target.messageId!;
    registry.unbindMessage(target);
    emit('messageRecreated', { key: target.key!, channelId: target.channelId, previousMessageId });
    if (target.pending?.kind === 'delete') {
      outcomes.settle(target, op, 'cancelled', now);
      scheduler.afterChange(target);
      return;
    }
    op.kind = 'create';
    op.nonce = undefined;
    op.notBefore = 0;
    absorbPending(scheduler, target, op, false);
    scheduler.setPending(target, op);
    scheduler.makeReady(target, now);
    scheduler.schedulePass();
  }

  /** A 401: the token is bad. Nothing more is sent, and everything queued fails with the same error. */
  #stopSending(error: UnauthorizedError): void {
    const { state, tracker, emit, scheduler, outcomes } = this.#options;
    if (state.unauthorized) return;
    state.unauthorized = error;
    tracker.setUnauthorized();
    emit('unauthorized', error);
    scheduler.endAll(error, (target, pending, now) => outcomes.fail(target, pending, error, now));
  }
}
