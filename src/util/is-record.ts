/**
 * Tells whether a value is a non-null, non-array object, the shape of a parsed JSON object or an options bag.
 *
 * @param value - anything
 * @returns `true` for `{}` and class instances, `false` for `null`, arrays and primitives
 * @example
 * ```ts
 * isRecord({ a: 1 }); // true
 * isRecord([1]); // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
