/**
 * A binary min-heap ordered by a comparator. Used with lazy deletion: stale entries are skipped by the caller when
 * they reach the top, which keeps re-prioritisation O(log n).
 *
 * @internal
 */
export class PriorityHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  /** @param before - true when `a` must come out before `b` */
  public constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  public get size(): number {
    return this.#items.length;
  }

  public peek(): T | undefined {
    return this.#items[0];
  }

  public push(item: T): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(items[index]!, items[parent]!)) break;
      [items[index], items[parent]] = [items[parent]!, items[index]!];
      index = parent;
    }
  }

  public pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && this.#before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && this.#before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === index) break;
        [items[index], items[smallest]] = [items[smallest]!, items[index]!];
        index = smallest;
      }
    }
    return top;
  }

  /** Removes every item. */
  public clear(): void {
    this.#items.length = 0;
  }

  /** Iterates in no particular order. */
  public values(): IterableIterator<T> {
    return this.#items.values();
  }
}
