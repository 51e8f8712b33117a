import { InvalidArgumentError } from '../../../errors/message-update-error.js';
import type { StoredRole } from '../guild/guild-registry.js';
import { ALL_PERMISSIONS, parsePermissions, Permissions, type PermissionName } from '../guild/permissions.js';
import { snapshotMessage } from '../message-store.js';
import type { SimulatedMessage } from '../simulator-records.js';
import { SimulatedUser, type UserDriverDeps } from './simulated-user.js';

/**
 * Permission bits as the simulator's setup API takes them: a bigint, Discord's decimal string, a number, or a list
 * of names (`['VIEW_CHANNEL', 'SEND_MESSAGES']`).
 */
export type PermissionsInput = bigint | string | number | readonly PermissionName[];

/**
 * Reads {@link PermissionsInput}.
 *
 * @param value - the input
 * @param field - its name, for the error
 * @returns the bits
 * @throws {@link discord-update-manager!InvalidArgumentError} naming the field for an unknown name or a bad number
 */
export function toPermissionBits(value: PermissionsInput, field: string): bigint {
  if (Array.isArray(value)) {
    let bits = 0n;
    for (const name of value as readonly string[]) {
      const bit = (Permissions as Readonly<Record<string, bigint>>)[name];
      if (bit === undefined) throw new InvalidArgumentError(field, name, 'a permission name such as `VIEW_CHANNEL`');
      bits |= bit;
    }
    return bits;
  }
  return parsePermissions(value as bigint | string | number, field);
}

/** Options of `sim.guilds.create`. */
export interface GuildInit {
  /** Guild name (2 to 100 characters). */
  readonly name: string;
  /** The owner's user name (the owner is a simulated user with every permission). @defaultValue `<name>-owner` */
  readonly ownerName?: string;
  /**
   * Permissions of each bot's managed role here.
   * @defaultValue view, send, embed, attach, read history, react, external emojis, manage messages and channels,
   *   use application commands
   */
  readonly botPermissions?: PermissionsInput;
  /** Permissions of `@everyone`. @defaultValue Discord's defaults for a new server (view, send, read history, ...) */
  readonly everyonePermissions?: PermissionsInput;
  /** The guild's preferred locale (`guild_locale` in interactions). @defaultValue `'en-US'` */
  readonly locale?: string;
}

/** Options of {@link SimulatedGuildRoles.create}. */
export interface RoleInit {
  /** Role name (1 to 100 characters). */
  readonly name: string;
  /** Its permissions. @defaultValue none */
  readonly permissions?: PermissionsInput;
  /** RGB colour. @defaultValue `0` */
  readonly color?: number;
}

/** Options of {@link SimulatedGuildMembers.create}. */
export interface MemberInit {
  /** User name (2 to 32 characters). */
  readonly username: string;
  /** Display name. @defaultValue none */
  readonly globalName?: string;
  /** Roles (handles or ids). @defaultValue none (only `@everyone`) */
  readonly roles?: readonly (SimulatedRole | string)[];
  /** Server nickname. @defaultValue none */
  readonly nick?: string;
  /** The client's language, sent as the interactions' `locale`. @defaultValue `'en-US'` */
  readonly locale?: string;
}

/** A permission overwrite on a channel, for a role or a member. */
export interface OverwriteInit {
  /** Bits allowed by the overwrite. @defaultValue none */
  readonly allow?: PermissionsInput;
  /** Bits denied by the overwrite. @defaultValue none */
  readonly deny?: PermissionsInput;
}

/** Options of {@link SimulatedGuildChannels.create}. */
export interface GuildChannelInit {
  /** Channel name (1 to 100 characters). @defaultValue `channel-<n>` */
  readonly name?: string;
  /** Topic. @defaultValue none */
  readonly topic?: string;
}

/** A role of a simulated guild. */
export class SimulatedRole {
  readonly #deps: UserDriverDeps;
  readonly #role: StoredRole;

  /** @internal */
  public constructor(deps: UserDriverDeps, role: StoredRole) {
    this.#deps = deps;
    this.#role = role;
  }

  /** The role's id (for `@everyone`, the guild's id). */
  public get id(): string {
    return this.#role.id;
  }

  /** The role's name. */
  public get name(): string {
    return this.#role.name;
  }

  /** Its permission bits. */
  public get permissions(): bigint {
    return this.#role.permissions;
  }

  /** `<@&id>`, to mention the role. */
  public get mention(): string {
    return `<@&${this.#role.id}>`;
  }

  /**
   * Replaces the role's permissions (a GUILD_ROLE_UPDATE dispatch).
   *
   * @param permissions - the new bits
   */
  public setPermissions(permissions: PermissionsInput): void {
    this.#deps.world.guilds.updateRole(this.#role.guildId, this.#role.id, {
      permissions: toPermissionBits(permissions, 'permissions'),
    });
  }

  /** Deletes the role (a GUILD_ROLE_DELETE dispatch): members lose it, its overwrites go. */
  public delete(): void {
    this.#deps.world.guilds.deleteRole(this.#role.guildId, this.#role.id);
  }
}

/** A text channel of a simulated guild. */
export class SimulatedGuildChannel {
  readonly #deps: UserDriverDeps;
  /** The channel's id. */
  public readonly id: string;
  /** Its guild's id. */
  public readonly guildId: string;

  /** @internal */
  public constructor(deps: UserDriverDeps, id: string, guildId: string) {
    this.#deps = deps;
    this.id = id;
    this.guildId = guildId;
  }

  /** The channel's current name. */
  public get name(): string {
    return this.#deps.world.store.channel(this.id)?.name ?? '';
  }

  /** `<#id>`, to mention the channel. */
  public get mention(): string {
    return `<#${this.id}>`;
  }

  /**
   * The channel's messages as everyone sees them (ephemeral messages excluded), oldest first. For one member's view,
   * see {@link SimulatedUser.messagesIn}.
   */
  public get messages(): SimulatedMessage[] {
    return this.#deps.world.store
      .messages(this.id)
      .filter((message) => message.visibleTo === undefined)
      .map(snapshotMessage);
  }

  /**
   * Sets the permission overwrite of a role or member on this channel (a CHANNEL_UPDATE dispatch).
   *
   * @param target - a role, a member (user), or `{ id, type }` (0 role, 1 member)
   * @param overwrite - the bits to allow and to deny
   */
  public setOverwrite(
    target: SimulatedRole | SimulatedUser | { readonly id: string; readonly type: 0 | 1 },
    overwrite: OverwriteInit,
  ): void {
    const type = target instanceof SimulatedRole ? 0 : target instanceof SimulatedUser ? 1 : target.type;
    this.#deps.world.guilds.setOverwrite(this.id, {
      id: target.id,
      type,
      allow: toPermissionBits(overwrite.allow ?? 0n, 'allow'),
      deny: toPermissionBits(overwrite.deny ?? 0n, 'deny'),
    });
  }

  /**
   * Removes the overwrite of a role or member.
   *
   * @param target - the role or member
   */
  public removeOverwrite(target: { readonly id: string }): void {
    this.#deps.world.guilds.removeOverwrite(this.id, target.id);
  }
}

/** The channels of a guild. */
export interface SimulatedGuildChannels {
  /**
   * Creates a text channel (a CHANNEL_CREATE dispatch).
   *
   * @param init - name and topic
   * @returns the channel
   */
  create(init?: GuildChannelInit): SimulatedGuildChannel;
  /** Every text channel, in position order. */
  list(): SimulatedGuildChannel[];
}

/** The roles of a guild. */
export interface SimulatedGuildRoles {
  /** The `@everyone` role (its id is the guild's). */
  readonly everyone: SimulatedRole;
  /**
   * Creates a role (a GUILD_ROLE_CREATE dispatch).
   *
   * @param init - name, permissions, colour
   * @returns the role
   */
  create(init: RoleInit): SimulatedRole;
  /** Every role, `@everyone` first. */
  list(): SimulatedRole[];
}

/** The members of a guild. */
export interface SimulatedGuildMembers {
  /**
   * Creates a person and makes them a member (a GUILD_MEMBER_ADD dispatch, for bots with GUILD_MEMBERS).
   *
   * @param init - user name, roles, nickname, locale
   * @returns the user, whose commands default to this guild
   */
  create(init: MemberInit): SimulatedUser;
  /**
   * Makes an existing person a member.
   *
   * @param user - the person
   * @param roles - their roles here
   */
  add(user: SimulatedUser, roles?: readonly (SimulatedRole | string)[]): void;
  /**
   * Replaces a member's roles (a GUILD_MEMBER_UPDATE dispatch).
   *
   * @param user - the member (a person, or a bot's user id)
   * @param roles - their new roles
   */
  setRoles(user: SimulatedUser | string, roles: readonly (SimulatedRole | string)[]): void;
  /**
   * Times a member out until a time (simulator clock milliseconds), or lifts it with `null`.
   *
   * @param user - the member
   * @param until - end of the timeout, or `null`
   */
  timeout(user: SimulatedUser | string, until: number | null): void;
  /**
   * Removes a member (a GUILD_MEMBER_REMOVE dispatch).
   *
   * @param user - the member
   */
  remove(user: SimulatedUser | string): void;
  /** The ids of every member, bots included. */
  ids(): string[];
}

/**
 * A simulated guild (server): its channels, roles and members, and the bots' own members in it. Every change is
 * dispatched on the gateway to the bots that may see it.
 *
 * @example
 * ```ts
 * const guild = sim.guilds.create({ name: 'Club' });
 * const staff = guild.roles.create({ name: 'staff', permissions: ['MANAGE_GUILD'] });
 * const alice = guild.members.create({ username: 'alice', roles: [staff] });
 * const equipment = guild.channels.create({ name: 'equipment' });
 * ```
 */
export class SimulatedGuild {
  readonly #deps: UserDriverDeps;
  /** The guild's id. */
  public readonly id: string;
  /** Its channels. */
  public readonly channels: SimulatedGuildChannels;
  /** Its roles. */
  public readonly roles: SimulatedGuildRoles;
  /** Its members. */
  public readonly members: SimulatedGuildMembers;

  /**
   * @internal
   * @param deps - the simulator's parts
   * @param id - the guild's id
   * @param createChannel - makes a channel (the simulator's own, so messages have a home)
   */
  public constructor(
    deps: UserDriverDeps,
    id: string,
    createChannel: (init: GuildChannelInit & { readonly guildId: string }) => { readonly id: string },
  ) {
    this.#deps = deps;
    this.id = id;
    const guilds = deps.world.guilds;
    const roleIds = (roles: readonly (SimulatedRole | string)[]): string[] =>
      roles.map((role) => (typeof role === 'string' ? role : role.id));
    const userId = (user: SimulatedUser | string): string => (typeof user === 'string' ? user : user.id);
    this.channels = {
      create: (init = {}) => new SimulatedGuildChannel(deps, createChannel({ ...init, guildId: id }).id, id),
      list: () => guilds.guild(id)!.channelIds.map((channelId) => new SimulatedGuildChannel(deps, channelId, id)),
    };
    this.roles = {
      everyone: new SimulatedRole(deps, guilds.guild(id)!.roles.get(id)!),
      create: (init) => {
        if (typeof init.name !== 'string' || init.name.length < 1 || init.name.length > 100) {
          throw new InvalidArgumentError('name', init.name, 'a string of 1 to 100 characters');
        }
        const role = guilds.createRole(id, {
          name: init.name,
          permissions: toPermissionBits(init.permissions ?? 0n, 'permissions'),
          ...(init.color === undefined ? {} : { color: init.color }),
        });
        return new SimulatedRole(deps, role);
      },
      list: () => [...guilds.guild(id)!.roles.values()].map((role) => new SimulatedRole(deps, role)),
    };
    this.members = {
      create: (init) => {
        if (typeof init.username !== 'string' || init.username.length < 2 || init.username.length > 32) {
          throw new InvalidArgumentError('username', init.username, 'a string of 2 to 32 characters');
        }
        const user = guilds.addUser({
          username: init.username,
          ...(init.globalName === undefined ? {} : { globalName: init.globalName }),
          ...(init.locale === undefined ? {} : { locale: init.locale }),
        });
        guilds.addMember(id, user.id, roleIds(init.roles ?? []), init.nick);
        return new SimulatedUser(deps, user, id);
      },
      add: (user, roles = []) => {
        guilds.addMember(id, user.id, roleIds(roles));
      },
      setRoles: (user, roles) => {
        // A bot keeps its managed role: Discord does not let anyone remove it.
        const managed = [...guilds.guild(id)!.roles.values()].filter((role) => role.managed).map((role) => role.id);
        const member = guilds.requireMember(id, userId(user));
        const kept = member.roleIds.filter((roleId) => managed.includes(roleId));
        guilds.updateMember(id, userId(user), { roleIds: [...kept, ...roleIds(roles)] });
      },
      timeout: (user, until) => {
        guilds.updateMember(id, userId(user), { communicationDisabledUntil: until });
      },
      remove: (user) => {
        guilds.removeMember(id, userId(user));
      },
      ids: () => [...guilds.guild(id)!.members.keys()],
    };
  }

  /**
   * Sets who may use a bot's command here, as an administrator does in Server Settings → Integrations (Discord's
   * command permissions): overwrites for roles (`@everyone` is the guild's own role), members and channels, which
   * take precedence over the command's `default_member_permissions`. An empty list removes them.
   *
   * @param command - the command's name, or `'*'` for every command of the bot
   * @param permissions - the overwrites
   * @param bot - the bot, by token label @defaultValue `'token#1'`
   * @throws {@link discord-update-manager!InvalidArgumentError} when the bot has no such command here
   */
  public setCommandPermissions(
    command: string,
    permissions: readonly {
      readonly target: SimulatedRole | SimulatedUser | SimulatedGuildChannel;
      readonly allow: boolean;
    }[],
    bot = 'token#1',
  ): void {
    const { world } = this.#deps;
    const applicationId = world.applicationIdOf(bot);
    const commandId = command === '*' ? applicationId : world.commands.find(applicationId, this.id, command)?.id;
    if (commandId === undefined) {
      throw new InvalidArgumentError('command', command, `a command ${bot} registered (or '*')`);
    }
    world.commands.setPermissions(
      applicationId,
      this.id,
      commandId,
      permissions.map(({ target, allow }) => ({
        id: target.id,
        type: target instanceof SimulatedRole ? 1 : target instanceof SimulatedUser ? 2 : 3,
        permission: allow,
      })),
    );
  }

  /** The guild's name. */
  public get name(): string {
    return this.#deps.world.guilds.guild(this.id)!.name;
  }

  /** The owner's user id (the owner has every permission). */
  public get ownerId(): string {
    return this.#deps.world.guilds.guild(this.id)!.ownerId;
  }

  /**
   * A bot's managed role here (the role it got when it joined): change its permissions to test what the bot does
   * when it lacks one.
   *
   * @param tokenLabel - the bot's token label
   * @returns the role
   * @throws {@link discord-update-manager!InvalidArgumentError} for an unknown bot
   */
  public botRole(tokenLabel = 'token#1'): SimulatedRole {
    const { guilds } = this.#deps.world;
    const bot = guilds.bot(tokenLabel);
    const member = bot === undefined ? undefined : guilds.member(this.id, bot.id);
    const role = member?.roleIds
      .map((roleId) => guilds.guild(this.id)!.roles.get(roleId)!)
      .find((candidate) => candidate.managed);
    if (!role) throw new InvalidArgumentError('tokenLabel', tokenLabel, 'the label of a bot in this guild');
    return new SimulatedRole(this.#deps, role);
  }

  /**
   * A member's permissions in a channel, computed as Discord does.
   *
   * @param userId - the member (a person or a bot's user id)
   * @param channel - the channel
   * @returns the permission bits (`ALL_PERMISSIONS` for the owner and administrators)
   */
  public permissionsOf(userId: string, channel: { readonly id: string } | string): bigint {
    const channelId = typeof channel === 'string' ? channel : channel.id;
    return this.#deps.world.guilds.permissionsIn(channelId, userId) & ALL_PERMISSIONS;
  }
}
