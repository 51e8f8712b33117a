/**
 * Locations: where items are kept, picked up and returned.
 *
 * @module
 */
import type { Location, Snowflake } from '../domain/model.js';
import { cleanName, DuplicateNameError, isUniqueViolation } from './errors.js';
import { toLocation } from './rows.js';
import type { BotExecutor } from './schema.js';

/** Reads and writes `locations`. */
export class LocationRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * @param guildId - the guild
   * @param name - the name (trimmed; unique in the guild)
   * @param now - the time, epoch ms
   * @returns the new location
   * @throws {@link DuplicateNameError} when the guild has a location of that name
   */
  public async create(guildId: Snowflake, name: string, now: number): Promise<Location> {
    const clean = cleanName('location', name);
    const row = await this.#db
      .insertInto('locations')
      .values({ guild_id: guildId, name: clean, created_at: now })
      .onConflict((conflict) => conflict.columns(['guild_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new DuplicateNameError('location', guildId, clean);
    return toLocation(row);
  }

  /**
   * @param locationId - the location
   * @returns it, or null
   */
  public async get(locationId: number): Promise<Location | null> {
    const row = await this.#db.selectFrom('locations').selectAll().where('id', '=', locationId).executeTakeFirst();
    return row === undefined ? null : toLocation(row);
  }

  /**
   * @param guildId - the guild
   * @returns its locations by name
   */
  public async list(guildId: Snowflake): Promise<Location[]> {
    const rows = await this.#db
      .selectFrom('locations')
      .selectAll()
      .where('guild_id', '=', guildId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toLocation);
  }

  /**
   * @param locationId - the location
   * @param name - the new name (trimmed; unique in the guild)
   * @returns the location after the change, or null when there is none
   * @throws {@link DuplicateNameError} when another location of the guild has that name
   */
  public async rename(locationId: number, name: string): Promise<Location | null> {
    const clean = cleanName('location', name);
    const existing = await this.get(locationId);
    if (existing === null) return null;
    const taken = await this.#db
      .selectFrom('locations')
      .select('id')
      .where('guild_id', '=', existing.guildId)
      .where('name', '=', clean)
      .where('id', '<>', locationId)
      .executeTakeFirst();
    if (taken !== undefined) throw new DuplicateNameError('location', existing.guildId, clean);
    try {
      const row = await this.#db
        .updateTable('locations')
        .set({ name: clean })
        .where('id', '=', locationId)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toLocation(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateNameError('location', existing.guildId, clean);
      throw error;
    }
  }

  /**
   * Deletes a location. Items and reservations that pointed at it keep no location (ON DELETE SET NULL).
   *
   * @param locationId - the location
   * @returns the deleted location, or null when there was none
   */
  public async delete(locationId: number): Promise<Location | null> {
    const row = await this.#db.deleteFrom('locations').where('id', '=', locationId).returningAll().executeTakeFirst();
    return row === undefined ? null : toLocation(row);
  }
}
