import type { Grant } from '../rate-limit/rate-limit-tracker.js';
import type { Operation, Target } from '../scheduler/target.js';

/**
 * How an operation reaches Discord, chosen once when the manager is built: `MemoryDelivery` (the backlog lives in
 * memory) or `DurableDelivery` (every attempt claims the target's outbox row, acks it when Discord answered). Both use
 * one send step and one failure policy, and report through one set of delivery results.
 *
 * @internal
 */
export interface Delivery {
  /**
   * Sends `op` (the target's operation in flight) until Discord acknowledged it, it failed for good or was cancelled,
   * then settles it. Never rejects.
   *
   * @param grant - the slot the scheduler took for the first attempt; retries wait for theirs
   */
  run(target: Target, op: Operation, grant: Grant): Promise<void>;
}
