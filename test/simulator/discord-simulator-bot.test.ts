import { Client, GatewayDispatchEvents, GatewayIntentBits, InteractionType, MessageFlags } from '@discordjs/core';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/testing/index.js';
import type { SimulatedGuild, SimulatedGuildChannel, SimulatedUser } from '../../src/testing/index.js';

/** The bot under test: an unmodified @discordjs/core client, wired as any bot is (REST + WebSocketManager). */
interface Bot {
  readonly rest: REST;
  readonly gateway: WebSocketManager;
  readonly client: Client;
  readonly dispatches: { t: string; d: unknown }[];
}

const INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.MessageContent |
  GatewayIntentBits.DirectMessages |
  GatewayIntentBits.GuildMembers;

function startBot(sim: DiscordSimulator, intents = INTENTS): Bot {
  const rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(sim.token);
  const gateway = new WebSocketManager({ token: sim.token, intents, rest });
  const client = new Client({ rest, gateway });
  const dispatches: { t: string; d: unknown }[] = [];
  gateway.on(WebSocketShardEvents.Dispatch, (payload) => {
    dispatches.push({ t: payload.t, d: payload.d });
  });
  return { rest, gateway, client, dispatches };
}

/** Resolves with the first dispatch of a type that matches, already received or to come. */
function nextDispatch(bot: Bot, t: string, match: (d: never) => boolean = () => true, after = 0): Promise<unknown> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const found = bot.dispatches.slice(after).find((entry) => entry.t === t && match(entry.d as never));
      if (found) resolve(found.d);
      return found !== undefined;
    };
    if (check()) return;
    const listener = (): void => {
      if (check()) bot.gateway.off(WebSocketShardEvents.Dispatch, listener);
    };
    bot.gateway.on(WebSocketShardEvents.Dispatch, listener);
  });
}

describe('DiscordSimulator with an unmodified @discordjs/core bot', () => {
  let sim: DiscordSimulator;
  let guild: SimulatedGuild;
  let channel: SimulatedGuildChannel;
  let alice: SimulatedUser;
  let bot: Bot;

  beforeEach(async () => {
    sim = await DiscordSimulator.start({ gateway: { heartbeatIntervalMs: 5_000 } });
    guild = sim.guilds.create({ name: 'Club' });
    channel = guild.channels.create({ name: 'equipment' });
    alice = guild.members.create({ username: 'alice' });
    bot = startBot(sim);
  });

  afterEach(async () => {
    await bot.gateway.destroy();
    await sim.close();
  });

  it('connects with nothing but a REST pointed at the simulator, gets READY then GUILD_CREATE with channels, roles and its member', async () => {
    const ready = nextDispatch(bot, 'READY');
    const guildCreate = nextDispatch(bot, 'GUILD_CREATE');
    await bot.gateway.connect();
    const readyData = (await ready) as { session_id: string; user: { id: string }; guilds: unknown[] };
    expect(readyData.user.id).toBe(sim.applicationId());
    expect(readyData.guilds).toEqual([{ id: guild.id, unavailable: true }]);
    const created = (await guildCreate) as {
      id: string;
      channels: { id: string; name: string }[];
      roles: { id: string; name: string; permissions: string }[];
      members: { user: { id: string } }[];
    };
    expect(created.id).toBe(guild.id);
    expect(created.channels.map((c) => c.name)).toEqual(['equipment']);
    expect(created.roles.map((r) => r.name)).toContain('@everyone');
    // Without GUILD_PRESENCES, only the bot's own member.
    expect(created.members.map((m) => m.user.id)).toEqual([sim.applicationId()]);
  });

  it('survives a forced disconnect: it resumes and receives the dispatch sent while it was away', async () => {
    await bot.gateway.connect();
    await nextDispatch(bot, 'GUILD_CREATE');
    const resumed = nextDispatch(bot, 'RESUMED');
    sim.gateway.disconnect();
    // While the bot is away, alice writes.
    const message = alice.sendMessage(channel, 'are you there?');
    await resumed;
    const seen = (await nextDispatch(bot, 'MESSAGE_CREATE', (d: { id: string }) => d.id === message.id)) as {
      content: string;
      guild_id: string;
      member: unknown;
    };
    expect(seen).toMatchObject({ content: 'are you there?', guild_id: guild.id });
    expect(seen.member).toBeDefined();
    expect(bot.dispatches.filter((entry) => entry.t === 'READY')).toHaveLength(1);
    expect(sim.gateway.sessions()[0]).toMatchObject({ resumed: 1, connected: true });
  });

  it('answers a slash command and a button click, and its reply is what alice sees', async () => {
    bot.client.on(GatewayDispatchEvents.InteractionCreate, async ({ data: interaction, api }) => {
      if (interaction.type === InteractionType.ApplicationCommand) {
        await api.interactions.reply(interaction.id, interaction.token, {
          content: 'Reserve the projector?',
          flags: MessageFlags.Ephemeral,
          components: [
            {
              type: 1,
              components: [
                { type: 2, style: 3, label: 'Confirm', custom_id: 'v1:reserve:confirm' },
                { type: 2, style: 2, label: 'Cancel', custom_id: 'v1:reserve:cancel' },
              ],
            },
          ],
        });
      } else if (interaction.type === InteractionType.MessageComponent) {
        await api.interactions.updateMessage(interaction.id, interaction.token, {
          content: `Reserved by <@${interaction.member?.user.id ?? '?'}>`,
          components: [],
        });
      }
    });
    await bot.gateway.connect();
    await nextDispatch(bot, 'GUILD_CREATE');
    await bot.client.api.applicationCommands.bulkOverwriteGlobalCommands(sim.applicationId(), [
      { name: 'reserve', description: 'Reserve an item' },
    ]);

    const reply = await alice.runCommand('reserve');
    expect(reply.type).toBe(4);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('Reserve the projector?');
    expect(reply.components.map((c) => c.label)).toEqual(['Confirm', 'Cancel']);
    // Ephemeral: alice sees it, the channel does not.
    expect(alice.messagesIn(channel).map((m) => m.content)).toEqual(['Reserve the projector?']);
    expect(channel.messages).toEqual([]);

    const clicked = await reply.clickButton('Confirm');
    expect(clicked.type).toBe(7);
    expect(reply.content).toBe(`Reserved by <@${alice.id}>`);
    expect(reply.components).toEqual([]);
  });

  it('edits a deferred reply, and sends a DM — refused with 50007 once alice closes her DMs', async () => {
    const outcomes: string[] = [];
    bot.client.on(GatewayDispatchEvents.InteractionCreate, async ({ data: interaction, api }) => {
      if (interaction.type !== InteractionType.ApplicationCommand) return;
      await api.interactions.defer(interaction.id, interaction.token, { flags: MessageFlags.Ephemeral });
      const userId = interaction.member!.user.id;
      try {
        const dm = await api.users.createDM(userId);
        await api.channels.createMessage(dm.id, { content: 'Your reservation is confirmed.' });
        outcomes.push('sent');
      } catch (error) {
        outcomes.push(error instanceof DiscordAPIError ? `${error.status} ${String(error.code)}` : 'other');
      }
      await api.interactions.editReply(interaction.application_id, interaction.token, { content: 'Done.' });
    });
    await bot.gateway.connect();
    await nextDispatch(bot, 'GUILD_CREATE');
    await bot.client.api.applicationCommands.bulkOverwriteGuildCommands(sim.applicationId(), guild.id, [
      { name: 'confirm', description: 'Confirm by DM' },
    ]);

    const reply = await alice.runCommand('confirm');
    expect(reply.deferred).toBe(true);
    const edited = await reply.waitForMessage();
    expect(edited.content).toBe('Done.');
    expect(alice.dms.messages.map((m) => m.content)).toEqual(['Your reservation is confirmed.']);

    alice.setDmsOpen(false);
    const second = await alice.runCommand('confirm');
    await second.waitForMessage();
    expect(outcomes).toEqual(['sent', '403 50007']);
    expect(alice.dms.messages).toHaveLength(1);
  });

  it('is refused with 50013 where an overwrite denies it Send Messages, and 50001 where it cannot see the channel', async () => {
    await bot.gateway.connect();
    await nextDispatch(bot, 'GUILD_CREATE');
    const botRole = guild.botRole();
    channel.setOverwrite(botRole, { deny: ['SEND_MESSAGES'] });
    const hidden = guild.channels.create({ name: 'staff' });
    hidden.setOverwrite(guild.roles.everyone, { deny: ['VIEW_CHANNEL'] });

    const refusal = (channelId: string): Promise<unknown> =>
      bot.client.api.channels.createMessage(channelId, { content: 'hi' }).then(
        () => 'sent',
        (error: unknown) => (error instanceof DiscordAPIError ? [error.status, error.code, error.message] : error),
      );
    expect(await refusal(channel.id)).toEqual([403, 50013, 'Missing Permissions']);
    expect(await refusal(hidden.id)).toEqual([403, 50001, 'Missing Access']);
    // An allow for the bot's member beats its role's deny (member overwrites come last).
    channel.setOverwrite({ id: sim.applicationId(), type: 1 }, { allow: ['SEND_MESSAGES'] });
    expect(await refusal(channel.id)).toBe('sent');
  });
});
