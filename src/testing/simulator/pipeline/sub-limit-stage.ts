import { isRecord } from '../../../util/is-record.js';
import { rateLimited, type PipelineDeps, type RoutedContext, type StageVerdict } from './request-context.js';

/**
 * The hidden sub-limit on channel name and topic edits. Its 429 keeps the parent bucket's headers, which still show
 * room: a client cannot see it coming.
 *
 * @param ctx - the request
 * @param deps - the rate limiter keeps the sub-limit windows
 * @returns a 429, or `undefined` (the request is then charged to the sub-limit by {@link chargeStage})
 */
export function subLimitStage(ctx: RoutedContext, { limiter }: PipelineDeps): StageVerdict {
  const { body } = ctx;
  const applies =
    ctx.route === 'PATCH /channels/:channel_id' &&
    body?.ok === true &&
    isRecord(body.json) &&
    ('name' in body.json || 'topic' in body.json);
  if (!applies) return undefined;
  const channelId = ctx.params.channelId!;
  const sub = limiter.viewSubLimit(channelId, ctx.now);
  if (sub.remaining <= 0) {
    ctx.subLimit = true;
    return rateLimited(ctx, 'user', sub.resetAt - ctx.now);
  }
  ctx.subLimitChannel = channelId;
  return undefined;
}
