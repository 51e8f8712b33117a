/**
 * Keys with an expiry time, dropped as their time passes. Expiring is O(1) per key: entries are expected in expiry
 * order (one TTL: insertion order is expiry order), kept in a queue beside the map, so nothing ever walks the map. An
 * entry set out of order only lives until the ones queued before it have expired: never shorter than asked.
 *
 * @internal
 */
export class ExpiringMap<K> {
  readonly #expiries = new Map<K, number>();
  #queueKeys: K[] = [];
  #queueTimes: number[] = [];
  #head = 0;

  /** Sets `key` to expire at `expiresAt`. */
  public set(key: K, expiresAt: number): void {
    this.#expiries.set(key, expiresAt);
    this.#queueKeys.push(key);
    this.#queueTimes.push(expiresAt);
  }

  /** The expiry of `key`, if it is there (expired or not, until pruned). */
  public get(key: K): number | undefined {
    return this.#expiries.get(key);
  }

  /** Whether `key` is there and has not expired at `now`. */
  public isLive(key: K, now: number): boolean {
    const expiresAt = this.#expiries.get(key);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Removes `key`. */
  public delete(key: K): boolean {
    return this.#expiries.delete(key);
  }

  /** Drops the entries expired at `now`; returns how many are left. */
  public prune(now: number): number {
    const keys = this.#queueKeys;
    const times = this.#queueTimes;
    while (this.#head < keys.length && times[this.#head]! <= now) {
      const key = keys[this.#head]!;
      if (this.#expiries.get(key) === times[this.#head]) this.#expiries.delete(key);
      this.#head++;
    }
    this.#compact();
    return this.#expiries.size;
  }

  /** The earliest expiry of an entry still there, or `Infinity` when none. */
  public firstExpiry(): number {
    const keys = this.#queueKeys;
    const times = this.#queueTimes;
    // Skip queue entries whose key was deleted or set again since.
    while (this.#head < keys.length && this.#expiries.get(keys[this.#head]!) !== times[this.#head]) this.#head++;
    this.#compact();
    return this.#head < keys.length ? times[this.#head]! : Number.POSITIVE_INFINITY;
  }

  /** The keys there (expired or not, until pruned): a walk of the whole map, for rare events only. */
  public keys(): IterableIterator<K> {
    return this.#expiries.keys();
  }

  /** Entries there (call {@link ExpiringMap.prune} first for the live ones). */
  public get size(): number {
    return this.#expiries.size;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queueKeys.length) {
      this.#queueKeys = this.#queueKeys.slice(this.#head);
      this.#queueTimes = this.#queueTimes.slice(this.#head);
      this.#head = 0;
    }
  }
}
