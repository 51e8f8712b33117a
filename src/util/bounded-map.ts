/** A Map that forgets its least recently set entries beyond `capacity`. */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly #capacity: number;
  public constructor(capacity: number) {
    this.#capacity = capacity;
  }
  public get(key: K): V | undefined {
    return this.#map.get(key);
  }
  public has(key: K): boolean {
    return this.#map.has(key);
  }
  public set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#map.delete(this.#map.keys().next().value as K);
  }
  public delete(key: K): void {
    this.#map.delete(key);
  }
  public get size(): number {
    return this.#map.size;
  }
}
