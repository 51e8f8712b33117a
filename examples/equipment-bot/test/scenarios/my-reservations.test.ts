import type { SimulatedMessage, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reservation } from '../../src/domain/model.js';
import { cancelReservation } from '../../src/domain/services/reservations.js';
import { formatJstRange } from '../../src/domain/time.js';
import { MineText, changeButtonId } from '../../src/discord/flows/mine-flow.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(DIALECTS)('Check/Change Reservation (%s)', (dialect) => {
  let world: BotWorld;
  let drill: number;
  let saw: number;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    await world.start();
    drill = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill' }, world.now())).id;
    saw = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Saw' }, world.now())).id;
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  const reserve = (user: SimulatedUser, equipmentId: number, startAt: number, endAt: number) =>
    world.reserve({ equipmentId, userId: user.id, startAt, endAt });

  const itemMessage = (name: string): SimulatedMessage => {
    const found = world.channel.messages.find((m) => (m.embeds[0] as { title?: string } | undefined)?.title === name);
    if (found === undefined) throw new Error(`no embed for ${name}`);
    return found;
  };
  const open = (user: SimulatedUser, name: string) => user.clickButton(itemMessage(name), 'Check/Change Reservation');
  const upcomingField = (name: string) =>
    (itemMessage(name).embeds[0] as { fields: { name: string; value: string }[] }).fields.find(
      (field) => field.name === 'Upcoming reservations',
    )?.value;
  const range = (reservation: Reservation) => formatJstRange(reservation.startAt, reservation.endAt);
  /** The drill's log entries of cancelled reservations. */
  const cancellations = async () =>
    (
      await world.repos.logs.list({ guildId: world.guild.id, equipmentId: drill, from: 0, to: world.now() + MINUTE })
    ).filter((entry) => entry.action === 'reservation.cancelled');

  it('17: lists only the caller’s own confirmed current and upcoming reservations of that item, in JST', async () => {
    const now = world.now();
    // In progress (started half an hour ago): stored as it would be after its start.
    const current = await world.repos.reservations.insert(
      {
        equipmentId: drill,
        userId: world.alice.id,
        startAt: now - 30 * MINUTE,
        endAt: now + 30 * MINUTE,
        locationId: null,
      },
      now,
    );
    const later = await reserve(world.alice, drill, now + DAY, now + DAY + HOUR);
    const soon = await reserve(world.alice, drill, now + 2 * HOUR, now + 3 * HOUR);
    const cancelled = await reserve(world.alice, drill, now + 4 * HOUR, now + 5 * HOUR);
    expect(
      (await cancelReservation(world.app.database, { reservationId: cancelled.id, userId: world.alice.id }, now)).ok,
    ).toBe(true);
    const returned = await world.repos.reservations.insert(
      { equipmentId: drill, userId: world.alice.id, startAt: now - 3 * HOUR, endAt: now - 2 * HOUR, locationId: null },
      now,
    );
    await world.repos.reservations.markReturned(returned.id, {
      at: now - 2 * HOUR,
      locationId: null,
      by: world.alice.id,
    });
    await reserve(world.bob, drill, now + 6 * HOUR, now + 7 * HOUR);
    await reserve(world.alice, saw, now + 2 * HOUR, now + 3 * HOUR);
    await world.render();

    const reply = await open(world.alice, 'Drill');
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(MineText.list('Drill', 0, 1));
    const [select] = reply.components;
    expect(select?.label).toBe(MineText.placeholder);
    expect(select?.options.map((option) => option.value)).toEqual([current, soon, later].map((r) => String(r.id)));
    expect(select?.options.map((option) => option.label)).toEqual([current, soon, later].map(range));
    expect(select?.options.map((option) => option.label)[1]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}–/);

    // Bob sees only his own.
    const bobs = await open(world.bob, 'Drill');
    expect(bobs.components[0]?.options).toHaveLength(1);
    // On the saw, alice has one; with none, it says so.
    expect((await open(world.alice, 'Saw')).components[0]?.options).toHaveLength(1);
    const none = await open(world.bob, 'Saw');
    expect(none.content).toBe(MineText.none('Saw'));
    expect(none.components).toEqual([]);
  });

  it('17: choosing one shows its details and the actions; ← Back returns to the list in place', async () => {
    const start = world.now() + 2 * HOUR;
    const mine = await reserve(world.alice, drill, start, start + HOUR);
    await world.render();
    const list = await open(world.alice, 'Drill');
    const details = await list.selectOptions(MineText.placeholder, [String(mine.id)]);
    expect(details.message?.id).toBe(list.message?.id);
    expect(details.content).toBe(MineText.details('Drill', range(mine), null, MineText.phase.upcoming));
    expect(details.components.map((c) => c.label)).toEqual([
      'Change Date/Time',
      'Cancel Reservation',
      'Transfer Owner',
      '← Back',
    ]);
    // The lead's reservation wizard routes this one.
    expect(details.components[0]?.customId).toBe(changeButtonId(mine.id));
    expect(details.components[0]?.customId).toBe(`v1:reserve:change:-:${mine.id}`);
    const back = await details.clickButton('← Back');
    expect(back.message?.id).toBe(list.message?.id);
    expect(back.content).toBe(MineText.list('Drill', 0, 1));
    expect(back.components[0]?.options.map((o) => o.value)).toEqual([String(mine.id)]);
  });

  it('17: more than 25 reservations are paginated, and ← Back keeps the page', async () => {
    const base = world.now() + HOUR;
    const all: Reservation[] = [];
    for (let i = 0; i < 30; i++)
      all.push(await reserve(world.alice, drill, base + i * HOUR, base + i * HOUR + 30 * MINUTE));
    const list = await open(world.alice, 'Drill');
    expect(list.content).toBe(MineText.list('Drill', 0, 2));
    expect(list.components.map((c) => c.label)).toEqual([MineText.placeholder, 'Previous Page', 'Next Page']);
    expect(list.components[0]?.options).toHaveLength(25);
    expect(list.components[1]?.disabled).toBe(true);
    const second = await list.clickButton('Next Page');
    expect(second.content).toBe(MineText.list('Drill', 1, 2));
    expect(second.components[0]?.options.map((o) => o.value)).toEqual(all.slice(25).map((r) => String(r.id)));
    expect(second.components[2]?.disabled).toBe(true);
    const details = await second.selectOptions(MineText.placeholder, [String(all[27]!.id)]);
    expect(details.content).toContain(range(all[27]!));
    const back = await details.clickButton('← Back');
    expect(back.content).toBe(MineText.list('Drill', 1, 2));
  });

  it('19: Cancel asks to confirm (← Back keeps the choice), then cancels once, updates the embed, logs, drops the reminders', async () => {
    const start = world.now() + 2 * HOUR;
    const mine = await reserve(world.alice, drill, start, start + HOUR);
    await world.render();
    expect(upcomingField('Drill')).toContain(`<@${world.alice.id}>`);
    expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.id}`)).toMatchObject({ status: 'pending' });
    const drillMessageId = itemMessage('Drill').id;

    const details = await (await open(world.alice, 'Drill')).selectOptions(MineText.placeholder, [String(mine.id)]);
    const confirm = await details.clickButton('Cancel Reservation');
    expect(confirm.content).toBe(MineText.confirmCancel('Drill', range(mine)));
    expect(confirm.components.map((c) => c.label)).toEqual([MineText.confirmCancelLabel, '← Back']);
    const back = await confirm.clickButton('← Back');
    expect(back.content).toBe(MineText.details('Drill', range(mine), null, MineText.phase.upcoming));
    expect((await world.repos.reservations.get(mine.id))?.status).toBe('confirmed');

    const again = await back.clickButton('Cancel Reservation');
    const [done, twice] = await Promise.all([
      again.clickButton(MineText.confirmCancelLabel),
      again.clickButton(MineText.confirmCancelLabel),
    ]);
    expect(done.deferred || twice.deferred).toBe(true);
    expect(done.message?.id).toBe(details.message?.id);
    await expect.poll(() => done.content).toBe(MineText.cancelled('Drill', range(mine)));
    expect(done.components).toEqual([]);

    expect((await world.repos.reservations.get(mine.id))?.status).toBe('cancelled');
    expect(await cancellations()).toHaveLength(1);
    for (const key of [
      `reminder:${mine.id}`,
      `overdue:${mine.id}:0`,
      `render:${mine.id}:start`,
      `blocked:${mine.id}`,
    ]) {
      expect(await world.repos.jobs.getByDedupeKey(key)).toBeNull();
    }
    await world.app.manager.onIdle();
    await expect.poll(() => upcomingField('Drill'), { timeout: 5_000 }).toBe('No reservations');
    // The item's message was edited, not replaced.
    expect(itemMessage('Drill').id).toBe(drillMessageId);
    // No reminder comes for it any more.
    await world.advance(3 * HOUR);
    expect(world.alice.dms.messages).toEqual([]);
  });

  it('19: the confirmation of a reservation cancelled meanwhile changes nothing and says so', async () => {
    const start = world.now() + 2 * HOUR;
    const mine = await reserve(world.alice, drill, start, start + HOUR);
    const details = await (await open(world.alice, 'Drill')).selectOptions(MineText.placeholder, [String(mine.id)]);
    const confirm = await details.clickButton('Cancel Reservation');
    expect(
      (await cancelReservation(world.app.database, { reservationId: mine.id, userId: world.alice.id }, world.now())).ok,
    ).toBe(true);
    const late = await confirm.clickButton(MineText.confirmCancelLabel);
    expect(late.content).toBe(`${MineText.notCancellable}\n\n${MineText.none('Drill')}`);
    expect(await cancellations()).toHaveLength(1);
  });
});
