import { describe, expect, it } from 'vitest';
import { repositories } from '../../../src/db/repositories.js';
import {
  cancelReturn,
  correctionWindowEnd,
  correctReturnLocation,
  createReservation,
  returnReservation,
} from '../../../src/domain/services/reservations.js';
import type { Reservation } from '../../../src/domain/model.js';
import { DIALECTS, HOUR, MIN, seedItem, T0, useTestDatabase } from '../../db/harness.js';

const ALICE = '500000000000000001';
const BOB = '500000000000000002';

describe('correctionWindowEnd', () => {
  const returned = { id: 1, returnedAt: T0 };
  it('is one hour after the return without a next reservation', () => {
    expect(correctionWindowEnd(returned, null)).toBe(T0 + HOUR);
  });
  it('is 15 minutes before the next start when that is sooner', () => {
    expect(correctionWindowEnd(returned, { startAt: T0 + 30 * MIN })).toBe(T0 + 15 * MIN);
    expect(correctionWindowEnd(returned, { startAt: T0 + 75 * MIN })).toBe(T0 + HOUR);
    expect(correctionWindowEnd(returned, { startAt: T0 + 10 * MIN })).toBe(T0 - 5 * MIN);
  });
  it('refuses a reservation that was not returned', () => {
    expect(() => correctionWindowEnd({ id: 7, returnedAt: null }, null)).toThrow(/reservation 7 has not been returned/);
  });
});

describe.each(DIALECTS)('%s returns', (dialect) => {
  const t = useTestDatabase(dialect);

  async function loan(): Promise<{
    reservation: Reservation;
    locationId: number;
    otherLocationId: number;
    guildId: string;
  }> {
    const seeded = await seedItem(t.database);
    const created = await createReservation(
      t.database,
      {
        guildId: seeded.guildId,
        equipmentId: seeded.equipmentId,
        userId: ALICE,
        startAt: T0 + HOUR,
        endAt: T0 + 3 * HOUR,
        locationId: seeded.locationId,
      },
      T0,
    );
    if (!created.ok) throw new Error('setup failed');
    return { ...seeded, reservation: created.reservation };
  }

  it('returns a started loan: returned fields set, item moved, jobs deleted, logged', async () => {
    const { reservation, otherLocationId } = await loan();
    const repos = repositories(t.database.db, t.database.dialect);
    await repos.jobs.enqueue({ type: 'reminder', runAt: T0 + 3 * HOUR - 15 * MIN, reservationId: reservation.id }, T0);
    const now = T0 + 2 * HOUR;
    expect(
      await returnReservation(t.database, {
        reservationId: reservation.id,
        userId: ALICE,
        locationId: otherLocationId,
        now: T0,
      }),
    ).toMatchObject({ ok: false, reason: 'not-loaned' });
    expect(
      await returnReservation(t.database, {
        reservationId: reservation.id,
        userId: BOB,
        locationId: otherLocationId,
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(
      await returnReservation(t.database, { reservationId: reservation.id, userId: ALICE, locationId: 999_999, now }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
    const result = await returnReservation(t.database, {
      reservationId: reservation.id,
      userId: ALICE,
      locationId: otherLocationId,
      now,
    });
    expect(result).toMatchObject({
      ok: true,
      jobsCancelled: 1,
      correctionWindowEnd: now + HOUR,
      reservation: { status: 'returned', returnedAt: now, returnLocationId: otherLocationId, returnedBy: ALICE },
      equipment: { currentLocationId: otherLocationId },
    });
    expect(
      await returnReservation(t.database, {
        reservationId: reservation.id,
        userId: ALICE,
        locationId: otherLocationId,
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'not-loaned' });
    const actions = await t.database.db.selectFrom('equipment_logs').select('action').orderBy('id').execute();
    expect(actions.map((row) => row.action)).toEqual(['reservation.created', 'reservation.returned']);
  });

  it('lets an admin return on behalf of the owner', async () => {
    const { reservation, locationId } = await loan();
    const result = await returnReservation(t.database, {
      reservationId: reservation.id,
      userId: BOB,
      locationId,
      now: T0 + 2 * HOUR,
      onBehalf: true,
    });
    expect(result).toMatchObject({ ok: true, reservation: { returnedBy: BOB } });
  });

  it('undoes a return within the window (returner only), not after it', async () => {
    const { reservation, locationId } = await loan();
    const returnedAt = T0 + 2 * HOUR;
    await returnReservation(t.database, { reservationId: reservation.id, userId: ALICE, locationId, now: returnedAt });
    expect(
      await cancelReturn(t.database, { reservationId: reservation.id, userId: BOB, now: returnedAt + MIN }),
    ).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    expect(
      await cancelReturn(t.database, { reservationId: reservation.id, userId: ALICE, now: returnedAt + HOUR }),
    ).toMatchObject({ ok: false, reason: 'window-closed' });
    const undone = await cancelReturn(t.database, {
      reservationId: reservation.id,
      userId: ALICE,
      now: returnedAt + HOUR - 1,
    });
    expect(undone).toMatchObject({
      ok: true,
      correctionWindowEnd: null,
      reservation: { status: 'confirmed', returnedAt: null, returnLocationId: null, returnedBy: null },
    });
    expect(
      await cancelReturn(t.database, { reservationId: reservation.id, userId: ALICE, now: returnedAt + MIN }),
    ).toMatchObject({
      ok: false,
      reason: 'not-returned',
    });
  });

  it('closes the window 15 minutes before the next reservation, and refuses an undo that would overlap one', async () => {
    const { reservation, locationId, guildId } = await loan(); // [1h, 3h)
    const returnedAt = T0 + 90 * MIN;
    await returnReservation(t.database, { reservationId: reservation.id, userId: ALICE, locationId, now: returnedAt });
    // Someone books the freed time, starting 30 minutes after the return.
    const next = await createReservation(
      t.database,
      {
        guildId,
        equipmentId: reservation.equipmentId,
        userId: BOB,
        startAt: T0 + 2 * HOUR,
        endAt: T0 + 4 * HOUR,
        locationId,
      },
      returnedAt,
    );
    expect(next.ok).toBe(true);
    // The window is now min(return + 1 h, next start - 15 min) = 1 h 45 min.
    expect(
      await correctReturnLocation(t.database, {
        reservationId: reservation.id,
        userId: ALICE,
        locationId,
        now: T0 + 105 * MIN,
      }),
    ).toMatchObject({ ok: false, reason: 'window-closed' });
    expect(
      await cancelReturn(t.database, { reservationId: reservation.id, userId: ALICE, now: T0 + 100 * MIN }),
    ).toMatchObject({ ok: false, reason: 'conflict' });
  });

  it('corrects the return location within the window (returner only); the item follows', async () => {
    const { reservation, locationId, otherLocationId } = await loan();
    const returnedAt = T0 + 2 * HOUR;
    await returnReservation(t.database, { reservationId: reservation.id, userId: ALICE, locationId, now: returnedAt });
    expect(
      await correctReturnLocation(t.database, {
        reservationId: reservation.id,
        userId: BOB,
        locationId: otherLocationId,
        now: returnedAt + MIN,
      }),
    ).toMatchObject({ ok: false, reason: 'forbidden' });
    const corrected = await correctReturnLocation(t.database, {
      reservationId: reservation.id,
      userId: ALICE,
      locationId: otherLocationId,
      now: returnedAt + MIN,
    });
    expect(corrected).toMatchObject({
      ok: true,
      correctionWindowEnd: returnedAt + HOUR,
      reservation: { status: 'returned', returnLocationId: otherLocationId },
      equipment: { currentLocationId: otherLocationId },
    });
    const logs = await t.database.db.selectFrom('equipment_logs').select('action').orderBy('id').execute();
    expect(logs.at(-1)?.action).toBe('reservation.return-location-corrected');
  });
});
