import { describe, expect, it } from 'vitest';
import { FAILURE_POLICY_TUNING, FailurePolicy } from '../../../src/delivery/failure-policy.js';

const T0 = 1_700_000_000_000;

function policy(random = () => 0.5, baseBackoffMs = 1000, maxBackoffMs = 60_000): FailurePolicy {
  return new FailurePolicy({ baseBackoffMs, maxBackoffMs, random });
}

let nextTarget = 0;

/**
 * Records `outcomes` ('x' a failure, '.' a success) in `scope`, one per `stepMs` from `from`, each for another target
 * (or all for `target`); returns the time of the last.
 */
function record(p: FailurePolicy, scope: string, outcomes: string, from: number, stepMs = 10, target?: string): number {
  let now = from;
  for (const outcome of outcomes) {
    p.record([scope], outcome === 'x', now, target ?? `m:${++nextTarget}`);
    now += stepMs;
  }
  return now - stepMs;
}

describe('FailurePolicy', () => {
  it('retries an update at once the first time, then with exponential backoff and equal jitter, capped', () => {
    const low = policy(() => 0, 1000, 6000);
    const high = policy(() => 0.999_999, 1000, 6000);
    expect([1, 2, 3, 4, 5].map((retry) => low.retryDelayMs(retry))).toEqual([0, 500, 1000, 2000, 3000]);
    expect([1, 2, 3, 4, 5].map((retry) => high.retryDelayMs(retry))).toEqual([0, 1000, 2000, 4000, 6000]);
  });

  it('leaves a scope alone after isolated failures', () => {
    const p = policy();
    // 2 failures among 50 answers in the window: below the storm threshold (3 failures, 20%).
    const end = record(p, 'service', `${'.'.repeat(20)}x${'.'.repeat(20)}x${'.'.repeat(8)}`, T0);
    p.started('service', 20, end);
    expect(p.availableAt('service', end)).toBe(end);
    expect(p.snapshot(end)).toEqual([]);
  });

  it('does not call 3 failures among many successes a storm (they are under 20%)', () => {
    const p = policy();
    const end = record(p, 'service', `${'.'.repeat(15)}x${'.'.repeat(15)}x${'.'.repeat(15)}x`, T0);
    p.started('service', 20, end);
    expect(p.availableAt('service', end)).toBe(end);
  });

  it('spaces requests to a scope in a storm by its success ratio, with jitter', () => {
    const p = policy(() => 0.5); // jitter factor 1
    const end = record(p, 'bucket', 'x.x.x.', T0); // 3 of 6 failed
    expect(p.snapshot(end)).toEqual([
      { scope: 'bucket', state: 'storm', failureRatio: 0.5, consecutiveFailures: 0, waitMs: 0 },
    ]);
    expect(p.availableAt('bucket', end)).toBe(end);
    p.started('bucket', 100, end);
    // Half of the requests fail: half the nominal rate.
    expect(p.availableAt('bucket', end)).toBe(end + 200);
    // Other scopes are not affected.
    expect(p.availableAt('service', end)).toBe(end);

    const jittered = policy(() => 0);
    const at = record(jittered, 'bucket', 'x.x.x.', T0);
    jittered.started('bucket', 100, at);
    expect(jittered.availableAt('bucket', at)).toBe(at + 200 * (1 - FAILURE_POLICY_TUNING.stormJitter));
  });

  it('slows a storm down at most tenfold', () => {
    const p = policy();
    const end = record(p, 'service', 'xxxxxxxxx.', T0); // 90% failed
    p.started('service', 20, end);
    expect(p.availableAt('service', end)).toBe(end + 20 * FAILURE_POLICY_TUNING.maxSlowdown);
  });

  it('ends a storm once its failures age out of the window', () => {
    const p = policy();
    const end = record(p, 'service', 'x.x.x.', T0);
    p.started('service', 20, end);
    expect(p.availableAt('service', end + 10)).toBe(end + 40);
    const later = T0 + FAILURE_POLICY_TUNING.windowMs + 1; // the first failure is out: 2 left
    expect(p.availableAt('service', later)).toBe(later);
    expect(p.snapshot(later)).toEqual([]);
  });

  it('probes a scope where nothing succeeds, doubling the wait after every failed probe, and resumes on success', () => {
    const p = policy(() => 0.5, 1000, 5000);
    let now = record(p, 'service', 'xx', T0);
    expect(p.availableAt('service', now)).toBe(now); // two failures in a row: not yet an outage
    now = record(p, 'service', 'x', now + 10);
    // Third failure in a row, no success in the window: one probe after 750 ms (1 s, half jittered).
    expect(p.snapshot(now)[0]).toMatchObject({ state: 'outage', consecutiveFailures: 3 });
    expect(p.availableAt('service', now)).toBe(now + 750);
    const waits: number[] = [];
    for (let probe = 0; probe < 4; probe++) {
      now = p.availableAt('service', now);
      p.started('service', 20, now);
      p.record(['service'], true, now + 5, 'm:probe'); // the probe fails
      now += 5;
      waits.push(p.availableAt('service', now) - now);
    }
    // 2 s, 4 s, 8 s → capped at 5 s; each half fixed, half jittered (random 0.5 → 3/4 of it).
    expect(waits).toEqual([1500, 3000, 3750, 3750]);
    // The outage outlives the window: its failures aged out, but nothing has succeeded since.
    expect(p.availableAt('service', now + 2000)).toBe(now + 3750);
    now = p.availableAt('service', now);
    p.started('service', 20, now);
    p.record(['service'], false, now + 5, 'm:probe');
    expect(p.availableAt('service', now + 5)).toBe(now + 5);
    expect(p.snapshot(now + 5)).toEqual([]);
  });

  it("treats one message failing again and again as that message's problem, not a storm or an outage", () => {
    const p = policy();
    const end = record(p, 'service', 'xxxxxx', T0, 10, 'm:broken');
    p.started('service', 20, end);
    expect(p.isFailing('service', end)).toBe(false);
    expect(p.availableAt('service', end)).toBe(end);
    // Two more targets fail: now three different targets fail and nothing succeeds.
    const later = record(p, 'service', 'xx', end + 10);
    expect(p.isFailing('service', later)).toBe(true);
    expect(p.snapshot(later)[0]).toMatchObject({ state: 'outage', consecutiveFailures: 8 });
  });

  it('reports the longest wait it imposes', () => {
    const p = policy(() => 0.5, 1000, 60_000);
    const end = record(p, 'a', 'xxx', T0);
    expect(p.longestWaitMs(end)).toBe(750);
    expect(p.longestWaitMs(end + 750)).toBe(0);
  });
});
