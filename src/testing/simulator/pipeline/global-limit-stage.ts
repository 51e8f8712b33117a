import { rateLimited, type PipelineDeps, type RoutedContext, type StageVerdict } from './request-context.js';

/**
 * The global limit: checked and charged before the route limit, as Discord does, so a request refused later (bad id,
 * empty bucket) still used global budget. Interaction routes are exempt.
 *
 * @param ctx - the request
 * @param deps - the rate limiter keeps each client's global window
 * @returns a global 429, or `undefined`
 */
export function globalLimitStage(ctx: RoutedContext, { limiter }: PipelineDeps): StageVerdict {
  if (ctx.definition.exemptFromGlobal) return undefined;
  const global = limiter.viewGlobal(ctx.client.label, ctx.now);
  if (global.remaining <= 0) return rateLimited(ctx, 'global', global.resetAt - ctx.now);
  limiter.consumeGlobal(ctx.client.label, ctx.now);
  return undefined;
}
