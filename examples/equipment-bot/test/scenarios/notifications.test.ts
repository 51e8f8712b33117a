import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { returnReservation } from '../../src/domain/services/returns.js';
import { NotificationText } from '../../src/jobs/reservation-jobs.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(DIALECTS)('time-driven updates and notifications (%s)', (dialect) => {
  let world: BotWorld;
  let drill: number;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    await world.start();
    const tag = await world.repos.tags.create(world.guild.id, 'Tools', world.now(), 1);
    drill = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill', tagId: tag.id }, world.now()))
      .id;
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  /** Reserves the drill as a user would (the wizard's confirm): the reservation, then its jobs. */
  const reserve = (userId: string, startAt: number, endAt: number) =>
    world.reserve({ equipmentId: drill, userId, startAt, endAt });

  /** The reminder of a reservation with nothing after it. */
  const lastReminder = (endAt: number) => `${NotificationText.reminder('Drill', endAt)}\n${NotificationText.noNext}`;

  const drillStatus = () =>
    (world.channel.messages[1]!.embeds[0] as { fields: { name: string; value: string }[] }).fields[0]!.value;

  it('10: a reservation starting and ending with no user action updates the embed (the job loop re-renders)', async () => {
    const start = world.now() + 10 * MINUTE;
    await reserve(world.alice.id, start, start + HOUR);
    await world.render();
    expect(drillStatus()).toBe('Available');
    await world.advance(10 * MINUTE + 1);
    await expect.poll(drillStatus, { timeout: 5_000 }).toBe(`Loaned - User: <@${world.alice.id}>`);
  });

  it('28: 15 minutes before the end, a DM naming the item — with the extension line when nothing follows', async () => {
    const start = world.now() + MINUTE;
    const mine = await reserve(world.alice.id, start, start + HOUR);
    await reserve(world.bob.id, mine.endAt + 2 * HOUR, mine.endAt + 3 * HOUR);
    const bobs = await reserve(world.bob.id, start + 5 * HOUR, start + 6 * HOUR);
    await world.advance(HOUR - 15 * MINUTE + MINUTE);
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([NotificationText.reminder('Drill', mine.endAt)]);
    await world.advance(bobs.endAt - world.now() - 15 * MINUTE + 1);
    expect(world.bob.dms.messages.map((m) => m.content)).toContain(
      `${NotificationText.reminder('Drill', bobs.endAt)}\n${NotificationText.noNext}`,
    );
  });

  it('29: not returned by the end → an overdue DM, repeated per guild setting, stopped by the return', async () => {
    await world.repos.guildSettings.setOverdueRepeatMinutes(world.guild.id, 30, world.now());
    const start = world.now() + MINUTE;
    const mine = await reserve(world.alice.id, start, start + HOUR);
    await world.advance(HOUR + 2 * MINUTE);
    const overdue = NotificationText.overdue('Drill', mine.endAt);
    expect(world.alice.dms.messages.filter((m) => m.content === overdue)).toHaveLength(1);
    await world.advance(30 * MINUTE);
    expect(world.alice.dms.messages.filter((m) => m.content === overdue)).toHaveLength(2);
    const returned = await returnReservation(world.app.database, {
      reservationId: mine.id,
      userId: world.alice.id,
      locationId: null,
      now: world.now(),
    });
    expect(returned.ok).toBe(true);
    await world.advance(2 * HOUR);
    expect(world.alice.dms.messages.filter((m) => m.content === overdue)).toHaveLength(2);
  });

  it('30: the next reserver is told when the previous borrower has not returned the item', async () => {
    const start = world.now() + MINUTE;
    const first = await reserve(world.alice.id, start, start + HOUR);
    await reserve(world.bob.id, first.endAt, first.endAt + HOUR);
    await world.advance(HOUR + 2 * MINUTE);
    expect(world.bob.dms.messages.map((m) => m.content)).toContain(NotificationText.blocked('Drill'));
  });

  it('31: DMs closed → a notice in the channel mentions the user; the DM is sent once DMs work; once only', async () => {
    world.alice.setDmsOpen(false);
    const start = world.now() + MINUTE;
    const mine = await reserve(world.alice.id, start, start + HOUR);
    await world.advance(HOUR - 15 * MINUTE + MINUTE);
    expect(world.alice.dms.messages).toEqual([]);
    const notices = () => world.channel.messages.filter((m) => m.content.startsWith(`<@${world.alice.id}>`));
    expect(notices().map((m) => m.content)).toEqual([`<@${world.alice.id}> ${NotificationText.enableDms}`]);
    world.alice.setDmsOpen(true);
    await world.advance(10 * MINUTE + 1);
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([lastReminder(mine.endAt)]);
    // The notice goes away, and is not posted again.
    await world.advance(MINUTE);
    expect(notices()).toEqual([]);
    await world.advance(HOUR);
    expect(world.alice.dms.messages.filter((m) => m.content === lastReminder(mine.endAt))).toHaveLength(1);
  });

  it('37: jobs live in the database — after a restart they run, and nothing already sent is sent again', async () => {
    const start = world.now() + MINUTE;
    const mine = await reserve(world.alice.id, start, start + HOUR);
    await world.advance(HOUR - 15 * MINUTE + MINUTE);
    expect(world.alice.dms.messages).toHaveLength(1);
    await world.stopBot();
    await world.start();
    await world.advance(20 * MINUTE);
    const contents = world.alice.dms.messages.map((m) => m.content);
    expect(contents.filter((c) => c === lastReminder(mine.endAt))).toHaveLength(1);
    expect(contents).toContain(NotificationText.overdue('Drill', mine.endAt));
  });
});
