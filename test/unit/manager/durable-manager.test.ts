import { describe, expect, it } from 'vitest';
import {
  CombinedMetricsCollector,
  InMemoryMetricsCollector,
  MessageUpdateManager,
  RepositoryError,
  type MetricsCollector,
  type OperationMetric,
} from '../../../src/index.js';
import { MemoryUpdateRepository } from '../../../src/repositories/memory/memory-update-repository.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import type { TransportResponse } from '../../../src/transport/transport.js';
import { advanceUntilSettled } from '../../helpers/fake-clock-helpers.js';
import {
  CHANNEL,
  MESSAGE,
  MESSAGE_2,
  ScriptedTransport,
  deferred,
  snowflake,
} from '../../helpers/scripted-transport.js';

function world() {
  const clock = new FakeClock();
  const repository = new MemoryUpdateRepository({ clock });
  const transport = new ScriptedTransport(clock);
  const make = (
    options: { leaseMs?: number; metricsSnapshotIntervalMs?: number; config?: object; metrics?: MetricsCollector } = {},
  ) =>
    new MessageUpdateManager({
      transport,
      clock,
      repository,
      random: () => 0.5,
      // A combined collector answers getMetrics like the in-memory one.
      metrics: (options.metrics ?? new InMemoryMetricsCollector()) as InMemoryMetricsCollector,
      leaseMs: options.leaseMs ?? 5000,
      metricsSnapshotIntervalMs: options.metricsSnapshotIntervalMs ?? 0,
      config: options.config ?? {},
    });
  return { clock, repository, transport, make };
}

/** How long {@link advanceUntilSettled} may drive the clock for one handle in these tests (2000 steps of 10 ms). */
const UNTIL_SETTLED = { stepMs: 10, maxMs: 20_000 } as const;

describe('MessageUpdateManager with a repository', () => {
  it('accepts an update once it is in the outbox, and empties the outbox once Discord acknowledged it', async () => {
    const { clock, repository, transport, make } = world();
    const manager = make();
    await manager.start();
    const gate = deferred<TransportResponse>();
    transport.handler = (request, index) => (index === 0 ? gate.promise : transport.discord(request));
    const handle = manager.edit(CHANNEL, MESSAGE, { content: 'durable' });
    await handle.accepted;
    expect(await repository.getRow(`m:${MESSAGE}`)).toMatchObject({ body: { content: 'durable' }, version: 1 });
    await clock.advance(0);
    expect(transport.requests).toHaveLength(1);
    expect((await repository.getRow(`m:${MESSAGE}`))?.leaseToken).not.toBeNull();
    gate.resolve(transport.discord({ method: 'PATCH', path: `/channels/${CHANNEL}/messages/${MESSAGE}` }));
    expect((await advanceUntilSettled(clock, handle, UNTIL_SETTLED)).outcome).toBe('sent');
    await manager.stop();
    expect(await repository.listPending()).toEqual([]);
  });

  it('coalesces in the outbox and sends the newest committed version', async () => {
    const { clock, repository, transport, make } = world();
    const manager = make();
    const handles = [1, 2, 3].map((n) => manager.edit(CHANNEL, MESSAGE, { content: `v${n}` }));
    await Promise.all(handles.map((h) => h.accepted));
    expect((await repository.getRow(`m:${MESSAGE}`))?.version).toBe(3);
    await manager.start();
    const results = await Promise.all(handles.map((h) => advanceUntilSettled(clock, h, UNTIL_SETTLED)));
    expect(results.map((r) => r.outcome)).toEqual(['coalesced', 'coalesced', 'sent']);
    expect(transport.requests.map((r) => r.body)).toEqual([{ content: 'v3' }]);
  });

  it('recovers the outbox of a process that died before sending', async () => {
    const { clock, repository, transport, make } = world();
    const crashed = make();
    await crashed.edit(CHANNEL, MESSAGE, { content: 'saved' }).accepted;
    await crashed.sync('board', CHANNEL, { content: 'board v1' }).accepted;
    // The process dies here: never started, never stopped.
    const fresh = make();
    await fresh.start();
    await clock.advance(100);
    await fresh.onIdle();
    expect(transport.paths().sort()).toEqual([
      `PATCH /channels/${CHANNEL}/messages/${MESSAGE}`,
      `POST /channels/${CHANNEL}/messages`,
    ]);
    expect(await repository.listPending()).toEqual([]);
    const managed = await repository.listManaged();
    expect(managed).toMatchObject([{ key: 'board', channelId: CHANNEL }]);
    expect(fresh.getManagedMessageId('board')).toBe(managed[0]!.messageId);
  });

  it('waits out the lease of a process that died while sending, then sends', async () => {
    const { clock, repository, transport, make } = world();
    transport.handler = () => new Promise<never>(() => undefined); // the first process hangs mid-request
    const crashed = make({ leaseMs: 3000 });
    await crashed.start();
    await crashed.edit(CHANNEL, MESSAGE, { content: 'x' }).accepted;
    await clock.advance(10);
    expect(transport.requests).toHaveLength(1);
    transport.handler = (request) => transport.discord(request);
    const fresh = make({ leaseMs: 3000 });
    await fresh.start();
    await clock.advance(1500);
    expect(transport.requests).toHaveLength(1); // still leased by the dead process
    await clock.advance(2500);
    expect(transport.requests).toHaveLength(2);
    await fresh.onIdle();
    expect(await repository.listPending()).toEqual([]);
  });

  it('stores the retry schedule, and dead-letters what fails for good; a re-drive sends it', async () => {
    const { clock, repository, transport, make } = world();
    transport.handler = (request, index) =>
      index < 2
        ? { status: 503, headers: {}, body: undefined }
        : { status: 403, headers: {}, body: { message: 'Missing Access', code: 50001 } };
    const manager = make({ config: { baseBackoffMs: 1000, maxBackoffMs: 5000 } });
    await manager.start();
    const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
    await clock.advance(10);
    // The first retry goes at once; the second waits 750 ms (base 1000, half jittered), stored with the row.
    expect(await repository.getRow(`m:${MESSAGE}`)).toMatchObject({ attempts: 2, leaseToken: null });
    expect((await repository.getRow(`m:${MESSAGE}`))?.lastError).toMatch(/503/);
    await clock.advance(2000);
    await expect(handle).rejects.toMatchObject({ status: 403 });
    const dead = await repository.listDeadLetters();
    expect(dead.map((row) => row.targetKey)).toEqual([`m:${MESSAGE}`]);
    expect(dead[0]!.lastError).toMatch(/Missing Access/);
    await manager.stop();
    transport.handler = (request) => transport.discord(request);
    expect(await repository.redrive(`m:${MESSAGE}`)).toBe(true);
    const again = make();
    await again.start();
    await clock.advance(100);
    await again.onIdle();
    expect(transport.requests.at(-1)).toMatchObject({ method: 'PATCH', body: { content: 'x' } });
    expect(await repository.listPending()).toEqual([]);
  });

  it('remembers managed messages across restarts: unchanged content is not sent again', async () => {
    const { clock, transport, make } = world();
    const first = make();
    await first.start();
    const created = await advanceUntilSettled(clock, first.sync('item:1', CHANNEL, { content: 'free' }), UNTIL_SETTLED);
    await first.stop();
    const second = make();
    await second.start();
    const same = await advanceUntilSettled(clock, second.sync('item:1', CHANNEL, { content: 'free' }), UNTIL_SETTLED);
    const changed = await advanceUntilSettled(
      clock,
      second.sync('item:1', CHANNEL, { content: 'lent' }),
      UNTIL_SETTLED,
    );
    expect(same.outcome).toBe('skipped');
    expect(changed).toMatchObject({ outcome: 'sent', kind: 'edit', messageId: created.messageId });
    expect(transport.paths()).toEqual([
      `POST /channels/${CHANNEL}/messages`,
      `PATCH /channels/${CHANNEL}/messages/${created.messageId}`,
    ]);
  });

  it('sends a version enqueued while another was in flight after it, never the older one last', async () => {
    const { clock, repository, transport, make } = world();
    const gate = deferred<TransportResponse>();
    transport.handler = (request, index) => (index === 0 ? gate.promise : transport.discord(request));
    const manager = make();
    await manager.start();
    manager.edit(CHANNEL, MESSAGE_2, { content: 'old' });
    await clock.advance(10);
    const newer = manager.edit(CHANNEL, MESSAGE_2, { content: 'new' });
    await newer.accepted;
    gate.resolve(transport.discord({ method: 'PATCH', path: `/channels/${CHANNEL}/messages/${MESSAGE_2}` }));
    expect((await advanceUntilSettled(clock, newer, UNTIL_SETTLED)).outcome).toBe('sent');
    expect(transport.requests.map((r) => r.body)).toEqual([{ content: 'old' }, { content: 'new' }]);
    expect(await repository.listPending()).toEqual([]);
  });

  it('records performance snapshots with the seed columns', async () => {
    const { clock, repository, make } = world();
    const manager = make({ metricsSnapshotIntervalMs: 1000 });
    await manager.start();
    await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: 'x' }), UNTIL_SETTLED);
    await clock.advance(2000);
    await manager.stop();
    const snapshots = await repository.listSnapshots();
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(snapshots.at(-1)).toMatchObject({ messagesUpdated: 1, queueSize: 0, rateLimitHits: 0, failedUpdates: 0 });
  });

  it('keeps recording snapshots with a combined collector, and tells every collector even when one throws', async () => {
    const { clock, repository, make } = world();
    const seen: OperationMetric[] = [];
    const failing: MetricsCollector = {
      bindGauges: () => {
        throw new Error('broken collector');
      },
      recordOperation: () => {
        throw new Error('broken collector');
      },
      recordCoalesced: () => {},
      recordRequest: () => {},
      recordRateLimit: () => {},
      recordRetry: () => {},
    };
    const recording: MetricsCollector = { ...failing, bindGauges: () => {}, recordOperation: (m) => void seen.push(m) };
    const metrics = new CombinedMetricsCollector(new InMemoryMetricsCollector(), failing, recording);
    const manager = make({ metricsSnapshotIntervalMs: 1000, metrics });
    await manager.start();
    await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: 'x' }), UNTIL_SETTLED);
    await clock.advance(2000);
    await manager.stop();
    expect(seen.map((metric) => metric.outcome)).toEqual(['sent']);
    expect(metrics.getMetrics().messagesUpdated).toBe(1);
    expect((await repository.listSnapshots()).at(-1)).toMatchObject({ messagesUpdated: 1, failedUpdates: 0 });
  });

  it('does not send on a lease it may have lost while paused (fencing), and sends once it holds the row again', async () => {
    const { clock, repository, transport } = world();
    const claim = repository.claim.bind(repository);
    let paused = false;
    repository.claim = async (options) => {
      const rows = await claim(options);
      if (!paused && rows.length > 0) {
        paused = true;
        // The process stalls right after claiming (think SIGSTOP or a long GC pause) for most of the lease.
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 4500));
      }
      return rows;
    };
    const manager = new MessageUpdateManager({
      transport,
      clock,
      repository,
      leaseMs: 5000,
      metricsSnapshotIntervalMs: 0,
    });
    await manager.start();
    const start = clock.now();
    const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
    await clock.advance(4600);
    expect(transport.requests).toHaveLength(0);
    expect((await advanceUntilSettled(clock, handle, UNTIL_SETTLED)).outcome).toBe('sent');
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.at - start).toBeGreaterThanOrEqual(5000);
  });

  it('does not send a target whose newest update is still being written (a merge after it became ready)', async () => {
    const { clock, repository, transport, make } = world();
    transport.limit = 1;
    const manager = make();
    await manager.start();
    await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: 'uses up the bucket' }), UNTIL_SETTLED);
    const first = manager.edit(CHANNEL, MESSAGE_2, { content: 'v1' });
    await first.accepted; // committed; the target waits in the ready queue for the bucket to reset
    const slowWrite = deferred<undefined>();
    const enqueueMany = repository.enqueueMany.bind(repository);
    repository.enqueueMany = async (updates) => {
      await slowWrite.promise;
      return enqueueMany(updates);
    };
    const second = manager.edit(CHANNEL, MESSAGE_2, { content: 'v2' });
    await clock.advance(5000); // the bucket resets while v2 is not committed yet
    expect(transport.requests).toHaveLength(1);
    slowWrite.resolve(undefined);
    await second.accepted;
    expect((await advanceUntilSettled(clock, second, UNTIL_SETTLED)).outcome).toBe('sent');
    expect((await first).outcome).toBe('coalesced');
    expect(transport.requests.map((r) => r.body)).toEqual([{ content: 'uses up the bucket' }, { content: 'v2' }]);
    expect(await repository.listPending()).toEqual([]);
  });

  it('stores the sort order of managed messages and lists them after a restart', async () => {
    const { clock, repository, make } = world();
    const first = make();
    await first.start();
    const b = await advanceUntilSettled(
      clock,
      first.sync('item:b', CHANNEL, { content: 'b' }, { sortOrder: 2 }),
      UNTIL_SETTLED,
    );
    const a = await advanceUntilSettled(
      clock,
      first.sync('item:a', CHANNEL, { content: 'a' }, { sortOrder: 1 }),
      UNTIL_SETTLED,
    );
    await first.stop();
    expect((await repository.listManaged()).map((m) => [m.key, m.sortOrder])).toEqual([
      ['item:a', 1],
      ['item:b', 2],
    ]);
    const second = make();
    await second.start();
    expect(second.getManagedMessages()).toEqual([
      { key: 'item:a', channelId: CHANNEL, messageId: a.messageId, sortOrder: 1 },
      { key: 'item:b', channelId: CHANNEL, messageId: b.messageId, sortOrder: 2 },
    ]);
    expect(() => second.sync('item:a', CHANNEL, { content: 'x' }, { sortOrder: Number.NaN })).toThrow(/sortOrder/);
    // A sync without sortOrder keeps the message's stored order (found by the docs snippets: it was saved as 0).
    await advanceUntilSettled(clock, second.sync('item:b', CHANNEL, { content: 'b, edited' }), UNTIL_SETTLED);
    await second.stop();
    expect((await repository.listManaged()).map((m) => [m.key, m.sortOrder])).toEqual([
      ['item:a', 1],
      ['item:b', 2],
    ]);
  });

  it('drops an outbox row whose deadline passed before it could be sent, even across a restart', async () => {
    const { clock, repository, transport, make } = world();
    const crashed = make();
    await crashed.edit(CHANNEL, MESSAGE, { content: 'only useful for a second' }, { deadlineMs: 1000 }).accepted;
    await crashed.edit(CHANNEL, MESSAGE_2, { content: 'still wanted' }).accepted;
    await clock.advance(2000); // the process died; the deadline passes before anyone starts again
    const fresh = make();
    await fresh.start();
    await clock.advance(100);
    await fresh.onIdle();
    expect(transport.requests.map((r) => r.body)).toEqual([{ content: 'still wanted' }]);
    expect(await repository.listPending()).toEqual([]);
    expect(fresh.metrics.getMetrics().expired).toBe(1);
  });

  it('stores the neighbours of an update the database refuses, and says the refused one was not stored', async () => {
    const { clock, repository, transport, make } = world();
    // A database that refuses any batch holding the poisoned update (as Postgres refuses a whole INSERT for one row).
    const enqueueMany = repository.enqueueMany.bind(repository);
    repository.enqueueMany = (upserts) =>
      upserts.some((upsert) => JSON.stringify(upsert.body).includes('poison'))
        ? Promise.reject(new Error('invalid byte sequence'))
        : enqueueMany(upserts);
    const manager = make({ config: { maxRetries: 1 } });
    const errors: Error[] = [];
    manager.on('repositoryError', (error) => errors.push(error));
    const third = snowflake();
    const handles = [
      manager.edit(CHANNEL, MESSAGE, { content: 'good 1' }),
      manager.edit(CHANNEL, MESSAGE_2, { content: 'poison' }),
      manager.edit(CHANNEL, third, { content: 'good 2' }),
    ];
    const accepted = handles.map((handle) =>
      handle.accepted.then(
        () => 'stored',
        (error: unknown) => error,
      ),
    );
    const [first, refused, last] = await advanceUntilSettled(clock, Promise.all(accepted), UNTIL_SETTLED);
    expect(first).toBe('stored');
    expect(last).toBe('stored');
    expect(refused).toBeInstanceOf(RepositoryError);
    expect((refused as Error).message).toMatch(
      /invalid byte sequence\. The update was not stored and will not be sent/,
    );
    expect((refused as Error).message).not.toMatch(/stays in the outbox/);
    expect(errors).toEqual([refused]);
    const contents = (bodies: readonly unknown[]) =>
      bodies.map((body) => (body as { content?: string } | null)?.content).sort();
    expect(contents((await repository.listPending()).map((row) => row.body))).toEqual(['good 1', 'good 2']);
    await manager.start();
    await clock.advance(100);
    await manager.onIdle();
    expect(contents(transport.requests.map((r) => r.body))).toEqual(['good 1', 'good 2']);
  });
});
