/**
 * A terminal stand-in for the Discord client, for the bot running on the DiscordSimulator (`npm run bot --
 * --simulator`): a person acts as one of the guild's simulated members — runs `/setup`, clicks buttons, picks in
 * selects, fills modals, reads the channel and their DMs as text — and moves the bot's clock to see reminders and
 * expiries. Each command is one line; {@link SimConsole.execute} returns what to print, so it is tested without a
 * terminal.
 *
 * @module
 */
import {
  renderChannelText,
  renderMessageText,
  type InteractionReply,
  type SimulatedGuild,
  type SimulatedGuildChannel,
  type SimulatedMessage,
  type SimulatedUser,
} from 'discord-update-manager/testing';

/** What the console drives. */
export interface SimConsoleOptions {
  readonly guild: SimulatedGuild;
  /** The channels a person can look at and act in, by name. */
  readonly channels: readonly SimulatedGuildChannel[];
  /** The members a person can act as, by username (the first is who they are at start). */
  readonly members: readonly SimulatedUser[];
  /** Moves the bot's clock forward and runs what became due. */
  readonly advance: (ms: number) => Promise<void>;
  /** Waits until the bot has sent what it queued. */
  readonly settle: () => Promise<void>;
}

/** The console's help text. */
export const CONSOLE_HELP = [
  'Commands (one per line):',
  '  help                              this text',
  '  users                             the members you can act as',
  '  as <name>                         act as that member',
  '  show [#channel]                   the channel as you see it (default: the first), messages numbered',
  '  /<command> [#channel]             run a slash command there (e.g. /setup #reservations)',
  '  click <label> [on <n> | on dm <n>]  click a button: in your last answer, or on message n of the channel shown',
  '                                    last, or of your DMs',
  '  select <placeholder> = <option>[, <option>…]  pick in a select of your last answer (labels, names, values,',
  '                                    or #n for the n-th option shown)',
  '  modal <field> = <value>; …        fill in and submit the modal your last answer opened',
  '  last                              your last answer again',
  '  dms                               your direct messages, numbered',
  '  wait <n>m|h|d                     move the bot’s clock forward (reminders, expiries)',
  '  quit                              stop',
].join('\n');

/** Discord's ephemeral message flag. */
const EPHEMERAL = 64;

const DURATION = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A terminal stand-in for the Discord client (see the module's description). */
export class SimConsole {
  readonly #options: SimConsoleOptions;
  #user: SimulatedUser;
  #channel: SimulatedGuildChannel;
  readonly #last = new Map<string, InteractionReply>();

  /** @param options - the guild, its channels and members, the clock */
  public constructor(options: SimConsoleOptions) {
    if (options.members.length === 0 || options.channels.length === 0) {
      throw new Error('SimConsole needs at least one member and one channel.');
    }
    this.#options = options;
    this.#user = options.members[0]!;
    this.#channel = options.channels[0]!;
  }

  /** Who the person is acting as. */
  public get user(): SimulatedUser {
    return this.#user;
  }

  /** The channel shown last (where `click … on <n>` looks). */
  public get channel(): SimulatedGuildChannel {
    return this.#channel;
  }

  /**
   * Runs one command line.
   *
   * @param line - what the person typed
   * @returns what to print (an error is returned as text, not thrown)
   */
  public async execute(line: string): Promise<string> {
    const input = line.trim();
    try {
      if (input === '' || input === 'help') return CONSOLE_HELP;
      if (input === 'users') return this.#users();
      if (input === 'last') return this.#render(this.#lastReply());
      if (input === 'dms') return this.#numbered(this.#user.dms.messages);
      if (input.startsWith('as ')) return this.#as(input.slice(3).trim());
      if (input === 'show' || input.startsWith('show ')) return this.#show(input.slice(4).trim());
      if (input.startsWith('/')) return await this.#command(input.slice(1));
      if (input.startsWith('click ')) return await this.#click(input.slice(6));
      if (input.startsWith('select ')) return await this.#select(input.slice(7));
      if (input.startsWith('modal ')) return await this.#modal(input.slice(6));
      if (input.startsWith('wait ')) return await this.#wait(input.slice(5).trim());
      return `Unknown command "${input}". Type help.`;
    } catch (error) {
      return `✗ ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  #users(): string {
    return this.#options.members.map((member) => `${member === this.#user ? '→' : ' '} ${member.username}`).join('\n');
  }

  #as(name: string): string {
    const member = this.#options.members.find((candidate) => candidate.username === name);
    if (member === undefined) throw new Error(`No member "${name}". Members: ${this.#memberNames()}.`);
    this.#user = member;
    return `You are ${member.username}.`;
  }

  #show(channelName: string): string {
    if (channelName !== '') this.#channel = this.#channelNamed(channelName);
    const messages = this.#user.messagesIn(this.#channel);
    return `#${this.#channelName(this.#channel)}\n${this.#numbered(messages)}`;
  }

  async #command(text: string): Promise<string> {
    const [name = '', where] = text.split(/\s+/);
    const channel = where === undefined ? this.#channel : this.#channelNamed(where);
    this.#channel = channel;
    return this.#answered(await this.#user.runCommand(name, {}, { channel }));
  }

  async #click(text: string): Promise<string> {
    const match = /^(.*?)(?:\s+on\s+(dm\s+)?(\d+))?$/.exec(text.trim())!;
    const label = match[1]!.trim();
    if (match[3] === undefined) return this.#answered(await this.#lastReply().clickButton(label));
    const list = match[2] === undefined ? this.#user.messagesIn(this.#channel) : this.#user.dms.messages;
    const message = list[Number(match[3]) - 1];
    if (message === undefined) throw new Error(`There is no message ${match[3]} (there are ${list.length}).`);
    return this.#answered(await this.#user.clickButton(message, label));
  }

  async #select(text: string): Promise<string> {
    const [placeholder = '', chosen = ''] = text.split('=').map((part) => part.trim());
    const reply = this.#lastReply();
    const select = reply.components.find((component) => component.type !== 2 && component.label === placeholder);
    if (select === undefined) {
      const offered = reply.components.filter((component) => component.type !== 2).map((c) => `"${c.label ?? '?'}"`);
      throw new Error(`No select "${placeholder}" in your last answer (there is ${offered.join(', ') || 'none'}).`);
    }
    const wanted = chosen === '' ? [] : chosen.split(',').map((part) => part.trim());
    const values = wanted.map((want) => {
      // `#n`: the n-th option shown.
      const nth = /^#(\d+)$/.exec(want);
      const option =
        nth === null
          ? select.options.find((candidate) => candidate.label === want || candidate.value === want)
          : select.options[Number(nth[1]) - 1];
      if (option !== undefined) return option.value;
      const member = this.#options.members.find((candidate) => candidate.username === want);
      if (member !== undefined) return member.id;
      const role = this.#options.guild.roles.list().find((candidate) => candidate.name === want);
      if (role !== undefined) return role.id;
      if (select.type === 3) {
        const labels = select.options.map((option) => option.label);
        throw new Error(`"${placeholder}" has no option "${want}". Options: ${labels.join(', ')}.`);
      }
      return want;
    });
    return this.#answered(await reply.selectOptions(placeholder, values));
  }

  async #modal(text: string): Promise<string> {
    const values: Record<string, string> = {};
    for (const part of text.split(';')) {
      const at = part.indexOf('=');
      if (at < 0) continue;
      values[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    return this.#answered(await this.#lastReply().submitModal(values));
  }

  async #wait(text: string): Promise<string> {
    const match = DURATION.exec(text);
    if (match === null) throw new Error(`"${text}" is not a duration: write e.g. 15m, 3h or 1d.`);
    const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
    await this.#options.advance(ms);
    await this.#options.settle();
    return `The bot's clock moved ${text} forward.`;
  }

  async #answered(reply: InteractionReply): Promise<string> {
    this.#last.set(this.#user.id, reply);
    if (reply.deferred) await reply.waitForMessage().catch(() => undefined);
    await this.#options.settle();
    return this.#render(reply);
  }

  #render(reply: InteractionReply): string {
    const modal = reply.modal;
    if (modal !== undefined) {
      const fields = JSON.stringify(modal.raw['components'] ?? [])
        .match(/"custom_id":"[^"]+"/g)
        ?.map((field) => field.slice(13, -1));
      return `(modal "${modal.title}" — answer with: modal ${(fields ?? []).map((field) => `${field} = …`).join('; ')})`;
    }
    const message = reply.message;
    if (message === undefined) return '(no answer)';
    const names = this.#names();
    const followUps = reply.followUps.map(
      (followUp) =>
        `\n\n(follow-up${(followUp.flags & EPHEMERAL) !== 0 ? ', only you can see this' : ''})\n${renderMessageText(followUp, { names })}`,
    );
    return `${reply.ephemeral ? '(only you can see this)\n' : ''}${renderMessageText(message, { names })}${followUps.join('')}`;
  }

  #numbered(messages: readonly SimulatedMessage[]): string {
    if (messages.length === 0) return '(no messages)';
    const names = this.#names();
    return messages.map((message, index) => `#${index + 1}\n${renderChannelText([message], { names })}`).join('\n\n');
  }

  #lastReply(): InteractionReply {
    const reply = this.#last.get(this.#user.id);
    if (reply === undefined) throw new Error(`${this.#user.username} has no answer yet: run a command or click first.`);
    return reply;
  }

  #channelNamed(name: string): SimulatedGuildChannel {
    const wanted = name.replace(/^#/, '');
    const channel = this.#options.channels.find((candidate) => this.#channelName(candidate) === wanted);
    if (channel === undefined) {
      throw new Error(
        `No channel "#${wanted}". Channels: ${this.#options.channels.map((c) => `#${this.#channelName(c)}`).join(', ')}.`,
      );
    }
    return channel;
  }

  #channelName(channel: SimulatedGuildChannel): string {
    return channel.name;
  }

  #memberNames(): string {
    return this.#options.members.map((member) => member.username).join(', ');
  }

  #names(): Record<string, string> {
    const names: Record<string, string> = {};
    for (const member of this.#options.members) names[member.id] = member.username;
    for (const channel of this.#options.channels) names[channel.id] = this.#channelName(channel);
    for (const role of this.#options.guild.roles.list()) names[role.id] = role.name;
    return names;
  }
}
