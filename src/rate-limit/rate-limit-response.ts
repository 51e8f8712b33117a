import type { RateLimitObservation } from './rate-limit-store.js';

/** Lower-case header names of Discord's rate-limit answer. */
const HEADER = {
  bucket: 'x-ratelimit-bucket',
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  resetAfter: 'x-ratelimit-reset-after',
  global: 'x-ratelimit-global',
  scope: 'x-ratelimit-scope',
  retryAfter: 'retry-after',
} as const;

function numberHeader(headers: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Reads what one HTTP answer says about rate limits: the bucket headers of any status (a 5xx from Discord's API
 * carries them too), and for a 429 how long to wait, its scope, and whether it is a sub-limit or the invalid-request
 * ban. The one parser of Discord's rate-limit response: the manager's tracker and every {@link RateLimitStore} learn
 * from its result.
 *
 * @param status - the HTTP status
 * @param headers - response headers, lower-case names
 * @param body - the parsed body (JSON object, or text)
 * @returns the observation (no bucket fields when the headers are absent)
 * @see https://discord.com/developers/docs/topics/rate-limits
 * @example
 * ```ts
 * parseRateLimitResponse(200, { 'x-ratelimit-bucket': 'abc', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '5.000' }, {});
 * // { status: 200, bucketHash: 'abc', limit: 5, remaining: 4, resetAfterMs: 5000 }
 * ```
 */
export function parseRateLimitResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): RateLimitObservation {
  const bucketHash = headers[HEADER.bucket];
  const limit = numberHeader(headers, HEADER.limit);
  const remaining = numberHeader(headers, HEADER.remaining);
  const resetAfter = numberHeader(headers, HEADER.resetAfter);
  const observation: RateLimitObservation = {
    status,
    ...(bucketHash === undefined ? {} : { bucketHash }),
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAfter === undefined ? {} : { resetAfterMs: Math.ceil(resetAfter * 1000) }),
  };
  if (status !== 429) return observation;

  const isGlobal = headers[HEADER.global] === 'true';
  const scopeHeader = headers[HEADER.scope];
  const retryAfterMs = retryAfterOf(headers, body);
  // The invalid-request ban is Cloudflare's: a plain-text 429 without any rate-limit header.
  const banned = typeof body === 'string' && limit === undefined && !isGlobal && scopeHeader === undefined;
  const scope =
    banned || isGlobal || scopeHeader === 'global' ? 'global' : scopeHeader === 'shared' ? 'shared' : 'user';
  // A 429 while the bucket still shows requests left: a hidden sub-limit (channel renames), not the bucket's end.
  const subLimit = scope === 'user' && remaining !== undefined && remaining > 0;
  return { ...observation, retryAfterMs, scope, subLimit, banned };
}

function retryAfterOf(headers: Readonly<Record<string, string>>, body: unknown): number {
  // The body's retry_after has millisecond precision; Retry-After is whole seconds.
  if (
    body !== null &&
    typeof body === 'object' &&
    typeof (body as { retry_after?: unknown }).retry_after === 'number'
  ) {
    return Math.ceil((body as { retry_after: number }).retry_after * 1000);
  }
  const resetAfter = numberHeader(headers, HEADER.resetAfter);
  const retryAfter = numberHeader(headers, HEADER.retryAfter);
  return Math.ceil(Math.max(resetAfter ?? 0, retryAfter ?? 0) * 1000) || 1000;
}
