import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import type { RateLimitStore } from '../../../src/rate-limit/rate-limit-store.js';
import { describeRateLimitStoreContract } from '../../contract/rate-limit-store.contract.js';
import { parseRateLimitResponse } from '../../../src/rate-limit/rate-limit-response.js';
import type { RateLimitStoreLimits } from '../../../src/rate-limit/rate-limit-store.js';
import { RateLimitTracker, type Grant } from '../../../src/rate-limit/rate-limit-tracker.js';
import { routeOf } from '../../../src/discord/route.js';

const T0 = 1_700_000_000_000;
const edit = routeOf('PATCH', '/channels/111111111111111111/messages/222222222222222222', T0);
const create = routeOf('POST', '/channels/111111111111111111/messages', T0);
const headers = (remaining: number, resetAfter: number, limit = 5): Record<string, string> => ({
  'x-ratelimit-bucket': 'abc',
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset-after': resetAfter.toFixed(3),
});

const LIMITS: RateLimitStoreLimits = {
  globalLimit: 50,
  globalWindowMs: 1000,
  maxInFlightPerBucket: 10,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};

function tracker(overrides: Partial<RateLimitStoreLimits> = {}) {
  return new RateLimitTracker({ ...LIMITS, ...overrides });
}

/** Feeds one raw answer to the tracker, as the manager does (through the one response parser). */
function observe(
  t: RateLimitTracker,
  grant: Grant,
  status: number,
  raw: Record<string, string>,
  body: unknown,
  now: number,
) {
  return t.observe(grant, parseRateLimitResponse(status, raw, body), now);
}

/**
 * The tracker as a {@link RateLimitStore}: the manager's own, synchronous view must keep the same semantics as the
 * stores several processes share.
 */
function trackerStore(clock: FakeClock): RateLimitStore {
  let tracker: RateLimitTracker | undefined;
  let trackerLimits = '';
  const grants = new Map<string, Grant>();
  const trackerFor = (limits: RateLimitStoreLimits): RateLimitTracker => {
    // A tracker keeps the limits it was built with; the contract passes one set per test.
    tracker ??= new RateLimitTracker(limits);
    trackerLimits ||= JSON.stringify(limits);
    if (JSON.stringify(limits) !== trackerLimits) throw new Error(`limits changed: ${JSON.stringify(limits)}`);
    return tracker;
  };
  const grantOf = (id: string): Grant => {
    const grant = grants.get(id);
    if (!grant) throw new Error(`unknown reservation ${id}`);
    return grant;
  };
  return {
    acquire: async (request, limits) => {
      const t = trackerFor(limits);
      const blocked = t.check(request, clock.now());
      if (blocked) return { granted: false, reason: blocked.reason, retryInMs: blocked.retryInMs };
      const route = { ...request };
      const grant = t.acquire(route, clock.now());
      grants.set(grant.reservation.id, grant);
      return { granted: true, reservation: grant.reservation, globalLimit: t.globalLimit(clock.now()) };
    },
    complete: async (reservation, observation, limits) => {
      const t = trackerFor(limits);
      const grant = grantOf(reservation.id);
      if (observation !== undefined && observation !== 'observed') t.observe(grant, observation, clock.now());
      t.complete(grant, clock.now(), observation !== undefined);
    },
    observe: async (reservation, observation, limits) => {
      trackerFor(limits).observe(grantOf(reservation.id), observation, clock.now());
    },
    cancel: async (reservation) => {
      tracker?.cancel(grantOf(reservation.id), clock.now());
    },
    close: async () => undefined,
  };
}

describeRateLimitStoreContract('RateLimitTracker', async () => {
  const clock = new FakeClock();
  const store = trackerStore(clock);
  return {
    store,
    wait: (ms) => clock.advance(ms),
    peer: async () => store,
    isolated: async () => trackerStore(clock),
    slackMs: 0,
    cleanup: async () => undefined,
  };
});

describe('RateLimitTracker', () => {
  it('allows one request at a time on an unknown bucket', () => {
    const t = tracker();
    expect(t.availableAt(edit, T0)).toBe(T0);
    const grant = t.acquire(edit, T0);
    expect(t.availableAt(edit, T0)).toBeUndefined();
    observe(t, grant, 200, headers(4, 5), undefined, T0 + 10);
    t.complete(grant, T0 + 10, true);
    expect(t.availableAt(edit, T0 + 10)).toBe(T0 + 10);
  });

  it('counts requests sent in the window and waits for the reset once exhausted', () => {
    const t = tracker();
    const first = t.acquire(edit, T0);
    observe(t, first, 200, headers(4, 5), undefined, T0);
    t.complete(first, T0, true);
    for (let i = 0; i < 4; i++) t.acquire(edit, T0);
    expect(t.availableAt(edit, T0)).toBe(T0 + 5000);
  });

  it('shares a learned bucket between routes with the same hash', () => {
    const t = tracker();
    const a = t.acquire(edit, T0);
    observe(t, a, 200, headers(1, 5, 2), undefined, T0);
    t.complete(a, T0, true);
    const b = t.acquire(create, T0);
    observe(t, b, 200, headers(0, 5, 2), undefined, T0);
    t.complete(b, T0, true);
    expect(t.bucketKeyOf(create)).toBe(t.bucketKeyOf(edit));
    expect(t.availableAt(edit, T0)).toBe(T0 + 5000);
    expect(t.availableAt(create, T0)).toBe(T0 + 5000);
  });

  it('keeps requests of the previous window reserved when a new window starts', () => {
    const t = tracker();
    const first = t.acquire(edit, T0);
    observe(t, first, 200, headers(4, 1), undefined, T0);
    t.complete(first, T0, true);
    const late = t.acquire(edit, T0 + 999); // still in flight when the window rolls
    for (let i = 0; i < 3; i++) t.acquire(edit, T0 + 999);
    const snapshot = () => t.snapshot(T0 + 1000).find((b) => b.bucket === 'abc:111111111111111111')!;
    expect(snapshot().remaining).toBe(1); // 5 minus the 4 still in flight
    t.complete(late, T0 + 1001, false);
  });

  it('pauses a bucket on a user 429 and everything on a global 429', () => {
    const t = tracker();
    const g = t.acquire(edit, T0);
    const hit = observe(
      t,
      g,
      429,
      { ...headers(0, 2), 'x-ratelimit-scope': 'user' },
      { retry_after: 2, global: false },
      T0,
    );
    t.complete(g, T0, true);
    expect(hit).toMatchObject({ scope: 'user', retryAfterMs: 2000, subLimit: false });
    expect(t.availableAt(edit, T0)).toBe(T0 + 2000);
    const other = routeOf('PATCH', '/channels/333333333333333333/messages/222222222222222222', T0);
    const g2 = t.acquire(other, T0);
    observe(t, g2, 429, { 'x-ratelimit-global': 'true', 'retry-after': '1' }, { retry_after: 0.25, global: true }, T0);
    t.complete(g2, T0, true);
    expect(t.availableAt(other, T0)).toBe(T0 + 250);
    expect(t.invalidCount(T0)).toBe(2);
  });

  it('treats a 429 with requests remaining as a sub-limit of that request only', () => {
    const t = tracker();
    const g = t.acquire(edit, T0);
    const hit = observe(t, g, 429, { ...headers(3, 5), 'x-ratelimit-scope': 'user' }, { retry_after: 60 }, T0);
    t.complete(g, T0, true);
    expect(hit?.subLimit).toBe(true);
    expect(t.availableAt(edit, T0)).toBe(T0);
  });

  it('recognises the invalid-request ban (plain-text 429) and stops everything', () => {
    const t = tracker();
    const g = t.acquire(edit, T0);
    const hit = observe(
      t,
      g,
      429,
      { 'retry-after': '3600' },
      'You are being blocked from accessing our API temporarily',
      T0,
    );
    t.complete(g, T0, true);
    expect(hit).toMatchObject({ banned: true, scope: 'global', retryAfterMs: 3_600_000 });
    expect(t.availableAt(create, T0 + 1000)).toBe(T0 + 3_600_000);
  });

  it('holds a global slot until one second after the answer', () => {
    const t = tracker({ globalLimit: 2 });
    const routes = ['1', '2', '3'].map((n) =>
      routeOf('PATCH', `/channels/11111111111111111${n}/messages/222222222222222222`, T0),
    );
    const a = t.acquire(routes[0]!, T0);
    const b = t.acquire(routes[1]!, T0);
    expect(t.availableAt(routes[2]!, T0)).toBeUndefined(); // both in flight: wait for an answer
    t.complete(a, T0 + 30, false);
    expect(t.availableAt(routes[2]!, T0 + 30)).toBe(T0 + 1030);
    t.complete(b, T0 + 40, false);
    expect(t.globalRemaining(T0 + 1030)).toBe(1);
  });

  it('marks routes without rate-limit headers as limited by the global limit only', () => {
    const t = tracker({ maxInFlightPerBucket: 2 });
    const get = routeOf('GET', '/channels/111111111111111111/messages/222222222222222222', T0);
    const g = t.acquire(get, T0);
    observe(t, g, 200, {}, undefined, T0);
    t.complete(g, T0, true);
    t.acquire(get, T0);
    expect(t.availableAt(get, T0)).toBe(T0);
    t.acquire(get, T0);
    expect(t.availableAt(get, T0)).toBeUndefined(); // maxConcurrentUpdates
  });

  it('does not let a late answer from the previous window date the new one', () => {
    const t = tracker();
    const first = t.acquire(edit, T0);
    observe(t, first, 200, headers(4, 1), undefined, T0);
    t.complete(first, T0, true);
    const late = t.acquire(edit, T0 + 990); // answered only after the local window rolled
    // The window rolls at T0 + 1000; this answer belongs to the old one (its reset is 5 ms away).
    observe(t, late, 200, headers(3, 0.005), undefined, T0 + 1001);
    t.complete(late, T0 + 1001, true);
    expect(t.snapshot(T0 + 1001).find((b) => b.bucket === 'abc:111111111111111111')?.resetInMs).toBeUndefined();
  });

  it('assumes a request answered without headers used its window, then probes once that window is over', () => {
    const t = tracker();
    const first = t.acquire(edit, T0);
    observe(t, first, 200, headers(1, 1, 2), undefined, T0);
    t.complete(first, T0, true);
    const a = t.acquire(edit, T0 + 990);
    // The window rolls with `a` in flight (remaining = limit 2 - 1 in flight); both then fail without an answer.
    const b = t.acquire(edit, T0 + 1000);
    t.complete(a, T0 + 1001, false);
    t.complete(b, T0 + 1002, false);
    // No budget, and no header dated the window `b` was counted in: it may run until 1.25 × 1 s (the longest
    // Reset-After seen) from now.
    expect(t.availableAt(edit, T0 + 1003)).toBe(T0 + 2252);
    expect(t.availableAt(edit, T0 + 2252)).toBe(T0 + 2252);
  });

  it('lets a header of the same window replace the end it assumed after an answer without headers', () => {
    const t = tracker();
    const first = t.acquire(edit, T0);
    observe(t, first, 200, headers(4, 2), undefined, T0);
    t.complete(first, T0, true);
    for (let i = 0; i < 4; i++) t.complete(t.acquire(edit, T0 + 2000), T0 + 2000, false); // the window rolled: 4 of 5 used
    // ...none answered (resets): the window is assumed to end at T0 + 2000 + 1.25 × 2 s. One slot is left.
    const last = t.acquire(edit, T0 + 2001);
    expect(t.availableAt(edit, T0 + 2001)).toBe(T0 + 4500);
    observe(t, last, 200, headers(0, 0.5), undefined, T0 + 2010);
    t.complete(last, T0 + 2010, true);
    expect(t.availableAt(edit, T0 + 2011)).toBe(T0 + 2510);
  });

  it('counts the attempts a transport makes on its own (REST retries) against the global limit and the bucket', () => {
    const t = tracker({ globalLimit: 2 });
    const grant = t.acquire(edit, T0);
    observe(t, grant, 500, {}, undefined, T0 + 10); // REST retries at once...
    observe(t, grant, 200, {}, undefined, T0 + 20); // ...and reports a second answer
    t.complete(grant, T0 + 20, true);
    // Two requests went out: both global slots are held (until 1 s after each answer).
    expect(t.globalRemaining(T0 + 30)).toBe(0);
    expect(t.globalRemaining(T0 + 1010)).toBe(1);
    expect(t.globalRemaining(T0 + 1020)).toBe(2);
  });
});
