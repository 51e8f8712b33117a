import { rateLimited, type PipelineDeps, type RoutedContext, type StageVerdict } from './request-context.js';

/**
 * The shared-resource throttle: a throttled channel's message routes answer a `shared` 429, which does not charge the
 * bucket and does not count as an invalid request.
 *
 * @param ctx - the request
 * @param deps - the rate limiter keeps the throttles
 * @returns a shared-scope 429, or `undefined`
 */
export function sharedThrottleStage(ctx: RoutedContext, { limiter }: PipelineDeps): StageVerdict {
  const { channelId } = ctx.params;
  if (channelId === undefined || !ctx.route.includes('/messages')) return undefined;
  const throttledUntil = limiter.throttledUntil(channelId, ctx.now);
  return throttledUntil === undefined ? undefined : rateLimited(ctx, 'shared', throttledUntil - ctx.now);
}
