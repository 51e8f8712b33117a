import type { HttpMethod } from './route.js';

/** The REST request of one message operation. */
export interface MessageRequest {
  readonly method: HttpMethod;
  /** Path below the API version, e.g. `/channels/123/messages/456`. */
  readonly path: `/${string}`;
  readonly body?: unknown;
}

/** What a message operation needs to become a request. */
export interface MessageOperationTarget {
  readonly kind: 'create' | 'edit' | 'delete';
  readonly channelId: string;
  /** Required for edits and deletes. */
  readonly messageId: string | undefined;
  readonly body: unknown;
  /** Creates carry one, with `enforce_nonce`, so a create sent twice (a retry after a lost answer) makes one message. */
  readonly nonce: string | undefined;
}

/**
 * The Discord REST request for creating, editing or deleting a message.
 *
 * @see https://discord.com/developers/docs/resources/message#create-message
 * @example
 * ```ts
 * messageRequest({ kind: 'edit', channelId: '1', messageId: '2', body: { content: 'hi' }, nonce: undefined });
 * // { method: 'PATCH', path: '/channels/1/messages/2', body: { content: 'hi' } }
 * ```
 */
export function messageRequest(operation: MessageOperationTarget): MessageRequest {
  const { method, path } = messageRequestLine(operation.kind, operation.channelId, operation.messageId);
  switch (operation.kind) {
    case 'create':
      return { method, path, body: { ...(operation.body as object), nonce: operation.nonce, enforce_nonce: true } };
    case 'edit':
      return { method, path, body: operation.body };
    case 'delete':
      return { method, path };
  }
}

/**
 * The method and path alone of a message operation's request (what its rate-limit route depends on), without building
 * its body.
 */
export function messageRequestLine(
  kind: MessageOperationTarget['kind'],
  channelId: string,
  messageId: string | undefined,
): Pick<MessageRequest, 'method' | 'path'> {
  switch (kind) {
    case 'create':
      return { method: 'POST', path: `/channels/${channelId}/messages` };
    case 'edit':
      return { method: 'PATCH', path: `/channels/${channelId}/messages/${messageId}` };
    case 'delete':
      return { method: 'DELETE', path: `/channels/${channelId}/messages/${messageId}` };
  }
}
