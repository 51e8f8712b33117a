/**
 * What an unsuccessful attempt is: retryable (5xx, no answer, a failing repository) or final (4xx, a bad token), and
 * the typed error it ends with.
 *
 * @module
 */
import { AbortError } from 'p-retry';
import type { MessageRequest } from '../discord/message-request.js';
import { DiscordAPIError, RepositoryError, TransportError, UnauthorizedError } from '../errors/message-update-error.js';
import type { TransportResponse } from '../transport/transport.js';

/** Thrown into an operation waiting for a slot when the manager stops without draining. */
export class OperationCancelled extends Error {
  public override name = 'OperationCancelled';
}

/** A failure worth retrying: a 5xx, no answer at all, or a repository call that failed. */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof TransportError ||
    error instanceof RepositoryError ||
    (error instanceof DiscordAPIError && error.status >= 500)
  );
}

/** Runs a repository call, turning its failure into a retryable {@link RepositoryError}. */
export async function viaRepository<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new RepositoryError(action, error);
  }
}

/**
 * The error an unsuccessful answer (not 2xx, not 429) ends its attempt with: a 5xx is retried, a 401 stops all
 * sending, any other 4xx fails at once (p-retry's `AbortError` wraps what must not be retried).
 */
export function failureOf(answer: TransportResponse, request: MessageRequest): Error {
  if (answer.status >= 500) return discordErrorFrom(answer, request);
  if (answer.status === 401) return new AbortError(new UnauthorizedError(request.method, request.path));
  return new AbortError(discordErrorFrom(answer, request));
}

/** Discord's error body (or status) as a {@link DiscordAPIError}. */
export function discordErrorFrom(answer: TransportResponse, request: MessageRequest): DiscordAPIError {
  const body = answer.body as { message?: unknown; code?: unknown } | string | undefined;
  const message =
    typeof body === 'object' && body !== null && typeof body.message === 'string'
      ? body.message
      : typeof body === 'string' && body.length > 0
        ? body.slice(0, 200)
        : `HTTP ${answer.status}`;
  const code = typeof body === 'object' && body !== null && typeof body.code === 'number' ? body.code : 0;
  return new DiscordAPIError(answer.status, code, message, request.method, request.path, answer.body);
}
