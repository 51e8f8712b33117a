/**
 * Error classes thrown or used to reject update handles.
 *
 * Every error extends {@link MessageUpdateError}, carries a stable string `code` and a literal `name`, so callers
 * can branch with `instanceof` or on `code`. Messages say what failed, the value involved and what to do next.
 * Tokens never appear in messages: paths are passed through {@link redactPath} first.
 *
 * @module
 */

/** Stable error codes, one per error class. */
export const ErrorCodes = {
  InvalidConfig: 'INVALID_CONFIG',
  InvalidArgument: 'INVALID_ARGUMENT',
  InvalidPayload: 'INVALID_PAYLOAD',
  ManagerClosed: 'MANAGER_CLOSED',
  RepositoryClosed: 'REPOSITORY_CLOSED',
  MissingPeerDependency: 'MISSING_PEER_DEPENDENCY',
  SchemaVersion: 'SCHEMA_VERSION',
  MessageDeleted: 'MESSAGE_DELETED',
  DiscordAPI: 'DISCORD_API_ERROR',
  RetriesExhausted: 'RETRIES_EXHAUSTED',
  Unauthorized: 'UNAUTHORIZED',
  Transport: 'TRANSPORT_ERROR',
  Repository: 'REPOSITORY_ERROR',
  DeadLetter: 'DEAD_LETTER',
} as const;

/** One of the values of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Base class of every error this package throws.
 *
 * @example
 * ```ts
 * try {
 *   await manager.edit(channelId, messageId, body);
 * } catch (error) {
 *   if (error instanceof MessageUpdateError) console.error(error.code, error.message);
 * }
 * ```
 */
export class MessageUpdateError extends Error {
  /** Stable machine-readable code. */
  public readonly code: ErrorCode;
  public override name = 'MessageUpdateError';

  /**
   * @param code - stable error code
   * @param message - human-readable explanation, never containing a token
   * @param options - standard `ErrorOptions`; `cause` keeps the underlying error
   */
  public constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Describes a value for an error message: ``"`abc` (string)"``, ``"`NaN` (number)"``. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = maskTokens(value);
    return `\`${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}\` (string)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `\`${String(value)}\` (${typeof value})`;
  }
  if (value === null) return '`null`';
  if (value === undefined) return '`undefined`';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a value of type ${typeof value}`;
}

/**
 * A configuration value is missing, of the wrong type or out of range. Thrown at construction, never later.
 *
 * @example
 * ```ts
 * new MessageUpdateManager({ transport, config: { maxRetries: -1 } });
 * // InvalidConfigError: Expected `maxRetries` to be an integer from 0 to 100, got `-1` (number)
 * ```
 */
export class InvalidConfigError extends MessageUpdateError {
  public override name = 'InvalidConfigError' as const;
  /** The configuration field at fault (e.g. `maxRetries`, or `BATCH_SIZE` for an environment variable). */
  public readonly field: string;
  /** The rejected value (a string holding something token-shaped is masked). */
  public readonly value: unknown;
  /** What is allowed, in words (e.g. `an integer from 0 to 100`). */
  public readonly allowed: string;

  public constructor(field: string, value: unknown, allowed: string, detail?: string) {
    field = maskTokens(field); // an unknown field's name may hold anything
    super(
      ErrorCodes.InvalidConfig,
      `Expected \`${field}\` to be ${allowed}, got ${describeValue(value)}${detail ? `. ${detail}` : ''}`,
    );
    this.field = field;
    this.value = maskedValue(value);
    this.allowed = allowed;
  }
}

/** An argument such as a channel or message id is malformed (for example not a snowflake). */
export class InvalidArgumentError extends MessageUpdateError {
  public override name = 'InvalidArgumentError' as const;
  /** The argument at fault (e.g. `channelId`). */
  public readonly argument: string;
  /** The rejected value. */
  public readonly value: unknown;

  public constructor(argument: string, value: unknown, allowed: string) {
    argument = maskTokens(argument);
    super(ErrorCodes.InvalidArgument, `Expected \`${argument}\` to be ${allowed}, got ${describeValue(value)}`);
    this.argument = argument;
    this.value = maskedValue(value);
  }
}

/**
 * A message body breaks one of Discord's payload limits (content 2000 characters, 10 embeds, 6000 embed
 * characters, 25 fields, 5 action rows...). Thrown at enqueue; nothing is sent.
 */
export class InvalidPayloadError extends MessageUpdateError {
  public override name = 'InvalidPayloadError' as const;
  /** Path of the offending field inside the body, e.g. `embeds[0].fields[3].value`. */
  public readonly path: string;
  /** The measured size (characters or items); 0 for a field of the wrong type. */
  public readonly actual: number;
  /** Discord's limit for that field; 0 for a field of the wrong type. */
  public readonly limit: number;
  /** For a field of the wrong type (or a value JSON cannot carry): what it must be, e.g. `a string`. */
  public readonly expected: string | undefined;

  /**
   * A field over a size limit.
   *
   * @param advice - what to do instead of the default "shorten it" (for text the database cannot store, say)
   */
  public constructor(path: string, actual: number, limit: number, unit: string, advice?: string);
  /** A field of the wrong type: `expected` says what it must be, `value` is what it was. */
  public constructor(path: string, wrongType: { readonly expected: string; readonly value: unknown }, advice?: string);
  public constructor(
    path: string,
    sizeOrType: number | { readonly expected: string; readonly value: unknown },
    limitOrAdvice?: number | string,
    unit?: string,
    advice?: string,
  ) {
    const wrongType = typeof sizeOrType === 'object' ? sizeOrType : undefined;
    path = maskTokens(path); // a property name may hold anything
    super(
      ErrorCodes.InvalidPayload,
      wrongType
        ? `Expected \`${path}\` to be ${wrongType.expected}, got ${describeValue(wrongType.value)}. ${
            typeof limitOrAdvice === 'string' ? limitOrAdvice : 'Discord would reject this body with 400.'
          }`
        : `Expected \`${path}\` to have at most ${String(limitOrAdvice)} ${unit ?? ''}, got ${String(sizeOrType)}. ${
            advice ?? 'Discord would reject this body with 400; shorten it before enqueueing.'
          }`,
    );
    this.path = path;
    this.actual = wrongType ? 0 : (sizeOrType as number);
    this.limit = wrongType ? 0 : (limitOrAdvice as number);
    this.expected = wrongType?.expected;
  }
}

/** The manager was stopped; no new updates are accepted. */
export class ManagerClosedError extends MessageUpdateError {
  public override name = 'ManagerClosedError' as const;
  public constructor(action: string) {
    super(
      ErrorCodes.ManagerClosed,
      `Cannot ${action}: the MessageUpdateManager has been stopped. Create a new manager.`,
    );
  }
}

/** An edit targets a message that has been deleted (or whose delete is queued) through this manager. */
export class MessageDeletedError extends MessageUpdateError {
  public override name = 'MessageDeletedError' as const;
  public readonly channelId: string;
  public readonly messageId: string;
  public constructor(channelId: string, messageId: string) {
    super(
      ErrorCodes.MessageDeleted,
      `Cannot edit message ${messageId} in channel ${channelId}: it was deleted through this manager. Create a new message instead.`,
    );
    this.channelId = channelId;
    this.messageId = messageId;
  }
}

/** Discord answered with a 4xx error that is not retried (400, 403, 404, ...). */
export class DiscordAPIError extends MessageUpdateError {
  public override name = 'DiscordAPIError' as const;
  /** HTTP status. */
  public readonly status: number;
  /** Discord's JSON error code (e.g. 10008 Unknown Message), or 0 when the body had none. */
  public readonly discordCode: number;
  /** HTTP method. */
  public readonly method: string;
  /** Request path, with any token replaced by `:token`. */
  public readonly path: string;
  /** The parsed error body Discord sent. */
  public readonly rawError: unknown;

  public constructor(
    status: number,
    discordCode: number,
    discordMessage: string,
    method: string,
    path: string,
    rawError: unknown,
  ) {
    const safePath = redactPath(path);
    super(
      ErrorCodes.DiscordAPI,
      `Discord answered ${status} to ${method} ${safePath}: ${discordMessage} (code ${discordCode})`,
    );
    this.status = status;
    this.discordCode = discordCode;
    this.method = method;
    this.path = safePath;
    this.rawError = rawError;
  }
}

/** Discord answered 401: the token is invalid. The manager stops sending; create a new one with a valid token. */
export class UnauthorizedError extends MessageUpdateError {
  public override name = 'UnauthorizedError' as const;
  public constructor(method: string, path: string) {
    super(
      ErrorCodes.Unauthorized,
      `Discord answered 401 Unauthorized to ${method} ${redactPath(path)}: the bot token is invalid or was reset. The manager has stopped sending; check the token and start a new manager.`,
    );
  }
}

/** A request failed in a retryable way (5xx, timeout, connection reset) more than `maxRetries` times. */
export class RetriesExhaustedError extends MessageUpdateError {
  public override name = 'RetriesExhaustedError' as const;
  /** How many attempts were made (1 + retries). */
  public readonly attempts: number;
  public constructor(method: string, path: string, attempts: number, cause: unknown) {
    super(
      ErrorCodes.RetriesExhausted,
      `${method} ${redactPath(path)} failed after ${attempts} attempts; the last error was: ${cause instanceof Error ? cause.message : String(cause)}. Raise \`maxRetries\` or check Discord's status.`,
      { cause },
    );
    this.attempts = attempts;
  }
}

/** The transport could not get an HTTP answer (timeout, connection reset, DNS...). Retried by the manager. */
export class TransportError extends MessageUpdateError {
  public override name = 'TransportError' as const;
  public constructor(method: string, path: string, cause: unknown) {
    super(
      ErrorCodes.Transport,
      `${method} ${redactPath(path)} got no answer: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * The repository (database) failed. While the manager was claiming, acknowledging or releasing an outbox row, it
 * retries like a 5xx (with backoff) and the row itself stays in the outbox, so nothing accepted is lost. When an update
 * could not be stored at all (its handle's `accepted` rejects), it was not accepted and is not sent: the message says
 * so.
 */
export class RepositoryError extends MessageUpdateError {
  public override name = 'RepositoryError' as const;
  /**
   * @param consequence - what became of the update, when not "it stays in the outbox"
   */
  public constructor(action: string, cause: unknown, consequence?: string) {
    super(
      ErrorCodes.Repository,
      `The repository failed to ${action}: ${cause instanceof Error ? cause.message : String(cause)}. ${
        consequence ?? 'The update stays in the outbox'
      }; check the database connection.`,
      { cause },
    );
  }
}

/** The update's outbox row became a dead letter (another worker gave up on it); see `repository.listDeadLetters()`. */
export class DeadLetterError extends MessageUpdateError {
  public override name = 'DeadLetterError' as const;
  /** The outbox row's key. */
  public readonly targetKey: string;
  public constructor(targetKey: string, lastError: string | null) {
    super(
      ErrorCodes.DeadLetter,
      `The outbox row ${targetKey} is a dead letter${lastError ? ` (${lastError})` : ''}. Fix the cause, then repository.redrive('${targetKey}').`,
    );
    this.targetKey = targetKey;
  }
}

/**
 * A repository was used after its `close()`: the call is refused and nothing was read or written. Create a new
 * repository to use the database again.
 *
 * @example
 * ```ts
 * await repository.close();
 * await repository.enqueue(update);
 * // RepositoryClosedError: Cannot enqueue: this SqliteUpdateRepository (./data/updates.db) was closed. ...
 * ```
 */
export class RepositoryClosedError extends MessageUpdateError {
  public override name = 'RepositoryClosedError' as const;
  /** The repository class, e.g. `SqliteUpdateRepository`. */
  public readonly repository: string;
  /** The call that was refused, e.g. `enqueue`. */
  public readonly action: string;

  /**
   * @param repository - the repository class, e.g. `PostgresUpdateRepository`
   * @param action - the call that was refused, e.g. `enqueue`
   * @param where - which database it used, for the message (a file name, ``schema `my_bot` ``), never a password
   */
  public constructor(repository: string, action: string, where?: string) {
    super(
      ErrorCodes.RepositoryClosed,
      `Cannot ${action}: this ${repository}${where === undefined ? '' : ` (${where})`} was closed. ` +
        'Create a new repository to use it again.',
    );
    this.repository = repository;
    this.action = action;
  }
}

/**
 * An optional peer dependency (`better-sqlite3`, `pg`, `ioredis`) that a feature needs could not be loaded, or is
 * not the package expected. The message names the package, the feature and the command that installs it.
 *
 * @example
 * ```ts
 * try {
 *   await repository.migrate();
 * } catch (error) {
 *   if (error instanceof MissingPeerDependencyError) console.error(`run: npm install ${error.packageName}`);
 *   throw error;
 * }
 * ```
 */
export class MissingPeerDependencyError extends MessageUpdateError {
  public override name = 'MissingPeerDependencyError' as const;
  /** The npm package to install, e.g. `pg`. */
  public readonly packageName: string;
  /** What needs it, e.g. `PostgresUpdateRepository`. */
  public readonly feature: string;
  /** The command that installs it, e.g. `npm install better-sqlite3@12`. */
  public readonly installCommand: string;

  /**
   * @param packageName - the npm package, e.g. `pg`
   * @param feature - what needs it, e.g. `PostgresUpdateRepository`
   * @param details - `version`: the major version to install (`12` gives `npm install better-sqlite3@12`);
   *   `alternative`: what to do instead of installing it (e.g. "pass your own `pool`"); `problem`: what is wrong
   *   when the package loaded but is not the one expected; `cause`: the error loading it failed with
   */
  public constructor(
    packageName: string,
    feature: string,
    details: {
      readonly version?: string;
      readonly alternative?: string;
      readonly problem?: string;
      readonly cause?: unknown;
    } = {},
  ) {
    const installCommand = `npm install ${packageName}${details.version === undefined ? '' : `@${details.version}`}`;
    const cause = details.cause;
    super(
      ErrorCodes.MissingPeerDependency,
      `${feature} could not ${details.problem === undefined ? 'load' : 'use'} ${packageName}, an optional peer ` +
        `dependency it needs${details.problem === undefined ? '' : ` (${details.problem})`}: install ${packageName} ` +
        `(${installCommand})${details.alternative === undefined ? '' : `, or ${details.alternative}`}.` +
        (cause === undefined
          ? ''
          : ` Loading failed with: ${maskTokens(cause instanceof Error ? cause.message : String(cause))}`),
      cause === undefined ? undefined : { cause },
    );
    this.packageName = packageName;
    this.feature = feature;
    this.installCommand = installCommand;
  }
}

/**
 * A database's schema is not the version this release of the package uses. `older`: the schema has not been
 * migrated to this release (call `await repository.migrate()`); `newer`: a newer release migrated it, and older code
 * could corrupt it (upgrade the package in every process using it). Nothing was read or written.
 *
 * @example
 * ```ts
 * try {
 *   await repository.listPending();
 * } catch (error) {
 *   if (error instanceof SchemaVersionError && error.direction === 'older') await repository.migrate();
 *   else throw error;
 * }
 * ```
 */
export class SchemaVersionError extends MessageUpdateError {
  public override name = 'SchemaVersionError' as const;
  /** The version the database records (`0`: never migrated), or `null` when it could not be read (tables missing). */
  public readonly found: number | null;
  /** The version this release reads and writes (for `newer`, the highest it supports), or `null` when unknown. */
  public readonly expected: number | null;
  /** `older`: call `migrate()`; `newer`: upgrade the package. */
  public readonly direction: 'older' | 'newer';
  /** What holds the schema, as the message names it, e.g. ``the PostgreSQL schema `my_bot` ``. */
  public readonly database: string;

  /**
   * @param database - what holds the schema, e.g. `the SQLite database ./data/updates.db` (never a password)
   * @param found - the version recorded, or `null` when it could not be read
   * @param expected - the version this release uses
   * @param direction - whether the schema is `older` or `newer` than this release
   * @param details - `problem`: why the version could not be read (with `found: null`); `cause`: the driver's error
   */
  public constructor(
    database: string,
    found: number | null,
    expected: number | null,
    direction: 'older' | 'newer',
    details: { readonly problem?: string; readonly cause?: unknown } = {},
  ) {
    const subject = database.charAt(0).toUpperCase() + database.slice(1);
    const has =
      found === null
        ? `has no schema version that could be read${details.problem === undefined ? '' : ` (${details.problem})`}`
        : `has schema version ${found}`;
    const versions = expected === null ? 'another version' : `version ${expected}`;
    super(
      ErrorCodes.SchemaVersion,
      direction === 'older'
        ? `${subject} ${has}, but this release of discord-update-manager needs ${versions}: ` +
            'call `await repository.migrate()` before using the repository.'
        : `${subject} ${has}, but this release of discord-update-manager supports schema versions up to ` +
            `${expected ?? 'an older one'}: a newer release migrated it. Upgrade discord-update-manager (to the ` +
            'release that migrated it, or later) in every process using it.',
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.found = found;
    this.expected = expected;
    this.direction = direction;
    this.database = database;
  }
}

/** Runs of the characters a token is made of (base64url and its dots), found in linear time. */
const TOKEN_ALPHABET_RUN = /[A-Za-z0-9_.-]+/g;
/** Segments after `/webhooks/` or `/interactions/` that are not secret: ids and the fixed words of those routes. */
const PUBLIC_SEGMENT = /^(?:\d+|messages|@original|callback|threads|slack|github)?$/i;
/** `token=`, `access_token=`, `webhook_token=`... in a query string or a fragment. */
const TOKEN_PARAMETER = /([?&#;][^=&#;?]*token=)[^&#;]*/gi;

/**
 * Replaces anything in a text that looks like a Discord bot token with `[token]`: three dot-separated parts of
 * base64url (user id, timestamp, HMAC) of at least 20, 5 and 20 characters. Deliberately loose: a false positive only
 * masks a value in an error message. Linear in the text's length (no backtracking regular expression).
 *
 * @example
 * ```ts
 * maskTokens('BATCH_SIZE=MTIz.abcdef.ghij...'); // 'BATCH_SIZE=[token]'
 * ```
 */
export function maskTokens(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(TOKEN_ALPHABET_RUN, (run) => {
    const parts = run.split('.');
    if (parts.length < 3) return run;
    const kept: string[] = [];
    for (let i = 0; i < parts.length;) {
      if (i + 2 < parts.length && parts[i]!.length >= 20 && parts[i + 1]!.length >= 5 && parts[i + 2]!.length >= 20) {
        kept.push('[token]');
        i += 3;
      } else kept.push(parts[i++]!);
    }
    return kept.join('.');
  });
}

/** A value for an error's own property: a string is kept unless it holds something token-shaped (then masked). */
function maskedValue(value: unknown): unknown {
  return typeof value === 'string' ? maskTokens(value) : value;
}

/**
 * Replaces the secret parts of webhook and interaction paths with `:token` (every segment after `/webhooks/` or
 * `/interactions/` that is not an id or one of the routes' fixed words, in any letter case, percent-encoded or not),
 * token parameters of the query string or fragment, and anything token-shaped, so errors and logs never leak them.
 *
 * @example
 * ```ts
 * redactPath('/webhooks/123/abcDEF/messages/456'); // '/webhooks/123/:token/messages/456'
 * redactPath('/WEBHOOKS//abcDEF'); // '/WEBHOOKS//:token'
 * ```
 */
export function redactPath(path: string): string {
  const cut = path.search(/[?#]/);
  let pathname = cut === -1 ? path : path.slice(0, cut);
  const suffix = cut === -1 ? '' : path.slice(cut);
  try {
    pathname = decodeURIComponent(pathname); // `%2F` is a slash to a router: split where it would
  } catch {
    // Not valid percent-encoding: split the text as it is.
  }
  const segments = pathname.split('/');
  const at = segments.findIndex((segment) => /^(?:webhooks|interactions)$/i.test(segment));
  if (at !== -1) {
    for (let i = at + 1; i < segments.length; i++) {
      if (!PUBLIC_SEGMENT.test(segments[i]!)) segments[i] = ':token';
    }
  }
  return maskTokens(segments.join('/') + suffix.replace(TOKEN_PARAMETER, '$1:token'));
}
