/**
 * Discord's permission model for the simulator: the documented bits, the guild-level and channel-level computation
 * (owner, roles, ADMINISTRATOR, overwrites, timeouts, implicit permissions) and the 50001 / 50013 answers.
 *
 * Everything here is pure: callers pass the guild, the member and the channel's overwrites in, bits come out.
 *
 * @see https://discord.com/developers/docs/topics/permissions
 * @module
 */
import { InvalidArgumentError } from '../../../errors/message-update-error.js';
import { isRecord } from '../../../util/is-record.js';
import type { ApiError } from '../discord-errors.js';

/**
 * Every permission bit Discord documents, as `bigint` (API v8+ sends them as decimal strings).
 *
 * @example
 * ```ts
 * const setup = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES | Permissions.EMBED_LINKS; // 19456n
 * ```
 */
export const Permissions = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  PRIORITY_SPEAKER: 1n << 8n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  VIEW_GUILD_INSIGHTS: 1n << 19n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MOVE_MEMBERS: 1n << 24n,
  USE_VAD: 1n << 25n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  REQUEST_TO_SPEAK: 1n << 32n,
  MANAGE_EVENTS: 1n << 33n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  CREATE_PRIVATE_THREADS: 1n << 36n,
  USE_EXTERNAL_STICKERS: 1n << 37n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  USE_EMBEDDED_ACTIVITIES: 1n << 39n,
  MODERATE_MEMBERS: 1n << 40n,
  VIEW_CREATOR_MONETIZATION_ANALYTICS: 1n << 41n,
  USE_SOUNDBOARD: 1n << 42n,
  CREATE_GUILD_EXPRESSIONS: 1n << 43n,
  CREATE_EVENTS: 1n << 44n,
  USE_EXTERNAL_SOUNDS: 1n << 45n,
  SEND_VOICE_MESSAGES: 1n << 46n,
  SEND_POLLS: 1n << 49n,
  USE_EXTERNAL_APPS: 1n << 50n,
  PIN_MESSAGES: 1n << 51n,
  BYPASS_SLOWMODE: 1n << 52n,
} as const;

/** The name of one permission bit, e.g. `SEND_MESSAGES`. */
export type PermissionName = keyof typeof Permissions;

/** Every bit of {@link Permissions} set: what the guild owner and ADMINISTRATOR members get. */
export const ALL_PERMISSIONS: bigint = Object.values(Permissions).reduce((all, bit) => all | bit, 0n);

/** What a timed-out member keeps (the guild owner and ADMINISTRATOR members are exempt). */
export const TIMED_OUT_PERMISSIONS: bigint = Permissions.VIEW_CHANNEL | Permissions.READ_MESSAGE_HISTORY;

/** Bits Discord ignores in a channel where the member cannot send messages. */
const NEEDS_SEND_MESSAGES: bigint =
  Permissions.MENTION_EVERYONE | Permissions.SEND_TTS_MESSAGES | Permissions.ATTACH_FILES | Permissions.EMBED_LINKS;

/** The guild as the permission computation needs it. The `@everyone` role's id is the guild's id. */
export interface PermissionGuild {
  readonly id: string;
  readonly ownerId: string;
  readonly roles: ReadonlyMap<string, { readonly permissions: bigint }>;
}

/** The member as the permission computation needs it. */
export interface PermissionMember {
  readonly userId: string;
  /** The member's roles, without `@everyone` (which every member has); unknown ids are ignored. */
  readonly roleIds: readonly string[];
  /** End of the member's timeout, in epoch milliseconds; absent or past = not timed out. */
  readonly communicationDisabledUntil?: number | undefined;
}

/** A channel permission overwrite: `type` 0 for a role (the guild id for `@everyone`), 1 for a member. */
export interface PermissionOverwrite {
  readonly id: string;
  readonly type: 0 | 1;
  readonly allow: bigint;
  readonly deny: bigint;
}

/**
 * Reads a permission field as Discord sends it (a decimal string) or as a test writes it (bigint or number).
 *
 * @param value - `"2048"`, `2048n` or `2048`
 * @param field - name of the field, for the error message (e.g. `roles[0].permissions`)
 * @returns the bits
 * @throws InvalidArgumentError for a negative, fractional, non-decimal or empty value
 * @example
 * ```ts
 * parsePermissions('93184', 'default_member_permissions'); // 93184n
 * ```
 */
export function parsePermissions(value: string | bigint | number, field: string): bigint {
  const allowed = 'a non-negative permission integer (a decimal string such as "2048")';
  if (typeof value === 'bigint') {
    if (value < 0n) throw new InvalidArgumentError(field, value, allowed);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(field, value, allowed);
    return BigInt(value);
  }
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new InvalidArgumentError(field, value, allowed);
  return BigInt(value);
}

/**
 * Writes permission bits as Discord sends them: a decimal string.
 *
 * @param bits - permission bits
 * @returns e.g. `"2048"`
 * @throws InvalidArgumentError for negative bits
 */
export function formatPermissions(bits: bigint): string {
  if (bits < 0n) throw new InvalidArgumentError('permissions', bits, 'non-negative permission bits');
  return bits.toString(10);
}

/**
 * Names of the set bits, lowest first, for readable assertions and error messages.
 *
 * @param bits - permission bits
 * @returns e.g. `['VIEW_CHANNEL', 'SEND_MESSAGES']`; bits Discord does not document are left out
 */
export function permissionNames(bits: bigint): PermissionName[] {
  return (Object.keys(Permissions) as PermissionName[]).filter((name) => (bits & Permissions[name]) !== 0n);
}

/**
 * Tells whether `have` contains every bit of `required`.
 *
 * @param have - permission bits held
 * @param required - permission bits needed
 * @returns `true` when nothing is missing (also when `required` is 0)
 */
export function hasPermissions(have: bigint, required: bigint): boolean {
  return (have & required) === required;
}

function isTimedOut(member: PermissionMember, now: number): boolean {
  const until = member.communicationDisabledUntil;
  return until !== undefined && until > now;
}

/** Owner → ALL; `@everyone` | member roles; ADMINISTRATOR → ALL. No timeout applied. */
function untimedBasePermissions(guild: PermissionGuild, member: PermissionMember): bigint {
  if (member.userId === guild.ownerId) return ALL_PERMISSIONS;
  let bits = guild.roles.get(guild.id)?.permissions ?? 0n;
  for (const roleId of member.roleIds) bits |= guild.roles.get(roleId)?.permissions ?? 0n;
  return (bits & Permissions.ADMINISTRATOR) !== 0n ? ALL_PERMISSIONS : bits & ALL_PERMISSIONS;
}

/**
 * A member's guild-level permissions, as Discord computes them before any channel overwrite: the owner has all of
 * them; otherwise the `@everyone` role's bits OR every role of the member; ADMINISTRATOR grants all of them; a
 * timed-out member (not owner, not admin) keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY. Bits Discord does not
 * document are dropped.
 *
 * @param guild - the guild (its roles, with `@everyone` under the guild's id)
 * @param member - the member
 * @param now - current time in epoch ms, to decide whether a timeout is running (default `Date.now()`)
 * @returns the member's base permission bits
 */
export function basePermissions(guild: PermissionGuild, member: PermissionMember, now: number = Date.now()): bigint {
  const base = untimedBasePermissions(guild, member);
  if (base === ALL_PERMISSIONS) return base;
  return isTimedOut(member, now) ? base & TIMED_OUT_PERMISSIONS : base;
}

/** `bits & ~deny | allow`: one step of Discord's overwrite pseudocode. */
function applyOverwrite(bits: bigint, allow: bigint, deny: bigint): bigint {
  return (bits & ~deny) | allow;
}

/**
 * Applies a channel's overwrites to the base permissions in Discord's order: the `@everyone` overwrite, then the
 * member's role overwrites OR'ed into one allow and one deny (role position does not matter), then the member's own
 * overwrite. Overwrites of roles the member does not have, and of other members, are ignored.
 */
function applyOverwrites(
  base: bigint,
  guild: PermissionGuild,
  member: PermissionMember,
  overwrites: readonly PermissionOverwrite[],
): bigint {
  let bits = base;
  const everyone = overwrites.find((overwrite) => overwrite.type === 0 && overwrite.id === guild.id);
  if (everyone) bits = applyOverwrite(bits, everyone.allow, everyone.deny);
  const roleIds = new Set(member.roleIds);
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type !== 0 || overwrite.id === guild.id || !roleIds.has(overwrite.id)) continue;
    allow |= overwrite.allow;
    deny |= overwrite.deny;
  }
  bits = applyOverwrite(bits, allow, deny);
  const own = overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === member.userId);
  if (own) bits = applyOverwrite(bits, own.allow, own.deny);
  return bits;
}

/** Implicit permissions: no VIEW_CHANNEL ⇒ nothing; no SEND_MESSAGES ⇒ no mention-everyone, TTS, files, embeds. */
function applyImplicit(bits: bigint): bigint {
  if ((bits & Permissions.VIEW_CHANNEL) === 0n) return 0n;
  if ((bits & Permissions.SEND_MESSAGES) === 0n) return bits & ~NEEDS_SEND_MESSAGES;
  return bits;
}

/**
 * A member's final permissions in a guild channel, following Discord's documented algorithm: base permissions (owner
 * and ADMINISTRATOR get everything and skip the rest), then the overwrites (`@everyone`, all the member's roles
 * together, the member), then the timeout (only VIEW_CHANNEL and READ_MESSAGE_HISTORY survive), then the implicit
 * rules (no VIEW_CHANNEL ⇒ 0; no SEND_MESSAGES ⇒ MENTION_EVERYONE, SEND_TTS_MESSAGES, ATTACH_FILES and EMBED_LINKS
 * dropped). Bits Discord does not document are dropped, so the result never exceeds {@link ALL_PERMISSIONS}.
 *
 * @param guild - the guild
 * @param member - the member
 * @param overwrites - the channel's `permission_overwrites`
 * @param now - current time in epoch ms, for the timeout (default `Date.now()`)
 * @returns the member's permission bits in the channel
 * @example
 * ```ts
 * const bits = channelPermissions(guild, { userId: botId, roleIds: [botRoleId] }, channel.overwrites);
 * missingPermissionError(bits, requiredForMessageCreate(body)); // undefined, or the 50001/50013 answer
 * ```
 */
export function channelPermissions(
  guild: PermissionGuild,
  member: PermissionMember,
  overwrites: readonly PermissionOverwrite[],
  now: number = Date.now(),
): bigint {
  const base = untimedBasePermissions(guild, member);
  if (base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
  let bits = applyOverwrites(base, guild, member, overwrites) & ALL_PERMISSIONS;
  if (isTimedOut(member, now)) bits &= TIMED_OUT_PERMISSIONS;
  return applyImplicit(bits);
}

const MISSING_ACCESS: ApiError = { status: 403, body: { message: 'Missing Access', code: 50001 } };
const MISSING_PERMISSIONS: ApiError = { status: 403, body: { message: 'Missing Permissions', code: 50013 } };

/**
 * Discord's answer when channel permissions do not cover an action.
 *
 * @param have - the caller's final permissions in the channel (from {@link channelPermissions})
 * @param required - the bits the action needs
 * @returns `undefined` when `have` contains `required`; 403 `Missing Access` (50001) when the channel is not visible
 *   to the caller (`have` lacks VIEW_CHANNEL); otherwise 403 `Missing Permissions` (50013)
 */
export function missingPermissionError(have: bigint, required: bigint): ApiError | undefined {
  if (hasPermissions(have, required)) return undefined;
  return (have & Permissions.VIEW_CHANNEL) === 0n ? MISSING_ACCESS : MISSING_PERMISSIONS;
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * The permissions `POST /channels/{id}/messages` needs in a guild channel for a given body.
 *
 * @param body - the JSON body (or `payload_json`): `message_reference` adds READ_MESSAGE_HISTORY, `tts: true` adds
 *   SEND_TTS_MESSAGES, non-empty `attachments` or `files` add ATTACH_FILES
 * @param uploadedFiles - number of multipart `files[n]` parts (they add ATTACH_FILES too)
 * @returns VIEW_CHANNEL | SEND_MESSAGES plus what the body asks for
 */
export function requiredForMessageCreate(body: unknown, uploadedFiles = 0): bigint {
  let required = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES;
  const record = isRecord(body) ? body : {};
  const reference = record['message_reference'];
  if (reference !== undefined && reference !== null) required |= Permissions.READ_MESSAGE_HISTORY;
  if (record['tts'] === true) required |= Permissions.SEND_TTS_MESSAGES;
  if (uploadedFiles > 0 || isNonEmptyArray(record['attachments']) || isNonEmptyArray(record['files'])) {
    required |= Permissions.ATTACH_FILES;
  }
  return required;
}
