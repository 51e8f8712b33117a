import type { PipelineDeps, RoutedContext, StageVerdict } from './request-context.js';

/**
 * Network faults: draws the route's latency, then whether its connection is reset. They come first because a reset
 * connection never reaches the API: it is not authenticated, charged or counted as invalid.
 *
 * @param ctx - the request
 * @param deps - the fault injector draws; the log counts resets
 * @returns a connection reset, or `undefined`
 */
export function networkFaultStage(ctx: RoutedContext, { faults, log }: PipelineDeps): StageVerdict {
  ctx.delayMs = faults.drawLatency(ctx.route);
  if (!faults.drawReset(ctx.route)) return undefined;
  ctx.fault = 'reset';
  log.countFault('reset');
  return { reset: true };
}
