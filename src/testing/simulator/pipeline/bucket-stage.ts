import { rateLimitHeaders } from '../rate-limit-answer.js';
import { rateLimited, type PipelineDeps, type RoutedContext, type StageVerdict } from './request-context.js';

/**
 * The per-route bucket: finds the bucket of the route and major parameter and refuses the request when it is empty. The
 * bucket's headers go on every later answer; the request is charged only once the other limits let it through (see
 * {@link chargeStage}).
 *
 * @param ctx - the request
 * @param deps - the rate limiter keeps the buckets
 * @returns a 429, or `undefined` (also for routes without a per-route limit)
 */
export function bucketStage(ctx: RoutedContext, { limiter, epochShift }: PipelineDeps): StageVerdict {
  const bucket = ctx.major === undefined ? undefined : limiter.bucketOf(ctx.route, ctx.major);
  if (!bucket) return undefined;
  ctx.bucket = bucket;
  const view = limiter.viewBucket(bucket, ctx.now);
  ctx.rateHeaders = rateLimitHeaders(bucket.hash, view, ctx.now, epochShift);
  if (view.remaining <= 0) return rateLimited(ctx, 'user', view.resetAt - ctx.now);
  return undefined;
}
