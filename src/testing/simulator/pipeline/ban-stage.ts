import type { Answer } from '../simulator-api.js';
import type { PipelineDeps, RequestContext, StageVerdict } from './request-context.js';

/**
 * The invalid-request ban: a banned client gets Cloudflare's plain-text 429 before anything else is looked at, as
 * Cloudflare sits in front of Discord.
 *
 * @param ctx - the request
 * @param deps - the rate limiter holds the bans; the log counts banned requests
 * @returns the ban's 429, or `undefined` for a client that is not banned
 */
export function banStage(ctx: RequestContext, { limiter, log }: PipelineDeps): StageVerdict {
  const bannedUntil = limiter.bannedUntil(ctx.client.label, ctx.now);
  if (bannedUntil === undefined) return undefined;
  ctx.banned = true;
  log.countBannedRequest();
  return {
    status: 429,
    text: 'error code: 1015',
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'retry-after': String(Math.ceil((bannedUntil - ctx.now) / 1000)),
    },
  };
}

/**
 * Counts an answered request towards the ban when Discord deems it invalid: a 401, 403 or 429, except shared-scope 429s
 * and the ban's own answers.
 *
 * @param ctx - the request
 * @param answer - its answer
 * @param deps - the rate limiter keeps the invalid-request windows; the log counts bans started
 */
export function recordInvalidRequest(ctx: RequestContext, answer: Answer, { limiter, log }: PipelineDeps): void {
  const { status } = answer;
  const invalid = (status === 401 || status === 403 || status === 429) && ctx.scope !== 'shared' && !ctx.banned;
  if (invalid && limiter.recordInvalid(ctx.client.label, ctx.now)) log.countBan();
}
