import type { Answer } from './simulator-api.js';
import type { WindowView } from './simulator-rate-limiter.js';
import type { RateLimitScope } from './simulator-records.js';

/** The body of a 429 answer. */
interface RateLimitBody {
  readonly message: string;
  readonly retry_after: number;
  readonly global: boolean;
}

const RATE_LIMITED_MESSAGE = 'You are being rate limited.';
const SHARED_LIMITED_MESSAGE = 'The resource is being rate limited.';

/** Formats milliseconds as seconds with exactly three decimals, without floating-point surprises. */
function seconds(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return `${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`;
}

/**
 * Discord's 429 for a request that hit a limit: the JSON body with `retry_after` in seconds, `Retry-After` in whole
 * seconds (at least 1), and `X-RateLimit-Scope`; a global 429 also says `X-RateLimit-Global`.
 *
 * @param scope - which limit was hit
 * @param retryAfterMs - when the request may be retried, milliseconds from now
 * @returns the answer (bucket headers are not its business)
 */
export function rateLimitAnswer(scope: RateLimitScope, retryAfterMs: number): Answer {
  const body: RateLimitBody = {
    message: scope === 'shared' ? SHARED_LIMITED_MESSAGE : RATE_LIMITED_MESSAGE,
    retry_after: Number(seconds(retryAfterMs)),
    global: scope === 'global',
  };
  const headers: Record<string, string> = {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    'x-ratelimit-scope': scope,
  };
  if (scope === 'global') headers['x-ratelimit-global'] = 'true';
  return { status: 429, json: body, headers };
}

/**
 * The `X-RateLimit-*` headers of a bucket as a request sees it.
 *
 * @param hash - the bucket hash
 * @param view - the bucket's window
 * @param now - clock milliseconds
 * @param epochShift - added to clock time for the epoch `X-RateLimit-Reset`
 * @returns lower-case header names and values
 */
export function rateLimitHeaders(
  hash: string,
  view: WindowView,
  now: number,
  epochShift: number,
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(view.limit),
    'x-ratelimit-remaining': String(view.remaining),
    'x-ratelimit-reset': seconds(view.resetAt + epochShift),
    // Rounded up to the millisecond: a client that waits exactly this long is never early.
    'x-ratelimit-reset-after': seconds(view.resetAt - now),
    'x-ratelimit-bucket': hash,
  };
}
