import type { RouteInfo } from '../discord/route.js';
import type { Outcomes } from '../manager/outcomes.js';
import type { TargetRegistry } from '../scheduler/target-registry.js';
import type { Target } from '../scheduler/target.js';
import type { UpdateScheduler } from '../scheduler/update-scheduler.js';
import { contentHash } from '../util/content-hash.js';
import type { Delivery } from './delivery.js';
import type { SendStep } from './send-step.js';

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  readonly scheduler: UpdateScheduler;
  readonly registry: TargetRegistry;
  readonly outcomes: Outcomes;
  readonly sendStep: SendStep;
  readonly delivery: Delivery;
  readonly newNonce: () => string;
}

/**
 * Where the scheduler hands over: a retry waiting for its slot gets it; a pending operation is looked at one last
 * time (late binding: what it does is decided now) — an edit of a message whose create failed becomes the create, an
 * edit identical to what Discord last acknowledged is skipped, an expired one is dropped — and goes to the delivery.
 *
 * @internal
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;

  public constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Starts the target's next request on `route`; returns whether a request slot was used. */
  public dispatch(target: Target, route: RouteInfo, now: number): boolean {
    const { scheduler, registry, outcomes, sendStep } = this.#options;
    if (target.grantWaiter) {
      const waiter = target.grantWaiter;
      target.grantWaiter = undefined;
      waiter.resolve(sendStep.acquire(route, now));
      return true;
    }
    const op = target.pending;
    if (!op || target.inFlight) return false;
    if (op.deadlineAt <= now) {
      scheduler.expireDue(now);
      return false;
    }
    if (op.kind !== 'create' && target.messageId === undefined) {
      // The create this was queued behind failed: an edit becomes the create, a delete has nothing to delete.
      if (op.kind === 'edit') {
        op.kind = 'create';
        scheduler.makeReady(target, now);
      } else {
        scheduler.clearPending(target);
        outcomes.settle(target, op, 'skipped', now);
        registry.forgetKey(target);
        scheduler.afterChange(target);
      }
      return false;
    }
    if (op.kind === 'edit' && target.lastAckedHash !== undefined && contentHash(op.body) === target.lastAckedHash) {
      scheduler.clearPending(target);
      outcomes.settle(target, op, 'skipped', now);
      scheduler.afterChange(target);
      return false;
    }
    scheduler.startInFlight(target, op);
    if (op.kind === 'create') op.nonce ??= this.#options.newNonce();
    const grant = sendStep.acquire(route, now);
    void this.#options.delivery.run(target, op, grant);
    return true;
  }
}
