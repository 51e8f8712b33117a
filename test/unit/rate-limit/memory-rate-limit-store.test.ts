import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../src/errors/message-update-error.js';
import { MemoryRateLimitStore } from '../../../src/rate-limit/memory-rate-limit-store.js';
import type { RateLimitSlotRequest, RateLimitStoreLimits } from '../../../src/rate-limit/rate-limit-store.js';
import type { Clock } from '../../../src/util/clock.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { describeRateLimitStoreContract } from '../../contract/rate-limit-store.contract.js';

describeRateLimitStoreContract('memory', async () => {
  const clock = new FakeClock();
  const store = new MemoryRateLimitStore({ clock });
  const opened: MemoryRateLimitStore[] = [store];
  return {
    store,
    wait: (ms) => clock.advance(ms),
    // One process holds one memory store: "another process on the same backend" is the same instance.
    peer: async () => store,
    isolated: async () => {
      const other = new MemoryRateLimitStore({ clock });
      opened.push(other);
      return other;
    },
    slackMs: 0,
    cleanup: async () => {
      for (const each of opened) await each.close();
    },
  };
});

const EDIT: RateLimitSlotRequest = {
  routeKey: 'PATCH /channels/:channel_id/messages/:id',
  majorParameter: '111111111111111111',
  exemptFromGlobal: false,
};
const LIMITS: RateLimitStoreLimits = {
  globalLimit: 50,
  globalWindowMs: 1000,
  maxInFlightPerBucket: 3,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};

describe('MemoryRateLimitStore', () => {
  it('rejects a clock without now()', () => {
    expect(() => new MemoryRateLimitStore({ clock: {} as Clock })).toThrow(InvalidConfigError);
    expect(() => new MemoryRateLimitStore({ clock: {} as Clock })).toThrow(/Expected `clock` to be a Clock/);
  });

  it('uses the system clock by default', async () => {
    const store = new MemoryRateLimitStore();
    const result = await store.acquire(EDIT, LIMITS);
    expect(result.granted).toBe(true);
    await store.close();
  });

  it('encodes the window epoch in reservation ids', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const first = await store.acquire(EDIT, LIMITS);
    if (!first.granted) throw new Error('expected a slot');
    expect(first.reservation.id).toMatch(/^[0-9a-f-]+[0-9a-z]+\.0$/); // <process prefix><counter>.<epoch>
    await store.complete(
      first.reservation,
      { status: 200, bucketHash: 'abc', limit: 5, remaining: 4, resetAfterMs: 100 },
      LIMITS,
    );
    await clock.advance(100);
    const next = await store.acquire(EDIT, LIMITS);
    if (!next.granted) throw new Error('expected a slot');
    expect(next.reservation.id).toMatch(/\.1$/);
  });

  it('does not give a cancelled slot of an old window to the new one', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const learn = await store.acquire(EDIT, LIMITS);
    if (!learn.granted) throw new Error('expected a slot');
    await store.complete(
      learn.reservation,
      { status: 200, bucketHash: 'abc', limit: 2, remaining: 1, resetAfterMs: 100 },
      LIMITS,
    );
    const old = await store.acquire(EDIT, LIMITS);
    if (!old.granted) throw new Error('expected a slot');
    await clock.advance(100);
    // New window: 2 minus the old request still in flight.
    const current = await store.acquire(EDIT, LIMITS);
    expect(current.granted).toBe(true);
    await store.cancel(old.reservation);
    // The cancelled request was reserved in the new window (it was in flight at the roll): no extra slot appears.
    expect(await store.acquire(EDIT, LIMITS)).toMatchObject({ granted: false, reason: 'bucket' });
  });

  it('does not let a late answer from the previous window start the new one', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const ok = (remaining: number, resetAfterMs: number) =>
      ({ status: 200, bucketHash: 'abc', limit: 5, remaining, resetAfterMs }) as const;
    const limits = { ...LIMITS, maxInFlightPerBucket: 10 };
    const learn = await store.acquire(EDIT, limits);
    if (!learn.granted) throw new Error('expected a slot');
    await store.complete(learn.reservation, ok(4, 100), limits);
    const slow = await store.acquire(EDIT, limits); // granted in the first window
    if (!slow.granted) throw new Error('expected a slot');
    await clock.advance(100);
    const current = await store.acquire(EDIT, limits); // the window rolled: 5 minus the slow one = 4, now 3
    if (!current.granted) throw new Error('expected a slot');
    // The slow request's answer speaks of the old server window: it lowers nothing here and sets no window end.
    await store.complete(slow.reservation, ok(3, 400), limits);
    for (let i = 0; i < 3; i++) expect((await store.acquire(EDIT, limits)).granted).toBe(true);
    const unknownEnd = await store.acquire(EDIT, limits);
    expect(unknownEnd).toMatchObject({ granted: false, reason: 'bucket' });
    expect(unknownEnd.granted === false && unknownEnd.retryInMs).toBeLessThanOrEqual(50);
    // An answer from this window tells its end.
    await store.complete(current.reservation, ok(0, 1000), limits);
    expect(await store.acquire(EDIT, limits)).toEqual({ granted: false, reason: 'bucket', retryInMs: 1000 });
  });

  it('probes one request at a time when a window ended and no answer will tell the next one', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const limits = { ...LIMITS, reservationTtlMs: 500 };
    const learn = await store.acquire(EDIT, limits);
    if (!learn.granted) throw new Error('expected a slot');
    await store.complete(
      learn.reservation,
      { status: 200, bucketHash: 'abc', limit: 2, remaining: 2, resetAfterMs: 100 },
      limits,
    );
    await store.acquire(EDIT, limits);
    await store.acquire(EDIT, limits);
    await clock.advance(100);
    // New window, both requests still in flight: nothing left, and only their answers can tell the window.
    expect(await store.acquire(EDIT, limits)).toMatchObject({ granted: false, reason: 'bucket' });
    // Their process died: the reservations expire, and one request at a time may learn the window again.
    await clock.advance(500);
    const probe = await store.acquire(EDIT, limits);
    expect(probe.granted).toBe(true);
    expect(await store.acquire(EDIT, limits)).toMatchObject({ granted: false, reason: 'bucket' });
  });

  it('answers the longest wait when several limits block', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const learn = await store.acquire(EDIT, LIMITS);
    if (!learn.granted) throw new Error('expected a slot');
    await store.complete(
      learn.reservation,
      { status: 200, bucketHash: 'abc', limit: 1, remaining: 0, resetAfterMs: 3000 },
      LIMITS,
    );
    const other = await store.acquire({ ...EDIT, majorParameter: '222222222222222222' }, LIMITS);
    if (!other.granted) throw new Error('expected a slot');
    await store.complete(other.reservation, { status: 429, scope: 'global', retryAfterMs: 1000 }, LIMITS);
    expect(await store.acquire(EDIT, LIMITS)).toEqual({ granted: false, reason: 'bucket', retryInMs: 3000 });
    await clock.advance(2500);
    expect(await store.acquire(EDIT, LIMITS)).toEqual({ granted: false, reason: 'bucket', retryInMs: 500 });
  });

  it('forgets idle buckets after ten minutes', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore({ clock });
    const learn = await store.acquire(EDIT, LIMITS);
    if (!learn.granted) throw new Error('expected a slot');
    await store.complete(
      learn.reservation,
      { status: 200, bucketHash: 'abc', limit: 5, remaining: 0, resetAfterMs: 1000 },
      LIMITS,
    );
    await clock.advance(11 * 60 * 1000);
    const other = await store.acquire({ ...EDIT, majorParameter: '222222222222222222' }, LIMITS);
    expect(other.granted).toBe(true);
    // The bucket is gone but the route's hash is not: a fresh bucket, unknown, one at a time.
    const again = await store.acquire(EDIT, LIMITS);
    expect(again).toMatchObject({ granted: true, reservation: { bucket: 'abc:111111111111111111' } });
    expect(await store.acquire(EDIT, LIMITS)).toMatchObject({ granted: false, reason: 'bucket' });
  });
});
