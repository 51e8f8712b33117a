import { InvalidArgumentError } from '../../../errors/message-update-error.js';
import type { Clock } from '../../../util/clock.js';
import type { SimulatorIds } from '../simulator-ids.js';
import {
  ALL_PERMISSIONS,
  channelPermissions,
  Permissions,
  type PermissionGuild,
  type PermissionOverwrite,
} from './permissions.js';

/** A Discord user the simulator knows: a simulated person, or the bot user of a token. */
export interface StoredUser {
  readonly id: string;
  username: string;
  globalName: string | null;
  readonly bot: boolean;
  /** The person accepts DMs from bots they share a guild with (Discord's "Allow DMs from server members"). */
  dmsOpen: boolean;
  /** The client's language, sent as `locale` in interactions. */
  locale: string;
  /** For a bot user: the label of its token (`token#N`). */
  readonly tokenLabel: string | undefined;
}

/** A role. */
export interface StoredRole {
  readonly id: string;
  readonly guildId: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  /** A bot's own role, made when it joined (Discord's managed integration role). */
  readonly managed: boolean;
}

/** A guild member. */
export interface StoredMember {
  readonly userId: string;
  roleIds: string[];
  nick: string | null;
  readonly joinedAt: number;
  /** Timed out until (clock milliseconds). */
  communicationDisabledUntil: number | undefined;
}

/** A guild. */
export interface StoredGuild {
  readonly id: string;
  name: string;
  readonly ownerId: string;
  preferredLocale: string;
  readonly roles: Map<string, StoredRole>;
  readonly members: Map<string, StoredMember>;
  /** Text channels, in creation order (their `position`). */
  readonly channelIds: string[];
  /** Permissions of each bot's managed role in this guild. */
  readonly botPermissions: bigint;
}

/** What a channel is, beyond its messages: its kind, guild, overwrites, or the two ends of a DM. */
export interface ChannelAccess {
  /** 0 guild text, 1 DM. */
  readonly type: 0 | 1;
  readonly guildId: string | undefined;
  readonly overwrites: PermissionOverwrite[];
  readonly position: number;
  /** For a DM: the person and the bot (by token label). */
  readonly dm: { readonly userId: string; readonly botLabel: string } | undefined;
}

/** A change the gateway reports: the bridge turns it into a dispatch. */
export type GuildEvent =
  | { readonly type: 'CHANNEL_CREATE' | 'CHANNEL_UPDATE' | 'CHANNEL_DELETE'; readonly channelId: string }
  | { readonly type: 'GUILD_ROLE_CREATE' | 'GUILD_ROLE_UPDATE'; readonly guildId: string; readonly roleId: string }
  | { readonly type: 'GUILD_ROLE_DELETE'; readonly guildId: string; readonly roleId: string }
  | {
      readonly type: 'GUILD_MEMBER_ADD' | 'GUILD_MEMBER_UPDATE' | 'GUILD_MEMBER_REMOVE';
      readonly guildId: string;
      readonly userId: string;
    }
  | { readonly type: 'GUILD_CREATE'; readonly guildId: string };

/**
 * Permissions a bot gets in a guild it joins, unless the guild says otherwise: what a bot that keeps live messages is
 * usually invited with (view, send, embed, attach, read history, react, external emojis, manage messages and
 * channels, use application commands).
 */
export const DEFAULT_BOT_PERMISSIONS: bigint =
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.EMBED_LINKS |
  Permissions.ATTACH_FILES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.ADD_REACTIONS |
  Permissions.USE_EXTERNAL_EMOJIS |
  Permissions.MANAGE_MESSAGES |
  Permissions.MANAGE_CHANNELS |
  Permissions.USE_APPLICATION_COMMANDS;

/** The `@everyone` role's permissions in a new guild (Discord's defaults for a new server, less voice and events). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  Permissions.CREATE_INSTANT_INVITE |
  Permissions.ADD_REACTIONS |
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.EMBED_LINKS |
  Permissions.ATTACH_FILES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.MENTION_EVERYONE |
  Permissions.USE_EXTERNAL_EMOJIS |
  Permissions.CHANGE_NICKNAME |
  Permissions.USE_APPLICATION_COMMANDS;

/**
 * Users, guilds, roles, members, channel overwrites and DM channels of the simulated Discord, and the permission each
 * user has in each channel. Every change is reported through `onEvent` so the gateway can dispatch it.
 */
export class GuildRegistry {
  readonly #clock: Clock;
  readonly #ids: SimulatorIds;
  readonly #onEvent: (event: GuildEvent) => void;
  readonly #users = new Map<string, StoredUser>();
  readonly #bots = new Map<string, StoredUser>();
  readonly #guilds = new Map<string, StoredGuild>();
  readonly #channels = new Map<string, ChannelAccess>();
  /** `botLabel|userId` → DM channel id. */
  readonly #dms = new Map<string, string>();

  /**
   * @param clock - for join times and timeouts
   * @param ids - snowflakes
   * @param onEvent - hears every change
   */
  public constructor(clock: Clock, ids: SimulatorIds, onEvent: (event: GuildEvent) => void) {
    this.#clock = clock;
    this.#ids = ids;
    this.#onEvent = onEvent;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Users and bots

  /** Adds a person. */
  public addUser(init: { username: string; globalName?: string | null; locale?: string }): StoredUser {
    const user: StoredUser = {
      id: this.#ids.next(),
      username: init.username,
      globalName: init.globalName ?? null,
      bot: false,
      dmsOpen: true,
      locale: init.locale ?? 'en-US',
      tokenLabel: undefined,
    };
    this.#users.set(user.id, user);
    return user;
  }

  /**
   * Adds a token's bot user; it joins every guild.
   *
   * @param tokenLabel - `token#N`
   * @param id - its user id
   * @param username - its user name
   */
  public addBot(tokenLabel: string, id: string, username: string): StoredUser {
    const existing = this.#bots.get(tokenLabel);
    if (existing) return existing;
    const bot: StoredUser = {
      id,
      username,
      globalName: null,
      bot: true,
      dmsOpen: false,
      locale: 'en-US',
      tokenLabel,
    };
    this.#users.set(id, bot);
    this.#bots.set(tokenLabel, bot);
    for (const guild of this.#guilds.values()) this.#joinBot(guild, bot);
    return bot;
  }

  /** A user by id. */
  public user(id: string): StoredUser | undefined {
    return this.#users.get(id);
  }

  /** A token's bot user. */
  public bot(tokenLabel: string): StoredUser | undefined {
    return this.#bots.get(tokenLabel);
  }

  /** Every bot user. */
  public bots(): StoredUser[] {
    return [...this.#bots.values()];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Guilds, roles, members

  /**
   * Creates a guild with its `@everyone` role (id = guild id), its owner as a member, and every bot as a member with
   * its managed role.
   */
  public createGuild(init: {
    id?: string;
    name: string;
    ownerId: string;
    everyonePermissions?: bigint;
    botPermissions?: bigint;
    preferredLocale?: string;
  }): StoredGuild {
    const id = init.id ?? this.#ids.next();
    const guild: StoredGuild = {
      id,
      name: init.name,
      ownerId: init.ownerId,
      preferredLocale: init.preferredLocale ?? 'en-US',
      roles: new Map(),
      members: new Map(),
      channelIds: [],
      botPermissions: init.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
    };
    guild.roles.set(id, {
      id,
      guildId: id,
      name: '@everyone',
      permissions: init.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      color: 0,
      hoist: false,
      mentionable: false,
      managed: false,
    });
    this.#guilds.set(id, guild);
    if (this.#users.has(init.ownerId)) this.#addMemberRecord(guild, init.ownerId, []);
    for (const bot of this.#bots.values()) this.#joinBot(guild, bot);
    this.#onEvent({ type: 'GUILD_CREATE', guildId: id });
    return guild;
  }

  /** A guild by id. */
  public guild(id: string): StoredGuild | undefined {
    return this.#guilds.get(id);
  }

  /** Every guild, in creation order. */
  public guilds(): StoredGuild[] {
    return [...this.#guilds.values()];
  }

  /** The guilds a user is a member of. */
  public guildsOf(userId: string): StoredGuild[] {
    return this.guilds().filter((guild) => guild.members.has(userId));
  }

  /** Creates a role (positions count up from 1, the newest on top of the others but below bots' roles). */
  public createRole(
    guildId: string,
    init: { name: string; permissions: bigint; color?: number; hoist?: boolean; mentionable?: boolean },
  ): StoredRole {
    const guild = this.#requireGuild(guildId);
    const role: StoredRole = {
      id: this.#ids.next(),
      guildId,
      name: init.name,
      permissions: init.permissions,
      position: guild.roles.size,
      color: init.color ?? 0,
      hoist: init.hoist ?? false,
      mentionable: init.mentionable ?? false,
      managed: false,
    };
    guild.roles.set(role.id, role);
    this.#onEvent({ type: 'GUILD_ROLE_CREATE', guildId, roleId: role.id });
    return role;
  }

  /** Changes a role. */
  public updateRole(
    guildId: string,
    roleId: string,
    changes: { name?: string; permissions?: bigint; color?: number },
  ): StoredRole {
    const role = this.#requireRole(guildId, roleId);
    if (changes.name !== undefined) role.name = changes.name;
    if (changes.permissions !== undefined) role.permissions = changes.permissions;
    if (changes.color !== undefined) role.color = changes.color;
    this.#onEvent({ type: 'GUILD_ROLE_UPDATE', guildId, roleId });
    return role;
  }

  /** Deletes a role (not `@everyone`): members lose it, overwrites for it go. */
  public deleteRole(guildId: string, roleId: string): void {
    const guild = this.#requireGuild(guildId);
    if (roleId === guildId) throw new InvalidArgumentError('roleId', roleId, 'a role other than @everyone');
    this.#requireRole(guildId, roleId);
    guild.roles.delete(roleId);
    for (const member of guild.members.values()) member.roleIds = member.roleIds.filter((id) => id !== roleId);
    for (const channelId of guild.channelIds) {
      const access = this.#channels.get(channelId);
      if (!access) continue;
      const index = access.overwrites.findIndex((overwrite) => overwrite.id === roleId);
      if (index >= 0) access.overwrites.splice(index, 1);
    }
    this.#onEvent({ type: 'GUILD_ROLE_DELETE', guildId, roleId });
  }

  /** Adds a user to a guild. */
  public addMember(guildId: string, userId: string, roleIds: readonly string[], nick?: string | null): StoredMember {
    const guild = this.#requireGuild(guildId);
    if (!this.#users.has(userId)) throw new InvalidArgumentError('userId', userId, 'the id of a simulated user');
    if (guild.members.has(userId)) {
      throw new InvalidArgumentError('userId', userId, 'a user who is not yet a member of the guild');
    }
    for (const roleId of roleIds) this.#requireRole(guildId, roleId);
    const member = this.#addMemberRecord(guild, userId, roleIds, nick ?? null);
    this.#onEvent({ type: 'GUILD_MEMBER_ADD', guildId, userId });
    return member;
  }

  /** Changes a member's roles, nickname or timeout. */
  public updateMember(
    guildId: string,
    userId: string,
    changes: { roleIds?: readonly string[]; nick?: string | null; communicationDisabledUntil?: number | null },
  ): StoredMember {
    const member = this.requireMember(guildId, userId);
    if (changes.roleIds !== undefined) {
      for (const roleId of changes.roleIds) this.#requireRole(guildId, roleId);
      member.roleIds = [...new Set(changes.roleIds)];
    }
    if (changes.nick !== undefined) member.nick = changes.nick;
    if (changes.communicationDisabledUntil !== undefined) {
      member.communicationDisabledUntil = changes.communicationDisabledUntil ?? undefined;
    }
    this.#onEvent({ type: 'GUILD_MEMBER_UPDATE', guildId, userId });
    return member;
  }

  /** Removes a member (not the owner). */
  public removeMember(guildId: string, userId: string): void {
    const guild = this.#requireGuild(guildId);
    this.requireMember(guildId, userId);
    if (guild.ownerId === userId) throw new InvalidArgumentError('userId', userId, 'a member other than the owner');
    guild.members.delete(userId);
    this.#onEvent({ type: 'GUILD_MEMBER_REMOVE', guildId, userId });
  }

  /** A member, or `undefined`. */
  public member(guildId: string, userId: string): StoredMember | undefined {
    return this.#guilds.get(guildId)?.members.get(userId);
  }

  /**
   * A member, or an error naming what is wrong.
   *
   * @throws {@link InvalidArgumentError} for an unknown guild or a user who is not a member
   */
  public requireMember(guildId: string, userId: string): StoredMember {
    const member = this.#requireGuild(guildId).members.get(userId);
    if (!member) throw new InvalidArgumentError('userId', userId, `a member of guild ${guildId}`);
    return member;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Channels

  /** Registers a guild text channel (its messages live in the message store). */
  public addGuildChannel(guildId: string, channelId: string, overwrites: readonly PermissionOverwrite[] = []): void {
    const guild = this.#requireGuild(guildId);
    this.#channels.set(channelId, {
      type: 0,
      guildId,
      overwrites: overwrites.map((overwrite) => ({ ...overwrite })),
      position: guild.channelIds.length,
      dm: undefined,
    });
    guild.channelIds.push(channelId);
    this.#onEvent({ type: 'CHANNEL_CREATE', channelId });
  }

  /** Forgets a deleted channel. */
  public removeChannel(channelId: string): void {
    const access = this.#channels.get(channelId);
    if (!access) return;
    if (access.guildId !== undefined) {
      const guild = this.#guilds.get(access.guildId);
      if (guild) guild.channelIds.splice(guild.channelIds.indexOf(channelId), 1);
    }
    this.#onEvent({ type: 'CHANNEL_DELETE', channelId });
    this.#channels.delete(channelId);
  }

  /** A channel's kind, guild and overwrites. */
  public channel(channelId: string): ChannelAccess | undefined {
    return this.#channels.get(channelId);
  }

  /** Sets (or replaces) the overwrite of a role or member on a guild channel. */
  public setOverwrite(channelId: string, overwrite: PermissionOverwrite): void {
    const access = this.#requireGuildChannel(channelId);
    const index = access.overwrites.findIndex((existing) => existing.id === overwrite.id);
    if (index >= 0) access.overwrites[index] = { ...overwrite };
    else access.overwrites.push({ ...overwrite });
    this.#onEvent({ type: 'CHANNEL_UPDATE', channelId });
  }

  /** Removes the overwrite of a role or member. */
  public removeOverwrite(channelId: string, id: string): void {
    const access = this.#requireGuildChannel(channelId);
    const index = access.overwrites.findIndex((existing) => existing.id === id);
    if (index < 0) return;
    access.overwrites.splice(index, 1);
    this.#onEvent({ type: 'CHANNEL_UPDATE', channelId });
  }

  /** Reports a channel change made elsewhere (name, topic). */
  public channelChanged(channelId: string): void {
    if (this.#channels.get(channelId)?.type === 0) this.#onEvent({ type: 'CHANNEL_UPDATE', channelId });
  }

  /** The DM channel between a bot and a person, if it was opened. */
  public dmChannel(botLabel: string, userId: string): string | undefined {
    return this.#dms.get(`${botLabel}|${userId}`);
  }

  /** Registers a DM channel between a bot and a person. */
  public addDmChannel(botLabel: string, userId: string, channelId: string): void {
    this.#dms.set(`${botLabel}|${userId}`, channelId);
    this.#channels.set(channelId, {
      type: 1,
      guildId: undefined,
      overwrites: [],
      position: 0,
      dm: { userId, botLabel },
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Permissions

  /**
   * A user's permissions in a channel, computed as Discord does (owner, administrator, `@everyone` and role
   * permissions, then `@everyone`, role and member overwrites, timeouts, implicit denials). In a DM, both ends have
   * what a DM allows; anyone else has nothing.
   *
   * @param channelId - a channel
   * @param userId - a user
   * @returns the permission bits; `0n` for a user who cannot see the channel, or a channel the registry does not know
   */
  public permissionsIn(channelId: string, userId: string): bigint {
    const access = this.#channels.get(channelId);
    if (!access) return 0n;
    if (access.type === 1) {
      const bot = access.dm === undefined ? undefined : this.#bots.get(access.dm.botLabel);
      return access.dm?.userId === userId || bot?.id === userId ? DM_PERMISSIONS : 0n;
    }
    const guild = this.#guilds.get(access.guildId!);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    return channelPermissions(
      permissionGuild(guild),
      {
        userId,
        roleIds: member.roleIds,
        communicationDisabledUntil: member.communicationDisabledUntil,
      },
      access.overwrites,
      this.#clock.now(),
    );
  }

  /** A member's guild-level permissions (no channel overwrites), as `default_member_permissions` checks them. */
  public guildPermissions(guildId: string, userId: string): bigint {
    const guild = this.#guilds.get(guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    let bits = guild.roles.get(guild.id)?.permissions ?? 0n;
    for (const roleId of member.roleIds) bits |= guild.roles.get(roleId)?.permissions ?? 0n;
    return (bits & Permissions.ADMINISTRATOR) !== 0n ? ALL_PERMISSIONS : bits;
  }

  // ---------------------------------------------------------------------------------------------------------------

  #joinBot(guild: StoredGuild, bot: StoredUser): void {
    if (guild.members.has(bot.id)) return;
    const role: StoredRole = {
      id: this.#ids.next(),
      guildId: guild.id,
      name: bot.username,
      permissions: guild.botPermissions,
      position: guild.roles.size,
      color: 0,
      hoist: false,
      mentionable: false,
      managed: true,
    };
    guild.roles.set(role.id, role);
    this.#addMemberRecord(guild, bot.id, [role.id]);
  }

  #addMemberRecord(guild: StoredGuild, userId: string, roleIds: readonly string[], nick: string | null = null) {
    const member: StoredMember = {
      userId,
      roleIds: [...roleIds],
      nick,
      joinedAt: this.#clock.now(),
      communicationDisabledUntil: undefined,
    };
    guild.members.set(userId, member);
    return member;
  }

  #requireGuild(guildId: string): StoredGuild {
    const guild = this.#guilds.get(guildId);
    if (!guild) throw new InvalidArgumentError('guildId', guildId, 'the id of a simulated guild');
    return guild;
  }

  #requireRole(guildId: string, roleId: string): StoredRole {
    const role = this.#requireGuild(guildId).roles.get(roleId);
    if (!role) throw new InvalidArgumentError('roleId', roleId, `the id of a role of guild ${guildId}`);
    return role;
  }

  #requireGuildChannel(channelId: string): ChannelAccess {
    const access = this.#channels.get(channelId);
    if (access?.type !== 0) throw new InvalidArgumentError('channelId', channelId, 'the id of a guild text channel');
    return access;
  }
}

/** What either end of a DM may do there (Discord's `app_permissions` in a DM, plus viewing and sending). */
export const DM_PERMISSIONS: bigint =
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.ADD_REACTIONS |
  Permissions.ATTACH_FILES |
  Permissions.EMBED_LINKS |
  Permissions.MENTION_EVERYONE |
  Permissions.USE_EXTERNAL_EMOJIS;

function permissionGuild(guild: StoredGuild): PermissionGuild {
  return { id: guild.id, ownerId: guild.ownerId, roles: guild.roles };
}
