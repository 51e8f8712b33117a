import { ErrorCodes, MessageUpdateError } from '../../errors/message-update-error.js';

/** When the connection failed: while opening it, or while a call was using it. */
export type PostgresConnectionPhase = 'connect' | 'query' | 'commit';

/**
 * PostgreSQL could not be reached, refused the login, or the connection broke in the middle of a call. The message
 * names the host and port (never the password) and what to check. Its `code` is `TRANSPORT_ERROR`: like a failed
 * HTTP request, it may succeed when retried once the server is back.
 *
 * `phase` tells what is known about the call's effect: `connect` and `query` — nothing was changed (the transaction
 * was rolled back with the connection); `commit` — the connection broke while committing, so the change may or may
 * not have been applied.
 *
 * @example
 * ```ts
 * try {
 *   await repository.migrate();
 * } catch (error) {
 *   if (error instanceof PostgresConnectionError) console.error(`database down at ${error.host}:${error.port}`);
 *   throw error;
 * }
 * ```
 */
export class PostgresConnectionError extends MessageUpdateError {
  public override name = 'PostgresConnectionError' as const;
  /** Host name, IP address or socket directory the connection went to. */
  public readonly host: string;
  /** TCP port the connection went to. */
  public readonly port: number;
  /** When the connection failed. */
  public readonly phase: PostgresConnectionPhase;

  /**
   * @param message - the full explanation (host, port, reason, what to check), never containing a password
   * @param details - where the connection went and when it failed
   * @param cause - the driver's error
   */
  public constructor(
    message: string,
    details: { readonly host: string; readonly port: number; readonly phase: PostgresConnectionPhase },
    cause: unknown,
  ) {
    super(ErrorCodes.Transport, message, { cause });
    this.host = details.host;
    this.port = details.port;
    this.phase = details.phase;
  }
}
