/**
 * A small deterministic pseudo-random generator (mulberry32): the same seed gives the same sequence, so fault
 * injection and random latency replay exactly. Not for anything security-related.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * random.next(); // a number in [0, 1), the same on every run
 * random.between(10, 20); // a number in [10, 20]
 * ```
 */
export class SeededRandom {
  #state: number;

  /** @param seed - any finite number; its low 32 bits are used */
  public constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /**
   * Draws the next number.
   *
   * @returns a number in [0, 1)
   */
  public next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /**
   * Draws a number uniformly between two bounds.
   *
   * @param min - lower bound
   * @param max - upper bound, at least `min`
   * @returns a number in [min, max]
   */
  public between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /**
   * Draws `true` with probability `p`. A `p` of 0 or 1 decides without drawing (the sequence is not advanced), so a
   * fault with probability 0 does not change the outcomes of other faults.
   *
   * @param p - probability from 0 to 1
   * @returns whether the event happens
   */
  public chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }
}
