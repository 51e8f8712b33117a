import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, MessageUpdateManager, MissingPeerDependencyError } from '../../../src/index.js';
import {
  DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS,
  PrometheusMetricsCollector,
  routeFamilyOf,
  type PrometheusMetricsCollectorOptions,
} from '../../../src/prometheus/index.js';
import { loadPromClient } from '../../../src/prometheus/prom-client-loader.js';
import { DiscordSimulator } from '../../../src/testing/discord-simulator.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { SimulatorTransport } from '../../../src/testing/simulator-transport.js';
import { advanceBy, advanceUntilSettled } from '../../helpers/fake-clock-helpers.js';

/** One sample line of the text exposition format: `name{label="value",...} value`. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the sample lines of a text exposition (comments skipped); enough for prom-client's output. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none; throws on several). */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

const P = DEFAULT_PROMETHEUS_METRICS_COLLECTOR_OPTIONS.prefix;

function setup(options: PrometheusMetricsCollectorOptions = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const sim = new DiscordSimulator({ clock });
  const channelId = sim.createChannel({ name: 'status' }).id;
  const collector = new PrometheusMetricsCollector(options);
  const manager = new MessageUpdateManager({ transport: new SimulatorTransport(sim), clock, metrics: collector });
  const scrape = async (): Promise<Sample[]> => parseExposition(await collector.metrics());
  return { clock, sim, channelId, collector, manager, scrape };
}

describe('PrometheusMetricsCollector', () => {
  it('counts operations by outcome and kind, coalesced updates, and requests, as they happened', async () => {
    const { clock, sim, channelId, collector, manager, scrape } = setup({ labels: { shard: '0' } });
    const messageId = sim.seedMessage(channelId, { content: 'v0' }).id;
    const edits = [1, 2, 3].map((n) => manager.edit(channelId, messageId, { content: `v${n}` }));
    const created = manager.create(channelId, { content: 'new' });
    await manager.start();
    const results = await advanceUntilSettled(clock, Promise.all([...edits, created]));
    expect(results.map((result) => result.outcome)).toEqual(['coalesced', 'coalesced', 'sent', 'sent']);
    const skipped = await advanceUntilSettled(clock, manager.edit(channelId, messageId, { content: 'v3' }));
    expect(skipped.outcome).toBe('skipped');

    const samples = await scrape();
    const updates = `${P}updates_total`;
    expect(valueOf(samples, updates, { outcome: 'sent', kind: 'edit' })).toBe(1);
    expect(valueOf(samples, updates, { outcome: 'sent', kind: 'create' })).toBe(1);
    expect(valueOf(samples, updates, { outcome: 'skipped', kind: 'edit' })).toBe(1);
    expect(valueOf(samples, updates, { outcome: 'coalesced' })).toBe(2);
    expect(valueOf(samples, updates, { outcome: 'failed', kind: 'edit' })).toBe(0);
    // Every update's promise is one count: 3 edits + 1 create + 1 skipped edit.
    expect(samples.filter((s) => s.name === updates).reduce((sum, s) => sum + s.value, 0)).toBe(5);

    const requests = `${P}requests_total`;
    expect(valueOf(samples, requests, { method: 'PATCH', route_family: 'messages', status: '200' })).toBe(1);
    expect(valueOf(samples, requests, { method: 'POST', route_family: 'messages', status: '200' })).toBe(1);
    const made = samples.filter((s) => s.name === requests).reduce((sum, s) => sum + s.value, 0);
    expect(made).toBe(sim.getRequestLog().length);
    expect(made).toBe(2);

    expect(valueOf(samples, `${P}update_latency_seconds_count`)).toBe(2);
    expect(valueOf(samples, `${P}update_latency_seconds_bucket`, { le: '+Inf' })).toBe(2);
    expect(valueOf(samples, `${P}request_duration_seconds_count`, { method: 'PATCH', route_family: 'messages' })).toBe(
      1,
    );
    expect(valueOf(samples, `${P}rate_limits_total`, { scope: 'user' })).toBe(0);
    expect(valueOf(samples, `${P}retries_total`)).toBe(0);
    // The default labels are on every sample of the collector.
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.filter((sample) => sample.labels['shard'] !== '0')).toEqual([]);
    // prom-client's own API agrees with the text.
    const json = await collector.registry.getMetricsAsJSON();
    const counter = json.find((metric) => metric.name === updates)!;
    expect(counter.type).toBe('counter');
    expect(counter.values.find((v) => v.labels['outcome'] === 'coalesced')?.value).toBe(2);
    await manager.stop();
  });

  it('counts 429s by scope and retries after server errors', async () => {
    const { clock, sim, channelId, manager, scrape } = setup();
    const messageId = sim.seedMessage(channelId, { content: 'v0' }).id;
    await manager.start();
    sim.throttleResource(channelId, 2_000);
    const limited = await advanceUntilSettled(clock, manager.edit(channelId, messageId, { content: 'v1' }));
    expect(limited.outcome).toBe('sent');
    sim.setFaults('*', { errorRate: 1, errorStatus: 503 });
    const retried = manager.edit(channelId, messageId, { content: 'v2' });
    await advanceBy(clock, 10);
    sim.clearFaults();
    expect((await advanceUntilSettled(clock, retried, { maxMs: 60_000 })).outcome).toBe('sent');

    const samples = await scrape();
    const shared = sim.getStats().rateLimited.shared;
    expect(shared).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, `${P}rate_limits_total`, { scope: 'shared' })).toBe(shared);
    expect(valueOf(samples, `${P}rate_limits_total`, { scope: 'global' })).toBe(0);
    expect(valueOf(samples, `${P}requests_total`, { method: 'PATCH', status: '429' })).toBe(shared);
    const failures = valueOf(samples, `${P}requests_total`, { method: 'PATCH', status: '503' });
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, `${P}retries_total`)).toBe(failures);
    expect(valueOf(samples, `${P}updates_total`, { outcome: 'sent', kind: 'edit' })).toBe(2);
    await manager.stop();
  });

  it('reads the gauges from the manager when scraped', async () => {
    const { clock, sim, channelId, manager, scrape } = setup();
    const ids = [1, 2, 3].map((n) => sim.seedMessage(channelId, { content: `m${n}` }).id);
    const edits = ids.map((id) => manager.edit(channelId, id, { content: 'changed' }));
    let samples = await scrape();
    expect(valueOf(samples, `${P}queue_size`)).toBe(3);
    expect(valueOf(samples, `${P}queue_size`)).toBe(manager.getStats().queueSize);
    expect(valueOf(samples, `${P}in_flight`)).toBe(0);
    expect(valueOf(samples, `${P}global_limit_requests_per_second`)).toBe(50);
    expect(valueOf(samples, `${P}invalid_request_budget_remaining`)).toBeGreaterThan(0);
    expect(valueOf(samples, `${P}backoff_seconds`)).toBe(0);
    await manager.start();
    await advanceUntilSettled(clock, Promise.all(edits));
    samples = await scrape();
    expect(valueOf(samples, `${P}queue_size`)).toBe(0);
    expect(valueOf(samples, `${P}updates_total`, { outcome: 'sent', kind: 'edit' })).toBe(3);
    await manager.stop();
  });

  it('uses the given prefix and registry, and refuses names the registry already holds', async () => {
    const registry = new Registry();
    const other = new Counter({ name: 'app_things_total', help: 'Things.', registers: [registry] });
    other.inc(4);
    const collector = new PrometheusMetricsCollector({ registry, prefix: 'mybot_' });
    expect(collector.registry).toBe(registry);
    expect(collector.contentType).toBe(registry.contentType);
    collector.recordRetry();
    const samples = parseExposition(await collector.metrics());
    expect(valueOf(samples, 'mybot_retries_total')).toBe(1);
    expect(valueOf(samples, 'app_things_total')).toBe(4);
    expect(samples.filter((sample) => sample.name.startsWith(P))).toEqual([]);
    expect(() => new PrometheusMetricsCollector({ registry, prefix: 'mybot_' })).toThrow(
      /Expected `prefix` to be a prefix no metric of `registry` uses yet, got `mybot_` \(string\).*mybot_updates_total/,
    );
    expect(() => new PrometheusMetricsCollector({ registry, prefix: 'second_' })).not.toThrow();
    expect(() => new PrometheusMetricsCollector({ prefix: '' })).not.toThrow();
  });

  it('creates its own registry by default, one per collector', async () => {
    const first = new PrometheusMetricsCollector();
    const second = new PrometheusMetricsCollector();
    expect(first.registry).not.toBe(second.registry);
    first.recordRateLimit('global');
    expect(valueOf(parseExposition(await first.metrics()), `${P}rate_limits_total`, { scope: 'global' })).toBe(1);
    expect(valueOf(parseExposition(await second.metrics()), `${P}rate_limits_total`, { scope: 'global' })).toBe(0);
  });

  it.each([
    [{ prefix: '1bad_' }, 'prefix'],
    [{ prefix: 'with:colon_' }, 'prefix'],
    [{ prefix: 42 }, 'prefix'],
    [{ labels: { outcome: 'x' } }, 'labels.outcome'],
    [{ labels: { 'bad-name': 'x' } }, 'labels.bad-name'],
    [{ labels: { __reserved: 'x' } }, 'labels.__reserved'],
    [{ labels: { shard: '' } }, 'labels.shard'],
    [{ labels: { shard: Number.NaN } }, 'labels.shard'],
    [{ labels: 'shard=0' }, 'labels'],
    [{ latencyBuckets: [] }, 'latencyBuckets'],
    [{ latencyBuckets: [1, 0.5] }, 'latencyBuckets[1]'],
    [{ latencyBuckets: [0, 1] }, 'latencyBuckets[0]'],
    [{ requestBuckets: [0.1, Number.POSITIVE_INFINITY] }, 'requestBuckets[1]'],
    [{ requestBuckets: '0.1,1' }, 'requestBuckets'],
    [{ registry: {} }, 'registry'],
    [{ buckets: [1] }, 'buckets'],
  ])('rejects %j naming the field %s', (options, field) => {
    let caught: unknown;
    try {
      new PrometheusMetricsCollector(options as PrometheusMetricsCollectorOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigError);
    expect((caught as InvalidConfigError).field).toBe(field);
    expect((caught as InvalidConfigError).message).toMatch(
      new RegExp(`^Expected \`${field.replace(/[[\]]/g, '\\$&')}\``),
    );
  });

  it('explains what is allowed in its errors', () => {
    expect(() => new PrometheusMetricsCollector({ latencyBuckets: [1, 0.5] })).toThrow(
      'Expected `latencyBuckets[1]` to be a non-empty array of finite numbers of seconds above 0, in increasing order (e.g. `[0.1, 1, 10]`), got `0.5` (number)',
    );
  });

  it('never throws into the manager, whatever it is handed', async () => {
    const collector = new PrometheusMetricsCollector();
    collector.bindGauges(() => {
      throw new Error('broken gauges');
    });
    expect(() => {
      collector.recordOperation({ kind: 'bogus', outcome: 'weird', latencyMs: 1, updates: 1, attempts: 1 } as never);
      collector.recordOperation({ kind: 'edit', outcome: 'sent', latencyMs: Number.NaN, updates: 1, attempts: 1 });
      collector.recordCoalesced(-1);
      collector.recordCoalesced(Number.NaN);
      collector.recordRequest({ method: 'BREW', route: 'nonsense', status: 1.5, durationMs: -3 });
      collector.recordRateLimit('nope' as never);
      collector.recordGlobalLimitChange(10);
    }).not.toThrow();
    const samples = parseExposition(await collector.metrics());
    expect(valueOf(samples, `${P}queue_size`)).toBe(0);
    expect(valueOf(samples, `${P}updates_total`, { outcome: 'sent', kind: 'edit' })).toBe(1);
    expect(valueOf(samples, `${P}update_latency_seconds_count`)).toBe(0);
    expect(valueOf(samples, `${P}requests_total`, { method: 'OTHER', route_family: 'other', status: '0' })).toBe(1);
    expect(valueOf(samples, `${P}request_duration_seconds_bucket`, { method: 'OTHER', le: '0.01' })).toBe(1);
    expect(valueOf(samples, `${P}global_limit_changes_total`)).toBe(1);
    expect(samples.some((sample) => sample.name === `${P}updates_total` && sample.labels['kind'] === 'bogus')).toBe(
      false,
    );
  });

  it('uses the given histogram buckets, in seconds', async () => {
    const collector = new PrometheusMetricsCollector({ latencyBuckets: [0.5, 2], requestBuckets: [0.1] });
    collector.recordOperation({ kind: 'edit', outcome: 'sent', latencyMs: 1500, updates: 1, attempts: 1 });
    collector.recordRequest({
      method: 'PATCH',
      route: 'PATCH /channels/:channel_id/messages/:id',
      status: 200,
      durationMs: 50,
    });
    const samples = parseExposition(await collector.metrics());
    expect(valueOf(samples, `${P}update_latency_seconds_bucket`, { le: '0.5' })).toBe(0);
    expect(valueOf(samples, `${P}update_latency_seconds_bucket`, { le: '2' })).toBe(1);
    expect(valueOf(samples, `${P}update_latency_seconds_sum`)).toBe(1.5);
    expect(valueOf(samples, `${P}request_duration_seconds_bucket`, { le: '0.1' })).toBe(1);
    expect(samples.filter((sample) => sample.name === `${P}request_duration_seconds_bucket`)).toHaveLength(2);
  });
});

describe('routeFamilyOf', () => {
  it.each([
    ['PATCH /channels/:channel_id/messages/:id', 'messages'],
    ['POST /channels/:channel_id/messages', 'messages'],
    ['DELETE /channels/:channel_id/messages/:id (old)', 'messages'],
    ['POST /channels/:channel_id/messages/bulk-delete', 'messages'],
    ['PUT /channels/:channel_id/messages/:id/reactions/:emoji/@me', 'reactions'],
    ['DELETE /channels/:channel_id/messages/:id/reactions', 'reactions'],
    ['POST /webhooks/:webhook_id/:token', 'webhooks'],
    ['PATCH /webhooks/:webhook_id/:token/messages/:id', 'webhooks'],
    ['POST /interactions/:interaction_id/:token/callback', 'interactions'],
    ['PATCH /channels/:channel_id', 'other'],
    ['GET /users/@me', 'other'],
    ['', 'other'],
  ])('maps %s to %s', (route, family) => {
    expect(routeFamilyOf(route)).toBe(family);
  });
});

describe('loadPromClient', () => {
  it('names the package and the command to install it when prom-client is missing', () => {
    const load = (): never => {
      throw new Error("Cannot find module 'prom-client'");
    };
    let caught: unknown;
    try {
      loadPromClient(load);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingPeerDependencyError);
    expect(caught).toMatchObject({ packageName: 'prom-client', installCommand: 'npm install prom-client@15' });
    expect((caught as Error).message).toMatch(
      /PrometheusMetricsCollector could not load prom-client.*npm install prom-client@15/,
    );
  });

  it('says what is wrong when the module is not prom-client', () => {
    expect(() => loadPromClient(() => ({ Registry: () => undefined }))).toThrow(
      /does not export Counter, Gauge, Histogram/,
    );
  });
});
