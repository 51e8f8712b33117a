/**
 * Administration of items: add, rename, tag, default return location, force a state (which cancels the
 * reservations in the way), delete. Each is one write transaction with an `equipment_logs` entry; the caller has
 * checked that the actor is an administrator. Every input names its guild: an item of another guild is `not-found`.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import { repositories, type Repositories } from '../../db/repositories.js';
import type { Equipment, EpochMs, Reservation, Snowflake } from '../model.js';
import { adminTransaction, done, isUsableTag, refused, type AdminResult } from './admin-support.js';
import { closeReservation, isUsableLocation } from './support.js';

/** Who acts, on which item. */
export interface ItemAction {
  readonly guildId: Snowflake;
  readonly equipmentId: number;
  /** The administrator (a Discord user id). */
  readonly actorId: Snowflake;
}

/** A state an administrator can force. */
export type ForcedState = 'Available' | 'Unavailable';

/** What a forced state change or a deletion did. */
export interface ItemChangeWithCancellations {
  readonly equipment: Equipment;
  /** The reservations cancelled (DM their owners). */
  readonly cancelled: readonly Reservation[];
}

async function lockItem(repos: Repositories, action: ItemAction): Promise<Equipment | null> {
  const equipment = await repos.equipment.getForUpdate(action.equipmentId);
  return equipment !== null && equipment.guildId === action.guildId ? equipment : null;
}

function notFound<T>(action: ItemAction): AdminResult<T> {
  return refused('not-found', `There is no item ${action.equipmentId} in guild ${action.guildId}.`);
}

/**
 * Adds an item. Its current location starts as its default return location.
 *
 * @param database - the open database
 * @param input - guild, name (unique in the guild), tag, default return location, actor
 * @param now - epoch ms
 * @returns the item, or `duplicate-name` / `invalid`
 */
export function createEquipment(
  database: BotDatabase,
  input: {
    readonly guildId: Snowflake;
    readonly name: string;
    readonly tagId?: number | null;
    readonly defaultReturnLocationId?: number | null;
    readonly actorId: Snowflake;
  },
  now: EpochMs,
): Promise<AdminResult<Equipment>> {
  return adminTransaction(database, async (repos) => {
    const tagId = input.tagId ?? null;
    const locationId = input.defaultReturnLocationId ?? null;
    if (!(await isUsableTag(repos, input.guildId, tagId)))
      return refused('invalid', `Tag ${tagId} is not in this guild.`);
    if (!(await isUsableLocation(repos, input.guildId, locationId))) {
      return refused('invalid', `Location ${locationId} is not in this guild.`);
    }
    const equipment = await repos.equipment.create(
      {
        guildId: input.guildId,
        name: input.name,
        tagId,
        defaultReturnLocationId: locationId,
        currentLocationId: locationId,
      },
      now,
    );
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment,
        userId: input.actorId,
        action: 'equipment.created',
        detail: { tagId, locationId },
      },
      now,
    );
    return done(equipment);
  });
}

/**
 * Renames an item (the name stays unique in the guild).
 *
 * @param database - the open database
 * @param input - the item, the new name, the actor
 * @param now - epoch ms
 * @returns the item, or why not
 */
export function renameEquipment(
  database: BotDatabase,
  input: ItemAction & { readonly name: string },
  now: EpochMs,
): Promise<AdminResult<Equipment>> {
  return adminTransaction(database, async (repos) => {
    const before = await lockItem(repos, input);
    if (before === null) return notFound(input);
    const after = await repos.equipment.rename(before.id, input.name);
    if (after === null) return notFound(input);
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment: after,
        userId: input.actorId,
        action: 'equipment.renamed',
        detail: { previousName: before.name, name: after.name },
      },
      now,
    );
    return done(after);
  });
}

/**
 * Assigns a tag to an item, or none (`tagId: null`).
 *
 * @param database - the open database
 * @param input - the item, the tag, the actor
 * @param now - epoch ms
 * @returns the item, or why not
 */
export function setEquipmentTag(
  database: BotDatabase,
  input: ItemAction & { readonly tagId: number | null },
  now: EpochMs,
): Promise<AdminResult<Equipment>> {
  return adminTransaction(database, async (repos) => {
    const before = await lockItem(repos, input);
    if (before === null) return notFound(input);
    if (!(await isUsableTag(repos, input.guildId, input.tagId)))
      return refused('invalid', `Tag ${input.tagId} is not in this guild.`);
    const after = (await repos.equipment.setTag(before.id, input.tagId)) ?? before;
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment: after,
        userId: input.actorId,
        action: 'equipment.tag-set',
        detail: { previousTagId: before.tagId, tagId: input.tagId },
      },
      now,
    );
    return done(after);
  });
}

/**
 * Sets an item's default return location (what Return pre-selects), or none.
 *
 * @param database - the open database
 * @param input - the item, the location, the actor
 * @param now - epoch ms
 * @returns the item, or why not
 */
export function setDefaultReturnLocation(
  database: BotDatabase,
  input: ItemAction & { readonly locationId: number | null },
  now: EpochMs,
): Promise<AdminResult<Equipment>> {
  return adminTransaction(database, async (repos) => {
    const before = await lockItem(repos, input);
    if (before === null) return notFound(input);
    if (!(await isUsableLocation(repos, input.guildId, input.locationId))) {
      return refused('invalid', `Location ${input.locationId} is not in this guild.`);
    }
    const after =
      (await repos.equipment.setLocations(before.id, { defaultReturnLocationId: input.locationId })) ?? before;
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment: after,
        userId: input.actorId,
        action: 'equipment.locations-set',
        detail: {
          previousDefaultReturnLocationId: before.defaultReturnLocationId,
          defaultReturnLocationId: input.locationId,
        },
      },
      now,
    );
    return done(after);
  });
}

/**
 * The reservations a forced state would cancel, to list them before the admin confirms: for Unavailable every
 * confirmed reservation (in progress, overdue, upcoming); for Available the loans in progress (started, not
 * returned).
 *
 * @param database - the open database
 * @param input - the guild and item
 * @param state - the state to force
 * @param now - epoch ms
 * @returns the reservations, soonest first (empty when the item is not in the guild)
 */
export async function previewForcedState(
  database: BotDatabase,
  input: { readonly guildId: Snowflake; readonly equipmentId: number },
  state: ForcedState,
  now: EpochMs,
): Promise<Reservation[]> {
  return database.readTransaction(async (trx) => {
    const repos = repositories(trx, database.dialect);
    const equipment = await repos.equipment.get(input.equipmentId);
    if (equipment === null || equipment.guildId !== input.guildId) return [];
    return affected(await repos.reservations.listConfirmed(equipment.id), state, now);
  });
}

function affected(confirmed: readonly Reservation[], state: ForcedState, now: EpochMs): Reservation[] {
  return state === 'Unavailable' ? [...confirmed] : confirmed.filter((reservation) => reservation.startAt <= now);
}

/**
 * Forces an item's state. Unavailable (with a reason) cancels every confirmed reservation; Available clears the
 * flag and cancels the loans in progress. The cancelled reservations' pending jobs are deleted; each cancellation
 * is logged. Calling it again with another reason only changes the reason.
 *
 * @param database - the open database
 * @param input - the item, the state, the reason (for Unavailable), the actor
 * @param now - epoch ms
 * @returns the item and the cancelled reservations (DM their owners), or why not
 */
export function forceState(
  database: BotDatabase,
  input: ItemAction & { readonly state: ForcedState; readonly reason?: string | null },
  now: EpochMs,
): Promise<AdminResult<ItemChangeWithCancellations>> {
  return adminTransaction(database, async (repos) => {
    const before = await lockItem(repos, input);
    if (before === null) return notFound(input);
    const cancelled = await cancelAll(
      repos,
      before,
      affected(await repos.reservations.listConfirmed(before.id), input.state, now),
      input.actorId,
      now,
    );
    const unavailable = input.state === 'Unavailable';
    const after = (await repos.equipment.setUnavailable(before.id, unavailable, input.reason ?? null)) ?? before;
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment: after,
        userId: input.actorId,
        action: unavailable ? 'equipment.unavailable-set' : 'equipment.available-set',
        detail: { reason: after.unavailableReason, cancelledReservations: cancelled.length },
      },
      now,
    );
    return done({ equipment: after, cancelled });
  });
}

async function cancelAll(
  repos: Repositories,
  equipment: Equipment,
  reservations: readonly Reservation[],
  actorId: Snowflake,
  now: EpochMs,
): Promise<Reservation[]> {
  const cancelled: Reservation[] = [];
  for (const reservation of reservations) {
    cancelled.push(await closeReservation(repos, reservation, equipment, now));
    await repos.jobs.cancelByReservation(reservation.id);
    await repos.logs.append(
      {
        guildId: equipment.guildId,
        equipment,
        userId: actorId,
        action: 'reservation.cancelled-by-admin',
        detail: {
          reservationId: reservation.id,
          ownerId: reservation.userId,
          startAt: reservation.startAt,
          endAt: reservation.endAt,
        },
      },
      now,
    );
  }
  return cancelled;
}

/**
 * Deletes an item with all its reservations (and their jobs, transfer requests and sent reminders). Its log
 * entries are kept, and one more records the deletion with the item's name.
 *
 * @param database - the open database
 * @param input - the item and the actor
 * @param now - epoch ms
 * @returns the deleted item and its confirmed reservations that went with it (DM their owners), or why not
 */
export function deleteEquipment(
  database: BotDatabase,
  input: ItemAction,
  now: EpochMs,
): Promise<AdminResult<ItemChangeWithCancellations>> {
  return adminTransaction(database, async (repos) => {
    const equipment = await lockItem(repos, input);
    if (equipment === null) return notFound(input);
    const confirmed = await repos.reservations.listConfirmed(equipment.id);
    await repos.logs.append(
      {
        guildId: input.guildId,
        equipment,
        userId: input.actorId,
        action: 'equipment.deleted',
        detail: { name: equipment.name, deletedReservations: confirmed.length },
      },
      now,
    );
    await repos.equipment.delete(equipment.id);
    return done({ equipment, cancelled: confirmed });
  });
}
