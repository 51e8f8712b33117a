/**
 * What the simulator's API routes share about a message's fields: a bot's author object, a usable `nonce`, the
 * permissions a route needs, uploaded files counted as content, and an edit's fields (attachments kept, dropped or
 * added as Discord does).
 *
 * @module
 */
import { Permissions, requiredForMessageCreate } from './guild/permissions.js';
import type { AuthorJson, MessageFields, StoredMessage } from './message-store.js';
import type { MultipartFile } from './multipart.js';
import type { SimulatorRouteKey } from './simulator-routes.js';
import { isRecord } from '../../util/is-record.js';

/**
 * The Discord user object of a bot.
 *
 * @param id - user id
 * @param username - user name
 * @returns the author object of its messages
 */
export function botUser(id: string, username: string): AuthorJson {
  return { id, username, discriminator: '0', global_name: null, avatar: null, bot: true };
}

/**
 * The `nonce` of a body when Discord would accept it (a string or an integer).
 *
 * @param nonce - the body's `nonce`
 * @returns the nonce, or `undefined`
 */
export function validNonce(nonce: unknown): string | number | undefined {
  return typeof nonce === 'string' || (typeof nonce === 'number' && Number.isInteger(nonce)) ? nonce : undefined;
}

/**
 * The permissions a bot needs in the channel for a route (guild channels; message-level rules are the handlers').
 *
 * @param route - the route
 * @param body - the request body (a message create needs more for replies, TTS and files)
 * @param method - the HTTP method
 * @param uploadedFiles - number of multipart files (a create with files needs ATTACH_FILES)
 * @returns the permission bits
 */
export function requiredPermissions(
  route: SimulatorRouteKey,
  body: unknown,
  method: string,
  uploadedFiles: number,
): bigint {
  const view = Permissions.VIEW_CHANNEL;
  switch (route) {
    case 'PATCH /channels/:channel_id':
      return view | Permissions.MANAGE_CHANNELS;
    case 'POST /channels/:channel_id/messages':
      return requiredForMessageCreate(body, uploadedFiles);
    case 'POST /channels/:channel_id/messages/bulk-delete':
      return view | Permissions.MANAGE_MESSAGES;
    case 'GET /channels/:channel_id/messages/:message_id':
      return view | Permissions.READ_MESSAGE_HISTORY;
    case 'PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me':
      return view | Permissions.READ_MESSAGE_HISTORY | Permissions.ADD_REACTIONS;
    case 'DELETE /channels/:channel_id/messages/:message_id/reactions/:emoji/@me':
      return view | Permissions.READ_MESSAGE_HISTORY;
    default:
      return method === 'GET' || route.startsWith('PATCH /channels/') || route.startsWith('DELETE /channels/')
        ? view
        : 0n;
  }
}

/**
 * Counts uploaded files as attachments for the emptiness check.
 *
 * @param body - the JSON body
 * @param files - uploaded files
 * @returns the body with `files` when there are some
 */
export function withFiles(body: unknown, files: readonly MultipartFile[]): unknown {
  if (files.length === 0 || !isRecord(body)) return body;
  return { ...body, files };
}

/**
 * The fields an edit sets: content, embeds and components when present (copied), flags, and the attachments — those
 * listed in `attachments` kept (all of them when the field is absent), then the new uploads.
 *
 * @param payload - the edit's body
 * @param message - the message edited
 * @param added - the attachments the edit uploads
 * @returns the fields to apply
 */
export function editFields(
  payload: Record<string, unknown>,
  message: StoredMessage,
  added: readonly unknown[],
): MessageFields {
  const fields: MessageFields = {};
  if ('content' in payload) fields.content = typeof payload['content'] === 'string' ? payload['content'] : '';
  // Copies, so the write log and the message never share objects.
  if ('embeds' in payload) {
    fields.embeds = Array.isArray(payload['embeds']) ? structuredClone(payload['embeds'] as unknown[]) : [];
  }
  if ('components' in payload) {
    fields.components = Array.isArray(payload['components']) ? structuredClone(payload['components'] as unknown[]) : [];
  }
  if (typeof payload['flags'] === 'number') fields.flags = payload['flags'];
  const kept = payload['attachments'];
  if (Array.isArray(kept) || added.length > 0) {
    // `attachments` lists the existing attachments to keep (by id); new uploads are added.
    const keepIds = new Set(
      Array.isArray(kept) ? kept.filter(isRecord).map((attachment) => String(attachment['id'])) : [],
    );
    const previous = Array.isArray(kept)
      ? message.attachments.filter((attachment) => isRecord(attachment) && keepIds.has(String(attachment['id'])))
      : message.attachments;
    fields.attachments = [...previous, ...added];
  }
  return fields;
}
