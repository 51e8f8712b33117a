import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_STORE_TIMINGS } from '../../src/rate-limit/rate-limit-store.js';
import type {
  RateLimitAcquireResult,
  RateLimitObservation,
  RateLimitReservation,
  RateLimitSlotRequest,
  RateLimitStore,
  RateLimitStoreLimits,
} from '../../src/rate-limit/rate-limit-store.js';

/** What each backend's test file provides to the shared contract suite. */
export interface RateLimitStoreHarness {
  /** The store under test, in a fresh namespace (its own key prefix). */
  readonly store: RateLimitStore;
  /** Lets the store's time pass: a FakeClock advance for memory, a real sleep for Redis (whose clock is its own). */
  wait(ms: number): Promise<void>;
  /**
   * Another store on the same backend and namespace, as another process would open it (Redis: a second client, same
   * prefix). The memory store lives in one process, so its peer is the same instance.
   */
  peer(): Promise<RateLimitStore>;
  /** A store on the same backend in another namespace (Redis: another prefix; memory: another instance). */
  isolated(): Promise<RateLimitStore>;
  /** How much a measured wait may fall short of the exact value, in ms (0 on a fake clock; real time drifts). */
  readonly slackMs: number;
  /** Closes every store it opened and deletes their state. */
  cleanup(): Promise<void>;
}

const CHANNEL = '111111111111111111';
const OTHER_CHANNEL = '222222222222222222';
const EDIT: RateLimitSlotRequest = {
  routeKey: 'PATCH /channels/:channel_id/messages/:id',
  majorParameter: CHANNEL,
  exemptFromGlobal: false,
};
const CREATE: RateLimitSlotRequest = {
  routeKey: 'POST /channels/:channel_id/messages',
  majorParameter: CHANNEL,
  exemptFromGlobal: false,
};
const CALLBACK: RateLimitSlotRequest = {
  routeKey: 'POST /interactions/:interaction_id/:token/callback',
  majorParameter: '333333333333333333/aW50ZXJhY3Rpb246dG9rZW4',
  exemptFromGlobal: true,
};
const inChannel = (request: RateLimitSlotRequest, channel: string): RateLimitSlotRequest => ({
  ...request,
  majorParameter: channel,
});
/** A channel of its own per index, so tests can spread requests over unknown buckets. */
const channel = (index: number): string => `4${String(index).padStart(17, '0')}`;

const LIMITS: RateLimitStoreLimits = {
  globalLimit: 50,
  globalWindowMs: 400,
  maxInFlightPerBucket: 10,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};
const limitsWith = (overrides: Partial<RateLimitStoreLimits>): RateLimitStoreLimits => ({ ...LIMITS, ...overrides });

/** A 200 answer with rate-limit headers. */
const ok = (remaining: number, resetAfterMs: number, limit = 5, bucketHash = 'abc'): RateLimitObservation => ({
  status: 200,
  bucketHash,
  limit,
  remaining,
  resetAfterMs,
});

const POLL = RATE_LIMIT_STORE_TIMINGS.answerPollMs;

async function grant(
  store: RateLimitStore,
  request: RateLimitSlotRequest,
  limits = LIMITS,
): Promise<RateLimitReservation> {
  const result = await store.acquire(request, limits);
  if (!result.granted)
    throw new Error(`Expected a slot for ${request.routeKey}|${request.majorParameter}, got ${JSON.stringify(result)}`);
  return result.reservation;
}

async function refusal(
  store: RateLimitStore,
  request: RateLimitSlotRequest,
  limits = LIMITS,
): Promise<Extract<RateLimitAcquireResult, { granted: false }>> {
  const result = await store.acquire(request, limits);
  if (result.granted)
    throw new Error(
      `Expected no slot for ${request.routeKey}|${request.majorParameter}, got ${JSON.stringify(result)}`,
    );
  return result;
}

/** Sends one request and completes it with `observation`. */
async function answer(
  store: RateLimitStore,
  request: RateLimitSlotRequest,
  observation: RateLimitObservation | undefined,
  limits = LIMITS,
): Promise<RateLimitReservation> {
  const reservation = await grant(store, request, limits);
  await store.complete(reservation, observation, limits);
  return reservation;
}

/**
 * The one test suite every {@link RateLimitStore} must pass (memory, Redis): the semantics of the contract's module
 * comment, mirrored from the single-process `RateLimitTracker`.
 *
 * @param name - backend name for the describe block
 * @param create - makes a fresh store in its own namespace
 */
export function describeRateLimitStoreContract(name: string, create: () => Promise<RateLimitStoreHarness>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let harness: RateLimitStoreHarness;
    let store: RateLimitStore;
    /** Asserts a wait of about `expected` ms (never more; less by at most the harness's slack). */
    const about = (actual: number, expected: number): void => {
      expect(actual).toBeLessThanOrEqual(expected);
      expect(actual).toBeGreaterThanOrEqual(expected - harness.slackMs - 1);
    };

    beforeEach(async () => {
      harness = await create();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    describe('buckets', () => {
      it('allows one request at a time on an unknown bucket', async () => {
        const first = await grant(store, EDIT);
        expect(first.bucket).toBe(`${EDIT.routeKey}|${CHANNEL}`);
        expect(first).toMatchObject({ routeKey: EDIT.routeKey, majorParameter: CHANNEL, exemptFromGlobal: false });
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('bucket');
        expect(refused.retryInMs).toBeGreaterThan(0);
        expect(refused.retryInMs).toBeLessThanOrEqual(POLL);
        // Another channel is another bucket.
        await grant(store, inChannel(EDIT, OTHER_CHANNEL));
        // An answer without headers teaches nothing: still one at a time.
        await store.complete(first, undefined, LIMITS);
        const second = await grant(store, EDIT);
        expect(second.id).not.toBe(first.id);
        expect((await refusal(store, EDIT)).reason).toBe('bucket');
      });

      it('learns a hash: the route moves to hash:major and routes with one hash share the counter', async () => {
        await answer(store, EDIT, ok(4, 5000));
        const edit = await grant(store, EDIT); // 3 left
        expect(edit.bucket).toBe(`abc:${CHANNEL}`);
        // The create route is not known yet: its own unknown bucket.
        const create = await grant(store, CREATE);
        expect(create.bucket).toBe(`${CREATE.routeKey}|${CHANNEL}`);
        // Discord says it shares the hash, and counted one more request than we had left.
        await store.complete(create, ok(2, 5000), LIMITS);
        expect((await grant(store, CREATE)).bucket).toBe(`abc:${CHANNEL}`);
        expect((await grant(store, EDIT)).bucket).toBe(`abc:${CHANNEL}`);
        const refused = await refusal(store, CREATE);
        expect(refused.reason).toBe('bucket');
        about(refused.retryInMs, 5000);
        expect((await refusal(store, EDIT)).reason).toBe('bucket');
        // Same hash, other channel: another bucket, unknown so far.
        expect((await grant(store, inChannel(CREATE, OTHER_CHANNEL))).bucket).toBe(`abc:${OTHER_CHANNEL}`);
        expect((await refusal(store, inChannel(EDIT, OTHER_CHANNEL))).reason).toBe('bucket');
      });

      it("waits for requests reserved under a route's unhashed bucket once another channel taught its hash", async () => {
        const first = await grant(store, EDIT);
        const other = await grant(store, inChannel(EDIT, OTHER_CHANNEL)); // reserved as route|other, hash unknown
        await store.complete(first, ok(4, 5000), LIMITS); // the route's hash is learned: abc
        // `other` counts in abc:other too, but nothing of that bucket is known: wait for its answer, not probe.
        const refused = await refusal(store, inChannel(EDIT, OTHER_CHANNEL));
        expect(refused.reason).toBe('bucket');
        expect(refused.retryInMs).toBeLessThanOrEqual(POLL);
        await store.complete(other, ok(3, 5000), LIMITS);
        expect((await grant(store, inChannel(EDIT, OTHER_CHANNEL))).bucket).toBe(`abc:${OTHER_CHANNEL}`);
      });

      it('counts remaining down per grant and refuses at 0 until the window resets', async () => {
        await answer(store, EDIT, ok(2, 1000, 3));
        await grant(store, EDIT);
        await grant(store, EDIT);
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('bucket');
        about(refused.retryInMs, 1000);
      });

      it('starts a new window after reset-after, keeping requests still in flight reserved', async () => {
        await answer(store, EDIT, ok(3, 300, 4));
        const late = await grant(store, EDIT);
        await grant(store, EDIT);
        await grant(store, EDIT);
        expect((await refusal(store, EDIT)).reason).toBe('bucket');
        await harness.wait(300);
        await store.complete(late, undefined, LIMITS);
        // New window: 4, minus the 2 requests of the old one still in flight (they may land in the new one).
        await grant(store, EDIT);
        await grant(store, EDIT);
        const refused = await refusal(store, EDIT);
        // The new window's end is not known until an answer tells it.
        expect(refused.reason).toBe('bucket');
        expect(refused.retryInMs).toBeLessThanOrEqual(POLL);
      });

      it('applies a later answer of the same window without raising what is left', async () => {
        await answer(store, EDIT, ok(4, 5000));
        const a = await grant(store, EDIT); // 3 left for us
        await store.complete(a, ok(1, 5000), LIMITS); // others used some: 1 left
        await grant(store, EDIT);
        expect((await refusal(store, EDIT)).reason).toBe('bucket');
      });

      it('allows at most maxInFlightPerBucket requests in flight in one bucket', async () => {
        const limits = limitsWith({ maxInFlightPerBucket: 2 });
        await answer(store, EDIT, ok(9, 5000, 10), limits);
        const first = await grant(store, EDIT, limits);
        await grant(store, EDIT, limits);
        const refused = await refusal(store, EDIT, limits);
        expect(refused.reason).toBe('bucket');
        expect(refused.retryInMs).toBeLessThanOrEqual(POLL);
        await store.complete(first, ok(8, 5000, 10), limits);
        await grant(store, EDIT, limits);
      });

      it('assumes a request answered without rate-limit headers (or not at all) used a window 1.25× the longest Reset-After seen', async () => {
        await answer(store, EDIT, ok(1, 300, 2));
        await harness.wait(300);
        // Both slots of the new window go out: a proxy's 502 without headers, then no answer at all (a reset).
        await answer(store, EDIT, { status: 502 });
        await answer(store, EDIT, undefined);
        // No header dated the window they were counted in: rather than probe into it, wait out an assumed one.
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('bucket');
        about(refused.retryInMs, 375);
        await harness.wait(375);
        await grant(store, EDIT);
      });

      it('lets a header of the same window replace the end it assumed', async () => {
        await answer(store, EDIT, ok(4, 400));
        await harness.wait(400);
        await answer(store, EDIT, { status: 502 }); // assumed: the window ends 500 ms from now
        const dated = await grant(store, EDIT);
        await store.complete(dated, ok(2, 100), LIMITS); // Discord says: 100 ms left, 2 requests
        await grant(store, EDIT);
        await grant(store, EDIT);
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('bucket');
        about(refused.retryInMs, 100);
      });

      it('limits routes that answer without rate-limit headers by the global window only', async () => {
        const limits = limitsWith({ globalLimit: 6, globalWindowMs: 5000 });
        await answer(store, EDIT, { status: 200 }, limits);
        for (let i = 0; i < 4; i++) await grant(store, EDIT, limits);
        // Route-level: the same route in another channel is unlimited too.
        await grant(store, inChannel(EDIT, OTHER_CHANNEL), limits);
        const refused = await refusal(store, EDIT, limits);
        expect(refused.reason).toBe('global');
      });
    });

    describe('global window', () => {
      it('allows globalLimit requests per window, holding a slot until a window after its answer', async () => {
        const limits = limitsWith({ globalLimit: 2 });
        const a = await grant(store, inChannel(EDIT, channel(1)), limits);
        const b = await grant(store, inChannel(EDIT, channel(2)), limits);
        const inFlight = await refusal(store, inChannel(EDIT, channel(3)), limits);
        expect(inFlight.reason).toBe('global');
        expect(inFlight.retryInMs).toBeLessThanOrEqual(POLL);
        await store.complete(a, ok(4, 5000), limits);
        const held = await refusal(store, inChannel(EDIT, channel(3)), limits);
        expect(held.reason).toBe('global');
        about(held.retryInMs, limits.globalWindowMs);
        // A request that failed without an answer may have reached Discord: its slot is held too.
        await store.complete(b, undefined, limits);
        await harness.wait(limits.globalWindowMs);
        await grant(store, inChannel(EDIT, channel(3)), limits);
        await grant(store, inChannel(EDIT, channel(4)), limits);
        expect((await refusal(store, inChannel(EDIT, channel(5)), limits)).reason).toBe('global');
      });

      it('lets exempt routes (interaction callbacks) skip the global window', async () => {
        const limits = limitsWith({ globalLimit: 1 });
        await grant(store, inChannel(EDIT, channel(1)), limits);
        expect((await refusal(store, inChannel(EDIT, channel(2)), limits)).reason).toBe('global');
        const exempt = await grant(store, CALLBACK, limits);
        expect(exempt.exemptFromGlobal).toBe(true);
        await store.complete(exempt, { status: 204 }, limits);
        // Its answer holds no global slot either.
        await grant(store, inChannel(CALLBACK, '555555555555555555/aW50ZXJhY3Rpb246b3RoZXI'), limits);
      });
    });

    describe('answers heard before a request settles (observe)', () => {
      it('applies a 429 it observes at once, before the request settles', async () => {
        await answer(store, EDIT, ok(4, 500));
        const pending = await grant(store, EDIT);
        await store.observe(
          pending,
          { ...ok(0, 1000), status: 429, retryAfterMs: 1000, scope: 'user', subLimit: false, banned: false },
          LIMITS,
        );
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('paused');
        about(refused.retryInMs, 1000);
        await store.complete(pending, 'observed', LIMITS);
      });

      it('counts an observed attempt as a request of its own once a later answer shows it was sent again', async () => {
        const limits = limitsWith({ globalLimit: 2 });
        const repeated = await grant(store, inChannel(EDIT, channel(1)), limits);
        await store.observe(repeated, { status: 500 }, limits);
        await store.complete(repeated, { status: 200 }, limits); // the transport retried: two requests went out
        expect((await refusal(store, inChannel(EDIT, channel(2)), limits)).reason).toBe('global');

        const other = await harness.isolated();
        const once = await grant(other, inChannel(EDIT, channel(1)), limits);
        await other.observe(once, { status: 500 }, limits);
        await other.complete(once, 'observed', limits); // that answer was the last: one request went out
        await grant(other, inChannel(EDIT, channel(2)), limits);
      });
    });

    describe('learned global limit', () => {
      const GLOBAL_429 = (retryAfterMs: number): RateLimitObservation => ({
        status: 429,
        scope: 'global',
        retryAfterMs,
        subLimit: false,
        banned: false,
      });
      /** `count` requests on their own channels, answered 200 (no bucket headers: only the global window counts). */
      const sendMany = async (count: number, from: number, limits: RateLimitStoreLimits): Promise<void> => {
        for (let i = from; i < from + count; i++)
          await answer(store, inChannel(EDIT, channel(i)), { status: 200 }, limits);
      };
      const limitNow = async (limits: RateLimitStoreLimits, index: number): Promise<number | undefined> => {
        const result = await store.acquire(inChannel(EDIT, channel(index)), limits);
        if (!result.granted) throw new Error(`Expected a slot, got ${JSON.stringify(result)}`);
        await store.cancel(result.reservation);
        return result.globalLimit;
      };

      it('reports the configured global limit with every grant', async () => {
        expect(await limitNow(LIMITS, 1)).toBe(LIMITS.globalLimit);
      });

      it('learns a lower limit from a global 429: 95% of the requests of the failing window Discord answered otherwise', async () => {
        const limits = limitsWith({ globalProbeIntervalMs: 60_000 });
        await sendMany(20, 1, limits);
        const failing = await grant(store, inChannel(EDIT, channel(21)), limits);
        // The server's window ends in 100 ms: it began 300 ms ago (window 400 ms), with our 21 requests in it.
        await store.complete(failing, GLOBAL_429(100), limits);
        await harness.wait(limits.globalWindowMs); // the 21 slots are free again
        expect(await limitNow(limits, 22)).toBe(19); // ceil(20 × 0.95): the 20 it answered otherwise
      });

      it('counts the requests sent before the failing one whose answer is not heard yet, not the ones sent after', async () => {
        const limits = limitsWith({ globalProbeIntervalMs: 60_000 });
        await sendMany(17, 1, limits);
        const earlier = [await grant(store, inChannel(EDIT, channel(18)), limits)];
        earlier.push(await grant(store, inChannel(EDIT, channel(19)), limits));
        earlier.push(await grant(store, inChannel(EDIT, channel(20)), limits));
        await harness.wait(5);
        const failing = await grant(store, inChannel(EDIT, channel(21)), limits);
        await harness.wait(5);
        const later = await grant(store, inChannel(EDIT, channel(22)), limits);
        await store.observe(earlier[2]!, { status: 200 }, limits); // heard, and counted as answered
        // Still on the wire: earlier[0], earlier[1] (sent before it: the server let them in) and `later`.
        await store.complete(failing, GLOBAL_429(100), limits);
        for (const reservation of [...earlier, later]) await store.complete(reservation, { status: 200 }, limits);
        await harness.wait(limits.globalWindowMs);
        expect(await limitNow(limits, 23)).toBe(19); // ceil((17 + 1 heard + 2 on the wire) × 0.95); `later` not counted
      });

      it('does not lower it again for global 429s of requests sent before it was lowered', async () => {
        const limits = limitsWith({ globalProbeIntervalMs: 60_000 });
        await sendMany(20, 1, limits);
        const first = await grant(store, inChannel(EDIT, channel(21)), limits);
        const second = await grant(store, inChannel(EDIT, channel(22)), limits);
        await store.complete(first, GLOBAL_429(100), limits);
        await store.complete(second, GLOBAL_429(100), limits);
        await harness.wait(limits.globalWindowMs);
        expect(await limitNow(limits, 23)).toBe(19); // ceil(20 × 0.95), once
      });

      it('learns nothing from a global 429 with fewer than 5 of its requests in the window', async () => {
        await sendMany(3, 1, LIMITS);
        const failing = await grant(store, inChannel(EDIT, channel(4)), LIMITS);
        await store.complete(failing, GLOBAL_429(100), LIMITS);
        await harness.wait(LIMITS.globalWindowMs);
        expect(await limitNow(LIMITS, 5)).toBe(LIMITS.globalLimit);
      });

      it('keeps to the learned limit, then raises it by one per probe interval without a global 429', async () => {
        const limits = limitsWith({ globalProbeIntervalMs: 500 });
        await sendMany(10, 1, limits);
        const failing = await grant(store, inChannel(EDIT, channel(11)), limits);
        await store.complete(failing, GLOBAL_429(100), limits);
        await harness.wait(limits.globalWindowMs); // every slot of that window is free again
        // ceil(10 × 0.95) = 10 requests per window now, not 50.
        for (let i = 0; i < 10; i++) await grant(store, inChannel(EDIT, channel(20 + i)), limits);
        expect((await refusal(store, inChannel(EDIT, channel(30)), limits)).reason).toBe('global');
        await harness.wait(limits.globalWindowMs);
        expect(await limitNow(limits, 31)).toBe(11); // one probe interval (500 ms) has passed since it was learned
      });
    });

    describe('429 pauses', () => {
      it('pauses the bucket on a user 429 without requests remaining', async () => {
        await answer(store, EDIT, {
          status: 429,
          scope: 'user',
          bucketHash: 'abc',
          limit: 5,
          remaining: 0,
          resetAfterMs: 1000,
          retryAfterMs: 1000,
          subLimit: false,
        });
        const refused = await refusal(store, EDIT);
        expect(refused.reason).toBe('paused');
        about(refused.retryInMs, 1000);
        await grant(store, inChannel(EDIT, OTHER_CHANNEL));
        await harness.wait(1000);
        await grant(store, EDIT);
      });

      it('does not pause the bucket on a sub-limit 429', async () => {
        await answer(store, EDIT, ok(4, 5000));
        await answer(store, EDIT, {
          status: 429,
          scope: 'user',
          bucketHash: 'abc',
          limit: 5,
          remaining: 3,
          resetAfterMs: 5000,
          retryAfterMs: 1000,
          subLimit: true,
        });
        await grant(store, EDIT);
      });

      it('pauses the bucket on a shared 429 without counting it as invalid', async () => {
        const limits = limitsWith({ invalidRequestLimit: 1 });
        await answer(
          store,
          EDIT,
          { status: 429, scope: 'shared', bucketHash: 'abc', retryAfterMs: 1000, subLimit: false },
          limits,
        );
        const refused = await refusal(store, EDIT, limits);
        expect(refused.reason).toBe('paused');
        about(refused.retryInMs, 1000);
        // With a budget of 1, a counted invalid request would refuse everything.
        await grant(store, inChannel(EDIT, OTHER_CHANNEL), limits);
      });

      it('pauses every request on a global 429, exempt routes included', async () => {
        await answer(store, EDIT, { status: 429, scope: 'global', retryAfterMs: 500, subLimit: false });
        for (const request of [inChannel(EDIT, OTHER_CHANNEL), inChannel(CREATE, channel(7)), CALLBACK]) {
          const refused = await refusal(store, request);
          expect(refused.reason).toBe('paused');
          about(refused.retryInMs, 500);
        }
        await harness.wait(500);
        await grant(store, inChannel(EDIT, OTHER_CHANNEL));
      });

      it('pauses every request during the invalid-request ban', async () => {
        await answer(store, EDIT, { status: 429, scope: 'global', banned: true, retryAfterMs: 800 });
        const refused = await refusal(store, CALLBACK);
        expect(refused.reason).toBe('paused');
        about(refused.retryInMs, 800);
        await harness.wait(800);
        await grant(store, CALLBACK);
      });
    });

    describe('invalid-request budget', () => {
      it('counts 401, 403 and user 429 answers and refuses once the budget is used', async () => {
        const limits = limitsWith({ invalidRequestLimit: 3, invalidRequestWindowMs: 1000 });
        await answer(store, inChannel(EDIT, channel(1)), { status: 401 }, limits);
        await answer(store, inChannel(EDIT, channel(2)), { status: 403 }, limits);
        await answer(store, inChannel(EDIT, channel(3)), { status: 404 }, limits); // not invalid
        await answer(
          store,
          inChannel(EDIT, channel(4)),
          { status: 429, scope: 'user', retryAfterMs: 100, subLimit: false },
          limits,
        );
        const refused = await refusal(store, inChannel(EDIT, channel(5)), limits);
        expect(refused.reason).toBe('invalid-budget');
        about(refused.retryInMs, 1000);
        expect((await refusal(store, CALLBACK, limits)).reason).toBe('invalid-budget');
        await harness.wait(1000);
        await grant(store, inChannel(EDIT, channel(5)), limits);
      });

      it('counts requests in flight as possibly invalid', async () => {
        const limits = limitsWith({ invalidRequestLimit: 2 });
        await answer(store, inChannel(EDIT, channel(1)), { status: 403 }, limits);
        const inFlight = await grant(store, inChannel(EDIT, channel(2)), limits);
        const refused = await refusal(store, inChannel(EDIT, channel(3)), limits);
        expect(refused.reason).toBe('invalid-budget');
        expect(refused.retryInMs).toBeLessThanOrEqual(POLL);
        await store.complete(inFlight, ok(4, 5000), limits);
        await grant(store, inChannel(EDIT, channel(3)), limits);
      });
    });

    describe('cancel and expiry', () => {
      it('gives a cancelled slot back to its bucket', async () => {
        const unknown = await grant(store, EDIT);
        await store.cancel(unknown);
        await grant(store, EDIT);

        await answer(store, CREATE, ok(1, 5000, 5, 'def'));
        const last = await grant(store, CREATE);
        expect((await refusal(store, CREATE)).reason).toBe('bucket');
        await store.cancel(last);
        await store.cancel(last); // twice changes nothing
        await grant(store, CREATE);
        expect((await refusal(store, CREATE)).reason).toBe('bucket');
      });

      it('gives a cancelled slot back to the global window without holding it', async () => {
        const limits = limitsWith({ globalLimit: 1 });
        const cancelled = await grant(store, inChannel(EDIT, channel(1)), limits);
        expect((await refusal(store, inChannel(EDIT, channel(2)), limits)).reason).toBe('global');
        await store.cancel(cancelled);
        // Not held for a window: the request was never sent.
        await grant(store, inChannel(EDIT, channel(2)), limits);
      });

      it('stops counting a reservation not completed within reservationTtlMs', async () => {
        const limits = limitsWith({ reservationTtlMs: 300, globalLimit: 2, invalidRequestLimit: 2 });
        await grant(store, EDIT, limits);
        await grant(store, inChannel(EDIT, channel(1)), limits);
        expect((await refusal(store, EDIT, limits)).reason).toBe('invalid-budget');
        await harness.wait(300);
        // Bucket, global window and invalid budget all free again.
        const again = await grant(store, EDIT, limits);
        await grant(store, inChannel(EDIT, channel(2)), limits);
        await store.cancel(again);
      });

      it('still learns from an answer that arrives after its reservation expired', async () => {
        const limits = limitsWith({ reservationTtlMs: 300 });
        const slow = await grant(store, EDIT, limits);
        await harness.wait(300);
        await store.complete(slow, ok(0, 2000), limits);
        const refused = await refusal(store, EDIT, limits);
        expect(refused.reason).toBe('bucket');
        about(refused.retryInMs, 2000);
      });
    });

    describe('several processes', () => {
      it('lets two stores on the same backend see each other’s grants, answers and pauses', async () => {
        const other = await harness.peer();
        const limits = limitsWith({ globalLimit: 4, globalWindowMs: 5000 });
        const mine = await grant(store, EDIT, limits);
        expect((await refusal(other, EDIT, limits)).reason).toBe('bucket');
        await store.complete(mine, ok(1, 5000), limits);
        expect((await grant(other, EDIT, limits)).bucket).toBe(`abc:${CHANNEL}`);
        expect((await refusal(store, EDIT, limits)).reason).toBe('bucket');

        // Global slots so far: the answered request (held) and the one in flight; two more fit.
        await grant(other, inChannel(CREATE, channel(1)), limits);
        await grant(store, inChannel(CREATE, channel(2)), limits);
        expect((await refusal(other, inChannel(CREATE, channel(3)), limits)).reason).toBe('global');

        await answer(other, CALLBACK, { status: 429, scope: 'global', retryAfterMs: 1000, subLimit: false }, limits);
        expect((await refusal(store, CALLBACK, limits)).reason).toBe('paused');
      });

      it('keeps stores with different namespaces independent', async () => {
        const other = await harness.isolated();
        await grant(store, EDIT);
        expect((await refusal(store, EDIT)).reason).toBe('bucket');
        await grant(other, EDIT);
        await answer(store, CALLBACK, { status: 429, scope: 'global', retryAfterMs: 1000, subLimit: false });
        expect((await refusal(store, CREATE)).reason).toBe('paused');
        await grant(other, CREATE);
      });
    });
  });
}
