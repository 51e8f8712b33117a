import { messageRequestLine } from '../discord/message-request.js';
import { routeOf, type RouteInfo } from '../discord/route.js';
import type { RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import type { Grant } from '../rate-limit/rate-limit-tracker.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import { PriorityHeap } from '../util/priority-heap.js';
import { newOperation, type Operation, type OperationKind, type Target, type Waiter } from './target.js';
import type { TargetRegistry } from './target-registry.js';

/** What the scheduler asks of the rest of the manager. */
export interface SchedulerHooks {
  /** Passes run while the manager is running or stopping. */
  isActive(): boolean;
  /** When a request on `route` may start (rate limits, failure pacing), or `undefined` after an answer in flight. */
  availableAt(route: RouteInfo, now: number): number | undefined;
  /** Starts the target's next request on `route`; returns whether a request slot was used. */
  dispatch(target: Target, route: RouteInfo, now: number): boolean;
  /** A pending operation's deadline passed: it has been taken off the target (report it, drop its outbox row). */
  expired(target: Target, op: Operation, now: number): void;
  /** At the start of every pass. */
  beforePass(now: number): void;
  /** Nothing is queued or in flight any more. */
  idle(): void;
}

interface ReadyEntry {
  readonly target: Target;
  readonly score: number;
  readonly seq: number;
  readonly token: number;
}

interface DelayedEntry {
  readonly target: Target;
  readonly at: number;
  readonly token: number;
}

interface DeadlineEntry {
  readonly target: Target;
  readonly op: Operation;
  readonly at: number;
}

interface Group {
  readonly route: RouteInfo;
  readonly heap: PriorityHeap<ReadyEntry>;
}

/** One create at a time per channel, in enqueue order. */
interface CreateGate {
  active: Target | undefined;
  readonly queue: Target[];
}

const byScore = (a: ReadyEntry, b: ReadyEntry): boolean => a.score < b.score || (a.score === b.score && a.seq < b.seq);

/**
 * Decides what is sent next. Each target with work waits in exactly one place: the ready group of its route (a
 * priority heap per route and major parameter, scored by enqueue time minus `priority × priorityAgingMs`, so old
 * updates age upward and nothing starves), the delay heap (a retry's backoff, a 429's wait), or its channel's create
 * queue (message order in a channel is creation order). A pass starts up to `batchSize` requests — always the best
 * entry among the groups whose bucket has room now — then yields to the event loop; its timer wakes it at the exact
 * moment something can go (a window resets, a delay or a deadline ends), at the latest after `batchDelayMs`.
 *
 * It also counts what is queued and in flight, settles nothing itself, and forgets idle targets.
 *
 * @internal
 */
export class UpdateScheduler {
  readonly #clock: Clock;
  readonly #config: Readonly<RateLimitConfig>;
  readonly #registry: TargetRegistry;
  readonly #hooks: SchedulerHooks;
  readonly #groups = new Map<string, Group>();
  readonly #delayed = new PriorityHeap<DelayedEntry>((a, b) => a.at < b.at);
  readonly #deadlines = new PriorityHeap<DeadlineEntry>((a, b) => a.at < b.at);
  readonly #createGates = new Map<string, CreateGate>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #emptyWaiters: (() => void)[] = [];
  #queued = 0;
  #inFlight = 0;
  #seq = 0;
  #passQueued = false;
  #immediateQueued = false;
  #timer: ClockTimer | undefined;
  #timerAt = Infinity;
  #idleEmitted = true;

  public constructor(clock: Clock, config: Readonly<RateLimitConfig>, registry: TargetRegistry, hooks: SchedulerHooks) {
    this.#clock = clock;
    this.#config = config;
    this.#registry = registry;
    this.#hooks = hooks;
  }

  /** Operations waiting to be sent. */
  public get queued(): number {
    return this.#queued;
  }

  /** Operations on the wire or waiting for their retry. */
  public get inFlight(): number {
    return this.#inFlight;
  }

  /** A new operation for one update (numbered, for ties). */
  public newOperation(
    kind: OperationKind,
    body: unknown,
    priority: number,
    now: number,
    deadlineAt: number,
    waiter: Waiter | undefined,
  ): Operation {
    return newOperation(++this.#seq, kind, body, priority, now, deadlineAt, waiter);
  }

  /** Makes `op` the target's pending operation (counted, its deadline watched). */
  public setPending(target: Target, op: Operation): void {
    this.#idleEmitted = false;
    if (!target.pending) this.#queued++;
    target.pending = op;
    if (op.deadlineAt !== Infinity) this.watchDeadline(target, op);
  }

  /** Takes the target's pending operation off it. */
  public clearPending(target: Target): void {
    if (target.pending) this.#queued--;
    target.pending = undefined;
    target.createQueued = false;
  }

  /** Watches `op`'s deadline (again, when a merge moved it later). */
  public watchDeadline(target: Target, op: Operation): void {
    this.#deadlines.push({ target, op, at: op.deadlineAt });
  }

  /** The target's pending operation goes on the wire: it becomes its operation in flight. */
  public startInFlight(target: Target, op: Operation): void {
    this.clearPending(target);
    target.inFlight = op;
    this.#inFlight++;
  }

  /** The target's operation in flight is over (sent, failed, or nothing to send). */
  public endInFlight(target: Target): void {
    target.inFlight = undefined;
    this.#inFlight--;
  }

  /** Puts the target where its next request waits: a ready group, the delay heap, or its channel's create queue. */
  public makeReady(target: Target, now: number): void {
    const op = target.grantWaiter ? target.inFlight : target.inFlight ? undefined : target.pending;
    if (!op) return;
    // With a repository, a target is sent only once its outbox row holds everything enqueued so far.
    if (target.unflushed > 0 && !target.grantWaiter) return;
    if (op.kind === 'create' && !target.grantWaiter) {
      // Message order in a channel is creation order: one create at a time per channel, in enqueue order.
      let gate = this.#createGates.get(target.channelId);
      if (!gate) {
        gate = { active: undefined, queue: [] };
        this.#createGates.set(target.channelId, gate);
      }
      if (gate.active === undefined) gate.active = target;
      if (gate.active !== target) {
        if (!target.createQueued) {
          target.createQueued = true;
          gate.queue.push(target);
        }
        return;
      }
    }
    const token = ++target.readyToken;
    if (op.notBefore > now) {
      this.#delayed.push({ target, at: op.notBefore, token });
      return;
    }
    const request = messageRequestLine(op.kind, target.channelId, target.messageId);
    const route = routeOf(request.method, request.path, now);
    const groupKey = `${route.routeKey}|${route.majorParameter}`;
    let group = this.#groups.get(groupKey);
    if (!group) {
      group = { route, heap: new PriorityHeap(byScore) };
      this.#groups.set(groupKey, group);
    }
    group.heap.push({ target, score: op.enqueuedAt - op.priority * this.#config.priorityAgingMs, seq: op.seq, token });
  }

  /** The target's create is over (or no longer queued): the next create of its channel may go. */
  public releaseCreateGate(target: Target): void {
    const gate = this.#createGates.get(target.channelId);
    if (!gate) return;
    if (gate.active === target) gate.active = undefined;
    else if (target.createQueued) {
      const index = gate.queue.indexOf(target);
      if (index >= 0) gate.queue.splice(index, 1);
    }
    target.createQueued = false;
    if (gate.active !== undefined) return;
    const now = this.#clock.now();
    while (gate.queue.length > 0) {
      const next = gate.queue.shift()!;
      next.createQueued = false;
      if (next.pending?.kind === 'create' && !next.inFlight) {
        gate.active = next;
        this.makeReady(next, now);
        break;
      }
    }
    if (gate.active === undefined && gate.queue.length === 0) this.#createGates.delete(target.channelId);
  }

  /**
   * Waits for the scheduler to hand the target's operation in flight its next slot (a retry).
   *
   * @param refusal - checked first: an error to reject with at once (a bad token, a stop without draining)
   */
  public awaitGrant(target: Target, refusal: () => Error | undefined): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const error = refusal();
      if (error) {
        reject(error);
        return;
      }
      target.grantWaiter = { resolve, reject };
      this.makeReady(target, this.#clock.now());
      this.schedulePass();
    });
  }

  /** After any change to a target: queue its follow-up, or forget it when idle; then check for idleness. */
  public afterChange(target: Target): void {
    if (target.pending && !target.inFlight) this.makeReady(target, this.#clock.now());
    this.#registry.dropIfIdle(target);
    if (this.#queued === 0) {
      for (const resolve of this.#emptyWaiters.splice(0)) resolve();
    }
    if (this.#queued === 0 && this.#inFlight === 0 && !this.#idleEmitted) {
      this.#idleEmitted = true;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      this.#hooks.idle();
    }
    this.schedulePass();
  }

  /** Resolves when nothing is queued or in flight. */
  public onIdle(): Promise<void> {
    if (this.#queued === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves when nothing is queued. */
  public onEmpty(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  /** Runs a pass soon (once per tick, however many changes asked for it). */
  public schedulePass(): void {
    if (this.#passQueued) return;
    this.#passQueued = true;
    queueMicrotask(() => {
      this.#passQueued = false;
      this.#pass();
    });
  }

  /** Longest wait of a target on the delay heap, ms (0 when none). */
  public longestDelayMs(now: number): number {
    let longest = 0;
    for (const entry of this.#delayed.values()) {
      if (this.#isValid(entry)) longest = Math.max(longest, entry.at - now);
    }
    return longest;
  }

  /**
   * Ends every queued operation and every retry waiting for its slot: `grantError` rejects the waits, `end` settles
   * or fails each pending operation (a stop without draining cancels them, a bad token fails them).
   */
  public endAll(grantError: Error, end: (target: Target, pending: Operation, now: number) => void): void {
    const now = this.#clock.now();
    for (const target of this.#registry.targets()) {
      if (target.grantWaiter) {
        const waiter = target.grantWaiter;
        target.grantWaiter = undefined;
        waiter.reject(grantError);
      }
      const pending = target.pending;
      if (pending) {
        this.clearPending(target);
        end(target, pending, now);
        this.afterChange(target);
      }
    }
  }

  /** Forgets every queue (a stop without draining: the operations were cancelled). */
  public clear(): void {
    this.#groups.clear();
    this.#delayed.clear();
    this.#deadlines.clear();
    this.#createGates.clear();
  }

  /** Stops the timer (the manager stopped). */
  public stopTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #isValid(entry: { target: Target; token: number }): boolean {
    const target = entry.target;
    if (entry.token !== target.readyToken) return false;
    if (target.grantWaiter !== undefined) return true;
    // An update merged after the target became ready may still be on its way to the outbox: wait for the commit
    // (the flush makes the target ready again), or the claim could send and acknowledge an older version for it.
    return target.pending !== undefined && target.inFlight === undefined && target.unflushed === 0;
  }

  #pass(): void {
    if (!this.#hooks.isActive()) return;
    const now = this.#clock.now();
    this.#hooks.beforePass(now);
    this.expireDue(now);
    while (this.#delayed.size > 0 && this.#delayed.peek()!.at <= now) {
      const entry = this.#delayed.pop()!;
      if (this.#isValid(entry)) this.makeReady(entry.target, now);
    }
    let budget = this.#config.batchSize;
    let wakeAt = Infinity;
    while (budget > 0) {
      let best: ReadyEntry | undefined;
      let bestGroup: Group | undefined;
      for (const [groupKey, group] of this.#groups) {
        let head = group.heap.peek();
        while (head && !this.#isValid(head)) {
          group.heap.pop();
          head = group.heap.peek();
        }
        if (!head) {
          this.#groups.delete(groupKey);
          continue;
        }
        const at = this.#hooks.availableAt(group.route, now);
        if (at === undefined) continue;
        if (at > now) {
          wakeAt = Math.min(wakeAt, at);
          continue;
        }
        if (!best || byScore(head, best)) {
          best = head;
          bestGroup = group;
        }
      }
      if (!best || !bestGroup) break;
      bestGroup.heap.pop();
      if (this.#hooks.dispatch(best.target, bestGroup.route, now)) budget--;
    }
    if (budget === 0 && !this.#immediateQueued) {
      // More may be ready: yield to I/O, then go on (batchSize bounds blocking, never throughput).
      this.#immediateQueued = true;
      setImmediate(() => {
        this.#immediateQueued = false;
        this.schedulePass();
      });
    }
    if (this.#delayed.size > 0) wakeAt = Math.min(wakeAt, this.#delayed.peek()!.at);
    while (this.#deadlines.size > 0 && !this.#deadlineValid(this.#deadlines.peek()!)) this.#deadlines.pop();
    if (this.#deadlines.size > 0) wakeAt = Math.min(wakeAt, this.#deadlines.peek()!.at);
    if (this.#groups.size > 0 || this.#delayed.size > 0) wakeAt = Math.min(wakeAt, now + this.#config.batchDelayMs);
    this.#armTimer(wakeAt, now);
  }

  #armTimer(wakeAt: number, now: number): void {
    if (wakeAt === Infinity) return;
    if (this.#timer !== undefined && this.#timerAt <= wakeAt && this.#timerAt > now) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = wakeAt;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#pass();
      },
      Math.max(0, wakeAt - now),
    );
  }

  #deadlineValid(entry: DeadlineEntry): boolean {
    return entry.target.pending === entry.op && entry.op.deadlineAt === entry.at;
  }

  /** Takes every pending operation whose deadline passed off its target and reports it. */
  public expireDue(now: number): void {
    while (this.#deadlines.size > 0 && this.#deadlines.peek()!.at <= now) {
      const entry = this.#deadlines.pop()!;
      if (!this.#deadlineValid(entry)) continue;
      const target = entry.target;
      this.clearPending(target);
      if (entry.op.kind === 'create') this.releaseCreateGate(target);
      this.#hooks.expired(target, entry.op, now);
      this.afterChange(target);
    }
  }
}
