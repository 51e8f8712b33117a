/**
 * Connection-string helpers: validation, password redaction, and the `host:port` a connection goes to, so that error
 * messages say where the adapter tried to connect without ever showing a password.
 *
 * @module
 */

/** Where a connection goes, for messages. */
export interface PostgresTarget {
  /** Host name, IP address or socket directory. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Database name, when known. */
  readonly database: string | undefined;
  /** User name, when known. */
  readonly user: string | undefined;
}

const DEFAULT_PORT = 5432;

function parseUrl(connectionString: string): URL | undefined {
  if (!/^postgres(?:ql)?:\/\//i.test(connectionString)) return undefined;
  try {
    return new URL(connectionString);
  } catch {
    return undefined;
  }
}

/**
 * Tells whether a string is a connection string `pg` understands: a `postgres://` or `postgresql://` URL, a
 * `socket:` URL, or a Unix socket path.
 *
 * @param connectionString - the candidate
 * @returns `true` when `pg` can parse it
 */
export function isPostgresConnectionString(connectionString: string): boolean {
  if (connectionString.startsWith('/')) return true;
  if (/^socket:/i.test(connectionString)) return true;
  return parseUrl(connectionString) !== undefined;
}

/**
 * Replaces the password of a connection string (user-info part or `password=` parameter) with `***`.
 *
 * @param connectionString - any string, valid or not
 * @returns the same string without its password
 * @example
 * ```ts
 * redactConnectionString('postgres://bot:hunter2@db:5432/app'); // 'postgres://bot:***@db:5432/app'
 * ```
 */
export function redactConnectionString(connectionString: string): string {
  return connectionString
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Works out the host and port a connection string points at, with `pg`'s defaults (`PGHOST`, `PGPORT`, then
 * `localhost:5432`).
 *
 * @param connectionString - a connection string
 * @returns the target, never including the password
 */
export function postgresTargetOf(connectionString: string): PostgresTarget {
  const url = parseUrl(connectionString);
  const envHost = process.env.PGHOST;
  const envPort = Number(process.env.PGPORT);
  const defaultPort = Number.isInteger(envPort) && envPort > 0 ? envPort : DEFAULT_PORT;
  if (!url) {
    const socket = connectionString.replace(/^socket:/i, '').split(/[?\s]/)[0] ?? '';
    return { host: socket || envHost || 'localhost', port: defaultPort, database: undefined, user: undefined };
  }
  const host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || url.searchParams.get('host') || envHost;
  const port = Number(url.port || url.searchParams.get('port') || defaultPort);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  const user = decodeURIComponent(url.username) || undefined;
  return { host: host || 'localhost', port, database, user };
}

/**
 * Best-effort target of a pool passed in: `pg`'s `Pool` keeps its configuration in `options`.
 *
 * @param pool - any pool-like object
 * @returns the target, or `undefined` when the pool does not say
 */
export function postgresTargetOfPool(pool: unknown): PostgresTarget | undefined {
  const options = (pool as { readonly options?: unknown }).options;
  if (typeof options !== 'object' || options === null) return undefined;
  const config = options as {
    readonly connectionString?: unknown;
    readonly host?: unknown;
    readonly port?: unknown;
    readonly database?: unknown;
    readonly user?: unknown;
  };
  if (typeof config.connectionString === 'string') return postgresTargetOf(config.connectionString);
  const envPort = Number(process.env.PGPORT);
  return {
    host: typeof config.host === 'string' ? config.host : (process.env.PGHOST ?? 'localhost'),
    port:
      typeof config.port === 'number' ? config.port : Number.isInteger(envPort) && envPort > 0 ? envPort : DEFAULT_PORT,
    database: typeof config.database === 'string' ? config.database : undefined,
    user: typeof config.user === 'string' ? config.user : undefined,
  };
}

/**
 * Formats a target for messages: `127.0.0.1:5432 (database test, user postgres)`.
 *
 * @param target - the target
 * @returns a short description, never including a password
 */
export function describePostgresTarget(target: PostgresTarget): string {
  const details = [
    target.database === undefined ? undefined : `database ${target.database}`,
    target.user === undefined ? undefined : `user ${target.user}`,
  ].filter((part) => part !== undefined);
  const address = target.host.startsWith('/')
    ? `${target.host} port ${target.port}`
    : target.host.includes(':')
      ? `[${target.host}]:${target.port}`
      : `${target.host}:${target.port}`;
  return details.length > 0 ? `${address} (${details.join(', ')})` : address;
}
