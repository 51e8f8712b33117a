/**
 * Times kept in ascending order, consumed from the front as they pass. Appends are O(1) when times arrive in order
 * (the common case: "now + window"); an earlier time is inserted in place.
 *
 * @internal
 */
export class SortedTimes {
  #times: number[] = [];
  #head = 0;

  /** Adds a time. */
  public insert(at: number): void {
    const times = this.#times;
    let index = times.length;
    while (index > this.#head && times[index - 1]! > at) index--;
    times.splice(index, 0, at);
  }

  /** Drops the times `<= now`; returns how many are left. */
  public dropUpTo(now: number): number {
    const times = this.#times;
    while (this.#head < times.length && times[this.#head]! <= now) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#head = 0;
    }
    return this.size;
  }

  /** The `n`-th smallest time left (1-based), or `undefined` when there are fewer. */
  public nth(n: number): number | undefined {
    if (n < 1 || n > this.size) return undefined;
    return this.#times[this.#head + n - 1];
  }

  /** How many times are `>= since` (binary search). */
  public countSince(since: number): number {
    const times = this.#times;
    let lo = this.#head;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < since) lo = mid + 1;
      else hi = mid;
    }
    return times.length - lo;
  }

  /** Times left. */
  public get size(): number {
    return this.#times.length - this.#head;
  }
}
