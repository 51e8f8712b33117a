import type { InjectedFault, RateLimitScope, RequestRecord, SimulatorStats } from './simulator-records.js';

interface Counters {
  requests: number;
  byStatus: Record<number, number>;
  rateLimited: { user: number; global: number; shared: number };
  subLimited: number;
  bans: number;
  bannedRequests: number;
  duplicateCreatesPrevented: number;
  faults: { errors: number; resets: number; commitThenTimeouts: number };
}

const FAULT_COUNTER = {
  error: 'errors',
  reset: 'resets',
  commitThenTimeout: 'commitThenTimeouts',
} as const satisfies Record<InjectedFault, keyof Counters['faults']>;

function emptyCounters(): Counters {
  return {
    requests: 0,
    byStatus: {},
    rateLimited: { user: 0, global: 0, shared: 0 },
    subLimited: 0,
    bans: 0,
    bannedRequests: 0,
    duplicateCreatesPrevented: 0,
    faults: { errors: 0, resets: 0, commitThenTimeouts: 0 },
  };
}

/**
 * The request log (the most recent requests, oldest first) and the counters behind
 * {@link DiscordSimulator.getStats}. Records carry token labels, never tokens.
 */
export class RequestLog {
  readonly #limit: number;
  #records: RequestRecord[] = [];
  #counters = emptyCounters();

  /** @param limit - most recent requests kept (1 or more) */
  public constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Logs one answered (or reset) request and counts its status.
   *
   * @param record - the request as answered
   */
  public record(record: RequestRecord): void {
    this.#counters.requests++;
    this.#counters.byStatus[record.status] = (this.#counters.byStatus[record.status] ?? 0) + 1;
    this.#records.push(record);
    // Trim in batches so a long run does not pay an O(n) shift on every request.
    if (this.#records.length > this.#limit + Math.ceil(this.#limit / 10)) {
      this.#records = this.#records.slice(-this.#limit);
    }
  }

  /**
   * Counts a 429.
   *
   * @param scope - its scope
   * @param subLimit - it came from a hidden sub-limit
   */
  public countRateLimited(scope: RateLimitScope, subLimit: boolean): void {
    this.#counters.rateLimited[scope]++;
    if (subLimit) this.#counters.subLimited++;
  }

  /**
   * Counts an injected fault.
   *
   * @param fault - which one
   */
  public countFault(fault: InjectedFault): void {
    this.#counters.faults[FAULT_COUNTER[fault]]++;
  }

  /** Counts a ban started. */
  public countBan(): void {
    this.#counters.bans++;
  }

  /** Counts a request answered with the ban's plain-text 429. */
  public countBannedRequest(): void {
    this.#counters.bannedRequests++;
  }

  /** Counts a create answered with an earlier message (`enforce_nonce`). */
  public countDuplicateCreate(): void {
    this.#counters.duplicateCreatesPrevented++;
  }

  /**
   * The kept requests.
   *
   * @returns copies of the records, oldest first
   */
  public records(): RequestRecord[] {
    return this.#records.slice(-this.#limit);
  }

  /**
   * A snapshot of the counters, with the figures other parts keep.
   *
   * @param invalidCounts - invalid requests per client label in their current windows (rate-limit state)
   * @param writes - mutations applied so far
   * @returns the stats
   */
  public stats(invalidCounts: ReadonlyMap<string, number>, writes: number): SimulatorStats {
    const byToken: Record<string, number> = {};
    let total = 0;
    for (const [label, count] of invalidCounts) {
      byToken[label] = count;
      total += count;
    }
    const counters = this.#counters;
    return {
      requests: counters.requests,
      byStatus: { ...counters.byStatus },
      rateLimited: { ...counters.rateLimited },
      subLimited: counters.subLimited,
      invalidRequests: { total, byToken },
      bans: counters.bans,
      bannedRequests: counters.bannedRequests,
      duplicateCreatesPrevented: counters.duplicateCreatesPrevented,
      faults: { ...counters.faults },
      writes,
    };
  }

  /** Zeroes the counters and empties the log. */
  public reset(): void {
    this.#counters = emptyCounters();
    this.#records = [];
  }
}
