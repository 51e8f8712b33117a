/**
 * What the administration services share: their result type, and turning the repositories' typed errors into it.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { DuplicateNameError, InvalidNameError } from '../../db/errors.js';
import type { Repositories } from '../../db/repositories.js';
import { inTransaction } from './support.js';

/**
 * Why an administration operation was refused: no such thing in that guild (`not-found`); the name is taken
 * (`duplicate-name`); a name, tag or location that cannot be used (`invalid`).
 */
export type AdminRefusal = 'not-found' | 'duplicate-name' | 'invalid';

/** What an administration operation returns. */
export type AdminResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: AdminRefusal; readonly message: string };

/**
 * @param value - what the operation produced
 * @returns a success
 */
export function done<T>(value: T): AdminResult<T> {
  return { ok: true, value };
}

/**
 * @param reason - why not
 * @param message - for the admin
 * @returns a refusal
 */
export function refused<T>(reason: AdminRefusal, message: string): AdminResult<T> {
  return { ok: false, reason, message };
}

/**
 * Runs an administration operation in one write transaction; a duplicate or invalid name becomes a refusal (after
 * the rollback).
 *
 * @param database - the open database
 * @param fn - the operation
 * @returns its result
 */
export async function adminTransaction<T>(
  database: BotDatabase,
  fn: (repos: Repositories) => Promise<AdminResult<T>>,
): Promise<AdminResult<T>> {
  try {
    return await inTransaction(database, fn);
  } catch (error) {
    if (error instanceof DuplicateNameError) return refused('duplicate-name', error.message);
    if (error instanceof InvalidNameError) return refused('invalid', error.message);
    throw error;
  }
}

/**
 * Whether a tag may be used in a guild (null always may).
 *
 * @param repos - the repositories
 * @param guildId - the guild
 * @param tagId - the tag, or null
 * @returns whether it is usable
 */
export async function isUsableTag(repos: Repositories, guildId: string, tagId: number | null): Promise<boolean> {
  if (tagId === null) return true;
  const tag = await repos.tags.get(tagId);
  return tag !== null && tag.guildId === guildId;
}
