/**
 * Items. Their status is not stored: see `domain/services/equipment-views.ts`.
 *
 * @module
 */
import type { Equipment, Snowflake } from '../domain/model.js';
import type { BotDialect } from './database.js';
import { cleanName, DuplicateNameError, isUniqueViolation } from './errors.js';
import { toEquipment } from './rows.js';
import type { BotExecutor } from './schema.js';

/** What a new item starts with. */
export interface NewEquipment {
  readonly guildId: Snowflake;
  /** Unique in the guild (trimmed). */
  readonly name: string;
  readonly tagId?: number | null;
  readonly currentLocationId?: number | null;
  readonly defaultReturnLocationId?: number | null;
}

/** Which locations to change; a property left out is kept. */
export interface EquipmentLocations {
  readonly currentLocationId?: number | null;
  readonly defaultReturnLocationId?: number | null;
}

/** Reads and writes `equipment`. */
export class EquipmentRepository {
  readonly #db: BotExecutor;
  readonly #dialect: BotDialect;

  /**
   * @param db - the database or a transaction
   * @param dialect - its dialect (row locks are Postgres-only)
   */
  public constructor(db: BotExecutor, dialect: BotDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * @param item - the new item
   * @param now - the time, epoch ms
   * @returns the item
   * @throws {@link DuplicateNameError} when the guild has an item of that name
   */
  public async create(item: NewEquipment, now: number): Promise<Equipment> {
    const name = cleanName('equipment', item.name);
    const row = await this.#db
      .insertInto('equipment')
      .values({
        guild_id: item.guildId,
        name,
        tag_id: item.tagId ?? null,
        current_location_id: item.currentLocationId ?? null,
        default_return_location_id: item.defaultReturnLocationId ?? null,
        created_at: now,
      })
      .onConflict((conflict) => conflict.columns(['guild_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new DuplicateNameError('equipment', item.guildId, name);
    return toEquipment(row);
  }

  /**
   * @param equipmentId - the item
   * @returns it, or null
   */
  public async get(equipmentId: number): Promise<Equipment | null> {
    const row = await this.#db.selectFrom('equipment').selectAll().where('id', '=', equipmentId).executeTakeFirst();
    return row === undefined ? null : toEquipment(row);
  }

  /**
   * Reads an item and, on Postgres, locks its row until the transaction ends (`FOR UPDATE`): every change to an
   * item's reservations takes this lock first, so checks such as "no overlap" cannot race. On SQLite the
   * transaction's `BEGIN IMMEDIATE` already serialises writers. Call it inside a transaction.
   *
   * @param equipmentId - the item
   * @returns it, or null
   */
  public async getForUpdate(equipmentId: number): Promise<Equipment | null> {
    let query = this.#db.selectFrom('equipment').selectAll().where('id', '=', equipmentId);
    if (this.#dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? null : toEquipment(row);
  }

  /**
   * @param guildId - the guild
   * @param name - an item name (compared exactly, after trimming)
   * @returns the item of that name, or null
   */
  public async findByName(guildId: Snowflake, name: string): Promise<Equipment | null> {
    const row = await this.#db
      .selectFrom('equipment')
      .selectAll()
      .where('guild_id', '=', guildId)
      .where('name', '=', name.trim())
      .executeTakeFirst();
    return row === undefined ? null : toEquipment(row);
  }

  /**
   * @param guildId - the guild
   * @returns its items by name (for display order use `listEquipmentViews`)
   */
  public async list(guildId: Snowflake): Promise<Equipment[]> {
    const rows = await this.#db
      .selectFrom('equipment')
      .selectAll()
      .where('guild_id', '=', guildId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toEquipment);
  }

  /**
   * How many items carry a tag (what deleting the tag would untag). Uses `idx_equipment_tag_status`.
   *
   * @param tagId - the tag
   * @returns the number of items
   */
  public async countByTag(tagId: number): Promise<number> {
    const row = await this.#db
      .selectFrom('equipment')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tag_id', '=', tagId)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /**
   * @param equipmentId - the item
   * @param name - the new name (trimmed; unique in the guild)
   * @returns the item after the change, or null when there is none
   * @throws {@link DuplicateNameError} when another item of the guild has that name
   */
  public async rename(equipmentId: number, name: string): Promise<Equipment | null> {
    const clean = cleanName('equipment', name);
    const existing = await this.get(equipmentId);
    if (existing === null) return null;
    const taken = await this.findByName(existing.guildId, clean);
    if (taken !== null && taken.id !== equipmentId) throw new DuplicateNameError('equipment', existing.guildId, clean);
    try {
      return await this.#update(equipmentId, { name: clean });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateNameError('equipment', existing.guildId, clean);
      throw error;
    }
  }

  /**
   * @param equipmentId - the item
   * @param tagId - its tag, or null for none
   * @returns the item after the change, or null when there is none
   */
  public setTag(equipmentId: number, tagId: number | null): Promise<Equipment | null> {
    return this.#update(equipmentId, { tag_id: tagId });
  }

  /**
   * Sets or clears the admin's Unavailable flag. Clearing it also clears the reason.
   *
   * @param equipmentId - the item
   * @param unavailable - whether it is unavailable
   * @param reason - why (shown as "Unavailable: reason"), or null
   * @returns the item after the change, or null when there is none
   */
  public setUnavailable(equipmentId: number, unavailable: boolean, reason: string | null): Promise<Equipment | null> {
    return this.#update(equipmentId, {
      unavailable: unavailable ? 1 : 0,
      unavailable_reason: unavailable ? (reason?.trim() ?? null) || null : null,
    });
  }

  /**
   * @param equipmentId - the item
   * @param locations - the locations to change
   * @returns the item after the change, or null when there is none
   */
  public setLocations(equipmentId: number, locations: EquipmentLocations): Promise<Equipment | null> {
    return this.#update(equipmentId, {
      ...(locations.currentLocationId !== undefined ? { current_location_id: locations.currentLocationId } : {}),
      ...(locations.defaultReturnLocationId !== undefined
        ? { default_return_location_id: locations.defaultReturnLocationId }
        : {}),
    });
  }

  /**
   * Deletes an item with its reservations (and their transfer requests, jobs and sent reminders, by cascade). Its
   * log entries stay: `equipment_logs` has no foreign key to it.
   *
   * @param equipmentId - the item
   * @returns the deleted item, or null when there was none
   */
  public async delete(equipmentId: number): Promise<Equipment | null> {
    const row = await this.#db.deleteFrom('equipment').where('id', '=', equipmentId).returningAll().executeTakeFirst();
    return row === undefined ? null : toEquipment(row);
  }

  async #update(
    equipmentId: number,
    set: {
      name?: string;
      tag_id?: number | null;
      unavailable?: number;
      unavailable_reason?: string | null;
      current_location_id?: number | null;
      default_return_location_id?: number | null;
    },
  ): Promise<Equipment | null> {
    if (Object.keys(set).length === 0) return this.get(equipmentId);
    const row = await this.#db
      .updateTable('equipment')
      .set(set)
      .where('id', '=', equipmentId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toEquipment(row);
  }
}
