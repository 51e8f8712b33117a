import { isSnowflake } from '../../../discord/snowflake.js';
import { DiscordErrors } from '../discord-errors.js';
import { errorAnswer } from '../simulator-api.js';
import { interactionMajor } from '../simulator-world.js';
import type { PipelineDeps, RoutedContext, StageVerdict } from './request-context.js';

/** An interaction's token works for 15 min (Discord's rule). */
const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/**
 * Authentication: bot routes need a known token; webhook and interaction routes carry their token in the URL (a wrong
 * `Authorization` header still fails). Sets the bucket's major parameter, which only an authenticated request has.
 *
 * @param ctx - the request
 * @param deps - the world's store holds webhooks and interactions
 * @returns Discord's 401 / 404, or `undefined` once the caller is known
 */
export function authStage(ctx: RoutedContext, { world }: PipelineDeps): StageVerdict {
  const { client, params } = ctx;
  if (client.present && !client.known) return errorAnswer(DiscordErrors.unauthorized);

  if (ctx.definition.auth === 'none') return undefined;

  if (ctx.definition.auth === 'bot') {
    if (!client.known) return errorAnswer(DiscordErrors.unauthorized);
    ctx.major = params.channelId ?? params.guildId;
    ctx.majorLabel = ctx.major;
    return undefined;
  }

  if (ctx.route === 'POST /interactions/:interaction_id/:interaction_token/callback') {
    const interaction = world.store.interaction(params.interactionId!);
    if (!interaction || interaction.token !== params.interactionToken) {
      return errorAnswer(DiscordErrors.unknownInteraction);
    }
    ctx.interaction = interaction;
    return undefined;
  }

  if (ctx.viaInteractionWebhook) {
    const interaction = world.store.interactionByToken(params.webhookToken!);
    if (
      !interaction ||
      interaction.applicationId !== params.webhookId ||
      ctx.now - interaction.createdAt > INTERACTION_TOKEN_LIFETIME_MS
    ) {
      return errorAnswer(DiscordErrors.invalidWebhookToken);
    }
    ctx.interaction = interaction;
    ctx.major = interactionMajor(interaction.applicationId, interaction.id);
    ctx.majorLabel = `${interaction.applicationId}/:token`;
    return undefined;
  }

  const webhook = isSnowflake(params.webhookId) ? world.store.webhook(params.webhookId) : undefined;
  if (!webhook) return errorAnswer(DiscordErrors.unknownWebhook);
  if (webhook.token !== params.webhookToken) return errorAnswer(DiscordErrors.invalidWebhookToken);
  ctx.webhook = webhook;
  ctx.major = webhook.id;
  ctx.majorLabel = `${webhook.id}/:token`;
  return undefined;
}
