import { describe, expect, it } from 'vitest';
import { buildWorkload, idealFor, managerStrategy, runScenario } from '../../bench/equipment-scenario.js';

// The equipment scenario at a reduced size: 40 messages in 5 channels (20 + 4 × 5), 120 updates from 20 users over
// 0.5 s, the bench's limits (5 per 500 ms per channel, 50 per second global) and latency (2–6 ms), through a
// MessageUpdateManager with default config and a @discordjs/rest REST over real HTTP to the DiscordSimulator.
describe('equipment scenario end to end (manager + REST + simulator over HTTP)', () => {
  it('ends every message on its last version with few requests and no 429 storm', async () => {
    const workload = buildWorkload({
      bigChannelMessages: 20,
      smallChannels: 4,
      smallChannelMessages: 5,
      updates: 120,
      users: 20,
      durationMs: 500,
      seed: 4242,
    });
    const ideal = idealFor(workload);
    let maxQueued = 0;
    let maxInFlight = 0;
    const result = await runScenario(workload, managerStrategy(), {
      capMs: 45_000,
      progressIntervalMs: 20,
      onProgress: ({ run }) => {
        const stats = run.manager.getStats();
        maxQueued = Math.max(maxQueued, stats.queueSize);
        maxInFlight = Math.max(maxInFlight, stats.inFlight);
      },
    });

    expect(result.capped).toBe(false);
    expect(result.run.failures()).toBe(0);
    expect(result.wrong).toBe(0);
    expect(result.rateLimited.global).toBe(0);
    for (const count of result.user429ByChannel) expect(count).toBeLessThanOrEqual(1);
    expect(result.apiCalls).toBeLessThanOrEqual(ideal.calls * 1.3);
    // Coalescing: far fewer requests than updates.
    expect(result.apiCalls).toBeLessThan(workload.updates.length * 0.6);
    // The backlog waited in the manager (where it coalesces), not in REST's per-bucket queues: requests on the wire
    // stay within the per-bucket concurrency (3 × 5 buckets) while the manager's queue holds the rest.
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(15);
  });
});
