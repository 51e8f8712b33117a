/**
 * Administration of a guild: the reservation channel, admin roles, the overdue-reminder period, tags and locations.
 * Each is one write transaction with an `equipment_logs` entry (guild-wide: no item); the caller has checked that
 * the actor is an administrator.
 *
 * @module
 */
import type { BotDatabase } from '../../db/database.js';
import type { LogAction, LogDetail } from '../../db/log-repository.js';
import type { Repositories } from '../../db/repositories.js';
import type { EpochMs, GuildSettings, Location, Snowflake, Tag } from '../model.js';
import { adminTransaction, done, refused, type AdminResult } from './admin-support.js';

/** Who acts, in which guild. */
export interface GuildAction {
  readonly guildId: Snowflake;
  /** The administrator (a Discord user id). */
  readonly actorId: Snowflake;
}

async function log(
  repos: Repositories,
  input: GuildAction,
  action: LogAction,
  detail: LogDetail,
  now: EpochMs,
): Promise<void> {
  await repos.logs.append({ guildId: input.guildId, userId: input.actorId, action, detail }, now);
}

/**
 * Sets the reservation channel (setup's Complete, or `/setup` in another channel).
 *
 * @param database - the open database
 * @param input - guild, channel, actor
 * @param now - epoch ms
 * @returns the settings and the previous channel (whose managed messages the display deletes), or null
 */
export function setReservationChannel(
  database: BotDatabase,
  input: GuildAction & { readonly channelId: Snowflake },
  now: EpochMs,
): Promise<AdminResult<{ settings: GuildSettings; previousChannelId: Snowflake | null }>> {
  return adminTransaction(database, async (repos) => {
    const before = await repos.guildSettings.get(input.guildId);
    const settings = await repos.guildSettings.setReservationChannel(input.guildId, input.channelId, now);
    const previousChannelId = before?.reservationChannelId ?? null;
    await log(repos, input, 'settings.channel-set', { previousChannelId, channelId: input.channelId }, now);
    return done({ settings, previousChannelId });
  });
}

/**
 * Replaces the admin roles (setup's role step).
 *
 * @param database - the open database
 * @param input - guild, roles, actor
 * @param now - epoch ms
 * @returns the settings
 */
export function setAdminRoles(
  database: BotDatabase,
  input: GuildAction & { readonly roleIds: readonly Snowflake[] },
  now: EpochMs,
): Promise<AdminResult<GuildSettings>> {
  return adminTransaction(database, async (repos) => {
    const settings = await repos.guildSettings.setAdminRoleIds(input.guildId, input.roleIds, now);
    await log(repos, input, 'settings.admin-roles-set', { roleIds: settings.adminRoleIds.join(',') }, now);
    return done(settings);
  });
}

/**
 * Adds or removes one admin role (Overall Management).
 *
 * @param database - the open database
 * @param input - guild, role, whether to add or remove it, actor
 * @param now - epoch ms
 * @returns the settings
 */
export function changeAdminRole(
  database: BotDatabase,
  input: GuildAction & { readonly roleId: Snowflake; readonly change: 'add' | 'remove' },
  now: EpochMs,
): Promise<AdminResult<GuildSettings>> {
  return adminTransaction(database, async (repos) => {
    const current = (await repos.guildSettings.getOrDefault(input.guildId)).adminRoleIds;
    const roleIds =
      input.change === 'add' ? [...current, input.roleId] : current.filter((roleId) => roleId !== input.roleId);
    const settings = await repos.guildSettings.setAdminRoleIds(input.guildId, roleIds, now);
    await log(repos, input, 'settings.admin-roles-set', { roleIds: settings.adminRoleIds.join(',') }, now);
    return done(settings);
  });
}

/**
 * Sets how often the overdue DM repeats.
 *
 * @param database - the open database
 * @param input - guild, minutes (a positive integer), actor
 * @param now - epoch ms
 * @returns the settings, or `invalid`
 */
export function setOverdueRepeatMinutes(
  database: BotDatabase,
  input: GuildAction & { readonly minutes: number },
  now: EpochMs,
): Promise<AdminResult<GuildSettings>> {
  return adminTransaction(database, async (repos) => {
    if (!Number.isInteger(input.minutes) || input.minutes < 1) {
      return refused('invalid', `${input.minutes} is not a whole number of minutes, at least 1.`);
    }
    const settings = await repos.guildSettings.setOverdueRepeatMinutes(input.guildId, input.minutes, now);
    await log(repos, input, 'settings.overdue-repeat-set', { minutes: input.minutes }, now);
    return done(settings);
  });
}

/**
 * Adds a tag, last in the order.
 *
 * @param database - the open database
 * @param input - guild, name (unique in the guild), actor
 * @param now - epoch ms
 * @returns the tag, or `duplicate-name` / `invalid`
 */
export function createTag(
  database: BotDatabase,
  input: GuildAction & { readonly name: string },
  now: EpochMs,
): Promise<AdminResult<Tag>> {
  return adminTransaction(database, async (repos) => {
    const tag = await repos.tags.create(input.guildId, input.name, now);
    await log(repos, input, 'tag.created', { tagId: tag.id, name: tag.name, sortOrder: tag.sortOrder }, now);
    return done(tag);
  });
}

async function tagOf(repos: Repositories, input: GuildAction & { readonly tagId: number }): Promise<Tag | null> {
  const tag = await repos.tags.get(input.tagId);
  return tag !== null && tag.guildId === input.guildId ? tag : null;
}

/**
 * Renames a tag.
 *
 * @param database - the open database
 * @param input - guild, tag, new name, actor
 * @param now - epoch ms
 * @returns the tag, or why not
 */
export function renameTag(
  database: BotDatabase,
  input: GuildAction & { readonly tagId: number; readonly name: string },
  now: EpochMs,
): Promise<AdminResult<Tag>> {
  return adminTransaction(database, async (repos) => {
    const before = await tagOf(repos, input);
    const after = before === null ? null : await repos.tags.rename(before.id, input.name);
    if (before === null || after === null) return refused('not-found', `There is no tag ${input.tagId} in this guild.`);
    await log(repos, input, 'tag.renamed', { tagId: after.id, previousName: before.name, name: after.name }, now);
    return done(after);
  });
}

/**
 * Deletes a tag; its items become untagged.
 *
 * @param database - the open database
 * @param input - guild, tag, actor
 * @param now - epoch ms
 * @returns the deleted tag, or `not-found`
 */
export function deleteTag(
  database: BotDatabase,
  input: GuildAction & { readonly tagId: number },
  now: EpochMs,
): Promise<AdminResult<Tag>> {
  return adminTransaction(database, async (repos) => {
    const tag = await tagOf(repos, input);
    if (tag === null || (await repos.tags.delete(tag.id)) === null) {
      return refused('not-found', `There is no tag ${input.tagId} in this guild.`);
    }
    await log(repos, input, 'tag.deleted', { tagId: tag.id, name: tag.name }, now);
    return done(tag);
  });
}

/**
 * Puts the guild's tags in a new order.
 *
 * @param database - the open database
 * @param input - guild, every tag id once in the new order, actor
 * @param now - epoch ms
 * @returns the tags in order, or `invalid` when the ids are not exactly the guild's tags
 */
export function reorderTags(
  database: BotDatabase,
  input: GuildAction & { readonly tagIds: readonly number[] },
  now: EpochMs,
): Promise<AdminResult<Tag[]>> {
  return adminTransaction(database, async (repos) => {
    const known = (await repos.tags.list(input.guildId)).map((tag) => tag.id);
    const same =
      known.length === input.tagIds.length &&
      new Set(input.tagIds).size === known.length &&
      new Set([...known, ...input.tagIds]).size === known.length;
    if (!same) return refused('invalid', 'The tag list changed meanwhile: reload it and try again.');
    const tags = await repos.tags.reorder(input.guildId, input.tagIds);
    await log(repos, input, 'tag.reordered', { tagIds: input.tagIds.join(',') }, now);
    return done(tags);
  });
}

/**
 * Adds a location.
 *
 * @param database - the open database
 * @param input - guild, name (unique in the guild), actor
 * @param now - epoch ms
 * @returns the location, or `duplicate-name` / `invalid`
 */
export function createLocation(
  database: BotDatabase,
  input: GuildAction & { readonly name: string },
  now: EpochMs,
): Promise<AdminResult<Location>> {
  return adminTransaction(database, async (repos) => {
    const location = await repos.locations.create(input.guildId, input.name, now);
    await log(repos, input, 'location.created', { locationId: location.id, name: location.name }, now);
    return done(location);
  });
}

async function locationOf(
  repos: Repositories,
  input: GuildAction & { readonly locationId: number },
): Promise<Location | null> {
  const location = await repos.locations.get(input.locationId);
  return location !== null && location.guildId === input.guildId ? location : null;
}

/**
 * Renames a location.
 *
 * @param database - the open database
 * @param input - guild, location, new name, actor
 * @param now - epoch ms
 * @returns the location, or why not
 */
export function renameLocation(
  database: BotDatabase,
  input: GuildAction & { readonly locationId: number; readonly name: string },
  now: EpochMs,
): Promise<AdminResult<Location>> {
  return adminTransaction(database, async (repos) => {
    const before = await locationOf(repos, input);
    const after = before === null ? null : await repos.locations.rename(before.id, input.name);
    if (before === null || after === null) {
      return refused('not-found', `There is no location ${input.locationId} in this guild.`);
    }
    await log(
      repos,
      input,
      'location.renamed',
      { locationId: after.id, previousName: before.name, name: after.name },
      now,
    );
    return done(after);
  });
}

/**
 * Deletes a location; items and reservations that pointed at it keep no location.
 *
 * @param database - the open database
 * @param input - guild, location, actor
 * @param now - epoch ms
 * @returns the deleted location, or `not-found`
 */
export function deleteLocation(
  database: BotDatabase,
  input: GuildAction & { readonly locationId: number },
  now: EpochMs,
): Promise<AdminResult<Location>> {
  return adminTransaction(database, async (repos) => {
    const location = await locationOf(repos, input);
    if (location === null || (await repos.locations.delete(location.id)) === null) {
      return refused('not-found', `There is no location ${input.locationId} in this guild.`);
    }
    await log(repos, input, 'location.deleted', { locationId: location.id, name: location.name }, now);
    return done(location);
  });
}
