import { Client, GatewayDispatchEvents, GatewayIntentBits, InteractionType, MessageFlags } from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { expect, it, onTestFinished } from 'vitest';

// Your bot, unmodified: it only needs a REST and a gateway, as against Discord.
function createBot(rest: REST, gateway: WebSocketManager): Client {
  const client = new Client({ rest, gateway });
  client.on(GatewayDispatchEvents.InteractionCreate, async ({ data: interaction, api }) => {
    if (interaction.type === InteractionType.ApplicationCommand) {
      await api.interactions.reply(interaction.id, interaction.token, {
        content: 'Borrow the drill?',
        flags: MessageFlags.Ephemeral,
        components: [{ type: 1, components: [{ type: 2, style: 3, label: 'Confirm', custom_id: 'borrow:yes' }] }],
      });
    } else if (interaction.type === InteractionType.MessageComponent) {
      await api.interactions.updateMessage(interaction.id, interaction.token, { content: 'Enjoy!', components: [] });
    }
  });
  return client;
}

it('lets a member borrow the drill', async () => {
  // Setup: five lines.
  const sim = await DiscordSimulator.start();
  onTestFinished(() => sim.close());
  const rest = new REST({ api: sim.url }).setToken(sim.token);
  const gateway = new WebSocketManager({ token: sim.token, intents: GatewayIntentBits.Guilds, rest });
  const bot = createBot(rest, gateway);
  onTestFinished(() => gateway.destroy());

  const guild = sim.guilds.create({ name: 'Club' });
  const channel = guild.channels.create({ name: 'equipment' });
  const alice = guild.members.create({ username: 'alice' });
  await gateway.connect();
  await bot.api.applicationCommands.bulkOverwriteGlobalCommands(sim.applicationId(), [
    { name: 'borrow', description: 'Borrow an item' },
  ]);

  const reply = await alice.runCommand('borrow', {}, { channel }); // resolves once the bot has answered
  expect(reply.content).toBe('Borrow the drill?');
  await reply.clickButton('Confirm');
  expect(reply.content).toBe('Enjoy!'); // the same ephemeral message, edited in place
  expect(channel.messages).toEqual([]); // nobody else saw it
});
