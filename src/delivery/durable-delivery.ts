import pRetry, { AbortError } from 'p-retry';
import { isSnowflake } from '../discord/snowflake.js';
import { DeadLetterError, RepositoryError, UnauthorizedError } from '../errors/message-update-error.js';
import type { EmitEvent } from '../manager/manager-events.js';
import type { ManagerState } from '../manager/manager-state.js';
import { withRepositoryRetries, type RepositoryRetry } from '../outbox/repository-retry.js';
import type { Grant, RateLimitTracker } from '../rate-limit/rate-limit-tracker.js';
import type { AckInput, ClaimedRow, UpdateRepository } from '../repositories/update-repository.js';
import type { Operation, OperationKind, Target } from '../scheduler/target.js';
import type { TargetRegistry } from '../scheduler/target-registry.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import type { TransportResponse } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import type { Delivery } from './delivery.js';
import type { DeliveryResults } from './delivery-results.js';
import { OperationCancelled, viaRepository } from './failure-classification.js';
import type { SendStep } from './send-step.js';

/** What a run returns when another worker already delivered the target's newest version. */
const DELIVERED_ELSEWHERE = Symbol('delivered elsewhere');
/** What a run returns when the claimed row's deadline had passed: dropped, nothing sent. */
const EXPIRED = Symbol('expired');

/** Options of {@link DurableDelivery}. */
export interface DurableDeliveryOptions {
  readonly repository: UpdateRepository;
  readonly sendStep: SendStep;
  readonly scheduler: UpdateScheduler;
  readonly registry: TargetRegistry;
  readonly results: DeliveryResults;
  readonly tracker: RateLimitTracker;
  readonly state: ManagerState;
  readonly clock: Clock;
  readonly emit: EmitEvent;
  /** How long a claim leases a row, ms (database clock). */
  readonly leaseMs: number;
  /** How acks are retried when the database fails. */
  readonly retry: RepositoryRetry;
  readonly newNonce: () => string;
  /** Why a retry may not wait for its slot (a bad token, a stop without draining), if it may not. */
  readonly refusal: () => Error | undefined;
}

/**
 * The delivery with a repository: every attempt claims the target's outbox row (a lease, so no other process sends it
 * meanwhile), sends the row's body (the newest committed version: late binding through the table), then acks with the
 * lease token and the version sent. A failure releases the lease with the retry schedule, or turns the row into a dead
 * letter; nothing is deleted from the outbox before Discord acknowledged it, and nothing is sent on a lease that may
 * have passed to another process.
 *
 * @internal
 */
export class DurableDelivery implements Delivery {
  readonly #options: DurableDeliveryOptions;

  public constructor(options: DurableDeliveryOptions) {
    this.#options = options;
  }

  /** {@inheritDoc Delivery.run} */
  public async run(target: Target, op: Operation, firstGrant: Grant): Promise<void> {
    const { repository, sendStep, scheduler, results, tracker, clock, leaseMs, refusal } = this.#options;
    let grant: Grant | undefined = firstGrant;
    let lease: ClaimedRow | undefined;
    let leaseValidUntil = 0;
    let sentVersion = 0;
    const releaseLease = async (attempts: number, retryInMs: number, error: string | null): Promise<void> => {
      if (!lease) return;
      const held = lease;
      lease = undefined;
      // Best effort: if the database is down the lease simply expires and the row is claimed again.
      await repository
        .release({
          targetKey: held.targetKey,
          leaseToken: held.leaseToken,
          attempts,
          retryInMs,
          error,
          messageId: target.messageId ?? null,
        })
        .catch(() => undefined);
    };
    /** Gives back the slot of an attempt that will not be sent. */
    const unsent = (slot: Grant): void => {
      grant = undefined;
      tracker.cancel(slot, clock.now());
    };
    let answer: TransportResponse | typeof DELIVERED_ELSEWHERE | typeof EXPIRED | undefined;
    try {
      answer = await pRetry(
        async (attemptNumber) => {
          for (;;) {
            if (!grant) {
              try {
                grant = await scheduler.awaitGrant(target, refusal);
              } catch (error) {
                throw new AbortError(error as Error);
              }
            }
            const current: Grant = grant;
            if (!lease) {
              const claimedAt = clock.now();
              let row: ClaimedRow | undefined;
              try {
                [row] = await viaRepository('claim an outbox row', () =>
                  repository.claim({
                    limit: 1,
                    leaseMs,
                    targetKeys: [target.durableKey],
                    newNonce: this.#options.newNonce,
                  }),
                );
              } catch (error) {
                unsent(current);
                throw error;
              }
              if (!row) {
                unsent(current);
                const stored = await viaRepository('read an outbox row', () => repository.getRow(target.durableKey));
                // Gone: a worker acknowledged the newest version (ours included). Dead: a worker gave up on it.
                if (!stored) return DELIVERED_ELSEWHERE;
                if (stored.deadAt !== null)
                  throw new AbortError(new DeadLetterError(stored.targetKey, stored.lastError));
                // Leased by another (or a crashed) process, or waiting out its retry delay: look again later.
                op.notBefore = clock.now() + Math.min(leaseMs, 1000);
                continue;
              }
              if (row.deadlineAt !== null && row.deadlineAt <= clock.now()) {
                // Too late to matter (its deadline passed while queued, perhaps across a restart): drop it, unless
                // a newer version arrived meanwhile (the fenced ack keeps that one).
                unsent(current);
                await this.#ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version: row.version });
                return EXPIRED;
              }
              lease = row;
              // The lease is counted on the database clock from some moment after `claimedAt`; keeping a 20% margin
              // on our own clock, a process that was paused (SIGSTOP, a long GC) notices it may have lost the row.
              leaseValidUntil = claimedAt + leaseMs * 0.8;
              this.#adoptRow(target, op, row);
              // Discord answers a repeated nonce with the message created the first time, so a create only proves
              // the version first sent with that nonce.
              sentVersion = row.messageId === null && row.nonceVersion !== null ? row.nonceVersion : row.version;
            }
            if (op.kind === 'delete' && target.messageId === undefined) {
              unsent(current);
              return undefined;
            }
            if (clock.now() > leaseValidUntil) {
              // Fencing: never send on a lease that may have passed to another process; its row may be newer.
              lease = undefined;
              unsent(current);
              continue;
            }
            grant = undefined; // the send step completes it, answered or not
            const step = await sendStep.attempt(current, target, op);
            if (step.again) {
              // Rate limited, or Discord as a whole failing: the row waits (and may be claimed by another worker).
              if (step.note !== undefined) {
                await releaseLease(attemptNumber - 1, Math.max(0, op.notBefore - clock.now()), step.note);
              }
              continue;
            }
            return step.response;
          }
        },
        // The retry schedule is stored, so a restart honours it too (best effort).
        sendStep.retryOptions(target, op, (attempt, delayMs, error) => releaseLease(attempt, delayMs, error.message)),
      );
      if (lease) {
        const held = lease;
        lease = undefined;
        const createdId =
          op.kind === 'create' && typeof answer === 'object'
            ? (answer.body as { id?: unknown } | undefined)?.id
            : undefined;
        await this.#ack({
          targetKey: held.targetKey,
          leaseToken: held.leaseToken,
          version: sentVersion,
          messageId: isSnowflake(createdId) ? createdId : null,
        });
      }
    } catch (error) {
      if (grant) tracker.cancel(grant, clock.now());
      await this.#settleLeaseAfterFailure(lease, error).catch(() => undefined);
      results.failed(target, op, error);
      return;
    }
    if (answer === undefined || answer === DELIVERED_ELSEWHERE || answer === EXPIRED) {
      // Nothing was sent by us: another worker delivered the newest version, the deadline had passed, or there was
      // nothing to delete.
      results.settledWithoutSending(
        target,
        op,
        answer === DELIVERED_ELSEWHERE ? 'sent' : answer === EXPIRED ? 'expired' : 'skipped',
      );
      return;
    }
    results.succeeded(target, op, answer);
    await this.#saveManaged(target, op.kind).catch(() => undefined);
  }

  /**
   * Acknowledges a version Discord now shows, retrying a failing database with backoff. If it never succeeds the
   * lease expires and the row is sent again later: at-least-once, never lost.
   */
  async #ack(input: AckInput): Promise<void> {
    const acked = await withRepositoryRetries(() => this.#options.repository.ack(input), this.#options.retry);
    if (!acked.ok) this.#options.emit('repositoryError', new RepositoryError('acknowledge an outbox row', acked.error));
  }

  /** After a failed run: keep the row for a later start (cancel, bad token) or make it a dead letter. */
  async #settleLeaseAfterFailure(lease: ClaimedRow | undefined, error: unknown): Promise<void> {
    if (!lease) return;
    const { repository, state } = this.#options;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof OperationCancelled || error instanceof UnauthorizedError || state.cancelling) {
      await repository.release({
        targetKey: lease.targetKey,
        leaseToken: lease.leaseToken,
        attempts: 0,
        retryInMs: 0,
        error: message,
      });
    } else {
      await repository.deadLetter({ targetKey: lease.targetKey, leaseToken: lease.leaseToken, error: message });
    }
  }

  /** Takes what the claimed row says: the newest committed body, the message id, the nonce. */
  #adoptRow(target: Target, op: Operation, row: ClaimedRow): void {
    if (row.messageId !== null && target.messageId === undefined)
      this.#options.registry.bindMessage(target, row.messageId);
    if (row.desired === 'absent') op.kind = 'delete';
    else {
      op.kind = target.messageId === undefined ? 'create' : 'edit';
      op.body = row.body;
    }
    op.nonce = row.nonce ?? undefined;
  }

  /** Stores the managed message's id and content after Discord acknowledged it (or forgets it after a delete). */
  async #saveManaged(target: Target, kind: OperationKind): Promise<void> {
    const { repository } = this.#options;
    if (target.key === undefined) return;
    if (kind === 'delete') {
      await repository.deleteManaged(target.key);
      return;
    }
    if (target.messageId === undefined) return;
    await repository.saveManaged({
      key: target.key,
      channelId: target.channelId,
      messageId: target.messageId,
      contentHash: target.lastAckedHash ?? null,
      sortOrder: target.sortOrder,
    });
  }
}
