import type { InteractionReply, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MineText } from '../../src/discord/flows/mine-flow.js';
import { ReserveText } from '../../src/discord/flows/reserve-screens.js';
import { createReservation } from '../../src/domain/services/reservations.js';
import { SLOT_TAKEN_MESSAGE } from '../../src/domain/slots.js';
import { fromJst, jstDateParts, jstDay } from '../../src/domain/time.js';
import { BotWorld, SESSION_VARIANTS } from '../support/bot-world.js';

const DAY = 24 * 3_600_000;

describe.each(SESSION_VARIANTS)(
  'the reservation wizard ($dialect, sessions in $sessionStore)',
  ({ dialect, sessionStore }) => {
    let world: BotWorld;
    let drill: number;
    let workshop: number;

    beforeEach(async () => {
      world = await BotWorld.create(dialect, { sessionStore });
      await world.start();
      const now = world.now();
      const tools = await world.repos.tags.create(world.guild.id, 'Tools', now, 1);
      drill = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill', tagId: tools.id }, now)).id;
      workshop = (await world.repos.locations.create(world.guild.id, 'Workshop', now)).id;
      await world.setUp();
    });

    afterEach(async () => {
      await world.close();
    });

    /** Tomorrow (JST) at `hour:minute`, epoch ms. */
    const tomorrowAt = (hour: number, minute = 0): number => {
      const { year, month, day } = jstDateParts(jstDay(world.now() + DAY).start);
      return fromJst({ year, month, day, hour, minute });
    };
    /** A reservation of the drill made in the domain (no jobs): a slot the wizard must see as taken. */
    const reserveDrill = (userId: string, startAt: number, endAt: number) =>
      createReservation(
        world.app.database,
        { guildId: world.guild.id, equipmentId: drill, userId, startAt, endAt, locationId: null },
        world.now(),
      );
    const itemMessage = () =>
      world.channel.messages.find((message) => JSON.stringify(message.embeds).includes('Drill'))!;
    const options = (reply: InteractionReply) => reply.components[0]?.options ?? [];

    /** Picks `value` in the step's select, turning pages until it is offered. */
    async function pick(reply: InteractionReply, placeholder: string, value: string): Promise<InteractionReply> {
      let current = reply;
      for (let turns = 0; !options(current).some((option) => option.value === value); turns++) {
        if (turns > 10) throw new Error(`${placeholder}: ${value} is not offered`);
        current = await current.clickButton(ReserveText.nextLabel);
      }
      return current.selectOptions(placeholder, [value]);
    }

    /** From New Reservation to the start-time step of the day of `startAt`. */
    async function toStartStep(user: SimulatedUser, startAt: number): Promise<InteractionReply> {
      const opened = await user.clickButton(itemMessage(), 'New Reservation');
      const { year, month } = jstDateParts(startAt);
      const day = await opened.selectOptions('Month', [`${year}-${month}`]);
      return pick(day, 'Date', String(jstDay(startAt).start));
    }

    /** The whole walk to the confirm screen. */
    async function toConfirm(user: SimulatedUser, startAt: number, endAt: number): Promise<InteractionReply> {
      const duration = await pick(await toStartStep(user, startAt), 'Start time', String(startAt));
      const location = await pick(duration, 'Duration', String(endAt));
      return location.selectOptions('Location', [String(workshop)]);
    }

    it('12: one ephemeral wizard edited in place, month → date → start → duration → location, ← Back keeps choices', async () => {
      const startAt = tomorrowAt(10);
      const endAt = tomorrowAt(12);
      const opened = await world.alice.clickButton(itemMessage(), 'New Reservation');
      expect(opened.ephemeral).toBe(true);
      expect(opened.content).toContain(ReserveText.month);
      const { year, month } = jstDateParts(startAt);
      const dayStep = await opened.selectOptions('Month', [`${year}-${month}`]);
      expect(dayStep.content).toContain(ReserveText.day);
      const startStep = await pick(dayStep, 'Date', String(jstDay(startAt).start));
      expect(startStep.content).toContain(ReserveText.start);
      // ← Back to the date: the chosen date is still chosen.
      const back = await startStep.clickButton('← Back');
      expect(back.content).toContain(ReserveText.day);
      expect(options(back).find((option) => option.default)?.value).toBe(String(jstDay(startAt).start));
      const again = await back.selectOptions('Date', [String(jstDay(startAt).start)]);
      const durationStep = await pick(again, 'Start time', String(startAt));
      expect(durationStep.content).toContain(ReserveText.end);
      const locationStep = await pick(durationStep, 'Duration', String(endAt));
      expect(locationStep.content).toContain(ReserveText.location);
      const confirm = await locationStep.selectOptions('Location', [String(workshop)]);
      expect(confirm.content).toContain('Location: Workshop');
      // Back from confirm to the location, and forward again: the start, end and location are kept.
      const backToLocation = await confirm.clickButton('← Back');
      expect(options(backToLocation).find((option) => option.default)?.value).toBe(String(workshop));
      const confirmAgain = await backToLocation.selectOptions('Location', [String(workshop)]);
      const done = await confirmAgain.clickButton('Confirm');
      expect(done.content).toContain(ReserveText.reserved);
      // Every step edited the one message the first click created.
      for (const step of [dayStep, startStep, back, durationStep, locationStep, confirm, done]) {
        expect(step.message?.id).toBe(opened.message?.id);
      }
      const own = await world.repos.reservations.listOwnConfirmed(world.alice.id, drill);
      expect(own).toMatchObject([{ startAt, endAt, locationId: workshop, status: 'confirmed' }]);
      // Its reminder and re-render jobs are in the jobs table.
      const id = own[0]!.id;
      for (const key of [
        `render:${id}:start`,
        `render:${id}:end`,
        `reminder:${id}`,
        `overdue:${id}:0`,
        `blocked:${id}`,
      ]) {
        expect(await world.repos.jobs.getByDedupeKey(key), key).toMatchObject({ status: 'pending' });
      }
      await world.app.manager.onIdle();
      await expect.poll(() => JSON.stringify(itemMessage().embeds)).toContain(`<@${world.alice.id}>`);
    });

    it('13: a start inside another reservation is refused at the time step', async () => {
      const taken = await reserveDrill(world.bob.id, tomorrowAt(10), tomorrowAt(12));
      expect(taken.ok).toBe(true);
      const startStep = await toStartStep(world.alice, tomorrowAt(11));
      const refused = await pick(startStep, 'Start time', String(tomorrowAt(11)));
      expect(refused.content).toContain(SLOT_TAKEN_MESSAGE);
      expect(refused.content).toContain(ReserveText.start);
      expect(await world.repos.reservations.listOwnConfirmed(world.alice.id, drill)).toEqual([]);
    });

    it('14: back-to-back bookings are accepted, and past start times are not offered', async () => {
      await reserveDrill(world.bob.id, tomorrowAt(10), tomorrowAt(12));
      // Starting when bob's ends.
      const after = await (await toConfirm(world.alice, tomorrowAt(12), tomorrowAt(13))).clickButton('Confirm');
      expect(after.content).toContain(ReserveText.reserved);
      // Ending when bob's starts: the durations from 08:00 stop at 2 h.
      const durations = await pick(await toStartStep(world.alice, tomorrowAt(8)), 'Start time', String(tomorrowAt(8)));
      expect(options(durations).at(-1)?.value).toBe(String(tomorrowAt(10)));
      const before = await (
        await durations.selectOptions('Duration', [String(tomorrowAt(10))])
      ).selectOptions('Location', [String(workshop)]);
      expect((await before.clickButton('Confirm')).content).toContain(ReserveText.reserved);
      expect(
        (await world.repos.reservations.listOwnConfirmed(world.alice.id, drill)).map((r) => [r.startAt, r.endAt]),
      ).toEqual([
        [tomorrowAt(8), tomorrowAt(10)],
        [tomorrowAt(12), tomorrowAt(13)],
      ]);
      // Later, at 09:10 JST on that day: nothing before now is offered, the first start is 09:30.
      const nineTen = tomorrowAt(9, 10);
      await world.advance(nineTen - world.now());
      const now = world.now();
      const today = await toStartStep(world.alice, now);
      const offered: number[] = [];
      for (let page = today; ; page = await page.clickButton(ReserveText.nextLabel)) {
        offered.push(...options(page).map((option) => Number(option.value)));
        if (!page.components.some((component) => component.label === ReserveText.nextLabel)) break;
      }
      expect(offered[0]).toBe(fromJst({ ...jstDateParts(now), hour: 9, minute: 30 }));
      expect(offered.every((startAt) => startAt >= now)).toBe(true);
    });

    it('18: Change Date/Time reuses the wizard; the conflict check leaves the reservation itself out; the embed updates', async () => {
      const mine = await reserveDrill(world.alice.id, tomorrowAt(10), tomorrowAt(12));
      await reserveDrill(world.bob.id, tomorrowAt(13), tomorrowAt(14));
      if (!mine.ok) throw new Error(mine.reason);
      const list = await world.alice.clickButton(itemMessage(), 'Check/Change Reservation');
      const details = await list.selectOptions(MineText.placeholder, [String(mine.reservation.id)]);
      const wizard = await details.clickButton(MineText.changeLabel);
      expect(wizard.content).toContain(ReserveText.changeTitle('[Tools] Drill'));
      expect(wizard.message?.id).toBe(list.message?.id);
      const { year, month } = jstDateParts(tomorrowAt(11));
      const day = await wizard.selectOptions('Month', [`${year}-${month}`]);
      // 11:00 is inside alice's own reservation: free for its change.
      const durations = await pick(
        await pick(day, 'Date', String(jstDay(tomorrowAt(11)).start)),
        'Start time',
        String(tomorrowAt(11)),
      );
      // The durations stop where bob's starts (13:00), back-to-back.
      expect(options(durations).at(-1)?.value).toBe(String(tomorrowAt(13)));
      const location = await durations.selectOptions('Duration', [String(tomorrowAt(13))]);
      const confirm = await location.selectOptions('Location', ['none']);
      const done = await confirm.clickButton('Confirm');
      expect(done.content).toContain(ReserveText.changed);
      expect(await world.repos.reservations.get(mine.reservation.id)).toMatchObject({
        startAt: tomorrowAt(11),
        endAt: tomorrowAt(13),
        status: 'confirmed',
        userId: world.alice.id,
      });
      // The reminder follows the new end.
      expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.reservation.id}`)).toMatchObject({
        status: 'pending',
        runAt: tomorrowAt(13) - 15 * 60_000,
      });
      await world.app.manager.onIdle();
      await expect.poll(() => JSON.stringify(itemMessage().embeds)).toContain('11:00');
      // bob cannot change alice's reservation: the wizard refuses to open it for him.
      const foreign = await world.bob.clickButton(itemMessage(), 'Check/Change Reservation');
      expect(JSON.stringify(foreign.components)).not.toContain(`reserve:change:-:${mine.reservation.id}`);
    });

    it('15: two members confirming overlapping slots at the same moment get exactly one reservation', async () => {
      const [alice, bob] = await Promise.all([
        toConfirm(world.alice, tomorrowAt(10), tomorrowAt(12)),
        toConfirm(world.bob, tomorrowAt(11), tomorrowAt(13)),
      ]);
      const [a, b] = await Promise.all([alice.clickButton('Confirm'), bob.clickButton('Confirm')]);
      const confirmed = [
        ...(await world.repos.reservations.listOwnConfirmed(world.alice.id, drill)),
        ...(await world.repos.reservations.listOwnConfirmed(world.bob.id, drill)),
      ];
      expect(confirmed).toHaveLength(1);
      const loser = confirmed[0]!.userId === world.alice.id ? b : a;
      expect(loser.content).toContain(SLOT_TAKEN_MESSAGE);
      // The loser is back at the time step to choose another time.
      expect(loser.content).toContain(ReserveText.start);
    });
  },
);
