import { errorAnswer, type Answer } from '../simulator-api.js';
import type { PipelineDeps, RoutedContext } from './request-context.js';

/**
 * The last stage, the API answer: a malformed body gets Discord's 400; otherwise the world does what the request asks.
 * A commit-then-timeout fault then holds the answer back, after the write was applied.
 *
 * @param ctx - the request, through every check
 * @param deps - the world answers; the fault injector and the log handle commit-then-timeout
 * @returns the answer
 */
export function apiAnswerStage(ctx: RoutedContext, { world, faults, log }: PipelineDeps): Answer {
  const { body } = ctx;
  if (body && !body.ok) return errorAnswer(body.error);
  const answer = world.api.answer({
    now: ctx.now,
    method: ctx.method,
    query: ctx.query,
    route: ctx.route,
    params: ctx.params,
    client: ctx.client,
    json: body?.json,
    files: body?.files ?? [],
    webhook: ctx.webhook,
    interaction: ctx.interaction,
  });
  const commitThenTimeoutMs = faults.commitThenTimeoutMs(ctx.route);
  if (commitThenTimeoutMs > 0) {
    ctx.fault = 'commitThenTimeout';
    ctx.delayMs += commitThenTimeoutMs;
    log.countFault('commitThenTimeout');
  }
  return answer;
}
