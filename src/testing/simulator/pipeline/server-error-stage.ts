import { serverError } from '../discord-errors.js';
import { errorAnswer } from '../simulator-api.js';
import type { PipelineDeps, RoutedContext, StageVerdict } from './request-context.js';

/**
 * Injected server errors: draws whether the route answers a 5xx instead of doing the work (the request has been
 * charged).
 *
 * @param ctx - the request
 * @param deps - the fault injector draws; the log counts errors
 * @returns the server error, or `undefined`
 */
export function serverErrorStage(ctx: RoutedContext, { faults, log }: PipelineDeps): StageVerdict {
  const status = faults.drawError(ctx.route);
  if (status === undefined) return undefined;
  ctx.fault = 'error';
  log.countFault('error');
  return errorAnswer(serverError(status));
}
