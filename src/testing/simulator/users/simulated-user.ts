import { InvalidArgumentError } from '../../../errors/message-update-error.js';
import type { Clock } from '../../../util/clock.js';
import { isRecord } from '../../../util/is-record.js';
import type { StoredUser } from '../guild/guild-registry.js';
import { ALL_PERMISSIONS, Permissions } from '../guild/permissions.js';
import { resolveCommandOptions, type InteractionOption } from '../interactions/command-rules.js';
import type { StoredCommand } from '../interactions/command-store.js';
import {
  componentInteractionData,
  findComponent,
  isAutoPopulatedSelect,
  listInteractiveComponents,
  modalSubmitComponents,
  type InteractiveComponent,
  type ModalValues,
} from '../interactions/component-rules.js';
import {
  snapshotMessage,
  type InteractionResponse,
  type StoredInteraction,
  type StoredMessage,
} from '../message-store.js';
import type { SimulatedMessage } from '../simulator-records.js';
import type { SimulatorWorld } from '../simulator-world.js';
import type { WorldEvent } from '../world-events.js';
import { interactionPayload } from './interaction-payloads.js';
import { InteractionReply } from './interaction-reply.js';
import { SimulatedUserError } from './simulated-user-error.js';

/** Discord waits this long for the first answer to an interaction. */
const ANSWER_WINDOW_MS = 3_000;

/** A channel as the user-facing API accepts it: its id, or anything with an `id` (a channel handle). */
export type ChannelRef = string | { readonly id: string };
/** A message as the user-facing API accepts it: a snapshot, a reply, or `{ id, channelId }`. */
export type MessageRef = { readonly id: string; readonly channelId: string } | InteractionReply;

/** What simulated users need from the simulator. */
export interface UserDriverDeps {
  readonly world: SimulatorWorld;
  readonly clock: Clock;
  readonly epochShift: number;
  /** Sends INTERACTION_CREATE to the application's gateway sessions; answers how many got it. */
  readonly deliverInteraction: (interaction: StoredInteraction, payload: Record<string, unknown>) => number;
  /** Hears world changes (to wait for a message to change). */
  readonly subscribe: (listener: (event: WorldEvent) => void) => () => void;
  /** Records a person's message and tells the gateway. */
  readonly emit: (event: WorldEvent) => void;
}

/** Where and as whom a command runs. */
export interface RunCommandOptions {
  /** The channel it is used in. @defaultValue the user's first visible text channel in their guild */
  readonly channel?: ChannelRef;
  /** The bot whose command it is, by token label. @defaultValue `'token#1'` */
  readonly bot?: string;
}

/**
 * A person in the simulated Discord: they run slash commands, click buttons, pick from select menus, fill modals,
 * send messages, and read what they can see (channels as a member sees them, their ephemeral messages, their DMs).
 * Each interaction resolves once the bot has answered it, with an {@link InteractionReply} showing what the user now
 * sees; it fails with a {@link SimulatedUserError} when the bot does not answer within 3 seconds.
 *
 * @example
 * ```ts
 * const alice = guild.members.create({ username: 'alice' });
 * const reply = await alice.runCommand('setup', { channel: equipment });
 * await reply.clickButton('Confirm');
 * ```
 */
export class SimulatedUser {
  readonly #deps: UserDriverDeps;
  readonly #user: StoredUser;
  /** The guild the user was made in, for commands run without a channel. */
  readonly #homeGuildId: string | undefined;

  /**
   * @internal Made by the simulator (`guild.members.create`, `sim.users.create`).
   * @param deps - the simulator's parts
   * @param user - the stored user
   * @param homeGuildId - the guild whose channels are the default for commands
   */
  public constructor(deps: UserDriverDeps, user: StoredUser, homeGuildId: string | undefined) {
    this.#deps = deps;
    this.#user = user;
    this.#homeGuildId = homeGuildId;
  }

  /** The user's snowflake. */
  public get id(): string {
    return this.#user.id;
  }

  /** The user name. */
  public get username(): string {
    return this.#user.username;
  }

  /** `<@id>`, to mention the user in a message. */
  public get mention(): string {
    return `<@${this.#user.id}>`;
  }

  /** Whether the user accepts DMs from bots they share a server with. */
  public get dmsOpen(): boolean {
    return this.#user.dmsOpen;
  }

  /**
   * Opens or closes the user's DMs: while closed, a bot's message to them fails with 403 50007 "Cannot send messages
   * to this user", as on Discord.
   *
   * @param open - `false` to refuse DMs
   */
  public setDmsOpen(open: boolean): void {
    this.#user.dmsOpen = open;
  }

  /** The user's DMs with every bot: `dms.messages` in the order they were sent. */
  public get dms(): { readonly messages: SimulatedMessage[]; readonly channelIds: string[] } {
    const { world } = this.#deps;
    const channelIds = world.guilds.bots().flatMap((bot) => {
      const id = world.guilds.dmChannel(bot.tokenLabel!, this.#user.id);
      return id === undefined ? [] : [id];
    });
    const messages = channelIds
      .flatMap((id) => world.store.messages(id))
      .sort((a, b) => compareIds(a.id, b.id))
      .map(snapshotMessage);
    return { messages, channelIds };
  }

  /**
   * The messages of a channel as this user sees them: nothing without View Channel and Read Message History,
   * otherwise every message but other people's ephemeral ones.
   *
   * @param channel - the channel
   * @returns snapshots, oldest first
   */
  public messagesIn(channel: ChannelRef): SimulatedMessage[] {
    const channelId = channelIdOf(channel);
    const { guilds, store } = this.#deps.world;
    const bits = guilds.permissionsIn(channelId, this.#user.id);
    const needed = Permissions.VIEW_CHANNEL | Permissions.READ_MESSAGE_HISTORY;
    if ((bits & needed) !== needed) return [];
    return store
      .messages(channelId)
      .filter((message) => message.visibleTo === undefined || message.visibleTo === this.#user.id)
      .map(snapshotMessage);
  }

  /**
   * Sends a message in a channel (a MESSAGE_CREATE the bot receives, subject to its intents).
   *
   * @param channel - a channel the user can send in
   * @param content - the text, or a body with `content`
   * @returns the message
   * @throws {@link SimulatedUserError} `CANNOT_SEND` without View Channel and Send Messages there
   */
  public sendMessage(channel: ChannelRef, content: string | { readonly content: string }): SimulatedMessage {
    const channelId = channelIdOf(channel);
    const { world, clock } = this.#deps;
    if (!world.store.hasChannel(channelId)) {
      throw new InvalidArgumentError('channel', channelId, 'the id of a simulated channel');
    }
    const needed = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES;
    if ((world.guilds.permissionsIn(channelId, this.#user.id) & needed) !== needed) {
      throw new SimulatedUserError('CANNOT_SEND', `${this.username} cannot send messages in channel ${channelId}.`);
    }
    const text = typeof content === 'string' ? content : content.content;
    if (typeof text !== 'string' || text.length < 1 || text.length > 2000) {
      throw new InvalidArgumentError('content', text, 'a string of 1 to 2000 characters');
    }
    const message = world.api.newMessage(channelId, { content: text }, [], clock.now(), {
      author: { kind: 'user', userId: this.#user.id },
      authorJson: {
        id: this.#user.id,
        username: this.#user.username,
        discriminator: '0',
        global_name: this.#user.globalName,
        avatar: null,
      },
    });
    this.#deps.emit({ type: 'MESSAGE_CREATE', message });
    return snapshotMessage(message);
  }

  /**
   * Runs a slash command, as typing `/name option:value` and pressing Enter.
   *
   * @param name - the command's name (`'setup'`, or `'admin users'` for a sub-command)
   * @param options - option values by name: strings, numbers, booleans, or a channel / user / role (by id or handle)
   * @param where - the channel, and the bot whose command it is
   * @returns the bot's answer
   * @throws {@link SimulatedUserError} when the command is unknown (`UNKNOWN_COMMAND`), the user may not use it
   *   (`COMMAND_NOT_PERMITTED`: default member permissions, or Use Application Commands), the options are wrong
   *   (`INVALID_OPTIONS`), no bot is connected (`NO_BOT_CONNECTED`), or the bot does not answer within 3 s
   *   (`NOT_ANSWERED`)
   */
  public async runCommand(
    name: string,
    options: Readonly<Record<string, unknown>> = {},
    where: RunCommandOptions = {},
  ): Promise<InteractionReply> {
    const { world } = this.#deps;
    const channelId = where.channel === undefined ? this.#defaultChannel() : channelIdOf(where.channel);
    const applicationId = world.applicationIdOf(where.bot ?? 'token#1');
    const guildId = world.guilds.channel(channelId)?.guildId;
    const [commandName, ...path] = name.trim().split(/\s+/);
    const command = world.commands.find(applicationId, guildId, commandName ?? '');
    if (!command) {
      throw new SimulatedUserError(
        'UNKNOWN_COMMAND',
        `/${name} is not registered for ${where.bot ?? 'token#1'} in ${guildId === undefined ? 'DMs' : `guild ${guildId}`} (the bot registers commands with PUT /applications/{id}/commands).`,
      );
    }
    this.#assertMayUse(command, applicationId, channelId, guildId, name);
    const input = path.length > 0 ? { [path.join(' ')]: options } : options;
    const resolved = resolveCommandOptions(command, input, (_type, value) => this.#resolveOptionValue(value));
    if (!resolved.ok) {
      throw new SimulatedUserError('INVALID_OPTIONS', `/${name}: ${resolved.error}`);
    }
    const entities = this.#resolvedOptions(resolved.options, channelId);
    const data: Record<string, unknown> = {
      id: command.id,
      name: command.name,
      type: command.type,
      ...(resolved.options.length > 0 ? { options: resolved.options } : {}),
      ...(entities === undefined ? {} : { resolved: entities }),
      ...(guildId === undefined || command['guild_id'] === undefined ? {} : { guild_id: guildId }),
    };
    return this.#interact({ type: 2, channelId, applicationId, data, source: undefined });
  }

  /**
   * Clicks a button on a message the user can see.
   *
   * @param message - the message (or a reply, meaning its message)
   * @param button - the button's label or `custom_id`
   * @returns the bot's answer
   * @throws {@link SimulatedUserError} `NO_SUCH_COMPONENT` / `COMPONENT_DISABLED`, or as for {@link runCommand}
   */
  public async clickButton(message: MessageRef, button: string): Promise<InteractionReply> {
    const stored = this.#visibleMessage(message);
    const component = this.#component(stored, (c) => c.type === 2 && (c.label === button || c.customId === button));
    if (component.customId === undefined) {
      throw new SimulatedUserError(
        'NO_SUCH_COMPONENT',
        `"${button}" is a link button: it opens ${component.url ?? 'a URL'}, it sends no interaction.`,
      );
    }
    return this.#interact({
      type: 3,
      channelId: stored.channelId,
      applicationId: applicationOf(stored),
      data: componentInteractionData(component),
      source: stored,
    });
  }

  /**
   * Picks values in a select menu on a message the user can see.
   *
   * @param message - the message (or a reply)
   * @param select - the select's `custom_id` or placeholder
   * @param values - option values for a string select; ids (or handles) of users, roles or channels for the others
   * @returns the bot's answer
   * @throws {@link SimulatedUserError} `INVALID_SELECTION` for values the menu does not offer or a wrong count
   */
  public async selectOptions(
    message: MessageRef,
    select: string,
    values: readonly (string | { readonly id: string })[],
  ): Promise<InteractionReply> {
    const stored = this.#visibleMessage(message);
    const component = this.#component(stored, (c) => c.type !== 2 && (c.customId === select || c.label === select));
    const chosen = values.map((value) => (typeof value === 'string' ? value : value.id));
    if (chosen.length < component.minValues || chosen.length > component.maxValues) {
      throw new SimulatedUserError(
        'INVALID_SELECTION',
        `"${select}" takes ${component.minValues} to ${component.maxValues} values, got ${chosen.length}.`,
      );
    }
    let resolved: Record<string, unknown> | undefined;
    if (component.type === 3) {
      const offered = new Set(component.options.map((option) => option.value));
      const unknown = chosen.filter((value) => !offered.has(value));
      if (unknown.length > 0) {
        throw new SimulatedUserError(
          'INVALID_SELECTION',
          `"${select}" has no option ${unknown.map((v) => `"${v}"`).join(', ')}.`,
        );
      }
    } else if (isAutoPopulatedSelect(component.type)) {
      resolved = this.#resolveIds(component.type, chosen, stored.channelId);
    }
    const data = { ...componentInteractionData(component, chosen), ...(resolved ? { resolved } : {}) };
    return this.#interact({
      type: 3,
      channelId: stored.channelId,
      applicationId: applicationOf(stored),
      data,
      source: stored,
    });
  }

  /**
   * Fills in and submits the modal a reply opened.
   *
   * @param reply - the reply whose answer was a modal
   * @param values - text by text input `custom_id` (option values for a select in the modal)
   * @returns the bot's answer to the submission
   * @throws {@link SimulatedUserError} `NO_MODAL` when the reply is not a modal, `INVALID_MODAL_VALUES` when a
   *   required field is missing or a value breaks its length limits
   */
  public async submitModal(reply: InteractionReply, values: ModalValues): Promise<InteractionReply> {
    const modal = reply.modal;
    if (!modal)
      throw new SimulatedUserError('NO_MODAL', `The bot answered with callback type ${reply.type}, not a modal.`);
    const submission = modalSubmitComponents(modal.raw, values);
    if (!submission.ok)
      throw new SimulatedUserError('INVALID_MODAL_VALUES', `Modal "${modal.title}": ${submission.error}`);
    const source = reply.sourceMessage;
    return this.#interact({
      type: 5,
      channelId: reply.channelId,
      applicationId: reply.applicationId,
      data: { custom_id: modal.customId, components: submission.components },
      source,
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  async #interact(init: {
    readonly type: number;
    readonly channelId: string;
    readonly applicationId: string;
    readonly data: Record<string, unknown>;
    readonly source: StoredMessage | undefined;
  }): Promise<InteractionReply> {
    const { world, clock, epochShift } = this.#deps;
    const interaction = world.newInteraction({
      channelId: init.channelId,
      applicationId: init.applicationId,
      type: init.type,
      sourceMessageId: init.source?.id,
      userId: this.#user.id,
    });
    const payload = interactionPayload(world, interaction, this.#user, init.data, init.source, epochShift);
    const answered = new Promise<InteractionResponse>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        interaction.onResponse = undefined;
        reject(
          new SimulatedUserError(
            'NOT_ANSWERED',
            `The bot did not answer ${this.username}'s interaction within 3 s (Discord shows "This interaction failed").`,
          ),
        );
      }, ANSWER_WINDOW_MS);
      interaction.onResponse = (response) => {
        clock.clearTimeout(timer);
        resolve(response);
      };
    });
    const reached = this.#deps.deliverInteraction(interaction, payload);
    if (reached === 0) {
      interaction.onResponse = undefined;
      answered.catch(() => undefined);
      throw new SimulatedUserError(
        'NO_BOT_CONNECTED',
        `No gateway session of the bot (application ${init.applicationId}) is connected to receive ${this.username}'s interaction: start the bot (or wait for READY) first.`,
      );
    }
    await answered;
    return new InteractionReply(this, this.#deps, interaction);
  }

  #defaultChannel(): string {
    const { guilds } = this.#deps.world;
    const guild = this.#homeGuildId === undefined ? guilds.guildsOf(this.#user.id)[0] : guilds.guild(this.#homeGuildId);
    const channelId = guild?.channelIds.find(
      (id) => (guilds.permissionsIn(id, this.#user.id) & Permissions.VIEW_CHANNEL) !== 0n,
    );
    if (channelId === undefined) {
      throw new SimulatedUserError(
        'CANNOT_SEE_CHANNEL',
        `${this.username} sees no text channel to run a command in: pass { channel }.`,
      );
    }
    return channelId;
  }

  #assertMayUse(
    command: StoredCommand,
    applicationId: string,
    channelId: string,
    guildId: string | undefined,
    name: string,
  ) {
    if (guildId === undefined) return;
    const { guilds } = this.#deps.world;
    const inChannel = guilds.permissionsIn(channelId, this.#user.id);
    if ((inChannel & Permissions.VIEW_CHANNEL) === 0n) {
      throw new SimulatedUserError('CANNOT_SEE_CHANNEL', `${this.username} cannot see channel ${channelId}.`);
    }
    if ((inChannel & Permissions.USE_APPLICATION_COMMANDS) === 0n) {
      throw new SimulatedUserError(
        'COMMAND_NOT_PERMITTED',
        `${this.username} lacks Use Application Commands in channel ${channelId}.`,
      );
    }
    const have = guilds.guildPermissions(guildId, this.#user.id);
    // The guild's command permission overwrites (Server Settings → Integrations) come first; administrators are
    // never locked out.
    const overwrite = this.#deps.world.commands.decide(applicationId, guildId, command.id, {
      userId: this.#user.id,
      roleIds: guilds.member(guildId, this.#user.id)?.roleIds ?? [],
      channelId,
    });
    if (overwrite === true || have === ALL_PERMISSIONS) return;
    if (overwrite === false) {
      throw new SimulatedUserError(
        'COMMAND_NOT_PERMITTED',
        `${this.username} cannot use /${name} here: the guild's command permissions deny it.`,
      );
    }
    const required = command['default_member_permissions'];
    if (typeof required !== 'string') return;
    const bits = BigInt(required);
    // "0" hides the command from everyone but administrators; otherwise every bit is needed.
    const allowed = have === ALL_PERMISSIONS || (bits !== 0n && (have & bits) === bits);
    if (!allowed) {
      throw new SimulatedUserError(
        'COMMAND_NOT_PERMITTED',
        `${this.username} cannot use /${name}: it requires permissions ${required} (default_member_permissions), which they do not have.`,
      );
    }
  }

  #resolveOptionValue(value: unknown): string | undefined {
    // Channels, users, roles and mentionables may be given as handles or ids; the interaction carries their ids.
    if (isRecord(value) && typeof value['id'] === 'string') return value['id'];
    if (typeof value === 'string') return /^<[@#]&?!?(\d+)>$/.exec(value)?.[1] ?? value;
    return undefined;
  }

  /** The `resolved` users, members, roles and channels of a command's USER, CHANNEL, ROLE and MENTIONABLE options. */
  #resolvedOptions(options: readonly InteractionOption[], channelId: string): Record<string, unknown> | undefined {
    const bySelect: Readonly<Record<number, number>> = { 6: 5, 7: 8, 8: 6, 9: 7 };
    const merged: Record<string, Record<string, unknown>> = {};
    const visit = (list: readonly InteractionOption[]): void => {
      for (const option of list) {
        if ('options' in option) {
          visit(option.options);
          continue;
        }
        const selectType = bySelect[option.type];
        if (selectType === undefined) continue;
        const found = this.#resolveIds(selectType, [String(option.value)], channelId);
        for (const [kind, entries] of Object.entries(found)) Object.assign((merged[kind] ??= {}), entries);
      }
    };
    visit(options);
    return Object.keys(merged).length === 0 ? undefined : merged;
  }

  #resolveIds(type: number, ids: readonly string[], channelId: string): Record<string, Record<string, unknown>> {
    const { guilds, store } = this.#deps.world;
    const guildId = guilds.channel(channelId)?.guildId;
    const resolved: Record<string, Record<string, unknown>> = {};
    for (const id of ids) {
      const user = guilds.user(id);
      const role = guildId === undefined ? undefined : guilds.guild(guildId)?.roles.get(id);
      const channel = store.channel(id);
      if ((type === 5 || type === 7) && user) {
        (resolved['users'] ??= {})[id] = {
          id: user.id,
          username: user.username,
          discriminator: '0',
          global_name: user.globalName,
          avatar: null,
          ...(user.bot ? { bot: true } : {}),
        };
        const member = guildId === undefined ? undefined : guilds.member(guildId, id);
        if (member) {
          (resolved['members'] ??= {})[id] = {
            roles: [...member.roleIds],
            nick: member.nick,
            permissions: String(guilds.permissionsIn(channelId, id)),
            flags: 0,
            pending: false,
          };
        }
      } else if ((type === 6 || type === 7) && role) {
        (resolved['roles'] ??= {})[id] = {
          id: role.id,
          name: role.name,
          permissions: String(role.permissions),
          position: role.position,
          color: role.color,
          hoist: role.hoist,
          managed: role.managed,
          mentionable: role.mentionable,
          flags: 0,
        };
      } else if (type === 8 && channel) {
        (resolved['channels'] ??= {})[id] = {
          id: channel.id,
          name: channel.name,
          type: guilds.channel(id)?.type ?? 0,
          permissions: String(guilds.permissionsIn(id, this.#user.id)),
        };
      } else {
        throw new SimulatedUserError(
          'INVALID_SELECTION',
          `${id} is not a ${type === 5 ? 'user' : type === 6 ? 'role' : type === 8 ? 'channel' : 'user or role'} the select can offer.`,
        );
      }
    }
    return resolved;
  }

  #visibleMessage(ref: MessageRef): StoredMessage {
    const { store } = this.#deps.world;
    const id = ref instanceof InteractionReply ? ref.message?.id : ref.id;
    const channelId = ref instanceof InteractionReply ? ref.channelId : ref.channelId;
    const message = id === undefined ? undefined : store.message(channelId, id);
    if (!message)
      throw new SimulatedUserError('NO_SUCH_COMPONENT', `Message ${id ?? '(none)'} does not exist (any more).`);
    const visible =
      message.visibleTo === undefined
        ? (this.#deps.world.guilds.permissionsIn(channelId, this.#user.id) & Permissions.VIEW_CHANNEL) !== 0n
        : message.visibleTo === this.#user.id;
    if (!visible)
      throw new SimulatedUserError('CANNOT_SEE_CHANNEL', `${this.username} cannot see message ${message.id}.`);
    return message;
  }

  #component(message: StoredMessage, predicate: (component: InteractiveComponent) => boolean): InteractiveComponent {
    const component = findComponent(message.components, predicate);
    if (!component) {
      const offered = listInteractiveComponents(message.components)
        .map((c) => `"${c.label ?? c.customId ?? '?'}"`)
        .join(', ');
      throw new SimulatedUserError(
        'NO_SUCH_COMPONENT',
        `Message ${message.id} has no such component; it offers ${offered || 'none'}.`,
      );
    }
    if (component.disabled) {
      throw new SimulatedUserError('COMPONENT_DISABLED', `"${component.label ?? component.customId}" is disabled.`);
    }
    return component;
  }
}

function channelIdOf(channel: ChannelRef): string {
  return typeof channel === 'string' ? channel : channel.id;
}

/** The application a message's components belong to: the bot that wrote it. */
function applicationOf(message: StoredMessage): string {
  if (message.applicationId !== undefined) return message.applicationId;
  if (message.author.kind === 'bot') return message.author.userId;
  throw new SimulatedUserError(
    'NO_SUCH_COMPONENT',
    `Message ${message.id} was not sent by a bot: its components send no interaction.`,
  );
}

function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
