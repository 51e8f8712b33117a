import type { SimulatedMessage, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reservation } from '../../src/domain/model.js';
import { TRANSFER_TTL_MS } from '../../src/domain/services/transfers.js';
import { formatJstRange } from '../../src/domain/time.js';
import { MineText } from '../../src/discord/flows/mine-flow.js';
import { TransferText, transferButtonIds } from '../../src/discord/flows/transfer-flow.js';
import { transferExpiredText } from '../../src/jobs/transfer-jobs.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The `custom_id`s of a message's buttons, row by row. */
const buttonIds = (message: SimulatedMessage | undefined): string[] =>
  (message?.components ?? []).flatMap((row) =>
    ((row as { components?: { custom_id?: string }[] }).components ?? []).map((c) => String(c.custom_id)),
  );

describe.each(DIALECTS)('owner transfer (%s)', (dialect) => {
  let world: BotWorld;
  let carol: SimulatedUser;
  let drill: number;
  let mine: Reservation;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    carol = world.guild.members.create({ username: 'carol' });
    await world.start();
    drill = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill' }, world.now())).id;
    // Five hours ahead: nothing of it (start, reminders) is due while a request waits its 3 hours.
    const start = world.now() + 5 * HOUR;
    mine = await world.reserve({ equipmentId: drill, userId: world.alice.id, startAt: start, endAt: start + HOUR });
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  const range = () => formatJstRange(mine.startAt, mine.endAt);
  const drillMessage = () => world.channel.messages[1]!;
  const upcoming = () =>
    (drillMessage().embeds[0] as { fields: { name: string; value: string }[] }).fields.find(
      (field) => field.name === 'Upcoming reservations',
    )?.value;
  const owner = async () => (await world.repos.reservations.get(mine.id))?.userId;
  const actions = async (action: string) =>
    (
      await world.repos.logs.list({ guildId: world.guild.id, equipmentId: drill, from: 0, to: world.now() + HOUR })
    ).filter((entry) => entry.action === action);

  /** Alice's Transfer Owner screen for her reservation. */
  async function transferScreen(user: SimulatedUser = world.alice) {
    const list = await user.clickButton(drillMessage(), 'Check/Change Reservation');
    const details = await list.selectOptions(MineText.placeholder, [String(mine.id)]);
    return details.clickButton('Transfer Owner');
  }

  /** Alice asks bob (or another member) to take the reservation over; returns the answer and bob's DM. */
  async function request(target: SimulatedUser = world.bob) {
    const reply = await (await transferScreen()).selectOptions(TransferText.placeholder, [target]);
    const dm = target.dms.messages.find((message) => buttonIds(message).length > 0);
    return { reply, dm };
  }

  /** The request DM as it is now. */
  const again = (user: SimulatedUser, message: SimulatedMessage) => user.dms.messages.find((m) => m.id === message.id);

  it('20: a user select; a bot and oneself are refused; another member gets a DM with Approve / Deny, owner unchanged', async () => {
    const pick = await transferScreen();
    const pickText = TransferText.pick('Drill', range());
    expect(pick.content).toBe(pickText);
    expect(pick.components.map((c) => c.label)).toEqual([TransferText.placeholder, '← Back']);
    expect(pick.components[0]?.type).toBe(5);

    const bot = await pick.selectOptions(TransferText.placeholder, [world.sim.applicationId()]);
    expect(bot.message?.id).toBe(pick.message?.id);
    expect(bot.content).toBe(`${TransferText.botRefused}\n\n${pickText}`);
    const self = await bot.selectOptions(TransferText.placeholder, [world.alice]);
    expect(self.content).toBe(`${TransferText.selfRefused}\n\n${pickText}`);
    expect(await world.repos.transfers.getPending(mine.id)).toBeNull();
    const back = await self.clickButton('← Back');
    expect(back.content).toBe(MineText.details('Drill', range(), null, MineText.phase.upcoming));

    const { reply, dm } = await request();
    const pending = await world.repos.transfers.getPending(mine.id);
    expect(pending).toMatchObject({ fromUserId: world.alice.id, toUserId: world.bob.id, status: 'pending' });
    expect(pending!.expiresAt - pending!.createdAt).toBe(TRANSFER_TTL_MS);
    expect(reply.content).toBe(TransferText.requested(world.bob.id, pending!.expiresAt));
    expect(dm?.content).toBe(TransferText.request(world.alice.id, 'Drill', range(), pending!.expiresAt));
    const ids = transferButtonIds(pending!.id);
    expect(buttonIds(dm)).toEqual([ids.approve, ids.deny]);
    expect(ids.approve).toBe(`v1:transfer:approve:-:${pending!.id}`);
    expect(await owner()).toBe(world.alice.id);
    expect(await actions('transfer.requested')).toHaveLength(1);
  });

  it('20: the target’s DMs closed → the requester is told, the request is withdrawn, another can be asked at once', async () => {
    world.bob.setDmsOpen(false);
    const { reply } = await request();
    expect(reply.content).toBe(TransferText.dmClosed(world.bob.id));
    expect(await world.repos.transfers.getPending(mine.id)).toBeNull();
    expect(await actions('transfer.expired')).toHaveLength(1);
    expect(world.bob.dms.messages).toEqual([]);
    // ← Back to the reservation, and ask carol instead.
    const details = await reply.clickButton('← Back');
    expect(details.content).toBe(MineText.details('Drill', range(), null, MineText.phase.upcoming));
    const pick = await details.clickButton('Transfer Owner');
    const asked = await pick.selectOptions(TransferText.placeholder, [carol]);
    const pending = await world.repos.transfers.getPending(mine.id);
    expect(pending?.toUserId).toBe(carol.id);
    expect(asked.content).toBe(TransferText.requested(carol.id, pending!.expiresAt));
    expect(carol.dms.messages).toHaveLength(1);
  });

  it('20: choosing the new owner twice at once sends one request and one DM', async () => {
    const pick = await transferScreen();
    const [one, two] = await Promise.all([
      pick.selectOptions(TransferText.placeholder, [world.bob]),
      pick.selectOptions(TransferText.placeholder, [world.bob]),
    ]);
    expect(one.deferred || two.deferred).toBe(true);
    const pending = await world.repos.transfers.getPending(mine.id);
    await expect.poll(() => one.content).toBe(TransferText.requested(world.bob.id, pending!.expiresAt));
    expect(await actions('transfer.requested')).toHaveLength(1);
    expect(world.bob.dms.messages).toHaveLength(1);
  });

  it('21: Approve → the owner changes (once, whatever the clicks), the embed shows the new user, both are told', async () => {
    const { dm } = await request();
    const transfer = (await world.repos.transfers.getPending(mine.id))!;
    expect(upcoming()).toContain(`<@${world.alice.id}>`);
    const [first, second] = await Promise.all([
      world.bob.clickButton(dm!, 'Approve'),
      world.bob.clickButton(dm!, 'Approve'),
    ]);
    expect([first.content, second.content].sort()).toEqual(
      [TransferText.approvedTarget('Drill', range()), TransferText.noLongerValid].sort(),
    );
    expect(first.ephemeral && second.ephemeral).toBe(true);
    expect(await owner()).toBe(world.bob.id);
    expect((await world.repos.transfers.get(transfer.id))?.status).toBe('approved');
    expect(await actions('transfer.approved')).toHaveLength(1);

    await world.app.manager.onIdle();
    await expect.poll(upcoming, { timeout: 5_000 }).toContain(`<@${world.bob.id}>`);
    expect(upcoming()).not.toContain(`<@${world.alice.id}>`);
    await expect
      .poll(() => world.alice.dms.messages.map((m) => m.content), { timeout: 5_000 })
      .toEqual([TransferText.approvedRequester(world.bob.id, 'Drill', range())]);
    await expect.poll(() => buttonIds(again(world.bob, dm!)), { timeout: 5_000 }).toEqual([]);
    expect(again(world.bob, dm!)?.content).toBe(`${dm!.content}\n\n${TransferText.approvedNote}`);

    // The reservation is bob's now: in his Check/Change, no longer in alice's; its reminder still waits.
    const bobs = await world.bob.clickButton(drillMessage(), 'Check/Change Reservation');
    expect(bobs.components[0]?.options.map((o) => o.value)).toEqual([String(mine.id)]);
    const alices = await world.alice.clickButton(drillMessage(), 'Check/Change Reservation');
    expect(alices.content).toBe(MineText.none('Drill'));
    expect(await world.repos.jobs.getByDedupeKey(`reminder:${mine.id}`)).toMatchObject({ status: 'pending' });
  });

  it('21: Deny → the requester gets a DM, nothing changes', async () => {
    const { dm } = await request();
    const transfer = (await world.repos.transfers.getPending(mine.id))!;
    const denied = await world.bob.clickButton(dm!, 'Deny');
    expect(denied.content).toBe(TransferText.deniedTarget(world.alice.id));
    expect(await owner()).toBe(world.alice.id);
    expect((await world.repos.transfers.get(transfer.id))?.status).toBe('denied');
    await expect
      .poll(() => world.alice.dms.messages.map((m) => m.content), { timeout: 5_000 })
      .toEqual([TransferText.deniedRequester(world.bob.id, 'Drill', range())]);
    await expect.poll(() => buttonIds(again(world.bob, dm!)), { timeout: 5_000 }).toEqual([]);
    await world.app.manager.onIdle();
    expect(upcoming()).toContain(`<@${world.alice.id}>`);
    expect(await actions('transfer.approved')).toEqual([]);
  });

  it('22: a second request while one is pending is refused, saying one is already pending', async () => {
    await request();
    const pending = (await world.repos.transfers.getPending(mine.id))!;
    const pick = await transferScreen();
    const refused = await pick.selectOptions(TransferText.placeholder, [carol]);
    expect(refused.content).toBe(TransferText.pendingExists(world.bob.id, pending.expiresAt));
    expect(refused.components.map((c) => c.label)).toEqual(['← Back']);
    // ← Back: the reservation's details say to whom it is pending.
    const details = await refused.clickButton('← Back');
    expect(details.content).toContain(MineText.pendingTransfer(world.bob.id, pending.expiresAt));
    expect(carol.dms.messages).toEqual([]);
    expect(await world.repos.transfers.getPending(mine.id)).toMatchObject({ id: pending.id, toUserId: world.bob.id });
    expect(await actions('transfer.requested')).toHaveLength(1);
  });

  it.each(['Approve', 'Deny'])(
    '23: after the request expired, %s in the old DM says it is no longer valid; nothing changes',
    async (label) => {
      const { dm } = await request();
      const transfer = (await world.repos.transfers.getPending(mine.id))!;
      await world.advance(3 * HOUR + MINUTE);
      await expect
        .poll(() => world.alice.dms.messages.map((m) => m.content), { timeout: 5_000 })
        .toEqual([transferExpiredText('Drill', world.bob.id)]);
      expect((await world.repos.transfers.get(transfer.id))?.status).toBe('expired');

      const late = await world.bob.clickButton(dm!, label);
      expect(late.content).toBe(TransferText.noLongerValid);
      expect(await owner()).toBe(world.alice.id);
      expect((await world.repos.transfers.get(transfer.id))?.status).toBe('expired');
      expect(await actions('transfer.approved')).toEqual([]);
      expect(await actions('transfer.denied')).toEqual([]);
      // Its buttons are gone, so it cannot be clicked again; the requester got no other DM.
      await expect.poll(() => buttonIds(again(world.bob, dm!)), { timeout: 5_000 }).toEqual([]);
      expect(world.alice.dms.messages).toHaveLength(1);
    },
  );
});
