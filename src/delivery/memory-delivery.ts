import pRetry, { AbortError } from 'p-retry';
import type { RateLimitTracker } from '../rate-limit/rate-limit-tracker.js';
import type { Grant } from '../rate-limit/rate-limit-tracker.js';
import { absorbPending } from '../scheduler/coalescing.js';
import type { Operation, Target } from '../scheduler/target.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import type { TransportResponse } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import type { Delivery } from './delivery.js';
import type { DeliveryResults } from './delivery-results.js';
import type { SendStep } from './send-step.js';

/** Options of {@link MemoryDelivery}. */
export interface MemoryDeliveryOptions {
  readonly sendStep: SendStep;
  readonly scheduler: UpdateScheduler;
  readonly results: DeliveryResults;
  readonly tracker: RateLimitTracker;
  readonly clock: Clock;
  /** Why a retry may not wait for its slot (a bad token, a stop without draining), if it may not. */
  readonly refusal: () => Error | undefined;
}

/**
 * The delivery without a repository: attempts through the send step until one ends the run, each retry waiting for
 * its slot in the scheduler; edits queued meanwhile ride along with the retry (late binding).
 *
 * @internal
 */
export class MemoryDelivery implements Delivery {
  readonly #options: MemoryDeliveryOptions;

  public constructor(options: MemoryDeliveryOptions) {
    this.#options = options;
  }

  /** {@inheritDoc Delivery.run} */
  public async run(target: Target, op: Operation, firstGrant: Grant): Promise<void> {
    const { sendStep, scheduler, results, tracker, clock, refusal } = this.#options;
    let grant: Grant | undefined = firstGrant;
    let answer: TransportResponse;
    try {
      answer = await pRetry(
        async () => {
          for (;;) {
            if (!grant) {
              try {
                grant = await scheduler.awaitGrant(target, refusal);
              } catch (error) {
                throw new AbortError(error as Error);
              }
            }
            if (op.kind === 'edit') absorbPending(scheduler, target, op, true);
            const current: Grant = grant;
            grant = undefined; // the send step completes it, answered or not
            const step = await sendStep.attempt(current, target, op);
            if (step.again) continue;
            return step.response;
          }
        },
        sendStep.retryOptions(target, op),
      );
    } catch (error) {
      if (grant) tracker.cancel(grant, clock.now()); // taken, never sent
      results.failed(target, op, error);
      return;
    }
    results.succeeded(target, op, answer);
  }
}
