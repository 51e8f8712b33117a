/** A registered application command, as Discord returns it. */
export type StoredCommand = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly name: string;
  readonly type: number;
};

/**
 * One command permission overwrite of a guild (Discord's application command permission): for a role (type 1; the
 * guild's id means @everyone), a user (2) or a channel (3; the guild's id minus 1 means every channel).
 */
export interface CommandPermission {
  readonly id: string;
  readonly type: 1 | 2 | 3;
  readonly permission: boolean;
}

/** Creates Discord allows per guild (and for global commands) per day: code 30034 past it. */
export const DAILY_COMMAND_CREATES = 200;
const DAY_MS = 86_400_000;

/**
 * The application commands of every application: global ones, and per guild. A PUT replaces a scope's whole list
 * (commands keep their id when a command of the same name and type existed); a command that did not exist counts as a
 * create, and Discord allows 200 creates a day per scope.
 */
export class CommandStore {
  readonly #commands = new Map<string, StoredCommand[]>();
  readonly #creates = new Map<string, number[]>();
  readonly #permissions = new Map<string, readonly CommandPermission[]>();

  /**
   * Replaces the permission overwrites of a command in a guild, or of every command of the application there when
   * `commandId` is the application's id (what an admin sets in Server Settings → Integrations).
   *
   * @param applicationId - the application
   * @param guildId - the guild
   * @param commandId - a command's id, or the application's id
   * @param permissions - the overwrites (empty: none)
   */
  public setPermissions(
    applicationId: string,
    guildId: string,
    commandId: string,
    permissions: readonly CommandPermission[],
  ): void {
    this.#permissions.set(`${applicationId}|${guildId}|${commandId}`, [...permissions]);
  }

  /**
   * What the guild's overwrites decide for a member using a command in a channel, or `undefined` when none applies
   * (then `default_member_permissions` decides). At the command's level, then at the application's: a channel
   * overwrite that denies (this channel, or every channel) stops it; else the member's own overwrite decides; else
   * their roles' (one allowing is enough); else @everyone's.
   *
   * @param applicationId - the application
   * @param guildId - the guild
   * @param commandId - the command's id
   * @param member - the member's id, role ids and the channel
   * @returns true (allowed), false (denied) or undefined (no overwrite applies)
   */
  public decide(
    applicationId: string,
    guildId: string,
    commandId: string,
    member: { readonly userId: string; readonly roleIds: readonly string[]; readonly channelId: string },
  ): boolean | undefined {
    const allChannels = String(BigInt(guildId) - 1n);
    for (const level of [commandId, applicationId]) {
      const entries = this.#permissions.get(`${applicationId}|${guildId}|${level}`) ?? [];
      if (entries.length === 0) continue;
      const channel =
        entries.find((entry) => entry.type === 3 && entry.id === member.channelId) ??
        entries.find((entry) => entry.type === 3 && entry.id === allChannels);
      if (channel !== undefined && !channel.permission) return false;
      const own = entries.find((entry) => entry.type === 2 && entry.id === member.userId);
      if (own !== undefined) return own.permission;
      const roles = entries.filter((entry) => entry.type === 1 && member.roleIds.includes(entry.id));
      if (roles.length > 0) return roles.some((entry) => entry.permission);
      const everyone = entries.find((entry) => entry.type === 1 && entry.id === guildId);
      if (everyone !== undefined) return everyone.permission;
    }
    return undefined;
  }

  /**
   * The commands of a scope.
   *
   * @param applicationId - the application
   * @param guildId - a guild, or `undefined` for global commands
   * @returns the commands, in registration order
   */
  public list(applicationId: string, guildId: string | undefined): StoredCommand[] {
    return [...(this.#commands.get(scopeKey(applicationId, guildId)) ?? [])];
  }

  /**
   * A command a user can invoke in a guild: a guild command first, then a global one.
   *
   * @param applicationId - the application
   * @param guildId - the guild (`undefined` in a DM: global commands only)
   * @param name - the command name
   * @param type - 1 slash command, 2 user, 3 message
   * @returns the command, or `undefined`
   */
  public find(applicationId: string, guildId: string | undefined, name: string, type = 1): StoredCommand | undefined {
    const matches = (command: StoredCommand): boolean => command.name === name && command.type === type;
    return (
      (guildId === undefined ? undefined : this.list(applicationId, guildId).find(matches)) ??
      this.list(applicationId, undefined).find(matches)
    );
  }

  /**
   * The id an incoming command would keep: that of the existing command of the same name and type.
   *
   * @returns the existing id, or `undefined` for a new command
   */
  public existingId(
    applicationId: string,
    guildId: string | undefined,
    name: string,
    type: number,
  ): string | undefined {
    return this.list(applicationId, guildId).find((command) => command.name === name && command.type === type)?.id;
  }

  /**
   * Whether `count` more creates fit in the scope's last 24 hours.
   *
   * @param now - clock milliseconds
   */
  public canCreate(applicationId: string, guildId: string | undefined, count: number, now: number): boolean {
    const recent = this.#recentCreates(scopeKey(applicationId, guildId), now);
    return recent.length + count <= DAILY_COMMAND_CREATES;
  }

  /**
   * Replaces a scope's commands.
   *
   * @param created - how many of them are new (counted towards the daily limit)
   * @param now - clock milliseconds
   */
  public replace(
    applicationId: string,
    guildId: string | undefined,
    commands: readonly StoredCommand[],
    created: number,
    now: number,
  ): void {
    const key = scopeKey(applicationId, guildId);
    this.#commands.set(key, [...commands]);
    const recent = this.#recentCreates(key, now);
    for (let index = 0; index < created; index++) recent.push(now);
    this.#creates.set(key, recent);
  }

  #recentCreates(key: string, now: number): number[] {
    return (this.#creates.get(key) ?? []).filter((at) => now - at < DAY_MS);
  }
}

function scopeKey(applicationId: string, guildId: string | undefined): string {
  return `${applicationId}|${guildId ?? 'global'}`;
}
