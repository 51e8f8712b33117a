/**
 * Typed errors of the bot's repositories, and recognising the databases' constraint violations.
 *
 * @module
 */

/** What kind of thing has a name unique per guild. */
export type NamedKind = 'equipment' | 'tag' | 'location';

/** Thrown when a name is already used in the guild by an item, a tag or a location of the same kind. */
export class DuplicateNameError extends Error {
  /** The kind of thing. */
  public readonly kind: NamedKind;
  /** The guild. */
  public readonly guildId: string;
  /** The name already used. */
  public readonly duplicateName: string;

  /**
   * @param kind - equipment, tag or location
   * @param guildId - the guild
   * @param name - the name already used
   */
  public constructor(kind: NamedKind, guildId: string, name: string) {
    super(`The ${kind} name "${name}" is already used in guild ${guildId}: choose another name.`);
    this.name = 'DuplicateNameError';
    this.kind = kind;
    this.guildId = guildId;
    this.duplicateName = name;
  }
}

/**
 * Tells whether a database error is a unique-constraint violation (SQLite `SQLITE_CONSTRAINT_UNIQUE` /
 * `_PRIMARYKEY`, Postgres `23505`).
 *
 * @param error - what a query threw
 * @returns whether it is a unique violation
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Longest name of an item, a tag or a location (a Discord select option's label is at most 100 characters). */
export const MAX_NAME_LENGTH = 100;

/**
 * A name, trimmed, checked for length.
 *
 * @param kind - what is named, for the message
 * @param name - the name as typed
 * @returns the trimmed name
 * @throws {@link InvalidNameError} when it is empty or longer than {@link MAX_NAME_LENGTH}
 */
export function cleanName(kind: NamedKind, name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) throw new InvalidNameError(kind, name);
  return trimmed;
}

/** Thrown when a name is empty (after trimming) or too long. */
export class InvalidNameError extends Error {
  /** The kind of thing. */
  public readonly kind: NamedKind;

  /**
   * @param kind - equipment, tag or location
   * @param name - the name as given
   */
  public constructor(kind: NamedKind, name: string) {
    super(`The ${kind} name "${name}" is invalid: expected 1 to ${MAX_NAME_LENGTH} characters after trimming.`);
    this.name = 'InvalidNameError';
    this.kind = kind;
  }
}
