/**
 * The equipment-lending bot's domain model: plain data, no Discord and no SQL. Discord ids are strings (snowflakes
 * exceed 2^53); times are UTC epoch milliseconds and become JST only at the edges (see `time.ts`).
 */

/** A Discord id (guild, channel, user, role, message): always a string. */
export type Snowflake = string;

/** UTC epoch milliseconds. */
export type EpochMs = number;

/** What the embed shows: derived from reservations and the admin flag, never stored. */
export type EquipmentStatus = 'Available' | 'Loaned' | 'Unavailable';

/** A reservation's lifecycle. A returned reservation keeps its row (the return can be corrected or undone). */
export type ReservationStatus = 'confirmed' | 'returned' | 'cancelled';

/** Per-guild settings. */
export interface GuildSettings {
  readonly guildId: Snowflake;
  /** The channel the bot keeps its display in, once set up. */
  readonly reservationChannelId: Snowflake | null;
  /** Roles whose members may administer the bot (besides the server's administrators). */
  readonly adminRoleIds: readonly Snowflake[];
  /** How often an overdue DM repeats until the item is returned, minutes. */
  readonly overdueRepeatMinutes: number;
}

/** A tag groups items in the channel; `sortOrder` decides the order of the groups. */
export interface Tag {
  readonly id: number;
  readonly guildId: Snowflake;
  readonly name: string;
  readonly sortOrder: number;
}

/** A place items are kept or returned to. */
export interface Location {
  readonly id: number;
  readonly guildId: Snowflake;
  readonly name: string;
}

/** An item that can be lent. Its status is not a column: see {@link EquipmentView}. */
export interface Equipment {
  readonly id: number;
  readonly guildId: Snowflake;
  /** Unique per guild. */
  readonly name: string;
  readonly tagId: number | null;
  /** Set by an admin ("Unavailable: reason"). */
  readonly unavailable: boolean;
  readonly unavailableReason: string | null;
  readonly currentLocationId: number | null;
  readonly defaultReturnLocationId: number | null;
  readonly createdAt: EpochMs;
}

/** A reservation of an item by a user for `[startAt, endAt)`. */
export interface Reservation {
  readonly id: number;
  readonly equipmentId: number;
  readonly userId: Snowflake;
  readonly startAt: EpochMs;
  readonly endAt: EpochMs;
  /** Where the item is used / picked up. */
  readonly locationId: number | null;
  readonly status: ReservationStatus;
  readonly returnedAt: EpochMs | null;
  readonly returnLocationId: number | null;
  readonly returnedBy: Snowflake | null;
  readonly createdAt: EpochMs;
}

/** Everything one item's embed shows, at one moment. */
export interface EquipmentView {
  readonly equipment: Equipment;
  readonly tag: Tag | null;
  readonly status: EquipmentStatus;
  /** The loan in progress (started, not returned), when the status is Loaned. */
  readonly currentLoan: Reservation | null;
  /** Name of the item's current location, or of the current loan's location while Loaned. */
  readonly locationName: string | null;
  /** Name of the item's default return location, if it has one. */
  readonly defaultReturnLocationName: string | null;
  /**
   * The other confirmed reservations, soonest first: those not started yet, and those whose start has passed while an
   * overdue loan still holds the item (they wait for its return).
   */
  readonly upcoming: readonly Reservation[];
}
