import type { PayloadViolation } from '../../discord/payload-limits.js';
import type { InjectedErrorStatus } from './simulator-records.js';

/** A JSON error answer: HTTP status and Discord's `{ message, code, errors? }` body. */
export interface ApiError {
  readonly status: number;
  readonly body: { readonly message: string; readonly code: number; readonly errors?: unknown };
}

function error(status: number, code: number, message: string): ApiError {
  return { status, body: { message, code } };
}

/** Discord's error answers used by the simulator, with Discord's codes and wording. */
export const DiscordErrors = {
  notFound: error(404, 0, '404: Not Found'),
  methodNotAllowed: error(405, 0, '405: Method Not Allowed'),
  unauthorized: error(401, 0, '401: Unauthorized'),
  unknownChannel: error(404, 10003, 'Unknown Channel'),
  unknownMessage: error(404, 10008, 'Unknown Message'),
  unknownWebhook: error(404, 10015, 'Unknown Webhook'),
  unknownInteraction: error(404, 10062, 'Unknown interaction'),
  unknownEmoji: error(400, 10014, 'Unknown Emoji'),
  invalidWebhookToken: error(401, 50027, 'Invalid Webhook Token'),
  emptyMessage: error(400, 50006, 'Cannot send an empty message'),
  otherAuthor: error(403, 50005, 'Cannot edit a message authored by another user'),
  bulkDeleteTooOld: error(400, 50034, 'You can only bulk delete messages that are under 14 days old.'),
  alreadyAcknowledged: error(400, 40060, 'Interaction has already been acknowledged.'),
  invalidJson: error(400, 50109, 'The request body contains invalid JSON.'),
  payloadTooLarge: error(413, 40005, 'Request entity too large'),
  unknownGuild: error(404, 10004, 'Unknown Guild'),
  unknownMember: error(404, 10007, 'Unknown Member'),
  unknownUser: error(404, 10013, 'Unknown User'),
  unknownApplication: error(404, 10002, 'Unknown Application'),
  missingAccess: error(403, 50001, 'Missing Access'),
  missingPermissions: error(403, 50013, 'Missing Permissions'),
  cannotMessageUser: error(403, 50007, 'Cannot send messages to this user'),
  cannotMessageBot: error(400, 50007, 'Cannot send messages to this user'),
  dmChannelAction: error(403, 50003, 'Cannot execute action on a DM channel'),
  /** A callback type the interaction does not allow (e.g. UPDATE_MESSAGE for a slash command): a 50035 on `type`. */
  invalidResponseType: formBodyError('type', 'INTERACTION_RESPONSE_TYPE_INVALID', 'Invalid interaction response type'),
  missingPrivilegedIntent: error(403, 50001, 'Missing Access'),
  dailyCommandCreates: error(400, 30034, 'Maximum number of daily application command creates has been reached (200)'),
} as const satisfies Record<string, ApiError>;

/** Splits `embeds[0].fields[3].value` into `['embeds', '0', 'fields', '3', 'value']`. */
function segments(path: string): string[] {
  return path.split(/[.[\]]+/).filter((segment) => segment.length > 0);
}

/**
 * Discord's `Invalid Form Body` (50035) answer with one nested error, e.g. for `embeds[0].title`:
 * `{"errors":{"embeds":{"0":{"title":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"..."}]}}}}}`.
 *
 * @param path - dotted/bracketed path of the field (`''` for the body itself)
 * @param code - Discord's error code string, e.g. `BASE_TYPE_MAX_LENGTH`
 * @param message - Discord's message, e.g. `Must be 2000 or fewer in length.`
 * @returns the error answer
 */
export function formBodyError(path: string, code: string, message: string): ApiError {
  let errors: Record<string, unknown> = { _errors: [{ code, message }] };
  const parts = segments(path);
  for (let index = parts.length - 1; index >= 0; index--) errors = { [parts[index]!]: errors };
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

/**
 * The answer Discord gives to a body that breaks a payload limit.
 *
 * @param violation - from `findPayloadViolation`
 * @returns a 400 answer: 50006 for an empty message, otherwise 50035 with the field's error
 */
export function payloadError(violation: PayloadViolation): ApiError {
  if (violation.path === 'body') {
    return violation.unit === 'plain JSON object'
      ? formBodyError('', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType')
      : DiscordErrors.emptyMessage;
  }
  if (violation.path === 'embeds' && violation.unit !== 'items') {
    return formBodyError('embeds', 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${violation.limit}`);
  }
  return formBodyError(violation.path, 'BASE_TYPE_MAX_LENGTH', `Must be ${violation.limit} or fewer in length.`);
}

/**
 * The 50035 answer for a path parameter or field that is not a snowflake.
 *
 * @param field - e.g. `channel_id`
 * @param value - the rejected value
 * @returns a 400 answer
 */
export function snowflakeError(field: string, value: string): ApiError {
  return formBodyError(field, 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
}

const SERVER_ERROR_TEXT = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
} as const satisfies Record<InjectedErrorStatus, string>;

/**
 * A server error as Discord words it, e.g. `{"message":"502: Bad Gateway","code":0}`.
 *
 * @param status - 500, 502, 503 or 504
 * @returns the error answer
 */
export function serverError(status: InjectedErrorStatus): ApiError {
  return error(status, 0, `${status}: ${SERVER_ERROR_TEXT[status]}`);
}
