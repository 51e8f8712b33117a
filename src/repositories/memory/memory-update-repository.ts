import { randomUUID } from 'node:crypto';
import { RepositoryClosedError } from '../../errors/message-update-error.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type {
  AckInput,
  AckResult,
  ClaimedRow,
  ClaimOptions,
  ManagedMessage,
  OutboxRow,
  OutboxUpsert,
  PerformanceSnapshot,
  ReleaseInput,
  UpdateRepository,
} from '../update-repository.js';
import { compareRows } from '../update-repository.js';
import { compareCodePoints } from '../../util/compare-code-points.js';

type MutableRow = { -readonly [K in keyof OutboxRow]: OutboxRow[K] };

/** Options of {@link MemoryUpdateRepository}. */
export interface MemoryUpdateRepositoryOptions {
  /**
   * Stands in for the database clock (leases, retry times, dead-letter times).
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
}

/**
 * The default {@link UpdateRepository}: everything in memory, nothing survives the process. It is the reference for
 * the contract's semantics (the SQLite and Postgres adapters pass the same test suite).
 *
 * @example
 * ```ts
 * const repository = new MemoryUpdateRepository();
 * await repository.enqueue({ targetKey: 'm:1', desired: 'present', ... });
 * ```
 */
export class MemoryUpdateRepository implements UpdateRepository {
  readonly #clock: Clock;
  readonly #rows = new Map<string, MutableRow>();
  readonly #managed = new Map<string, ManagedMessage>();
  readonly #snapshots: PerformanceSnapshot[] = [];
  #closed = false;

  /** @param options - see {@link MemoryUpdateRepositoryOptions} */
  public constructor(options: MemoryUpdateRepositoryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Nothing to migrate in memory. */
  public async migrate(): Promise<void> {
    this.#assertOpen('migrate');
  }

  /**
   * Marks the repository closed, like the database adapters: every later call rejects with
   * {@link RepositoryClosedError}. Idempotent.
   */
  public async close(): Promise<void> {
    this.#closed = true;
  }

  /** {@inheritDoc UpdateRepository.enqueue} */
  public async enqueue(update: OutboxUpsert): Promise<{ readonly version: number }> {
    this.#assertOpen('enqueue');
    return this.#upsert(update);
  }

  /** {@inheritDoc UpdateRepository.enqueueMany} */
  public async enqueueMany(updates: readonly OutboxUpsert[]): Promise<readonly { readonly version: number }[]> {
    this.#assertOpen('enqueueMany');
    return updates.map((update) => this.#upsert(update));
  }

  #upsert(update: OutboxUpsert): { version: number } {
    const existing = this.#rows.get(update.targetKey);
    if (!existing) {
      // Deleting what was never created: nothing to store.
      if (update.desired === 'absent' && update.messageId === null) return { version: 0 };
      this.#rows.set(update.targetKey, {
        ...update,
        body: update.desired === 'present' ? update.body : null,
        version: 1,
        nonce: null,
        nonceVersion: null,
        attempts: 0,
        notBefore: 0,
        leaseToken: null,
        leaseExpiresAt: null,
        lastError: null,
        deadAt: null,
      });
      return { version: 1 };
    }
    const version = existing.version + 1;
    const now = this.#clock.now();
    const leased = existing.leaseToken !== null && (existing.leaseExpiresAt ?? 0) > now;
    if (
      update.desired === 'absent' &&
      existing.messageId === null &&
      update.messageId === null &&
      existing.nonce === null &&
      !leased
    ) {
      // The create was never attempted: dropping it is the whole delete.
      this.#rows.delete(update.targetKey);
      return { version };
    }
    existing.desired = update.desired;
    existing.body = update.desired === 'present' ? update.body : null;
    existing.messageId = existing.messageId ?? update.messageId;
    existing.managedKey = update.managedKey ?? existing.managedKey;
    existing.priority = Math.max(existing.priority, update.priority);
    existing.enqueuedAt = Math.min(existing.enqueuedAt, update.enqueuedAt);
    existing.deadlineAt =
      existing.deadlineAt === null || update.deadlineAt === null
        ? null
        : Math.max(existing.deadlineAt, update.deadlineAt);
    existing.version = version;
    if (existing.deadAt !== null) {
      // A new desired state revives a dead letter.
      existing.deadAt = null;
      existing.attempts = 0;
      existing.notBefore = 0;
    }
    return { version };
  }

  /** {@inheritDoc UpdateRepository.claim} */
  public async claim(options: ClaimOptions): Promise<readonly ClaimedRow[]> {
    this.#assertOpen('claim');
    const now = this.#clock.now();
    // The targets asked for are looked up, not searched for: the manager claims one target before each send.
    const rows = options.targetKeys
      ? [...new Set(options.targetKeys)].flatMap((key) => this.#rows.get(key) ?? [])
      : [...this.#rows.values()];
    const candidates = rows
      .filter(
        (row) =>
          row.deadAt === null && (row.leaseToken === null || (row.leaseExpiresAt ?? 0) <= now) && row.notBefore <= now,
      )
      .sort(compareRows)
      .slice(0, Math.max(0, options.limit));
    return candidates.map((row) => {
      row.leaseToken = randomUUID();
      row.leaseExpiresAt = now + options.leaseMs;
      if (row.desired === 'present' && row.messageId === null && row.nonce === null) {
        row.nonce = options.newNonce();
        row.nonceVersion = row.version;
      }
      return { ...row } as ClaimedRow;
    });
  }

  /** {@inheritDoc UpdateRepository.ack} */
  public async ack(input: AckInput): Promise<AckResult> {
    this.#assertOpen('ack');
    const row = this.#rows.get(input.targetKey);
    if (!row || row.leaseToken !== input.leaseToken) return 'lost';
    if (row.version === input.version) {
      this.#rows.delete(input.targetKey);
      return 'done';
    }
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.attempts = 0;
    row.notBefore = 0;
    if (row.messageId === null && input.messageId) {
      row.messageId = input.messageId;
      row.nonce = null;
      row.nonceVersion = null;
    }
    return 'newer';
  }

  /** {@inheritDoc UpdateRepository.release} */
  public async release(input: ReleaseInput): Promise<boolean> {
    this.#assertOpen('release');
    const row = this.#rows.get(input.targetKey);
    if (!row || row.leaseToken !== input.leaseToken) return false;
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.attempts = input.attempts;
    row.notBefore = this.#clock.now() + input.retryInMs;
    row.lastError = input.error;
    if (row.messageId === null && input.messageId) {
      row.messageId = input.messageId;
      row.nonce = null;
      row.nonceVersion = null;
    }
    return true;
  }

  /** {@inheritDoc UpdateRepository.deadLetter} */
  public async deadLetter(input: {
    readonly targetKey: string;
    readonly leaseToken: string;
    readonly error: string;
  }): Promise<boolean> {
    this.#assertOpen('deadLetter');
    const row = this.#rows.get(input.targetKey);
    if (!row || row.leaseToken !== input.leaseToken) return false;
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.deadAt = this.#clock.now();
    row.lastError = input.error;
    return true;
  }

  /** {@inheritDoc UpdateRepository.listDeadLetters} */
  public async listDeadLetters(limit = 1000): Promise<readonly OutboxRow[]> {
    this.#assertOpen('listDeadLetters');
    return [...this.#rows.values()]
      .filter((row) => row.deadAt !== null)
      .sort((a, b) => a.deadAt! - b.deadAt! || compareCodePoints(a.targetKey, b.targetKey))
      .slice(0, limit)
      .map((row) => ({ ...row }));
  }

  /** {@inheritDoc UpdateRepository.redrive} */
  public async redrive(targetKey: string): Promise<boolean> {
    this.#assertOpen('redrive');
    const row = this.#rows.get(targetKey);
    if (!row || row.deadAt === null) return false;
    row.deadAt = null;
    row.attempts = 0;
    row.notBefore = 0;
    return true;
  }

  /** {@inheritDoc UpdateRepository.listPending} */
  public async listPending(limit = 1_000_000): Promise<readonly OutboxRow[]> {
    this.#assertOpen('listPending');
    return [...this.#rows.values()]
      .filter((row) => row.deadAt === null)
      .sort(compareRows)
      .slice(0, limit)
      .map((row) => ({ ...row }));
  }

  /** {@inheritDoc UpdateRepository.getRow} */
  public async getRow(targetKey: string): Promise<OutboxRow | undefined> {
    this.#assertOpen('getRow');
    const row = this.#rows.get(targetKey);
    return row ? { ...row } : undefined;
  }

  /** {@inheritDoc UpdateRepository.remove} */
  public async remove(targetKey: string): Promise<void> {
    this.#assertOpen('remove');
    this.#rows.delete(targetKey);
  }

  /** {@inheritDoc UpdateRepository.listManaged} */
  public async listManaged(): Promise<readonly ManagedMessage[]> {
    this.#assertOpen('listManaged');
    return [...this.#managed.values()].sort((a, b) => a.sortOrder - b.sortOrder || compareCodePoints(a.key, b.key));
  }

  /** {@inheritDoc UpdateRepository.saveManaged} */
  public async saveManaged(message: ManagedMessage): Promise<void> {
    this.#assertOpen('saveManaged');
    this.#managed.set(message.key, { ...message });
  }

  /** {@inheritDoc UpdateRepository.deleteManaged} */
  public async deleteManaged(key: string): Promise<void> {
    this.#assertOpen('deleteManaged');
    this.#managed.delete(key);
  }

  /** {@inheritDoc UpdateRepository.recordSnapshot} */
  public async recordSnapshot(snapshot: PerformanceSnapshot): Promise<void> {
    this.#assertOpen('recordSnapshot');
    this.#snapshots.push({ ...snapshot });
  }

  /** {@inheritDoc UpdateRepository.listSnapshots} */
  public async listSnapshots(sinceMs = 0): Promise<readonly PerformanceSnapshot[]> {
    this.#assertOpen('listSnapshots');
    return this.#snapshots.filter((snapshot) => snapshot.timestamp >= sinceMs).map((snapshot) => ({ ...snapshot }));
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw new RepositoryClosedError('MemoryUpdateRepository', action);
  }
}
