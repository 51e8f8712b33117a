import { serverError } from '../discord-errors.js';
import { errorAnswer } from '../simulator-api.js';
import type { PipelineDeps, RoutedContext, StageVerdict } from './request-context.js';

/**
 * Injected server errors: draws whether the route answers a 5xx instead of doing the work. The request has been
 * charged; with `errorHeaders: false` the answer hides the bucket's headers, as Discord's proxy does.
 *
 * @param ctx - the request
 * @param deps - the fault injector draws; the log counts errors
 * @returns the server error, or `undefined`
 */
export function serverErrorStage(ctx: RoutedContext, { faults, log }: PipelineDeps): StageVerdict {
  const error = faults.drawError(ctx.route);
  if (error === undefined) return undefined;
  ctx.fault = 'error';
  log.countFault('error');
  // Dropping the headers does not refund the charge: the answer says nothing, the budget is still spent.
  if (!error.rateLimitHeaders) ctx.rateHeaders = undefined;
  return errorAnswer(serverError(error.status));
}
