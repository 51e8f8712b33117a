import { describe, expect, it } from 'vitest';
import {
  answerTransfer,
  cancelReservation,
  createReservation,
  expireTransfers,
  requestTransfer,
  TRANSFER_TTL_MS,
} from '../../../src/domain/services/reservations.js';
import type { Reservation } from '../../../src/domain/model.js';
import { DIALECTS, HOUR, MIN, seedItem, T0, useTestDatabase } from '../../db/harness.js';

const ALICE = '500000000000000001';
const BOB = '500000000000000002';
const CAROL = '500000000000000003';

describe.each(DIALECTS)('%s transfers', (dialect) => {
  const t = useTestDatabase(dialect);

  async function reservation(): Promise<Reservation> {
    const seeded = await seedItem(t.database);
    const created = await createReservation(
      t.database,
      {
        guildId: seeded.guildId,
        equipmentId: seeded.equipmentId,
        userId: ALICE,
        startAt: T0 + HOUR,
        endAt: T0 + 5 * HOUR,
        locationId: null,
      },
      T0,
    );
    if (!created.ok) throw new Error('setup failed');
    return created.reservation;
  }

  it('only the owner may ask, not for themself; one pending request per reservation', async () => {
    const { id } = await reservation();
    expect(
      await requestTransfer(t.database, { reservationId: id, fromUserId: BOB, toUserId: CAROL, now: T0 }),
    ).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    expect(
      await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: ALICE, now: T0 }),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    const first = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    expect(first).toMatchObject({
      ok: true,
      transfer: { status: 'pending', fromUserId: ALICE, toUserId: BOB, expiresAt: T0 + TRANSFER_TTL_MS },
    });
    const second = await requestTransfer(t.database, {
      reservationId: id,
      fromUserId: ALICE,
      toUserId: CAROL,
      now: T0 + MIN,
    });
    expect(second).toMatchObject({ ok: false, reason: 'pending-exists', transfer: { toUserId: BOB } });
    expect(
      await requestTransfer(t.database, { reservationId: 999_999, fromUserId: ALICE, toUserId: BOB, now: T0 }),
    ).toMatchObject({
      reason: 'not-found',
    });
  });

  it('the unique index keeps one pending request even when two are stored at once from two connections', async () => {
    const { id } = await reservation();
    const other = await t.test.openAnother();
    const results = await Promise.all([
      requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 }),
      requestTransfer(other, { reservationId: id, fromUserId: ALICE, toUserId: CAROL, now: T0 }),
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.reason)).sort()).toEqual(['ok', 'pending-exists']);
    const duplicate = await t.database.db
      .insertInto('transfer_requests')
      .values({
        reservation_id: id,
        from_user_id: ALICE,
        to_user_id: CAROL,
        status: 'pending',
        created_at: T0,
        expires_at: T0,
      })
      .execute()
      .then(
        () => 'inserted',
        () => 'refused by the index',
      );
    expect(duplicate).toBe('refused by the index');
  });

  it('approval by the target changes the owner; nobody else may answer; a second answer is refused', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    const transferId = asked.transfer.id;
    expect(
      await answerTransfer(t.database, { transferId, userId: CAROL, answer: 'approve', now: T0 + MIN }),
    ).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
    const approved = await answerTransfer(t.database, { transferId, userId: BOB, answer: 'approve', now: T0 + MIN });
    expect(approved).toMatchObject({
      ok: true,
      transfer: { status: 'approved', answeredAt: T0 + MIN },
      reservation: { userId: BOB },
    });
    expect(await answerTransfer(t.database, { transferId, userId: BOB, answer: 'deny', now: T0 + MIN })).toMatchObject({
      ok: false,
      reason: 'not-pending',
    });
    // The new owner may hand it on.
    expect(
      (await requestTransfer(t.database, { reservationId: id, fromUserId: BOB, toUserId: CAROL, now: T0 + 2 * MIN }))
        .ok,
    ).toBe(true);
  });

  it('denial changes nothing but closes the request', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    expect(
      await answerTransfer(t.database, { transferId: asked.transfer.id, userId: BOB, answer: 'deny', now: T0 }),
    ).toMatchObject({
      ok: true,
      transfer: { status: 'denied' },
      reservation: { userId: ALICE },
    });
    expect(
      (await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: CAROL, now: T0 })).ok,
    ).toBe(true);
  });

  it('expires after 3 hours: the sweep returns it once, a later answer says expired or no longer pending', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    expect(await expireTransfers(t.database, T0 + TRANSFER_TTL_MS - 1)).toEqual([]);
    const expired = await expireTransfers(t.database, T0 + TRANSFER_TTL_MS);
    expect(expired.map((entry) => [entry.transfer.id, entry.transfer.status, entry.reservation.id])).toEqual([
      [asked.transfer.id, 'expired', id],
    ]);
    expect(expired[0]?.equipment.name).toBe('VR headset');
    expect(await expireTransfers(t.database, T0 + TRANSFER_TTL_MS + MIN)).toEqual([]);
    expect(
      await answerTransfer(t.database, {
        transferId: asked.transfer.id,
        userId: BOB,
        answer: 'approve',
        now: T0 + TRANSFER_TTL_MS,
      }),
    ).toMatchObject({ ok: false, reason: 'not-pending' });
  });

  it('an answer after the deadline but before the sweep is refused as expired, and the request is closed', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    expect(
      await answerTransfer(t.database, {
        transferId: asked.transfer.id,
        userId: BOB,
        answer: 'approve',
        now: T0 + TRANSFER_TTL_MS,
      }),
    ).toMatchObject({ ok: false, reason: 'expired', transfer: { status: 'expired' } });
    // A request whose time is up but that no sweep has expired yet does not block a new one either.
    const stale = await requestTransfer(t.database, {
      reservationId: id,
      fromUserId: ALICE,
      toUserId: CAROL,
      now: T0 + TRANSFER_TTL_MS,
      ttlMs: 30 * MIN,
    });
    expect(stale.ok).toBe(true);
    const again = await requestTransfer(t.database, {
      reservationId: id,
      fromUserId: ALICE,
      toUserId: BOB,
      now: T0 + TRANSFER_TTL_MS + 30 * MIN,
    });
    expect(again).toMatchObject({
      ok: true,
      transfer: { toUserId: BOB, expiresAt: T0 + 2 * TRANSFER_TTL_MS + 30 * MIN },
    });
    const statuses = await t.database.db.selectFrom('transfer_requests').select('status').orderBy('id').execute();
    expect(statuses.map((row) => row.status)).toEqual(['expired', 'expired', 'pending']);
  });

  it('a cancelled reservation can no longer be handed over, and its pending request dies with it', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    await cancelReservation(t.database, { reservationId: id, userId: ALICE }, T0 + MIN);
    expect(
      await answerTransfer(t.database, {
        transferId: asked.transfer.id,
        userId: BOB,
        answer: 'approve',
        now: T0 + 2 * MIN,
      }),
    ).toMatchObject({ ok: false, reason: 'not-pending' });
    expect(
      await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 }),
    ).toMatchObject({
      reason: 'not-changeable',
    });
  });

  it('logs every step', async () => {
    const { id } = await reservation();
    const asked = await requestTransfer(t.database, { reservationId: id, fromUserId: ALICE, toUserId: BOB, now: T0 });
    if (!asked.ok) throw new Error('setup failed');
    await answerTransfer(t.database, { transferId: asked.transfer.id, userId: BOB, answer: 'approve', now: T0 });
    const logs = await t.database.db.selectFrom('equipment_logs').select(['action', 'user_id']).orderBy('id').execute();
    expect(logs.map((row) => [row.action, row.user_id])).toEqual([
      ['reservation.created', ALICE],
      ['transfer.requested', ALICE],
      ['transfer.approved', BOB],
    ]);
  });
});
