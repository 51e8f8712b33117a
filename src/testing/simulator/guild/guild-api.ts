import { isSnowflake } from '../../../discord/snowflake.js';
import { isRecord } from '../../../util/is-record.js';
import { DiscordErrors, formBodyError, snowflakeError, type ApiError } from '../discord-errors.js';
import { findCommandsError, normalizeCommand } from '../interactions/command-rules.js';
import type { CommandStore, StoredCommand } from '../interactions/command-store.js';
import type { MessageStore } from '../message-store.js';
import { errorAnswer, type Answer, type ApiCall } from '../simulator-api.js';
import { channelJson, guildJson, memberJson, roleJson, userJson } from './guild-json.js';
import type { GuildRegistry, StoredUser } from './guild-registry.js';

/** Privileged intents, as bits: GUILD_PRESENCES, GUILD_MEMBERS, MESSAGE_CONTENT. */
const GUILD_MEMBERS_INTENT = 1 << 1;
/** Application flags telling which privileged intents are enabled (the "limited" ones: an unverified bot). */
const APPLICATION_INTENT_FLAGS: readonly (readonly [number, number])[] = [
  [1 << 8, 1 << 13],
  [1 << 1, 1 << 15],
  [1 << 15, 1 << 19],
];

/** What {@link GuildApi} needs from the simulator. */
export interface GuildApiDeps {
  readonly guilds: GuildRegistry;
  readonly store: MessageStore;
  readonly commands: CommandStore;
  readonly nextId: () => string;
  readonly epochShift: number;
  /** The gateway URL, `ws://host:port/` (GET /gateway). */
  readonly gatewayUrl: () => string;
  /** GET /gateway/bot's body for a bot. */
  readonly gatewayBot: (tokenLabel: string) => Record<string, unknown>;
  /** The privileged intents enabled for a bot's application (the developer portal's switches). */
  readonly privilegedIntents: (tokenLabel: string) => number;
}

/**
 * Discord's answers for the guild model's routes: the bot's user and application, guilds, channels, roles and
 * members, DM channels, application commands, and the gateway's discovery.
 */
export class GuildApi {
  readonly #deps: GuildApiDeps;

  /** @param deps - the registry, stores and gateway information */
  public constructor(deps: GuildApiDeps) {
    this.#deps = deps;
  }

  /**
   * Answers a request on one of the guild model's routes.
   *
   * @param ctx - the request, authenticated
   * @returns the answer
   */
  public answer(ctx: ApiCall): Answer {
    const { guilds } = this.#deps;
    const bot = ctx.client.user === undefined ? undefined : guilds.user(ctx.client.user.id);
    if (ctx.route === 'GET /gateway') return { status: 200, json: { url: this.#deps.gatewayUrl() } };
    if (!bot) return errorAnswer(DiscordErrors.unauthorized);
    const { params } = ctx;
    switch (ctx.route) {
      case 'GET /gateway/bot':
        return { status: 200, json: this.#deps.gatewayBot(ctx.client.label) };
      case 'GET /users/@me':
        return {
          status: 200,
          json: { ...userJson(bot), verified: true, mfa_enabled: false, flags: 0, locale: 'en-US' },
        };
      case 'GET /users/:user_id': {
        const user = guilds.user(params.userId!);
        return user ? { status: 200, json: userJson(user) } : errorAnswer(DiscordErrors.unknownUser);
      }
      case 'POST /users/@me/channels':
        return this.#openDm(ctx);
      case 'GET /applications/@me':
        return { status: 200, json: this.#application(ctx.client.label, bot) };
      case 'GET /guilds/:guild_id':
      case 'GET /guilds/:guild_id/channels':
      case 'GET /guilds/:guild_id/roles':
      case 'GET /guilds/:guild_id/members':
      case 'GET /guilds/:guild_id/members/:user_id':
        return this.#guildRoute(ctx, bot);
      default:
        return this.#commandRoute(ctx, bot);
    }
  }

  #guildRoute(ctx: ApiCall, bot: StoredUser): Answer {
    const { guilds, store, epochShift } = this.#deps;
    const guild = guilds.guild(ctx.params.guildId!);
    // A guild the bot is not in does not exist, for the bot.
    if (!guild?.members.has(bot.id)) return errorAnswer(DiscordErrors.unknownGuild);
    switch (ctx.route) {
      case 'GET /guilds/:guild_id':
        return { status: 200, json: guildJson(guild) };
      case 'GET /guilds/:guild_id/channels':
        return {
          status: 200,
          json: guild.channelIds.map((id) => {
            const last = store.messages(id).at(-1);
            return channelJson(store.channel(id)!, guilds.channel(id), last?.id ?? null, guilds);
          }),
        };
      case 'GET /guilds/:guild_id/roles':
        return { status: 200, json: [...guild.roles.values()].map(roleJson) };
      case 'GET /guilds/:guild_id/members/:user_id': {
        const member = guild.members.get(ctx.params.userId!);
        return member
          ? { status: 200, json: memberJson(member, guilds.user(member.userId), epochShift) }
          : errorAnswer(DiscordErrors.unknownMember);
      }
      default: {
        // Listing members follows the portal's GUILD_MEMBERS switch, not the intents of a gateway session.
        if ((this.#deps.privilegedIntents(ctx.client.label) & GUILD_MEMBERS_INTENT) === 0) {
          return errorAnswer(DiscordErrors.missingAccess);
        }
        const rawLimit = ctx.query.get('limit');
        const limit = rawLimit === null ? 1 : Number(rawLimit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return errorAnswer(formBodyError('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 1000.'));
        }
        const after = ctx.query.get('after');
        if (after !== null && !isSnowflake(after)) return errorAnswer(snowflakeError('after', after));
        const members = [...guild.members.values()]
          .filter((member) => after === null || BigInt(member.userId) > BigInt(after))
          .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
          .slice(0, limit);
        return {
          status: 200,
          json: members.map((member) => memberJson(member, guilds.user(member.userId), epochShift)),
        };
      }
    }
  }

  #openDm(ctx: ApiCall): Answer {
    const { guilds, store } = this.#deps;
    const recipientId = isRecord(ctx.json) ? ctx.json['recipient_id'] : undefined;
    if (!isSnowflake(recipientId)) {
      return errorAnswer(snowflakeError('recipient_id', String(recipientId)));
    }
    const recipient = guilds.user(recipientId);
    if (!recipient) return errorAnswer(DiscordErrors.unknownUser);
    if (recipient.bot) return errorAnswer(DiscordErrors.cannotMessageBot);
    let channelId = guilds.dmChannel(ctx.client.label, recipient.id);
    if (channelId === undefined) {
      channelId = this.#deps.nextId();
      store.addChannel({ id: channelId, name: `dm-${recipient.username}`, guildId: undefined, topic: undefined });
      guilds.addDmChannel(ctx.client.label, recipient.id, channelId);
    }
    const last = store.messages(channelId).at(-1);
    return {
      status: 200,
      json: channelJson(store.channel(channelId)!, guilds.channel(channelId), last?.id ?? null, guilds),
    };
  }

  #application(label: string, bot: StoredUser): Record<string, unknown> {
    const enabled = this.#deps.privilegedIntents(label);
    let flags = 0;
    for (const [intent, flag] of APPLICATION_INTENT_FLAGS) if ((enabled & intent) !== 0) flags |= flag;
    return {
      id: bot.id,
      name: bot.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      bot: userJson(bot),
      verify_key: '0'.repeat(64),
      flags,
      approximate_guild_count: this.#deps.guilds.guildsOf(bot.id).length,
      team: null,
    };
  }

  #commandRoute(ctx: ApiCall, bot: StoredUser): Answer {
    const { commands, guilds } = this.#deps;
    const applicationId = ctx.params.applicationId!;
    // A bot may only manage its own application's commands.
    if (applicationId !== bot.id) return errorAnswer(DiscordErrors.missingAccess);
    const guildId = ctx.params.guildId;
    if (guildId !== undefined && !guilds.guild(guildId)?.members.has(bot.id)) {
      return errorAnswer(DiscordErrors.missingAccess);
    }
    if (ctx.method === 'GET') return { status: 200, json: commands.list(applicationId, guildId) };
    const incoming: unknown = ctx.method === 'PUT' ? ctx.json : [ctx.json];
    const invalid = findCommandsError(incoming);
    if (invalid) return errorAnswer(ctx.method === 'PUT' ? invalid : unwrapFirst(invalid));
    const list = incoming as readonly Record<string, unknown>[];
    const now = ctx.now;
    let created = 0;
    const normalized = list.map((command) => {
      const type = typeof command['type'] === 'number' ? command['type'] : 1;
      const name = String(command['name']);
      let id = commands.existingId(applicationId, guildId, name, type);
      if (id === undefined) {
        id = this.#deps.nextId();
        created++;
      }
      return normalizeCommand(command, {
        id,
        applicationId,
        ...(guildId === undefined ? {} : { guildId }),
        version: this.#deps.nextId(),
      }) as StoredCommand;
    });
    if (!commands.canCreate(applicationId, guildId, created, now))
      return errorAnswer(DiscordErrors.dailyCommandCreates);
    if (ctx.method === 'PUT') {
      commands.replace(applicationId, guildId, normalized, created, now);
      return { status: 200, json: normalized };
    }
    const command = normalized[0]!;
    const others = commands.list(applicationId, guildId).filter((existing) => existing.id !== command.id);
    commands.replace(applicationId, guildId, [...others, command], created, now);
    return { status: created > 0 ? 201 : 200, json: command };
  }
}

/** The error of a one-command list, as the error of that command (a POST validates one command, not a list). */
function unwrapFirst(error: ApiError): ApiError {
  const errors = error.body.errors;
  if (!isRecord(errors) || !isRecord(errors['0'])) return error;
  return { status: error.status, body: { ...error.body, errors: errors['0'] } };
}
