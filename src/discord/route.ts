import { isSnowflake, snowflakeToTimestamp } from './snowflake.js';

/** HTTP methods the transports speak. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A request path reduced to what Discord's rate limits key on. */
export interface RouteInfo {
  /** `METHOD /template`, e.g. `PATCH /channels/:channel_id/messages/:id`; the key under which a bucket hash is learned. */
  readonly routeKey: string;
  /** The major parameter (channel id, guild id, or `webhookId/token`), or `global` when the route has none. */
  readonly majorParameter: string;
  /** Interaction callbacks and interaction webhooks are exempt from the global limit. */
  readonly exemptFromGlobal: boolean;
}

/** Base64 of `interaction:`, the start of every interaction token. */
export const INTERACTION_TOKEN_PREFIX = 'aW50ZXJhY3Rpb246';
/**
 * Age beyond which Discord treats a message as old: deleting it uses a separate bucket, and bulk delete refuses it
 * (14 days, in milliseconds).
 */
export const OLD_MESSAGE_AGE_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Maps a request to its rate-limit route: the major parameter is kept, other ids become placeholders.
 *
 * @param method - HTTP method
 * @param path - path without the `/api/v10` prefix, e.g. `/channels/123/messages/456`
 * @param now - current time, to tell Discord's separate bucket for deleting messages older than 14 days
 * @returns the route key, major parameter and global exemption
 * @example
 * ```ts
 * routeOf('PATCH', '/channels/111111111111111111/messages/222222222222222222', Date.now()).routeKey;
 * // 'PATCH /channels/:channel_id/messages/:id'
 * ```
 */
export function routeOf(method: HttpMethod, path: string, now: number): RouteInfo {
  const clean = path.split('?')[0]!;
  const parts = clean.split('/').filter((part) => part.length > 0);
  let majorParameter = 'global';
  let exemptFromGlobal = false;
  const template: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    const previous = parts[index - 1];
    if (index === 1 && (previous === 'channels' || previous === 'guilds')) {
      majorParameter = part;
      template.push(previous === 'channels' ? ':channel_id' : ':guild_id');
    } else if (index === 1 && (previous === 'webhooks' || previous === 'interactions')) {
      const token = parts[index + 1];
      majorParameter = token === undefined ? part : `${part}/${token}`;
      template.push(previous === 'webhooks' ? ':webhook_id' : ':interaction_id');
      if (token !== undefined) {
        template.push(':token');
        index++;
      }
      // Interaction webhooks are addressed by the application id and a token that is not a bot webhook token; the
      // callback route is the documented exemption. Both are exempt from the global limit.
      if (previous === 'interactions') exemptFromGlobal = true;
    } else if (previous === 'reactions') {
      // Every emoji shares the reactions bucket.
      template.push(':emoji');
    } else if (/^\d{15,20}$/.test(part)) {
      template.push(':id');
    } else {
      template.push(part);
    }
  }
  // Interaction tokens are base64 of `interaction:<id>:...`; webhooks addressed with one are the interaction webhooks
  // (follow-ups, @original), which are exempt from the global limit like the callback.
  if (parts[0] === 'webhooks' && (parts[2] ?? '').startsWith(INTERACTION_TOKEN_PREFIX)) exemptFromGlobal = true;
  let routeKey = `${method} /${template.join('/')}`;
  if (method === 'DELETE' && template.length === 4 && template[2] === 'messages' && template[3] === ':id') {
    const id = parts[3]!;
    if (isSnowflake(id) && now - snowflakeToTimestamp(id) > OLD_MESSAGE_AGE_MS) routeKey += ' (old)';
  }
  return { routeKey, majorParameter, exemptFromGlobal };
}
