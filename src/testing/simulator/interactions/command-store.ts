/** A registered application command, as Discord returns it. */
export type StoredCommand = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly name: string;
  readonly type: number;
};

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
