import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelDisplay, type DisplayChannel } from '../../src/display/channel-display.js';
import type { EquipmentView, Tag } from '../../src/domain/model.js';

const GUILD = '1100000000000000000';

function item(id: number, name: string, tag: Tag | null, upcoming = 0): EquipmentView {
  return {
    equipment: {
      id,
      guildId: GUILD,
      name,
      tagId: tag?.id ?? null,
      unavailable: false,
      unavailableReason: null,
      currentLocationId: null,
      defaultReturnLocationId: null,
      createdAt: 0,
    },
    tag,
    status: 'Available',
    currentLoan: null,
    locationName: null,
    defaultReturnLocationName: null,
    upcoming: Array.from({ length: upcoming }, (_, index) => ({
      id: index + 1,
      equipmentId: id,
      userId: '1200000000000000001',
      startAt: Date.UTC(2030, 0, 1 + index),
      endAt: Date.UTC(2030, 0, 1 + index, 2),
      locationId: null,
      status: 'confirmed' as const,
      returnedAt: null,
      returnLocationId: null,
      returnedBy: null,
      createdAt: 0,
    })),
  };
}

describe('ChannelDisplay on the DiscordSimulator', () => {
  let sim: DiscordSimulator;
  let rest: REST;
  let manager: MessageUpdateManager;
  let channelId: string;
  let views: EquipmentView[];
  const tagA: Tag = { id: 1, guildId: GUILD, name: 'A', sortOrder: 1 };

  const channel = (): DisplayChannel => ({
    botUserId: sim.applicationId(),
    listMessages: async () =>
      sim.listMessages(channelId).map((message) => ({
        id: message.id,
        authorId: message.author.kind === 'bot' ? message.author.userId : 'someone',
        embedCount: message.embeds.length,
      })),
    deleteMessage: async (id, messageId) => {
      await rest.delete(`/channels/${id}/messages/${messageId}`);
    },
  });
  const display = (): ChannelDisplay =>
    new ChannelDisplay(manager, { listEquipmentViews: async () => views }, channel(), () => Date.UTC(2029, 0, 1));
  const shown = () => sim.listMessages(channelId).map((message) => message.embeds[0] as { title: string });

  beforeEach(async () => {
    sim = await DiscordSimulator.start({ timeScale: 0.05 });
    rest = new REST({ api: sim.url, retries: 0, offset: 0 }).setToken(sim.token);
    channelId = sim.createChannel({ name: 'reservations' }).id;
    manager = new MessageUpdateManager({ rest });
    await manager.start();
    views = [item(1, 'Drill', tagA), item(2, 'Saw', tagA), item(3, 'Ladder', null)];
  });

  afterEach(async () => {
    await manager.stop();
    await sim.close();
  });

  it('shows the header then one message per item in order (scenario 7)', async () => {
    await Promise.all(await display().render(GUILD, channelId, { kind: 'structure' }));
    expect(shown().map((embed) => embed.title)).toEqual(['Equipment reservations', '[A] Drill', '[A] Saw', 'Ladder']);
  });

  it('edits only the changed item; an insertion re-sequences by editing in place and appends one (scenario 9)', async () => {
    const board = display();
    await Promise.all(await board.render(GUILD, channelId, { kind: 'structure' }));
    const ids = sim.listMessages(channelId).map((message) => message.id);
    sim.resetStats();
    const writesBefore = sim.getWrites({ channelId }).length;

    views = [item(1, 'Drill', tagA), item(2, 'Saw', tagA, 1), item(3, 'Ladder', null)];
    await Promise.all(await board.render(GUILD, channelId, { kind: 'action', equipmentId: 2 }));
    const afterChange = sim.getWrites({ channelId }).slice(writesBefore);
    expect(afterChange.map((write) => [write.kind, write.messageId])).toEqual([['edit', ids[2]]]);

    views = [item(1, 'Drill', tagA), item(4, 'Hammer', tagA), item(2, 'Saw', tagA, 1), item(3, 'Ladder', null)];
    const before = sim.getWrites({ channelId }).length;
    await Promise.all(await board.render(GUILD, channelId, { kind: 'structure' }));
    const inserted = sim.getWrites({ channelId }).slice(before);
    // Slots 2 and 3 change content, slot 4 is new; the header and slot 1 are untouched.
    expect(inserted.map((write) => write.kind).sort()).toEqual(['create', 'edit', 'edit']);
    expect(
      sim
        .listMessages(channelId)
        .map((message) => message.id)
        .slice(0, 4),
    ).toEqual(ids);
    expect(shown().map((embed) => embed.title)).toEqual([
      'Equipment reservations',
      '[A] Drill',
      '[A] Hammer',
      '[A] Saw',
      'Ladder',
    ]);

    views = [item(1, 'Drill', tagA), item(3, 'Ladder', null)];
    await Promise.all(await board.render(GUILD, channelId, { kind: 'structure' }));
    expect(shown().map((embed) => embed.title)).toEqual(['Equipment reservations', '[A] Drill', 'Ladder']);
  });

  it('rebuilds the channel in order when a message was deleted by hand, with no duplicates (scenario 11)', async () => {
    const board = display();
    await Promise.all(await board.render(GUILD, channelId, { kind: 'structure' }));
    const [, second] = sim.listMessages(channelId);
    await rest.delete(`/channels/${channelId}/messages/${second!.id}`);
    // An orphan the bot left behind (say, from a crash between create and store).
    await rest.post(`/channels/${channelId}/messages`, { body: { embeds: [{ title: 'orphan' }] } });

    expect(await board.reconcile(GUILD, channelId)).toBe(true);
    expect(shown().map((embed) => embed?.title)).toEqual(['Equipment reservations', '[A] Drill', '[A] Saw', 'Ladder']);
    const stored = manager.getManagedMessages().map((managed) => managed.messageId);
    expect(stored).toEqual(sim.listMessages(channelId).map((message) => message.id));
    // Nothing to do the second time.
    expect(await board.reconcile(GUILD, channelId)).toBe(false);
  });

  it('renders a guild one plan at a time, so a slow older plan never lands after a newer one', async () => {
    await Promise.all(await display().render(GUILD, channelId, { kind: 'structure' }));
    await manager.onIdle();
    // The first render reads the old order slowly; the second, started later, reads the new order at once.
    const before = [...views];
    const after = [views[2]!, views[0]!, views[1]!];
    let calls = 0;
    const racing = new ChannelDisplay(
      manager,
      {
        listEquipmentViews: async () => {
          calls += 1;
          if (calls === 1) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return before;
          }
          return after;
        },
      },
      channel(),
      () => Date.UTC(2029, 0, 1),
    );
    const first = racing.render(GUILD, channelId, { kind: 'structure' });
    const second = racing.render(GUILD, channelId, { kind: 'structure' });
    await Promise.all([...(await first), ...(await second)]);
    await manager.onIdle();
    expect(shown().map((embed) => embed.title)).toEqual(['Equipment reservations', 'Ladder', '[A] Drill', '[A] Saw']);
  });
});
