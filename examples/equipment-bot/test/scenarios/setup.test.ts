import type { SimulatedGuildChannel, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetupText } from '../../src/discord/flows/setup-flow.js';
import { RouterText } from '../../src/discord/interactions/router.js';
import { BotWorld, SESSION_VARIANTS } from '../support/bot-world.js';

describe.each(SESSION_VARIANTS)('/setup ($dialect, sessions in $sessionStore)', ({ dialect, sessionStore }) => {
  let world: BotWorld;
  let admin: SimulatedUser;

  beforeEach(async () => {
    world = await BotWorld.create(dialect, { sessionStore });
    admin = world.addAdmin();
    await world.start();
  });

  afterEach(async () => {
    await world.close();
  });

  const botMessages = (channel: SimulatedGuildChannel) =>
    channel.messages.filter((message) => message.author.kind === 'bot');

  it('1: a non-admin cannot see /setup; allowed by the guild all the same, the bot refuses and saves nothing', async () => {
    await expect(world.alice.runCommand('setup', {}, { channel: world.channel })).rejects.toMatchObject({
      code: 'COMMAND_NOT_PERMITTED',
    });
    // An admin lets everyone use the command (Server Settings → Integrations): the handler checks again.
    world.guild.setCommandPermissions('setup', [{ target: world.guild.roles.everyone, allow: true }]);
    const reply = await world.alice.runCommand('setup', {}, { channel: world.channel });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(SetupText.refused);
    expect(reply.components).toEqual([]);
    expect(await world.repos.guildSettings.get(world.guild.id)).toBeNull();
  });

  it('2: an admin is asked to confirm the channel; Cancel writes nothing', async () => {
    const reply = await admin.runCommand('setup', {}, { channel: world.channel });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('Set this channel as the reservation channel. Is that okay?');
    expect(reply.components.map((component) => component.label)).toEqual(['Confirm', 'Cancel']);
    const cancelled = await reply.clickButton('Cancel');
    expect(cancelled.content).toBe(SetupText.cancelled);
    expect(cancelled.components).toEqual([]);
    // The same ephemeral message, edited in place.
    expect(cancelled.message?.id).toBe(reply.message?.id);
    expect(await world.repos.guildSettings.get(world.guild.id)).toBeNull();
    // The old Confirm is gone with its session.
    expect(botMessages(world.channel)).toEqual([]);
  });

  it('a menu left for longer than its session lives says it expired, and does nothing', async () => {
    const reply = await admin.runCommand('setup', {}, { channel: world.channel });
    await world.advance(16 * 60_000);
    const late = await reply.clickButton('Confirm');
    expect(late.content).toBe(RouterText.expired);
    expect(late.components).toEqual([]);
    expect(await world.repos.guildSettings.get(world.guild.id)).toBeNull();
  });

  it('3: a missing bot permission in the channel stops setup with the list of what is missing', async () => {
    world.channel.setOverwrite(world.guild.botRole(), { deny: ['MANAGE_MESSAGES', 'EMBED_LINKS'] });
    const reply = await admin.runCommand('setup', {}, { channel: world.channel });
    const refused = await reply.clickButton('Confirm');
    expect(refused.content).toBe(SetupText.missing(world.channel.id, ['Manage Messages', 'Embed Links']));
    expect(refused.components).toEqual([]);
    expect(await world.repos.guildSettings.get(world.guild.id)).toBeNull();
  });

  it('4: roles step with Skip / Next, summary with ← Back keeping the choice, Complete saves and shows the guide', async () => {
    const staff = world.guild.roles.create({ name: 'staff' });
    const reply = await admin.runCommand('setup', {}, { channel: world.channel });
    const roles = await reply.clickButton('Confirm');
    expect(roles.content).toBe(SetupText.roles);
    expect(roles.components.map((component) => component.label)).toEqual(['Admin roles', 'Skip', 'Next']);
    const chosen = await roles.selectOptions('Admin roles', [staff]);
    const summary = await chosen.clickButton('Next');
    expect(summary.content).toBe(SetupText.summary(world.channel.id, [staff.id]));
    expect(summary.components.map((component) => component.label)).toEqual(['← Back', 'Complete']);
    const back = await summary.clickButton('← Back');
    // The choice is kept: the select shows it.
    expect(back.components[0]?.raw['default_values']).toEqual([{ id: staff.id, type: 'role' }]);
    const again = await back.clickButton('Next');
    expect(again.content).toBe(SetupText.summary(world.channel.id, [staff.id]));
    // A double click: two identical interactions before the first is answered. One completes; the other changes
    // nothing (it neither writes again nor replaces the answer).
    const [complete, twice] = await Promise.all([again.clickButton('Complete'), again.clickButton('Complete')]);
    expect(twice.deferred || complete.deferred).toBe(true);
    expect(complete.content).toBe(SetupText.complete(world.channel.id));
    expect(complete.message?.id).toBe(reply.message?.id);
    const settings = await world.repos.guildSettings.get(world.guild.id);
    expect(settings).toMatchObject({ reservationChannelId: world.channel.id, adminRoleIds: [staff.id] });
    // The wizard's state was where SESSION_STORE says: the finished session's row stays until it expires.
    const rows = await world.app.database.db.selectFrom('wizard_sessions').selectAll().execute();
    expect(rows.map((row) => [row.flow, row.finished_at !== null])).toEqual(
      sessionStore === 'database' ? [['setup', true]] : [],
    );
    await world.app.manager.onIdle();
    await expect.poll(() => botMessages(world.channel).length).toBe(1);
    expect(world.titles()).toEqual(['Please register equipment']);
    const logs = await world.repos.logs.list({ guildId: world.guild.id, from: 0, to: Date.now() + 60_000 });
    expect(logs.filter((entry) => entry.action === 'settings.channel-set')).toHaveLength(1);
  });

  it('4: Skip leaves the admin roles empty', async () => {
    const reply = await admin.runCommand('setup', {}, { channel: world.channel });
    const summary = await (await reply.clickButton('Confirm')).clickButton('Skip');
    expect(summary.content).toBe(SetupText.summary(world.channel.id, []));
    await summary.clickButton('Complete');
    expect(await world.repos.guildSettings.get(world.guild.id)).toMatchObject({ adminRoleIds: [] });
  });

  it('5: /setup in another channel moves the display there and deletes the old channel’s messages', async () => {
    const first = await admin.runCommand('setup', {}, { channel: world.channel });
    await (await (await first.clickButton('Confirm')).clickButton('Skip')).clickButton('Complete');
    await world.app.manager.onIdle();
    await expect.poll(() => botMessages(world.channel).length).toBe(1);
    const second = await admin.runCommand('setup', {}, { channel: world.general });
    await (await (await second.clickButton('Confirm')).clickButton('Skip')).clickButton('Complete');
    await world.app.manager.onIdle();
    await expect.poll(() => botMessages(world.general).length).toBe(1);
    expect(botMessages(world.channel)).toEqual([]);
    expect(await world.repos.guildSettings.get(world.guild.id)).toMatchObject({
      reservationChannelId: world.general.id,
    });
  });
});
