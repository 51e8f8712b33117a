/**
 * Planning of `enqueueMany` batches for the Postgres adapter. A multi-row `INSERT ... ON CONFLICT` may not touch one
 * row twice, so the upserts of each target are first folded into one merged upsert that has the same effect as
 * applying them one after another (the repository's per-row merge rules are associative). Deletes that depend on the
 * stored row (the two delete rules) are replayed against the row's locked state instead.
 *
 * Everything here is pure: no SQL runs in this module.
 *
 * @module
 */
import type { DesiredState, OutboxUpsert } from '../update-repository.js';
import { wholeMs } from './postgres-rows.js';

/** One upsert as the statements store it: ids normalised to `null`, body as JSON text, client times in whole ms. */
export interface PreparedUpsert {
  readonly targetKey: string;
  readonly desired: DesiredState;
  readonly channelId: string;
  readonly messageId: string | null;
  readonly managedKey: string | null;
  /** JSON text, or `null` when `desired` is `absent`. */
  readonly body: string | null;
  readonly priority: number;
  readonly enqueuedAt: number;
  readonly deadlineAt: number | null;
}

/**
 * Several consecutive upserts of one target merged into one: applying it to a row (or inserting it) has the effect of
 * applying them in order, with `upserts` version increments.
 */
export interface FoldedUpsert extends PreparedUpsert {
  /** How many upserts were merged (the version increment). */
  readonly upserts: number;
}

/** The state of a stored row that decides what a batch does to it, read under a row lock. */
export interface LockedRowState {
  readonly version: number;
  /**
   * No message id, no nonce and no live lease: a create never attempted, which a delete drops instead of storing
   * (the same test as the single-row delete path).
   */
  readonly droppable: boolean;
}

/** What a batch does to one target whose stored state was read first. */
export type LockedTargetPlan =
  /** Delete the row (or the placeholder standing for a missing one): the target ends with no row. */
  | { readonly op: 'drop'; readonly versions: readonly number[] }
  /** Replace every column with a fresh row (the row did not exist, or was dropped by the batch and re-created). */
  | { readonly op: 'fresh'; readonly row: FoldedUpsert; readonly version: number; readonly versions: readonly number[] }
  /** Merge into the stored row, as the single-row upsert does. */
  | {
      readonly op: 'merge';
      readonly row: FoldedUpsert;
      readonly version: number;
      readonly versions: readonly number[];
    };

/**
 * Normalises an upsert the way the single-row statement binds it.
 *
 * @param update - the caller's upsert
 * @param body - its encoded body (see `encodeBody`)
 * @returns the values to store
 */
export function prepareUpsert(update: OutboxUpsert, body: string | null): PreparedUpsert {
  return {
    targetKey: update.targetKey,
    desired: update.desired,
    channelId: update.channelId,
    messageId: update.messageId ?? null,
    managedKey: update.managedKey ?? null,
    body,
    priority: update.priority,
    enqueuedAt: wholeMs(update.enqueuedAt),
    deadlineAt: update.deadlineAt === null ? null : wholeMs(update.deadlineAt),
  };
}

/**
 * Whether the effect of an upsert depends on the stored row: a delete without a message id is dropped when there is
 * nothing to delete, and drops a create never attempted.
 *
 * @param update - a prepared upsert
 * @returns `true` when the row's state must be read first
 */
export function dependsOnRow(update: PreparedUpsert): boolean {
  return update.desired === 'absent' && update.messageId === null;
}

/**
 * Groups a batch by target, keeping the order of the upserts of each target (and the first-seen order of targets).
 *
 * @param updates - prepared upserts, in the caller's order
 * @returns for each target, the indices of its upserts in `updates`, in order
 */
export function groupByTarget(updates: readonly PreparedUpsert[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  updates.forEach((update, index) => {
    const group = groups.get(update.targetKey);
    if (group === undefined) groups.set(update.targetKey, [index]);
    else group.push(index);
  });
  return groups;
}

/**
 * `GREATEST` of two `double precision` values as PostgreSQL computes it, so a fold stores what the per-row merges
 * would: NaN sorts above every number, and a tie keeps the first argument.
 *
 * @param a - the stored value
 * @param b - the new value
 * @returns the greater of the two
 */
function pgGreatest(a: number, b: number): number {
  if (Number.isNaN(a)) return a;
  return Number.isNaN(b) || b > a ? b : a;
}

/**
 * The first upsert of a fold: what the single-row statement inserts.
 *
 * @param update - the upsert
 * @returns a fold of one upsert
 */
function startFold(update: PreparedUpsert): FoldedUpsert {
  return { ...update, upserts: 1 };
}

/**
 * Merges one more upsert into a fold, with the single-row statement's rules: the newest desired state and body, the
 * first known message id, the newest managed key, the highest priority, the earliest enqueue time, a deadline only
 * while every part has one (the latest), the channel of the first.
 *
 * @param fold - the upserts merged so far
 * @param update - the next upsert of the same target
 * @returns the merged fold
 */
function extendFold(fold: FoldedUpsert, update: PreparedUpsert): FoldedUpsert {
  return {
    targetKey: fold.targetKey,
    desired: update.desired,
    channelId: fold.channelId,
    messageId: fold.messageId ?? update.messageId,
    managedKey: update.managedKey ?? fold.managedKey,
    body: update.body,
    priority: pgGreatest(fold.priority, update.priority),
    enqueuedAt: Math.min(fold.enqueuedAt, update.enqueuedAt),
    deadlineAt:
      fold.deadlineAt === null || update.deadlineAt === null ? null : Math.max(fold.deadlineAt, update.deadlineAt),
    upserts: fold.upserts + 1,
  };
}

/**
 * Folds upserts of one target that never depend on the stored row (see {@link dependsOnRow}).
 *
 * @param updates - the target's upserts, in order (at least one)
 * @returns one upsert with the same effect, whatever the row holds
 */
export function foldUpserts(updates: readonly PreparedUpsert[]): FoldedUpsert {
  let fold = startFold(updates[0]!);
  for (let index = 1; index < updates.length; index++) fold = extendFold(fold, updates[index]!);
  return fold;
}

/**
 * Replays the upserts of one target against its locked state, as the single-row path would apply them one after
 * another, and says what to write.
 *
 * @param updates - the target's upserts, in order (at least one)
 * @param stored - the stored row's state, or `undefined` when there is none
 * @returns the write to make and the version each upsert returns
 */
export function planLockedTarget(
  updates: readonly PreparedUpsert[],
  stored: LockedRowState | undefined,
): LockedTargetPlan {
  const versions: number[] = [];
  // The row as the replay goes: absent, the stored one (plus `merged`), or one created by the batch.
  let exists = stored !== undefined;
  let fresh = false;
  let version = stored?.version ?? 0;
  let droppable = stored?.droppable ?? false;
  let merged: FoldedUpsert | undefined;
  for (const update of updates) {
    if (dependsOnRow(update) && (!exists || droppable)) {
      if (exists) {
        // The create was never attempted: dropping it is the whole delete.
        versions.push(version + 1);
        exists = false;
        fresh = false;
        merged = undefined;
      } else {
        // Deleting what was never created: nothing to store.
        versions.push(0);
      }
      continue;
    }
    if (!exists) {
      exists = true;
      fresh = true;
      version = 1;
      // A row just created has no nonce and no lease: only its message id keeps a delete from dropping it.
      droppable = update.messageId === null;
      merged = startFold(update);
    } else {
      version++;
      droppable = droppable && update.messageId === null;
      merged = merged === undefined ? startFold(update) : extendFold(merged, update);
    }
    versions.push(version);
  }
  if (!exists || merged === undefined) return { op: 'drop', versions };
  return { op: fresh ? 'fresh' : 'merge', row: merged, version, versions };
}
