import { describe, expect, it } from 'vitest';
import { repositories } from '../../../src/db/repositories.js';
import {
  cancelReservation,
  changeReservation,
  createReservation,
  listOwnReservations,
  type CreateReservationInput,
} from '../../../src/domain/services/reservations.js';
import { DIALECTS, HOUR, MIN, seedItem, T0, useTestDatabase } from '../../db/harness.js';

const ALICE = '500000000000000001';
const BOB = '500000000000000002';

describe.each(DIALECTS)('%s reservations', (dialect) => {
  const t = useTestDatabase(dialect);

  async function setup(): Promise<{
    guildId: string;
    equipmentId: number;
    locationId: number;
    input: CreateReservationInput;
  }> {
    const seeded = await seedItem(t.database);
    return {
      ...seeded,
      input: {
        guildId: seeded.guildId,
        equipmentId: seeded.equipmentId,
        userId: ALICE,
        startAt: T0 + HOUR,
        endAt: T0 + 2 * HOUR,
        locationId: seeded.locationId,
      },
    };
  }

  const logActions = async (): Promise<string[]> =>
    (await t.database.db.selectFrom('equipment_logs').select('action').orderBy('id').execute()).map(
      (row) => row.action,
    );

  it('creates a confirmed reservation and logs it', async () => {
    const { input } = await setup();
    const result = await createReservation(t.database, input, T0);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reservation).toMatchObject({
      equipmentId: input.equipmentId,
      userId: ALICE,
      startAt: T0 + HOUR,
      endAt: T0 + 2 * HOUR,
      status: 'confirmed',
      returnedAt: null,
      createdAt: T0,
    });
    expect(await logActions()).toEqual(['reservation.created']);
  });

  it('runs the caller’s work in the write’s own transaction: if it fails, the reservation is not kept either', async () => {
    const { input } = await setup();
    const scheduled: number[] = [];
    const made = await createReservation(t.database, input, T0, async (repos, reservation) => {
      await repos.jobs.enqueue(
        {
          type: 'test.job',
          runAt: reservation.endAt,
          dedupeKey: `test:${reservation.id}`,
          payload: {},
          reservationId: reservation.id,
        },
        T0,
      );
      scheduled.push(reservation.id);
    });
    expect(made.ok).toBe(true);
    expect(await repositories(t.database.db, dialect).jobs.getByDedupeKey(`test:${scheduled[0]}`)).toMatchObject({
      reservationId: scheduled[0],
    });
    await expect(
      createReservation(t.database, { ...input, startAt: T0 + 3 * HOUR, endAt: T0 + 4 * HOUR }, T0, () =>
        Promise.reject(new Error('jobs table gone')),
      ),
    ).rejects.toThrow('jobs table gone');
    const own = await listOwnReservations(t.database, ALICE, input.equipmentId);
    expect(own.map((reservation) => reservation.startAt)).toEqual([T0 + HOUR]);
    expect((await logActions()).filter((action) => action === 'reservation.created')).toHaveLength(1);
  });

  it('refuses past starts, end <= start, non-integer times, another guild, unknown items and locations', async () => {
    const { input, guildId } = await setup();
    expect(await createReservation(t.database, { ...input, startAt: T0 - 1 }, T0)).toMatchObject({
      ok: false,
      reason: 'past',
    });
    expect(await createReservation(t.database, { ...input, endAt: input.startAt }, T0)).toMatchObject({
      reason: 'invalid',
    });
    expect(await createReservation(t.database, { ...input, endAt: input.startAt - 1 }, T0)).toMatchObject({
      reason: 'invalid',
    });
    expect(await createReservation(t.database, { ...input, startAt: T0 + 0.5 }, T0)).toMatchObject({
      reason: 'invalid',
    });
    expect(await createReservation(t.database, { ...input, guildId: '9' }, T0)).toMatchObject({ reason: 'not-found' });
    expect(await createReservation(t.database, { ...input, equipmentId: 999_999 }, T0)).toMatchObject({
      reason: 'not-found',
    });
    expect(await createReservation(t.database, { ...input, locationId: 999_999 }, T0)).toMatchObject({
      reason: 'invalid',
    });
    const foreign = await seedItem(t.database, { guildId: '9', name: 'Elsewhere' });
    expect(await createReservation(t.database, { ...input, locationId: foreign.locationId }, T0)).toMatchObject({
      reason: 'invalid',
    });
    expect(guildId).not.toBe('9');
    // A start exactly now is not in the past.
    expect((await createReservation(t.database, { ...input, startAt: T0 }, T0)).ok).toBe(true);
    expect(await logActions()).toEqual(['reservation.created']);
  });

  it('refuses an item an admin marked unavailable', async () => {
    const { input } = await setup();
    await repositories(t.database.db, t.database.dialect).equipment.setUnavailable(input.equipmentId, true, 'repair');
    expect(await createReservation(t.database, input, T0)).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('refuses overlaps (start < other.end && end > other.start) and accepts back-to-back', async () => {
    const { input } = await setup();
    const first = await createReservation(t.database, input, T0); // [1h, 2h)
    expect(first.ok).toBe(true);
    const cases: [number, number, boolean][] = [
      [2 * HOUR, 3 * HOUR, true], // starts at the end: back-to-back
      [0, HOUR, true], // ends at the start: back-to-back
      [HOUR + 30 * MIN, 2 * HOUR + 30 * MIN, false], // overlaps the end
      [30 * MIN, HOUR + 1, false], // overlaps the start by 1 ms
      [HOUR + 10 * MIN, HOUR + 20 * MIN, false], // inside
      [0, 4 * HOUR, false], // around
    ];
    for (const [start, end, accepted] of cases) {
      const result = await createReservation(
        t.database,
        { ...input, userId: BOB, startAt: T0 + start, endAt: T0 + end },
        T0,
      );
      expect([start, end, result.ok]).toEqual([start, end, accepted]);
      if (!result.ok) {
        expect(result.reason).toBe('conflict');
        expect(result.conflicts.length).toBeGreaterThan(0);
      }
    }
  });

  it('lets cancelled and returned reservations free their slot', async () => {
    const { input } = await setup();
    const first = await createReservation(t.database, input, T0);
    if (!first.ok) throw new Error('setup failed');
    expect((await cancelReservation(t.database, { reservationId: first.reservation.id, userId: ALICE }, T0)).ok).toBe(
      true,
    );
    expect((await createReservation(t.database, { ...input, userId: BOB }, T0)).ok).toBe(true);
  });

  it('serialises two conflicting creates on separate connections: exactly one succeeds', async () => {
    const { input } = await setup();
    const second = await t.test.openAnother();
    for (let round = 0; round < 5; round += 1) {
      const slot = { startAt: T0 + (10 + round * 3) * HOUR, endAt: T0 + (12 + round * 3) * HOUR };
      const results = await Promise.all([
        createReservation(t.database, { ...input, ...slot, userId: ALICE }, T0),
        createReservation(second, { ...input, ...slot, startAt: slot.startAt + 30 * MIN, userId: BOB }, T0),
      ]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.find((result) => !result.ok)).toMatchObject({ reason: 'conflict' });
    }
    const stored = await t.database.db.selectFrom('reservations').select('id').execute();
    expect(stored).toHaveLength(5);
  });

  it('changes times excluding itself, only for the owner, only while confirmed; drops pending jobs when times change', async () => {
    const { input } = await setup();
    const own = await createReservation(t.database, input, T0); // [1h, 2h)
    const next = await createReservation(
      t.database,
      { ...input, userId: BOB, startAt: T0 + 3 * HOUR, endAt: T0 + 4 * HOUR },
      T0,
    );
    if (!own.ok || !next.ok) throw new Error('setup failed');
    const id = own.reservation.id;
    const jobs = repositories(t.database.db, t.database.dialect).jobs;
    await jobs.enqueue({ type: 'reminder', runAt: T0 + 2 * HOUR - 15 * MIN, reservationId: id }, T0);
    const moved = await changeReservation(
      t.database,
      { reservationId: id, userId: ALICE, startAt: T0 + HOUR + 30 * MIN, endAt: T0 + 3 * HOUR },
      T0,
    );
    expect(moved).toMatchObject({
      ok: true,
      jobsCancelled: 1,
      reservation: { startAt: T0 + HOUR + 30 * MIN, endAt: T0 + 3 * HOUR },
    });
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 + HOUR, endAt: T0 + 3 * HOUR + 1 },
        T0,
      ),
    ).toMatchObject({ ok: false, reason: 'conflict' });
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: BOB, startAt: T0 + HOUR, endAt: T0 + 2 * HOUR },
        T0,
      ),
    ).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 - MIN, endAt: T0 + HOUR },
        T0,
      ),
    ).toMatchObject({ reason: 'past' });
    expect(
      await changeReservation(
        t.database,
        { reservationId: 999_999, userId: ALICE, startAt: T0 + HOUR, endAt: T0 + 2 * HOUR },
        T0,
      ),
    ).toMatchObject({ reason: 'not-found' });
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 + 2 * HOUR, endAt: T0 + HOUR },
        T0,
      ),
    ).toMatchObject({ reason: 'invalid' });
    await cancelReservation(t.database, { reservationId: id, userId: ALICE }, T0);
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 + HOUR, endAt: T0 + 2 * HOUR },
        T0,
      ),
    ).toMatchObject({ reason: 'not-changeable' });
    expect(await logActions()).toEqual([
      'reservation.created',
      'reservation.created',
      'reservation.changed',
      'reservation.cancelled',
    ]);
  });

  it('extends a loan in progress or overdue (same start, later end) but not to an end in the past', async () => {
    const { input } = await setup();
    const loan = await createReservation(t.database, input, T0); // [1h, 2h)
    if (!loan.ok) throw new Error('setup failed');
    const later = T0 + 2 * HOUR + 10 * MIN; // overdue by 10 minutes
    const id = loan.reservation.id;
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 + HOUR, endAt: later },
        later,
      ),
    ).toMatchObject({ reason: 'past' });
    expect(
      await changeReservation(
        t.database,
        { reservationId: id, userId: ALICE, startAt: T0 + HOUR, endAt: T0 + 4 * HOUR },
        later,
      ),
    ).toMatchObject({ ok: true, reservation: { startAt: T0 + HOUR, endAt: T0 + 4 * HOUR } });
  });

  it('cancels only for the owner, only while confirmed and not ended; deletes pending jobs', async () => {
    const { input } = await setup();
    const own = await createReservation(t.database, input, T0);
    if (!own.ok) throw new Error('setup failed');
    const id = own.reservation.id;
    await repositories(t.database.db, t.database.dialect).jobs.enqueue(
      { type: 'r', runAt: T0 + HOUR, reservationId: id },
      T0,
    );
    expect(await cancelReservation(t.database, { reservationId: id, userId: BOB }, T0)).toMatchObject({
      reason: 'forbidden',
    });
    expect(await cancelReservation(t.database, { reservationId: id, userId: ALICE }, T0 + 2 * HOUR)).toMatchObject({
      reason: 'not-changeable',
    });
    expect(await cancelReservation(t.database, { reservationId: id, userId: ALICE }, T0)).toMatchObject({
      ok: true,
      jobsCancelled: 1,
      reservation: { status: 'cancelled' },
    });
    expect(await cancelReservation(t.database, { reservationId: id, userId: ALICE }, T0)).toMatchObject({
      reason: 'not-changeable',
    });
    expect(await cancelReservation(t.database, { reservationId: 999_999, userId: ALICE }, T0)).toMatchObject({
      reason: 'not-found',
    });
  });

  it("lists only the caller's own confirmed reservations of that item, soonest first", async () => {
    const { input } = await setup();
    const other = await seedItem(t.database, { name: 'Camera' });
    const later = await createReservation(t.database, { ...input, startAt: T0 + 5 * HOUR, endAt: T0 + 6 * HOUR }, T0);
    const sooner = await createReservation(t.database, input, T0);
    await createReservation(t.database, { ...input, userId: BOB, startAt: T0 + 3 * HOUR, endAt: T0 + 4 * HOUR }, T0);
    await createReservation(t.database, { ...input, equipmentId: other.equipmentId }, T0);
    const cancelled = await createReservation(
      t.database,
      { ...input, startAt: T0 + 7 * HOUR, endAt: T0 + 8 * HOUR },
      T0,
    );
    if (!later.ok || !sooner.ok || !cancelled.ok) throw new Error('setup failed');
    await cancelReservation(t.database, { reservationId: cancelled.reservation.id, userId: ALICE }, T0);
    const own = await listOwnReservations(t.database, ALICE, input.equipmentId);
    expect(own.map((reservation) => reservation.id)).toEqual([sooner.reservation.id, later.reservation.id]);
  });
});
