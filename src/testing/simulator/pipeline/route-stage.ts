import { isSnowflake } from '../../../discord/snowflake.js';
import { DiscordErrors } from '../discord-errors.js';
import { errorAnswer, type Answer } from '../simulator-api.js';
import { interactionVariant, matchRoute, ROUTE_DEFINITIONS } from '../simulator-routes.js';
import type { PipelineDeps, RequestContext, RoutedContext } from './request-context.js';

/** Paths under `/api`, with or without a version. */
const API_PATH = /^\/api(?:\/v\d+)?(\/.*)$/;

/**
 * Route match: finds the route, swapping in the interaction-webhook route when a webhook URL carries the application's
 * id, and the `(old)` delete when the message is older than `oldMessageAgeMs` (Discord limits those under their own
 * buckets).
 *
 * @param ctx - the request
 * @param deps - the world knows the application id and message ages
 * @returns the request, routed; or Discord's 404 / 405
 */
export function routeStage(ctx: RequestContext, { world }: PipelineDeps): RoutedContext | Answer {
  const api = API_PATH.exec(ctx.pathname);
  const match = api ? matchRoute(ctx.method, api[1]!) : ({ kind: 'notFound' } as const);
  if (match.kind === 'notFound') return errorAnswer(DiscordErrors.notFound);
  if (match.kind === 'methodNotAllowed') return errorAnswer(DiscordErrors.methodNotAllowed);

  const { params } = match;
  let route = match.key;
  const viaInteractionWebhook = params.webhookId !== undefined && world.isApplication(params.webhookId);
  if (viaInteractionWebhook) route = interactionVariant(route);
  if (
    route === 'DELETE /channels/:channel_id/messages/:message_id' &&
    isSnowflake(params.messageId) &&
    world.api.isOld(params.messageId, ctx.now)
  ) {
    route = 'DELETE /channels/:channel_id/messages/:message_id (old)';
  }
  return Object.assign(ctx, {
    route,
    params,
    definition: ROUTE_DEFINITIONS[route],
    viaInteractionWebhook,
    major: undefined,
    webhook: undefined,
    interaction: undefined,
    subLimitChannel: undefined,
  });
}
