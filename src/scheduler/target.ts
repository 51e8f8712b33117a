/**
 * The state the manager keeps per message ("target"): the operation waiting to be sent (where later updates
 * coalesce), the one in flight, and what Discord last acknowledged.
 *
 * @module
 */
import type { Grant } from '../rate-limit/rate-limit-tracker.js';
import type { UpdateResult } from '../manager/types.js';

/** What an operation does to its message. */
export type OperationKind = 'create' | 'edit' | 'delete';

/** One caller's handle waiting for the operation its update was merged into. */
export interface Waiter {
  readonly resolve: (result: UpdateResult) => void;
  readonly reject: (error: unknown) => void;
  readonly enqueuedAt: number;
}

/** One request's worth of work for a target: the merge of every update queued for it. */
export interface Operation {
  kind: OperationKind;
  /** The newest body (late binding: chosen when the request is sent). */
  body: unknown;
  /** The highest priority of the updates merged. */
  priority: number;
  /** The earliest enqueue time of the updates merged (aging counts from it). */
  enqueuedAt: number;
  /** The latest deadline of the updates merged (`Infinity`: none). */
  deadlineAt: number;
  waiters: Waiter[];
  /** A create's nonce, stable across its retries. */
  nonce: string | undefined;
  attempts: number;
  /** Not sent before this time (a retry's backoff, a 429's wait). */
  notBefore: number;
  /** Enqueue order, to break ties between equal scores. */
  readonly seq: number;
}

/** Waiting for the scheduler to hand a retry its slot. */
export interface GrantWaiter {
  readonly resolve: (grant: Grant) => void;
  readonly reject: (error: Error) => void;
}

/** One message the manager works on. */
export interface Target {
  /** Row key in the durable outbox (fixed for the target's life). */
  readonly durableKey: string;
  /** Display order of a managed message (the caller's, stored with it). */
  sortOrder: number;
  /** Outbox writes of this target not yet committed: it is not sent before they are. */
  unflushed: number;
  channelId: string;
  messageId: string | undefined;
  /** The managed-message key, when it is one. */
  key: string | undefined;
  /** The operation waiting to be sent. */
  pending: Operation | undefined;
  /** The operation on the wire (or waiting for its retry). */
  inFlight: Operation | undefined;
  grantWaiter: GrantWaiter | undefined;
  /** Content hash of what Discord last acknowledged. */
  lastAckedHash: string | undefined;
  /** Bumped each time the target is (re)queued: older heap entries are stale. */
  readyToken: number;
  deleted: boolean;
  /** Waiting in its channel's create queue. */
  createQueued: boolean;
}

/** A managed message as remembered while it has no work (and, with a repository, across restarts). */
export interface ManagedRecord {
  readonly channelId: string;
  messageId: string | undefined;
  hash: string | undefined;
  sortOrder: number;
}

/** A new operation for one update. */
export function newOperation(
  seq: number,
  kind: OperationKind,
  body: unknown,
  priority: number,
  now: number,
  deadlineAt: number,
  waiter: Waiter | undefined,
): Operation {
  return {
    kind,
    body,
    priority,
    enqueuedAt: now,
    deadlineAt,
    waiters: waiter ? [waiter] : [],
    nonce: undefined,
    attempts: 0,
    notBefore: 0,
    seq,
  };
}
