import { rateLimitHeaders } from '../rate-limit-answer.js';
import type { PipelineDeps, RoutedContext, StageVerdict } from './request-context.js';

/**
 * Charging: once every limit let the request through, it takes one from its bucket (the headers then show the new
 * remaining count) and from the sub-limit it falls under. Charging only here keeps 429s from the shared throttle and
 * the sub-limit free, as on Discord; whatever comes next (an injected 5xx, a 4xx from the API) has been paid for.
 *
 * @param ctx - the request
 * @param deps - the rate limiter keeps the windows
 * @returns `undefined`: charging never answers
 */
export function chargeStage(ctx: RoutedContext, { limiter, epochShift }: PipelineDeps): StageVerdict {
  const { bucket } = ctx;
  if (bucket) {
    const view = limiter.consumeBucket(bucket, ctx.now);
    ctx.rateHeaders = rateLimitHeaders(bucket.hash, view, ctx.now, epochShift);
  }
  if (ctx.subLimitChannel !== undefined) limiter.consumeSubLimit(ctx.subLimitChannel, ctx.now);
  return undefined;
}
