import { isSnowflake } from '../../../discord/snowflake.js';
import { snowflakeError } from '../discord-errors.js';
import { errorAnswer } from '../simulator-api.js';
import type { RoutedContext, StageVerdict } from './request-context.js';

/**
 * Id validation: channel and message ids in the path must be snowflakes (`@original` is allowed on interaction
 * webhooks), refused with Discord's Invalid Form Body before the bucket is looked at.
 *
 * @param ctx - the request
 * @returns Discord's 400, or `undefined`
 */
export function idValidationStage(ctx: RoutedContext): StageVerdict {
  const { channelId, messageId } = ctx.params;
  if (channelId !== undefined && !isSnowflake(channelId)) {
    return errorAnswer(snowflakeError('channel_id', channelId));
  }
  if (messageId !== undefined && !isSnowflake(messageId) && !(messageId === '@original' && ctx.viaInteractionWebhook)) {
    return errorAnswer(snowflakeError('message_id', messageId));
  }
  for (const [name, value] of [
    ['guild_id', ctx.params.guildId],
    ['user_id', ctx.params.userId],
    ['application_id', ctx.params.applicationId],
  ] as const) {
    if (value !== undefined && !isSnowflake(value)) return errorAnswer(snowflakeError(name, value));
  }
  return undefined;
}
