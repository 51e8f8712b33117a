/**
 * Tags: named groups of items, ordered by `sort_order` in the channel.
 *
 * @module
 */
import type { Snowflake, Tag } from '../domain/model.js';
import { cleanName, DuplicateNameError, isUniqueViolation } from './errors.js';
import { toTag } from './rows.js';
import type { BotExecutor } from './schema.js';

/** Reads and writes `tags`. Run multi-statement changes (reorder) in a transaction. */
export class TagRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * Creates a tag, last in the order unless `sortOrder` is given.
   *
   * @param guildId - the guild
   * @param name - its name (trimmed; unique in the guild)
   * @param now - the time, epoch ms
   * @param sortOrder - its place; by default one more than the guild's largest
   * @returns the tag
   * @throws {@link DuplicateNameError} when the guild has a tag of that name
   */
  public async create(guildId: Snowflake, name: string, now: number, sortOrder?: number): Promise<Tag> {
    const clean = cleanName('tag', name);
    const order = sortOrder ?? (await this.#nextSortOrder(guildId));
    const row = await this.#db
      .insertInto('tags')
      .values({ guild_id: guildId, name: clean, sort_order: order, created_at: now })
      .onConflict((conflict) => conflict.columns(['guild_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new DuplicateNameError('tag', guildId, clean);
    return toTag(row);
  }

  /**
   * @param tagId - the tag
   * @returns it, or null
   */
  public async get(tagId: number): Promise<Tag | null> {
    const row = await this.#db.selectFrom('tags').selectAll().where('id', '=', tagId).executeTakeFirst();
    return row === undefined ? null : toTag(row);
  }

  /**
   * @param guildId - the guild
   * @returns its tags by sort order, then name
   */
  public async list(guildId: Snowflake): Promise<Tag[]> {
    const rows = await this.#db
      .selectFrom('tags')
      .selectAll()
      .where('guild_id', '=', guildId)
      .orderBy('sort_order')
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toTag);
  }

  /**
   * Renames a tag.
   *
   * @param tagId - the tag
   * @param name - the new name (trimmed; unique in the guild)
   * @returns the tag after the change, or null when there is no such tag
   * @throws {@link DuplicateNameError} when another tag of the guild has that name
   */
  public async rename(tagId: number, name: string): Promise<Tag | null> {
    const clean = cleanName('tag', name);
    const existing = await this.get(tagId);
    if (existing === null) return null;
    const taken = await this.#db
      .selectFrom('tags')
      .select('id')
      .where('guild_id', '=', existing.guildId)
      .where('name', '=', clean)
      .where('id', '<>', tagId)
      .executeTakeFirst();
    if (taken !== undefined) throw new DuplicateNameError('tag', existing.guildId, clean);
    try {
      const row = await this.#db
        .updateTable('tags')
        .set({ name: clean })
        .where('id', '=', tagId)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toTag(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateNameError('tag', existing.guildId, clean);
      throw error;
    }
  }

  /**
   * Deletes a tag; its items become untagged (the foreign key's ON DELETE SET NULL).
   *
   * @param tagId - the tag
   * @returns the deleted tag, or null when there was none
   */
  public async delete(tagId: number): Promise<Tag | null> {
    const row = await this.#db.deleteFrom('tags').where('id', '=', tagId).returningAll().executeTakeFirst();
    return row === undefined ? null : toTag(row);
  }

  /**
   * Puts a guild's tags in a new order: `tagIds[0]` gets sort order 1, and so on.
   *
   * @param guildId - the guild
   * @param tagIds - every tag of the guild, each once, in the new order
   * @returns the tags in the new order
   * @throws Error when `tagIds` is not exactly the guild's tags
   */
  public async reorder(guildId: Snowflake, tagIds: readonly number[]): Promise<Tag[]> {
    const current = await this.list(guildId);
    const known = new Set(current.map((tag) => tag.id));
    const given = new Set(tagIds);
    if (given.size !== tagIds.length || given.size !== known.size || tagIds.some((id) => !known.has(id))) {
      throw new Error(
        `Cannot reorder the tags of guild ${guildId}: got [${tagIds.join(', ')}], expected each of ` +
          `[${[...known].join(', ')}] exactly once. Reload the tag list and try again.`,
      );
    }
    for (const [index, id] of tagIds.entries()) {
      await this.#db
        .updateTable('tags')
        .set({ sort_order: index + 1 })
        .where('id', '=', id)
        .execute();
    }
    return this.list(guildId);
  }

  async #nextSortOrder(guildId: Snowflake): Promise<number> {
    const row = await this.#db
      .selectFrom('tags')
      .select((eb) => eb.fn.max('sort_order').as('max'))
      .where('guild_id', '=', guildId)
      .executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }
}
