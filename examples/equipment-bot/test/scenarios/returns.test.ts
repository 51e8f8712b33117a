import type { InteractionReply, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReturnText } from '../../src/discord/flows/return-flow.js';
import type { Location, Reservation } from '../../src/domain/model.js';
import { getEquipmentView } from '../../src/domain/services/equipment-views.js';
import { cancelReturn, correctReturnLocation } from '../../src/domain/services/returns.js';
import { CORRECTION_CLOSED_MESSAGE } from '../../src/domain/slots.js';
import { NotificationText } from '../../src/jobs/reservation-jobs.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(DIALECTS)('return and correction (%s)', (dialect) => {
  let world: BotWorld;
  let camera: number;
  let shelfA: Location;
  let shelfB: Location;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    await world.start();
    shelfA = await world.repos.locations.create(world.guild.id, 'Shelf A', world.now());
    shelfB = await world.repos.locations.create(world.guild.id, 'Shelf B', world.now());
    camera = (
      await world.repos.equipment.create(
        { guildId: world.guild.id, name: 'Camera', defaultReturnLocationId: shelfA.id },
        world.now(),
      )
    ).id;
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  /** Reserves the camera as the reservation wizard does (the reservation, then its jobs). */
  const reserve = (user: SimulatedUser, startAt: number, endAt: number) =>
    world.reserve({ equipmentId: camera, userId: user.id, startAt, endAt });

  /** A loan in progress: a reservation from a minute from now, for `durationMs`, then the clock past its start. */
  async function loan(user: SimulatedUser, durationMs = HOUR): Promise<Reservation> {
    const start = world.now() + MINUTE;
    const reservation = await reserve(user, start, start + durationMs);
    await world.advance(2 * MINUTE);
    return reservation;
  }

  const cameraMessage = () => world.channel.messages[1]!;
  const cameraStatus = () =>
    (cameraMessage().embeds[0] as { fields: { name: string; value: string }[] }).fields[0]!.value;
  const reservation = async (id: number) => (await world.repos.reservations.get(id))!;
  const view = async () => (await getEquipmentView(world.app.database.db, camera, world.now()))!;
  const labels = (reply: InteractionReply) => reply.components.map((component) => component.label);
  const chosenOptions = (reply: InteractionReply) =>
    reply.components[0]!.options.filter((option) => option.default).map((option) => option.label);
  const logActions = async () =>
    (await world.repos.logs.list({ guildId: world.guild.id, equipmentId: camera, from: 0, to: world.now() + 1 }))
      .map((entry) => entry.action)
      .reverse();
  const openReturn = (user: SimulatedUser) => user.clickButton(cameraMessage(), 'Return');
  /** Returns the loan to the default location through the flow. */
  async function returnToDefault(user: SimulatedUser): Promise<InteractionReply> {
    return (await openReturn(user)).clickButton('Return');
  }

  it('24: Return pre-selects the default location; returning there completes at once — Available, location set, reminders stopped', async () => {
    const mine = await loan(world.alice);
    await expect.poll(cameraStatus).toBe(`Loaned - User: <@${world.alice.id}>`);
    expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.id}`)).toMatchObject({ status: 'pending' });

    const reply = await openReturn(world.alice);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(ReturnText.choose('Camera', 'Shelf A'));
    expect(labels(reply)).toEqual(['Return location', 'Return']);
    expect(reply.components[0]!.options.map((option) => option.label)).toEqual(['Shelf A', 'Shelf B']);
    expect(chosenOptions(reply)).toEqual(['Shelf A']);
    expect(reply.components[0]!.options[0]!.description).toBe(ReturnText.defaultDescription);

    const done = await reply.clickButton('Return');
    const returned = await reservation(mine.id);
    expect(returned).toMatchObject({ status: 'returned', returnLocationId: shelfA.id, returnedBy: world.alice.id });
    expect(done.message?.id).toBe(reply.message?.id);
    expect(done.content).toBe(
      `${ReturnText.returned('Camera', 'Shelf A')}\n${ReturnText.correctUntil(returned.returnedAt! + HOUR)}`,
    );
    expect(labels(done)).toEqual(['Cancel Return', 'Correct Location']);

    expect(await world.repos.equipment.get(camera)).toMatchObject({ currentLocationId: shelfA.id });
    expect(await view()).toMatchObject({ status: 'Available', locationName: 'Shelf A', currentLoan: null });
    await world.app.manager.onIdle();
    await expect.poll(cameraStatus).toBe('Available');
    expect(await logActions()).toEqual(['reservation.created', 'reservation.returned']);

    // Reminders stopped: no pending job is left, and neither the reminder nor the overdue DM comes.
    expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.id}`)).toBeNull();
    expect(await world.repos.jobs.getByDedupeKey(`overdue:${mine.id}:0`)).toBeNull();
    await world.advance(2 * HOUR);
    expect(world.alice.dms.messages).toEqual([]);
  });

  it('24: more than 25 locations are paginated; the default is chosen on its page and kept across pages', async () => {
    const rooms: Location[] = [];
    for (let n = 1; n <= 30; n += 1) {
      rooms.push(await world.repos.locations.create(world.guild.id, `Room ${String(n).padStart(2, '0')}`, world.now()));
    }
    const room28 = rooms[27]!;
    await world.repos.equipment.setLocations(camera, { defaultReturnLocationId: room28.id });
    const mine = await loan(world.alice);

    const reply = await openReturn(world.alice);
    // 32 locations by name: Room 01 … Room 30, Shelf A, Shelf B. Room 28 is on page 2.
    expect(reply.content).toBe(`${ReturnText.choose('Camera', 'Room 28')}\n${ReturnText.page(1, 2)}`);
    expect(reply.components[0]!.options).toHaveLength(7);
    expect(chosenOptions(reply)).toEqual(['Room 28']);
    expect(labels(reply)).toEqual(['Return location', '◀ Previous', 'Next ▶', 'Return']);
    expect(reply.components.find((c) => c.label === 'Next ▶')?.disabled).toBe(true);

    const first = await reply.clickButton('◀ Previous');
    expect(first.components[0]!.options).toHaveLength(25);
    expect(first.components[0]!.options[0]!.label).toBe('Room 01');
    expect(chosenOptions(first)).toEqual([]);
    expect(first.content).toBe(`${ReturnText.choose('Camera', 'Room 28')}\n${ReturnText.page(0, 2)}`);

    // Still the default: no question asked.
    const done = await first.clickButton('Return');
    expect(done.content.startsWith(ReturnText.returned('Camera', 'Room 28'))).toBe(true);
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: room28.id });
  });

  it('24: a member with no loan of the item is told so, and nothing changes', async () => {
    const mine = await loan(world.alice);
    const reply = await openReturn(world.bob);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(ReturnText.noLoan('Camera'));
    expect(reply.components).toEqual([]);
    expect(await reservation(mine.id)).toMatchObject({ status: 'confirmed', returnedAt: null });
  });

  it('25: another location asks "Are you sure this location is correct?"; ← Back keeps the choice; Yes returns there once', async () => {
    const mine = await loan(world.alice);
    const reply = await openReturn(world.alice);
    const picked = await reply.selectOptions('Return location', [String(shelfB.id)]);
    expect(picked.content).toBe(ReturnText.choose('Camera', 'Shelf B'));
    expect(chosenOptions(picked)).toEqual(['Shelf B']);

    const asked = await picked.clickButton('Return');
    expect(asked.content).toBe('Are you sure this location is correct?');
    expect(labels(asked)).toEqual(['Yes', '← Back']);
    expect(await reservation(mine.id)).toMatchObject({ status: 'confirmed' });

    const back = await asked.clickButton('← Back');
    expect(back.content).toBe(ReturnText.choose('Camera', 'Shelf B'));
    expect(chosenOptions(back)).toEqual(['Shelf B']);

    const again = await back.clickButton('Return');
    expect(again.content).toBe(ReturnText.confirmLocation);
    // A double click on Yes returns once.
    const [yes, twice] = await Promise.all([again.clickButton('Yes'), again.clickButton('Yes')]);
    expect(yes.deferred || twice.deferred).toBe(true);
    expect(yes.message?.id).toBe(reply.message?.id);
    expect(yes.content.startsWith(ReturnText.returned('Camera', 'Shelf B'))).toBe(true);
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: shelfB.id });
    expect(await world.repos.equipment.get(camera)).toMatchObject({ currentLocationId: shelfB.id });
    expect(await view()).toMatchObject({ status: 'Available', locationName: 'Shelf B' });
    expect((await logActions()).filter((action) => action === 'reservation.returned')).toHaveLength(1);
    await world.app.manager.onIdle();
    await expect.poll(cameraStatus).toBe('Available');
  });

  it('26: within the window the returner may Cancel Return — back to Loaned, reminders scheduled again', async () => {
    const mine = await loan(world.alice);
    const done = await returnToDefault(world.alice);
    await world.app.manager.onIdle();
    await expect.poll(cameraStatus).toBe('Available');
    await world.advance(10 * MINUTE);

    const asked = await done.clickButton('Cancel Return');
    expect(asked.content).toBe(ReturnText.confirmUndo('Camera'));
    expect(labels(asked)).toEqual(['Yes, cancel the return', '← Back']);
    // ← Back shows the answer again, the return untouched.
    const back = await asked.clickButton('← Back');
    expect(labels(back)).toEqual(['Cancel Return', 'Correct Location']);
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned' });

    const confirm = await back.clickButton('Cancel Return');
    const [undone, twice] = await Promise.all([
      confirm.clickButton('Yes, cancel the return'),
      confirm.clickButton('Yes, cancel the return'),
    ]);
    expect(undone.deferred || twice.deferred).toBe(true);
    expect(undone.content).toBe(ReturnText.undone('Camera', mine.endAt));
    expect(undone.components).toEqual([]);
    expect(await reservation(mine.id)).toMatchObject({
      status: 'confirmed',
      returnedAt: null,
      returnLocationId: null,
      returnedBy: null,
    });
    expect((await logActions()).filter((action) => action === 'reservation.return-cancelled')).toHaveLength(1);
    expect(await view()).toMatchObject({ status: 'Loaned' });
    await world.app.manager.onIdle();
    await expect.poll(cameraStatus).toBe(`Loaned - User: <@${world.alice.id}>`);

    // The loan's jobs are back: the reminder 15 minutes before the end, then the overdue notice.
    expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.id}`)).toMatchObject({ status: 'pending' });
    await world.advance(mine.endAt - 15 * MINUTE - world.now() + MINUTE);
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([
      `${NotificationText.reminder('Camera', mine.endAt)}\n${NotificationText.noNext}`,
    ]);
    await world.advance(15 * MINUTE);
    expect(world.alice.dms.messages.map((m) => m.content)).toContain(NotificationText.overdue('Camera', mine.endAt));
  });

  it('26: cancelling the return of an overdue loan resumes its repeated overdue notices', async () => {
    await world.repos.guildSettings.setOverdueRepeatMinutes(world.guild.id, 30, world.now());
    const mine = await loan(world.alice);
    // Each run of the job loop schedules the next round from its own time: one advance per round.
    await world.advance(HOUR);
    await world.advance(30 * MINUTE);
    const overdue = NotificationText.overdue('Camera', mine.endAt);
    const overdueDms = () => world.alice.dms.messages.filter((m) => m.content === overdue).length;
    expect(overdueDms()).toBe(2);

    const done = await returnToDefault(world.alice);
    await (await done.clickButton('Cancel Return')).clickButton('Yes, cancel the return');
    expect(await reservation(mine.id)).toMatchObject({ status: 'confirmed' });
    await world.advance(MINUTE);
    expect(overdueDms()).toBe(2);
    await world.advance(30 * MINUTE);
    expect(overdueDms()).toBe(3);
    await world.advance(30 * MINUTE);
    expect(overdueDms()).toBe(4);
  });

  it('26: within the window the returner may Correct Location; the item follows', async () => {
    const mine = await loan(world.alice);
    const done = await returnToDefault(world.alice);

    const fix = await done.clickButton('Correct Location');
    expect(fix.message?.id).toBe(done.message?.id);
    expect(fix.content).toBe(ReturnText.fix('Camera', 'Shelf A'));
    expect(chosenOptions(fix)).toEqual(['Shelf A']);
    expect(labels(fix)).toEqual(['Return location', '← Back', 'Save Location']);
    expect(fix.components.find((c) => c.label === 'Save Location')?.disabled).toBe(true);

    const picked = await fix.selectOptions('Return location', [String(shelfB.id)]);
    expect(picked.content).toBe(ReturnText.fix('Camera', 'Shelf B'));
    const saved = await picked.clickButton('Save Location');
    const corrected = await reservation(mine.id);
    expect(corrected).toMatchObject({ status: 'returned', returnLocationId: shelfB.id, returnedBy: world.alice.id });
    expect(saved.content).toBe(
      `${ReturnText.corrected('Camera', 'Shelf B')}\n${ReturnText.correctUntil(corrected.returnedAt! + HOUR)}`,
    );
    expect(labels(saved)).toEqual(['Cancel Return', 'Correct Location']);
    expect(await world.repos.equipment.get(camera)).toMatchObject({ currentLocationId: shelfB.id });
    expect(await view()).toMatchObject({ status: 'Available', locationName: 'Shelf B' });
    expect(await logActions()).toEqual([
      'reservation.created',
      'reservation.returned',
      'reservation.return-location-corrected',
    ]);
  });

  it('26: the returner clicking Return again sees the correction menu; anyone else is refused', async () => {
    const mine = await loan(world.alice);
    await returnToDefault(world.alice);

    const menu = await openReturn(world.alice);
    expect(menu.ephemeral).toBe(true);
    expect(menu.content.startsWith(ReturnText.returned('Camera', 'Shelf A'))).toBe(true);
    expect(labels(menu)).toEqual(['Cancel Return', 'Correct Location']);

    // Bob, clicking Return on the same item, gets no way to undo or correct Alice's return.
    const bobs = await openReturn(world.bob);
    expect(bobs.content).toBe(ReturnText.noLoan('Camera'));
    expect(bobs.components).toEqual([]);
    const now = world.now();
    expect(await cancelReturn(world.app.database, { reservationId: mine.id, userId: world.bob.id, now })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(
      await correctReturnLocation(world.app.database, {
        reservationId: mine.id,
        userId: world.bob.id,
        locationId: shelfB.id,
        now,
      }),
    ).toEqual({ ok: false, reason: 'forbidden' });
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: shelfA.id });

    // Alice's menu still works.
    const undone = await (await menu.clickButton('Cancel Return')).clickButton('Yes, cancel the return');
    expect(undone.content).toBe(ReturnText.undone('Camera', mine.endAt));
    expect(await reservation(mine.id)).toMatchObject({ status: 'confirmed' });
  });

  it('27: an hour after the return: "Operation is not possible …", and nothing changes', async () => {
    const mine = await loan(world.alice);
    const done = await returnToDefault(world.alice);
    await world.advance(HOUR + MINUTE);

    const late = await done.clickButton('Cancel Return');
    expect(late.content).toBe(CORRECTION_CLOSED_MESSAGE);
    expect(late.content).toBe(
      'Operation is not possible because the next reservation is imminent or because 1 hour has passed since return.',
    );
    expect(late.components).toEqual([]);
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: shelfA.id });
    expect(await view()).toMatchObject({ status: 'Available' });
    expect(await logActions()).toEqual(['reservation.created', 'reservation.returned']);
  });

  it('27: the next reservation starting within 15 minutes closes the window', async () => {
    const mine = await loan(world.alice);
    const done = await returnToDefault(world.alice);
    // Bob reserves the now free camera, from 10 minutes from now: the window closed at once.
    await reserve(world.bob, world.now() + 10 * MINUTE, world.now() + 70 * MINUTE);

    const late = await done.clickButton('Correct Location');
    expect(late.content).toBe(CORRECTION_CLOSED_MESSAGE);
    expect(late.components).toEqual([]);
    const again = await openReturn(world.alice);
    expect(again.content).toBe(CORRECTION_CLOSED_MESSAGE);
    expect(
      await cancelReturn(world.app.database, { reservationId: mine.id, userId: world.alice.id, now: world.now() }),
    ).toEqual({ ok: false, reason: 'window-closed' });
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: shelfA.id });
  });

  it('27: a return when the next reservation is imminent says at once that it can no longer be changed', async () => {
    const mine = await loan(world.alice, HOUR);
    // Bob's reservation starts when Alice's ends; she returns 50 minutes in, 10 minutes before it.
    await reserve(world.bob, mine.endAt, mine.endAt + HOUR);
    await world.advance(mine.endAt - 10 * MINUTE - world.now());

    const done = await returnToDefault(world.alice);
    expect(done.content).toBe(`${ReturnText.returned('Camera', 'Shelf A')}\n${CORRECTION_CLOSED_MESSAGE}`);
    expect(done.components).toEqual([]);
    expect(await reservation(mine.id)).toMatchObject({ status: 'returned', returnLocationId: shelfA.id });
  });
});
