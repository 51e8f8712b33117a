/**
 * Per-guild settings: the reservation channel, the admin roles, the overdue-reminder period.
 *
 * @module
 */
import type { GuildSettings, Snowflake } from '../domain/model.js';
import { toGuildSettings } from './rows.js';
import type { BotExecutor } from './schema.js';

/** The overdue DM repeats this often when a guild has not chosen, minutes. */
export const DEFAULT_OVERDUE_REPEAT_MINUTES = 60;

/** Reads and writes `guild_settings`. */
export class GuildSettingsRepository {
  readonly #db: BotExecutor;

  /** @param db - the database or a transaction */
  public constructor(db: BotExecutor) {
    this.#db = db;
  }

  /**
   * @param guildId - the guild
   * @returns its settings, or null when it was never configured
   */
  public async get(guildId: Snowflake): Promise<GuildSettings | null> {
    const row = await this.#db
      .selectFrom('guild_settings')
      .selectAll()
      .where('guild_id', '=', guildId)
      .executeTakeFirst();
    return row === undefined ? null : toGuildSettings(row);
  }

  /**
   * @param guildId - the guild
   * @returns its settings, or the defaults (no channel, no admin role, {@link DEFAULT_OVERDUE_REPEAT_MINUTES})
   */
  public async getOrDefault(guildId: Snowflake): Promise<GuildSettings> {
    return (
      (await this.get(guildId)) ?? {
        guildId,
        reservationChannelId: null,
        adminRoleIds: [],
        overdueRepeatMinutes: DEFAULT_OVERDUE_REPEAT_MINUTES,
      }
    );
  }

  /**
   * Every guild with a reservation channel (what the bot renders at start).
   *
   * @returns their settings, by guild id
   */
  public async listConfigured(): Promise<GuildSettings[]> {
    const rows = await this.#db
      .selectFrom('guild_settings')
      .selectAll()
      .where('reservation_channel_id', 'is not', null)
      .orderBy('guild_id')
      .execute();
    return rows.map(toGuildSettings);
  }

  /**
   * Sets (or clears) the reservation channel, creating the guild's row if needed.
   *
   * @param guildId - the guild
   * @param channelId - the channel, or null
   * @param now - the time, epoch ms
   * @returns the settings after the change
   */
  public async setReservationChannel(
    guildId: Snowflake,
    channelId: Snowflake | null,
    now: number,
  ): Promise<GuildSettings> {
    const row = await this.#db
      .insertInto('guild_settings')
      .values({ guild_id: guildId, reservation_channel_id: channelId, created_at: now, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('guild_id').doUpdateSet({ reservation_channel_id: channelId, updated_at: now }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGuildSettings(row);
  }

  /**
   * Replaces the admin roles (duplicates dropped, order kept).
   *
   * @param guildId - the guild
   * @param roleIds - the roles
   * @param now - the time, epoch ms
   * @returns the settings after the change
   */
  public async setAdminRoleIds(guildId: Snowflake, roleIds: readonly Snowflake[], now: number): Promise<GuildSettings> {
    const json = JSON.stringify([...new Set(roleIds)]);
    const row = await this.#db
      .insertInto('guild_settings')
      .values({ guild_id: guildId, admin_role_ids: json, created_at: now, updated_at: now })
      .onConflict((conflict) => conflict.column('guild_id').doUpdateSet({ admin_role_ids: json, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGuildSettings(row);
  }

  /**
   * Sets how often the overdue DM repeats.
   *
   * @param guildId - the guild
   * @param minutes - a whole number of minutes, at least 1
   * @param now - the time, epoch ms
   * @returns the settings after the change
   * @throws Error when `minutes` is not a positive integer
   */
  public async setOverdueRepeatMinutes(guildId: Snowflake, minutes: number, now: number): Promise<GuildSettings> {
    if (!Number.isInteger(minutes) || minutes < 1) {
      throw new Error(`overdueRepeatMinutes is ${minutes}: expected a whole number of minutes, at least 1.`);
    }
    const row = await this.#db
      .insertInto('guild_settings')
      .values({ guild_id: guildId, overdue_repeat_minutes: minutes, created_at: now, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('guild_id').doUpdateSet({ overdue_repeat_minutes: minutes, updated_at: now }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGuildSettings(row);
  }
}
