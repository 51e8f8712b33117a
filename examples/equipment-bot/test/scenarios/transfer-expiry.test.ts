import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReservation } from '../../src/domain/services/reservations.js';
import { requestTransfer } from '../../src/domain/services/transfers.js';
import { transferExpiredText } from '../../src/jobs/transfer-jobs.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(DIALECTS)('transfer requests nobody answers (%s)', (dialect) => {
  let world: BotWorld;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    await world.start();
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  it('23: expire within a minute of the 3 h deadline, also across a restart, and the requester gets a DM', async () => {
    const drill = await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill' }, world.now());
    const start = world.now() + HOUR;
    const made = await createReservation(
      world.app.database,
      {
        guildId: world.guild.id,
        equipmentId: drill.id,
        userId: world.alice.id,
        startAt: start,
        endAt: start + HOUR,
        locationId: null,
      },
      world.now(),
    );
    if (!made.ok) throw new Error(made.reason);
    const asked = await requestTransfer(world.app.database, {
      reservationId: made.reservation.id,
      fromUserId: world.alice.id,
      toUserId: world.bob.id,
      now: world.now(),
    });
    expect(asked.ok).toBe(true);

    await world.advance(2 * HOUR);
    expect(world.alice.dms.messages).toEqual([]);
    // The bot is down when the deadline passes; it expires the request within a minute of coming back.
    await world.stopBot();
    await world.start();
    await world.advance(HOUR + MINUTE);
    await expect
      .poll(() => world.alice.dms.messages.map((m) => m.content), { timeout: 5_000 })
      .toEqual([transferExpiredText('Drill', world.bob.id)]);
    const pending = await world.repos.transfers.getPending(made.reservation.id);
    expect(pending).toBeNull();
  });
});
