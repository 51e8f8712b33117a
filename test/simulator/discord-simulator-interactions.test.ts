import {
  Client,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionType,
  MessageFlags,
  type APIInteraction,
  type API,
} from '@discordjs/core';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents, type SessionInfo } from '@discordjs/ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordSimulator, FakeClock, SimulatedUserError } from '../../src/testing/index.js';
import type { SimulatedGuild, SimulatedGuildChannel, SimulatedUser } from '../../src/testing/index.js';

type Handler = (interaction: APIInteraction, api: API) => Promise<void>;

/** An unmodified @discordjs/core bot whose interaction handler each test sets, and the errors its calls met. */
class TestBot {
  public readonly rest: REST;
  public readonly gateway: WebSocketManager;
  public readonly client: Client;
  public readonly errors: unknown[] = [];
  public readonly dispatches: { t: string; d: Record<string, unknown> }[] = [];
  public handler: Handler = async () => {};

  public constructor(sim: DiscordSimulator, intents: number, token = sim.token) {
    this.rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(token);
    // Each bot keeps its own session store: @discordjs/ws's default one is shared by every manager in the process.
    const sessions = new Map<number, SessionInfo | null>();
    this.gateway = new WebSocketManager({
      token,
      intents,
      rest: this.rest,
      retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
      updateSessionInfo: (shardId, info) => void sessions.set(shardId, info),
    });
    this.client = new Client({ rest: this.rest, gateway: this.gateway });
    this.gateway.on(WebSocketShardEvents.Dispatch, (payload) => {
      this.dispatches.push({ t: payload.t, d: payload.d as unknown as Record<string, unknown> });
    });
    this.client.on(GatewayDispatchEvents.InteractionCreate, ({ data, api }) => {
      this.handler(data, api).catch((error: unknown) => this.errors.push(error));
    });
  }

  /** Connects and waits for the guild's GUILD_CREATE. */
  public async connect(): Promise<void> {
    const ready = this.next('GUILD_CREATE');
    await this.gateway.connect();
    await ready;
  }

  /** The first dispatch of a type (and matching), already received or to come. */
  public next(
    t: string,
    match: (d: Record<string, unknown>) => boolean = () => true,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const find = (): boolean => {
        const found = this.dispatches.find((entry) => entry.t === t && match(entry.d));
        if (found) resolve(found.d);
        return found !== undefined;
      };
      if (find()) return;
      const listener = (): void => {
        if (find()) this.gateway.off(WebSocketShardEvents.Dispatch, listener);
      };
      this.gateway.on(WebSocketShardEvents.Dispatch, listener);
    });
  }

  /** The Discord error codes the bot's calls were refused with. */
  public errorCodes(): unknown[] {
    return this.errors.map((error) => (error instanceof DiscordAPIError ? error.code : String(error)));
  }
}

const ALL_INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.MessageContent |
  GatewayIntentBits.DirectMessages |
  GatewayIntentBits.GuildMembers;

const COMMANDS = [
  { name: 'lend', description: 'Lend an item' },
  {
    name: 'setup',
    description: 'Set the bot up',
    default_member_permissions: '8',
    options: [{ type: 7, name: 'channel', description: 'Where items are shown', required: true }],
  },
];

describe('DiscordSimulator interactions with a @discordjs/core bot', () => {
  let sim: DiscordSimulator;
  let guild: SimulatedGuild;
  let channel: SimulatedGuildChannel;
  let alice: SimulatedUser;
  let bot: TestBot;

  beforeEach(async () => {
    sim = await DiscordSimulator.start();
    guild = sim.guilds.create({ name: 'Club' });
    channel = guild.channels.create({ name: 'equipment' });
    alice = guild.members.create({ username: 'alice' });
    bot = new TestBot(sim, ALL_INTENTS);
    await bot.connect();
    await bot.client.api.applicationCommands.bulkOverwriteGuildCommands(sim.applicationId(), guild.id, COMMANDS);
  });

  afterEach(async () => {
    await bot.gateway.destroy();
    await sim.close();
  });

  it('sends INTERACTION_CREATE with the member, their permissions, the bot’s permissions, locale and options', async () => {
    let received: APIInteraction | undefined;
    bot.handler = async (interaction, api) => {
      received = interaction;
      await api.interactions.reply(interaction.id, interaction.token, { content: 'ok' });
    };
    const admin = guild.roles.create({ name: 'admin', permissions: ['ADMINISTRATOR'] });
    const owner = guild.members.create({ username: 'olga', roles: [admin], locale: 'ja' });
    await owner.runCommand('setup', { channel });
    expect(received).toMatchObject({
      type: 2,
      application_id: sim.applicationId(),
      guild_id: guild.id,
      channel_id: channel.id,
      locale: 'ja',
      guild_locale: 'en-US',
      context: 0,
      version: 1,
      data: { name: 'setup', type: 1, options: [{ name: 'channel', type: 7, value: channel.id }] },
      member: { user: { id: owner.id, username: 'olga' } },
    });
    const data = received!.data as { resolved?: { channels?: Record<string, { name: string }> } };
    expect(data.resolved?.channels?.[channel.id]?.name).toBe('equipment');
    // Administrator: every permission; the bot has its managed role's.
    expect(BigInt((received as { member: { permissions: string } }).member.permissions) & 8n).toBe(8n);
    expect(BigInt((received as { app_permissions: string }).app_permissions) & 2048n).toBe(2048n);
  });

  it('keeps commands behind default_member_permissions from members without them', async () => {
    await expect(alice.runCommand('setup', { channel })).rejects.toMatchObject({
      name: 'SimulatedUserError',
      code: 'COMMAND_NOT_PERMITTED',
    });
    await expect(alice.runCommand('nope')).rejects.toMatchObject({ code: 'UNKNOWN_COMMAND' });
    await expect(sim.ownerOf(guild).runCommand('setup', {})).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it("lets the guild's command permissions override default_member_permissions, user over role over @everyone", async () => {
    bot.handler = async (interaction, api) => {
      await api.interactions.reply(interaction.id, interaction.token, { content: 'ok', flags: MessageFlags.Ephemeral });
    };
    const staff = guild.roles.create({ name: 'staff' });
    const bob = guild.members.create({ username: 'bob', roles: [staff] });
    const carol = guild.members.create({ username: 'carol' });
    const other = guild.channels.create({ name: 'other' });
    guild.setCommandPermissions('setup', [
      { target: staff, allow: true },
      { target: bob, allow: false },
      { target: guild.roles.everyone, allow: true },
      { target: other, allow: false },
    ]);
    // alice: no own overwrite, no role one: @everyone allows.
    expect((await alice.runCommand('setup', { channel }, { channel })).content).toBe('ok');
    // bob: his own overwrite denies, whatever his role allows.
    await expect(bob.runCommand('setup', { channel }, { channel })).rejects.toMatchObject({
      code: 'COMMAND_NOT_PERMITTED',
    });
    // The channel overwrite denies it there, for everyone but administrators.
    await expect(carol.runCommand('setup', { channel }, { channel: other })).rejects.toMatchObject({
      code: 'COMMAND_NOT_PERMITTED',
    });
    expect((await sim.ownerOf(guild).runCommand('setup', { channel }, { channel: other })).content).toBe('ok');
    // Removing the overwrites restores default_member_permissions.
    guild.setCommandPermissions('setup', []);
    await expect(alice.runCommand('setup', { channel }, { channel })).rejects.toMatchObject({
      code: 'COMMAND_NOT_PERMITTED',
    });
    expect(() => guild.setCommandPermissions('nope', [])).toThrow(/command/);
  });

  it('opens a modal and receives its submission, string and user selects, all in one ephemeral message edited in place', async () => {
    const bob = guild.members.create({ username: 'bob' });
    bot.handler = async (interaction, api) => {
      if (interaction.type === InteractionType.ApplicationCommand) {
        await api.interactions.createModal(interaction.id, interaction.token, {
          custom_id: 'v1:lend:modal',
          title: 'Lend an item',
          components: [
            {
              type: 18,
              label: 'Item',
              component: { type: 4, custom_id: 'item', style: 1, min_length: 2, max_length: 20 },
            },
          ],
        });
      } else if (interaction.type === InteractionType.ModalSubmit) {
        const item = (interaction.data.components[0] as unknown as { component: { value: string } }).component.value;
        await api.interactions.reply(interaction.id, interaction.token, {
          content: `Lend ${item} to whom?`,
          flags: MessageFlags.Ephemeral,
          components: [
            { type: 1, components: [{ type: 5, custom_id: 'v1:lend:user', placeholder: 'Borrower' }] },
            {
              type: 1,
              components: [
                {
                  type: 3,
                  custom_id: 'v1:lend:days',
                  placeholder: 'How long',
                  options: [
                    { label: '1 day', value: '1' },
                    { label: '7 days', value: '7' },
                  ],
                },
              ],
            },
          ],
        });
      } else if (interaction.type === InteractionType.MessageComponent) {
        const data = interaction.data as { custom_id: string; values: string[]; resolved?: { users: object } };
        const picked =
          data.custom_id === 'v1:lend:user'
            ? `user ${Object.keys(data.resolved!.users)[0]!}`
            : `${data.values[0]!} days`;
        await api.interactions.updateMessage(interaction.id, interaction.token, { content: `Picked ${picked}` });
      }
    };
    const modal = await alice.runCommand('lend');
    expect(modal.type).toBe(9);
    expect(modal.modal?.title).toBe('Lend an item');
    await expect(modal.submitModal({ item: 'x' })).rejects.toMatchObject({ code: 'INVALID_MODAL_VALUES' });
    const wizard = await modal.submitModal({ item: 'projector' });
    expect(wizard.ephemeral).toBe(true);
    expect(wizard.content).toBe('Lend projector to whom?');
    await wizard.selectOptions('Borrower', [bob]);
    expect(wizard.content).toBe(`Picked user ${bob.id}`);
    await wizard.selectOptions('v1:lend:days', ['7']);
    expect(wizard.content).toBe('Picked 7 days');
    await expect(wizard.selectOptions('How long', ['30'])).rejects.toThrow(SimulatedUserError);
    // One message, edited in place: alice sees one ephemeral message, nobody else sees any.
    expect(alice.messagesIn(channel)).toHaveLength(1);
    expect(bob.messagesIn(channel)).toHaveLength(0);
  });

  it('refuses what Discord refuses: a second answer (40060), UPDATE_MESSAGE for a command, 6 buttons in a row (50035)', async () => {
    bot.handler = async (interaction, api) => {
      const attempts: Promise<unknown>[] = [
        api.interactions.updateMessage(interaction.id, interaction.token, { content: 'no message to update' }),
      ];
      await Promise.allSettled(attempts).then((results) => {
        for (const result of results) if (result.status === 'rejected') bot.errors.push(result.reason);
      });
      const buttons = Array.from({ length: 6 }, (_, index) => ({
        type: 2,
        style: 1,
        label: `b${index}`,
        custom_id: `b${index}`,
      }));
      await api.interactions
        .reply(interaction.id, interaction.token, {
          content: 'too many',
          components: [{ type: 1, components: buttons }],
        })
        .catch((error: unknown) => bot.errors.push(error));
      await api.interactions.reply(interaction.id, interaction.token, { content: 'first' });
      await api.interactions.reply(interaction.id, interaction.token, { content: 'second' });
    };
    const reply = await alice.runCommand('lend');
    expect(reply.content).toBe('first');
    await expect.poll(() => bot.errors.length).toBe(3);
    expect(bot.errorCodes()).toEqual([50035, 50035, 40060]);
    const rowError = (bot.errors[1] as DiscordAPIError).rawError as { errors: unknown };
    expect(rowError.errors).toEqual({
      data: {
        components: {
          '0': {
            components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' }] },
          },
        },
      },
    });
  });

  it('resolves role and channel selects, refuses a modal in answer to a modal, and answers with_response', async () => {
    const staff = guild.roles.create({ name: 'staff' });
    const seen: unknown[] = [];
    bot.handler = async (interaction, api) => {
      if (interaction.type === InteractionType.ApplicationCommand) {
        const answer = await api.interactions.reply(interaction.id, interaction.token, {
          with_response: true,
          content: 'Pick',
          components: [
            { type: 1, components: [{ type: 6, custom_id: 'role', placeholder: 'Role' }] },
            { type: 1, components: [{ type: 8, custom_id: 'channel', placeholder: 'Channel' }] },
            { type: 1, components: [{ type: 2, style: 1, label: 'Form', custom_id: 'form' }] },
          ],
        });
        seen.push(answer);
        return;
      }
      if (interaction.type === InteractionType.MessageComponent) {
        const data = interaction.data as { custom_id: string; resolved?: Record<string, Record<string, unknown>> };
        if (data.custom_id === 'form') {
          await api.interactions.createModal(interaction.id, interaction.token, {
            custom_id: 'm',
            title: 'Form',
            components: [{ type: 18, label: 'Why', component: { type: 4, custom_id: 'why', style: 2 } }],
          });
          return;
        }
        seen.push(data.resolved);
        await api.interactions.deferMessageUpdate(interaction.id, interaction.token);
        return;
      }
      if (interaction.type === InteractionType.ModalSubmit) {
        await api.interactions
          .createModal(interaction.id, interaction.token, {
            custom_id: 'again',
            title: 'Again',
            components: [{ type: 18, label: 'Why', component: { type: 4, custom_id: 'why', style: 2 } }],
          })
          .catch((error: unknown) => bot.errors.push(error));
        await api.interactions.reply(interaction.id, interaction.token, { content: 'thanks' });
      }
    };
    const reply = await alice.runCommand('lend');
    // The bot reads the callback's answer after the simulator has seen the callback.
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({
      interaction: { type: 2, response_message_id: reply.message?.id, response_message_ephemeral: false },
      resource: { type: 4, message: { content: 'Pick' } },
    });
    const roleClick = await reply.selectOptions('Role', [staff]);
    expect(roleClick.type).toBe(6);
    await reply.selectOptions('Channel', [channel]);
    expect(seen[1]).toMatchObject({ roles: { [staff.id]: { name: 'staff' } } });
    expect(seen[2]).toMatchObject({ channels: { [channel.id]: { name: 'equipment', type: 0 } } });
    await expect(reply.selectOptions('Role', [channel])).rejects.toMatchObject({ code: 'INVALID_SELECTION' });

    const form = await reply.clickButton('Form');
    const submitted = await form.submitModal({ why: 'a talk' });
    expect(submitted.content).toBe('thanks');
    expect(bot.errorCodes()).toEqual([50035]);
  });

  it('closes the gateway with 4014 when the bot asks for a privileged intent its application has not enabled', async () => {
    const strict = await DiscordSimulator.start({ privilegedIntents: 0 });
    const rest = new REST({ api: strict.url, retries: 0 }).setToken(strict.token);
    const manager = new WebSocketManager({
      token: strict.token,
      intents: GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent,
      rest,
      retrieveSessionInfo: () => null,
      updateSessionInfo: () => undefined,
    });
    const errors: Error[] = [];
    manager.on(WebSocketShardEvents.Error, (error) => errors.push(error));
    try {
      await expect(manager.connect()).rejects.toThrow('Used disallowed intents');
      expect(errors.map((error) => error.message)).toEqual(['Used disallowed intents']);
      expect(strict.gateway.log()).toContainEqual(expect.objectContaining({ type: 'closed', code: 4014 }));
      // Listing members follows the portal switch too.
      strict.guilds.create({ name: 'Club' });
      const guildId = strict.guilds.list()[0]!.id;
      await expect(rest.get(`/guilds/${guildId}/members`)).rejects.toMatchObject({ code: 50001, status: 403 });
    } finally {
      await manager.destroy();
      await strict.close();
    }
  });

  it('lets a follow-up after a deferral fill the thinking message, then adds ephemeral follow-ups only alice sees', async () => {
    bot.handler = async (interaction, api) => {
      await api.interactions.defer(interaction.id, interaction.token);
      await api.interactions.followUp(interaction.application_id, interaction.token, { content: 'filled' });
      await api.interactions.followUp(interaction.application_id, interaction.token, {
        content: 'just for you',
        flags: MessageFlags.Ephemeral,
      });
    };
    const bob = guild.members.create({ username: 'bob' });
    const reply = await alice.runCommand('lend');
    const filled = await reply.waitForMessage();
    expect(filled.content).toBe('filled');
    await expect.poll(() => reply.followUps.length).toBe(1);
    expect(reply.followUps[0]?.content).toBe('just for you');
    expect(alice.messagesIn(channel).map((m) => m.content)).toEqual(['filled', 'just for you']);
    expect(bob.messagesIn(channel).map((m) => m.content)).toEqual(['filled']);
    expect(channel.messages.map((m) => m.content)).toEqual(['filled']);
  });

  it('dispatches MESSAGE_CREATE / UPDATE / DELETE for the bot’s own messages, and strips content without MESSAGE_CONTENT', async () => {
    const sent = await bot.client.api.channels.createMessage(channel.id, { content: 'board' });
    await bot.client.api.channels.editMessage(channel.id, sent.id, { content: 'board v2' });
    await bot.client.api.channels.deleteMessage(channel.id, sent.id);
    expect(await bot.next('MESSAGE_CREATE', (d) => d['id'] === sent.id)).toMatchObject({ content: 'board' });
    expect(await bot.next('MESSAGE_UPDATE', (d) => d['id'] === sent.id)).toMatchObject({ content: 'board v2' });
    expect(await bot.next('MESSAGE_DELETE', (d) => d['id'] === sent.id)).toEqual({
      id: sent.id,
      channel_id: channel.id,
      guild_id: guild.id,
    });

    // A second bot in the guild, connected without MESSAGE_CONTENT.
    const label = sim.addToken('quiet-bot-token');
    const quiet = new TestBot(sim, GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages, 'quiet-bot-token');
    await quiet.connect();
    try {
      const message = alice.sendMessage(channel, 'secret plans');
      const mention = alice.sendMessage(channel, `<@${sim.applicationId(label)}> hello`);
      expect(await quiet.next('MESSAGE_CREATE', (d) => d['id'] === message.id)).toMatchObject({ content: '' });
      expect(await quiet.next('MESSAGE_CREATE', (d) => d['id'] === mention.id)).toMatchObject({
        content: `<@${sim.applicationId(label)}> hello`,
      });
      expect(await bot.next('MESSAGE_CREATE', (d) => d['id'] === message.id)).toMatchObject({
        content: 'secret plans',
      });
    } finally {
      await quiet.gateway.destroy();
    }
  });

  it('dispatches channel, role and member changes', async () => {
    const role = guild.roles.create({ name: 'staff', permissions: ['MANAGE_MESSAGES'] });
    guild.members.setRoles(alice, [role]);
    channel.setOverwrite(role, { allow: ['MENTION_EVERYONE'] });
    role.setPermissions(['MANAGE_MESSAGES', 'KICK_MEMBERS']);
    role.delete();
    expect(await bot.next('GUILD_ROLE_CREATE')).toMatchObject({ guild_id: guild.id, role: { name: 'staff' } });
    expect(await bot.next('GUILD_MEMBER_UPDATE', (d) => (d['user'] as { id: string }).id === alice.id)).toMatchObject({
      guild_id: guild.id,
      roles: [role.id],
    });
    expect(await bot.next('CHANNEL_UPDATE')).toMatchObject({
      id: channel.id,
      permission_overwrites: [{ id: role.id, type: 0, allow: '131072', deny: '0' }],
    });
    expect(await bot.next('GUILD_ROLE_UPDATE')).toMatchObject({ role: { permissions: String(8192 + 2) } });
    expect(await bot.next('GUILD_ROLE_DELETE')).toEqual({ guild_id: guild.id, role_id: role.id });
    const staff = guild.channels.create({ name: 'staff' });
    expect(await bot.next('CHANNEL_CREATE', (d) => d['id'] === staff.id)).toMatchObject({ name: 'staff', type: 0 });
  });

  it('serves the REST routes a bot needs: itself, its application, guilds, roles, members, channels and history', async () => {
    const api = bot.client.api;
    expect(await api.users.getCurrent()).toMatchObject({ id: sim.applicationId(), bot: true });
    expect(await api.applications.getCurrent()).toMatchObject({ id: sim.applicationId() });
    expect(await api.guilds.get(guild.id)).toMatchObject({ id: guild.id, name: 'Club', owner_id: guild.ownerId });
    expect((await api.guilds.getRoles(guild.id)).map((r) => r.name)).toContain('@everyone');
    expect(await api.guilds.getMember(guild.id, alice.id)).toMatchObject({ user: { id: alice.id } });
    expect((await api.guilds.getMembers(guild.id, { limit: 10 })).length).toBe(guild.members.ids().length);
    expect((await api.guilds.getChannels(guild.id)).map((c) => c.name)).toEqual(['equipment']);
    expect(await api.channels.get(channel.id)).toMatchObject({ id: channel.id, type: 0, guild_id: guild.id });
    const commands = await api.applicationCommands.getGuildCommands(sim.applicationId(), guild.id);
    expect(commands.map((c) => c.name)).toEqual(['lend', 'setup']);
    // Re-registering keeps ids (idempotent).
    const again = await api.applicationCommands.bulkOverwriteGuildCommands(sim.applicationId(), guild.id, COMMANDS);
    expect(again.map((c) => c.id)).toEqual(commands.map((c) => c.id));

    alice.sendMessage(channel, 'one');
    alice.sendMessage(channel, 'two');
    expect((await api.channels.getMessages(channel.id)).map((m) => m.content)).toEqual(['two', 'one']);
    const ids = (await api.channels.getMessages(channel.id)).map((m) => m.id);
    // Without Read Message History the list is empty, not an error.
    channel.setOverwrite(guild.botRole(), { deny: ['READ_MESSAGE_HISTORY'] });
    expect(await api.channels.getMessages(channel.id)).toEqual([]);
    channel.removeOverwrite(guild.botRole());
    await api.channels.bulkDeleteMessages(channel.id, ids);
    expect(channel.messages).toEqual([]);
    await expect(api.guilds.get('1000000000000000001')).rejects.toMatchObject({ code: 10004 });
  });
});

describe('DiscordSimulator interaction lifecycle on an injected clock', () => {
  let clock: FakeClock;
  let sim: DiscordSimulator;
  let alice: SimulatedUser;
  let bot: TestBot;
  let channel: SimulatedGuildChannel;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    sim = await DiscordSimulator.start({ clock });
    const guild = sim.guilds.create({ name: 'Club' });
    channel = guild.channels.create({ name: 'equipment' });
    alice = guild.members.create({ username: 'alice' });
    bot = new TestBot(sim, ALL_INTENTS);
    await bot.connect();
    await bot.client.api.applicationCommands.bulkOverwriteGlobalCommands(sim.applicationId(), COMMANDS);
  });

  afterEach(async () => {
    await bot.gateway.destroy();
    await sim.close();
  });

  it('kills an interaction not answered within 3 s: the user sees a failure, a late callback gets 10062', async () => {
    let answer: (() => Promise<unknown>) | undefined;
    bot.handler = async (interaction, api) => {
      answer = () => api.interactions.reply(interaction.id, interaction.token, { content: 'late' });
    };
    const pending = alice.runCommand('lend');
    pending.catch(() => undefined);
    await expect.poll(() => answer).toBeDefined();
    await clock.advance(3_001);
    await expect(pending).rejects.toMatchObject({ code: 'NOT_ANSWERED' });
    await expect(answer!()).rejects.toMatchObject({ code: 10062, status: 404 });
    expect(channel.messages).toEqual([]);
  });

  it('accepts follow-ups for 15 minutes, then answers 401 Invalid Webhook Token (50027)', async () => {
    let followUp: ((content: string) => Promise<unknown>) | undefined;
    bot.handler = async (interaction, api) => {
      await api.interactions.reply(interaction.id, interaction.token, { content: 'first' });
      followUp = (content) => api.interactions.followUp(interaction.application_id, interaction.token, { content });
    };
    await alice.runCommand('lend');
    await expect.poll(() => followUp).toBeDefined();
    await clock.advance(14 * 60_000);
    await followUp!('still in time');
    await clock.advance(60_001);
    await expect(followUp!('too late')).rejects.toMatchObject({ code: 50027, status: 401 });
    expect(channel.messages.map((m) => m.content)).toEqual(['first', 'still in time']);
  });
});
