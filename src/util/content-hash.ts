import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal bodies give equal strings whatever their key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
}

/**
 * A short, stable fingerprint of a message body (SHA-1 of its key-sorted JSON), used to skip edits that would not
 * change what Discord shows and, with a repository, to avoid re-sending unchanged content after a restart.
 *
 * @example
 * ```ts
 * contentHash({ content: 'a', embeds: [] }) === contentHash({ embeds: [], content: 'a' }); // true
 * ```
 */
export function contentHash(body: unknown): string {
  return createHash('sha1').update(stableStringify(body)).digest('base64url');
}
