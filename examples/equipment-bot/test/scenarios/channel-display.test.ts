import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReservation } from '../../src/domain/services/reservations.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

describe.each(DIALECTS)('the reservation channel (%s)', (dialect) => {
  let world: BotWorld;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    await world.start();
  });

  afterEach(async () => {
    await world.close();
  });

  async function seedItems(): Promise<{ drill: number; saw: number; ladder: number; camera: number }> {
    const { repos, guild } = world;
    const now = Date.now();
    const tools = await repos.tags.create(guild.id, 'Tools', now, 2);
    const video = await repos.tags.create(guild.id, 'Video', now, 1);
    const saw = await repos.equipment.create({ guildId: guild.id, name: 'Saw', tagId: tools.id }, now);
    const drill = await repos.equipment.create({ guildId: guild.id, name: 'Drill', tagId: tools.id }, now);
    const camera = await repos.equipment.create({ guildId: guild.id, name: 'Camera', tagId: video.id }, now);
    const ladder = await repos.equipment.create({ guildId: guild.id, name: 'Ladder' }, now);
    return { drill: drill.id, saw: saw.id, ladder: ladder.id, camera: camera.id };
  }

  it('4: a guild set up with no equipment shows exactly one message, the guide with Overall Management', async () => {
    await world.setUp();
    expect(world.titles()).toEqual(['Please register equipment']);
    const [guide] = world.channel.messages;
    const buttons = (guide!.components as { components: { label: string }[] }[]).flatMap((row) => row.components);
    expect(buttons.map((button) => button.label)).toEqual(['Overall Management']);
  });

  it('6: deletes what a member writes in the reservation channel, and nothing elsewhere', async () => {
    await world.setUp();
    const written = world.alice.sendMessage(world.channel, 'is the drill free?');
    const elsewhere = world.alice.sendMessage(world.general, 'hello');
    await expect.poll(() => world.sim.getMessage(world.channel.id, written.id), { timeout: 5_000 }).toBeUndefined();
    expect(world.sim.getMessage(world.general.id, elsewhere.id)?.content).toBe('hello');
    expect(world.titles()).toEqual(['Please register equipment']);
  });

  it('7 and 8: header, then one embed per item by tag order then name, untagged last, with its status', async () => {
    await seedItems();
    await world.setUp();
    expect(world.titles()).toEqual([
      'Equipment reservations',
      '[Video] Camera',
      '[Tools] Drill',
      '[Tools] Saw',
      'Ladder',
    ]);
    const camera = world.channel.messages[1]!.embeds[0] as { fields: { name: string; value: string }[] };
    expect(camera.fields[0]).toEqual({ name: 'Status', value: 'Available' });
  });

  it('9: a reservation edits only its item’s message; unchanged messages get no API call', async () => {
    const { drill } = await seedItems();
    await world.setUp();
    const ids = world.channel.messages.map((message) => message.id);
    const writes = world.sim.getWrites({ channelId: world.channel.id }).length;
    const start = Date.now() + 86_400_000;
    const made = await createReservation(
      world.app.database,
      {
        guildId: world.guild.id,
        equipmentId: drill,
        userId: world.alice.id,
        startAt: start,
        endAt: start + 3_600_000,
        locationId: null,
      },
      Date.now(),
    );
    expect(made.ok).toBe(true);
    await world.render();
    const after = world.sim.getWrites({ channelId: world.channel.id }).slice(writes);
    expect(after.map((write) => [write.kind, write.messageId])).toEqual([['edit', ids[2]]]);
    const drillEmbed = world.channel.messages[2]!.embeds[0] as { fields: { value: string }[] };
    expect(drillEmbed.fields[2]!.value).toContain(`<@${world.alice.id}>`);
  });

  it('11: a message deleted by hand while the bot was offline is rebuilt in order at start, with no duplicates', async () => {
    await seedItems();
    await world.setUp();
    await world.stopBot();
    const [, , drill] = world.channel.messages;
    await world.sim.handle({
      method: 'DELETE',
      path: `/api/v10/channels/${world.channel.id}/messages/${drill!.id}`,
      headers: { authorization: `Bot ${world.sim.token}` },
    });
    expect(world.titles()).not.toContain('[Tools] Drill');

    await world.start();
    await world.app.manager.onIdle();
    expect(world.titles()).toEqual([
      'Equipment reservations',
      '[Video] Camera',
      '[Tools] Drill',
      '[Tools] Saw',
      'Ladder',
    ]);
    const stored = world.app.manager.getManagedMessages().map((managed) => managed.messageId);
    expect(stored).toEqual(world.channel.messages.map((message) => message.id));
  });

  it('11: the same at run time, when an edit meets a 404', async () => {
    const { saw } = await seedItems();
    await world.setUp();
    const sawMessage = world.channel.messages[3]!;
    await world.sim.handle({
      method: 'DELETE',
      path: `/api/v10/channels/${world.channel.id}/messages/${sawMessage.id}`,
      headers: { authorization: `Bot ${world.sim.token}` },
    });
    const start = Date.now() + 86_400_000;
    await createReservation(
      world.app.database,
      {
        guildId: world.guild.id,
        equipmentId: saw,
        userId: world.bob.id,
        startAt: start,
        endAt: start + 3_600_000,
        locationId: null,
      },
      Date.now(),
    );
    await world.app.bot.refresh(world.guild.id, { kind: 'action', equipmentId: saw });
    await expect
      .poll(() => world.titles(), { timeout: 10_000 })
      .toEqual(['Equipment reservations', '[Video] Camera', '[Tools] Drill', '[Tools] Saw', 'Ladder']);
    await world.app.manager.onIdle();
    const stored = world.app.manager.getManagedMessages().map((managed) => managed.messageId);
    expect(stored).toEqual(world.channel.messages.map((message) => message.id));
  });
});
