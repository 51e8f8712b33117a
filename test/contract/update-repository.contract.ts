import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageUpdateError, RepositoryClosedError } from '../../src/errors/message-update-error.js';
import { MemoryUpdateRepository } from '../../src/repositories/memory/memory-update-repository.js';
import type { ClaimOptions, OutboxUpsert, UpdateRepository } from '../../src/repositories/update-repository.js';
import { SeededRandom } from '../../src/testing/index.js';

/** What each adapter's test file provides to the shared contract suite. */
export interface RepositoryHarness {
  readonly repository: UpdateRepository;
  /** Lets database time pass: a FakeClock advance for memory, a real sleep for databases. */
  wait(ms: number): Promise<void>;
  /** A lease short enough to expire within a test (a database clock cannot be faked). */
  readonly shortLeaseMs: number;
  /** Drops the schema / file / state. */
  cleanup(): Promise<void>;
}

let counter = 0;
const nonce = (): string => `nonce-${++counter}`;

function upsert(targetKey: string, overrides: Partial<OutboxUpsert> = {}): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: targetKey.startsWith('m:') ? targetKey.slice(2) : null,
    managedKey: targetKey.startsWith('k:') ? targetKey.slice(2) : null,
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
    ...overrides,
  };
}

/**
 * The one test suite every {@link UpdateRepository} must pass (memory, SQLite, Postgres).
 *
 * @param name - adapter name for the describe block
 * @param create - makes a fresh, migrated repository (own schema / file)
 */
export function describeUpdateRepositoryContract(name: string, create: () => Promise<RepositoryHarness>): void {
  describe(`UpdateRepository contract: ${name}`, () => {
    let harness: RepositoryHarness;
    let repo: UpdateRepository;
    const LONG = 60_000;

    beforeEach(async () => {
      harness = await create();
      repo = harness.repository;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('migrates idempotently', async () => {
      await repo.migrate();
      await repo.migrate();
      expect(await repo.listPending()).toEqual([]);
    });

    it('refuses every call after close() with RepositoryClosedError naming the repository and the call', async () => {
      await repo.enqueue(upsert('k:before-close'));
      await repo.close();
      await repo.close(); // idempotent
      const calls: [string, () => Promise<unknown>][] = [
        ['migrate', () => repo.migrate()],
        ['enqueue', () => repo.enqueue(upsert('k:after-close'))],
        ['enqueueMany', () => repo.enqueueMany([upsert('k:after-close')])],
        ['claim', () => repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce })],
        ['ack', () => repo.ack({ targetKey: 'k:before-close', leaseToken: 'x', version: 1, messageId: null })],
        [
          'release',
          () =>
            repo.release({
              targetKey: 'k:before-close',
              leaseToken: 'x',
              attempts: 1,
              retryInMs: 0,
              error: 'e',
              messageId: null,
            }),
        ],
        ['deadLetter', () => repo.deadLetter({ targetKey: 'k:before-close', leaseToken: 'x', error: 'e' })],
        ['listDeadLetters', () => repo.listDeadLetters()],
        ['redrive', () => repo.redrive('k:before-close')],
        ['listPending', () => repo.listPending()],
        ['getRow', () => repo.getRow('k:before-close')],
        ['remove', () => repo.remove('k:before-close')],
        ['listManaged', () => repo.listManaged()],
        [
          'saveManaged',
          () => repo.saveManaged({ key: 'a', channelId: '1', messageId: '2', contentHash: null, sortOrder: 0 }),
        ],
        ['deleteManaged', () => repo.deleteManaged('a')],
        [
          'recordSnapshot',
          () =>
            repo.recordSnapshot({
              timestamp: 1000,
              messagesUpdated: 0,
              averageUpdateTimeMs: 0,
              queueSize: 0,
              rateLimitHits: 0,
              failedUpdates: 0,
            }),
        ],
        ['listSnapshots', () => repo.listSnapshots()],
      ];
      for (const [action, call] of calls) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, action).toBeInstanceOf(RepositoryClosedError);
        expect(error, action).toBeInstanceOf(MessageUpdateError);
        expect(error, action).toMatchObject({
          name: 'RepositoryClosedError',
          code: 'REPOSITORY_CLOSED',
          repository: repo.constructor.name,
          action,
        });
        expect((error as Error).message, action).toMatch(
          new RegExp(`^Cannot ${action}: this ${repo.constructor.name}\\b.* was closed\\. Create a new repository`),
        );
      }
    });

    it('inserts a row at version 1 and coalesces later upserts into it', async () => {
      expect(
        await repo.enqueue(upsert('m:300000000000000001', { priority: 1, enqueuedAt: 2000, deadlineAt: 9000 })),
      ).toEqual({
        version: 1,
      });
      expect(
        await repo.enqueue(
          upsert('m:300000000000000001', {
            body: { content: 'newest' },
            priority: 3,
            enqueuedAt: 5000,
            deadlineAt: 7000,
          }),
        ),
      ).toEqual({ version: 2 });
      const again = await repo.enqueue(
        upsert('m:300000000000000001', { body: { content: 'last' }, priority: 0, enqueuedAt: 1500 }),
      );
      expect(again).toEqual({ version: 3 });
      const row = await repo.getRow('m:300000000000000001');
      expect(row).toMatchObject({
        desired: 'present',
        body: { content: 'last' },
        priority: 3,
        enqueuedAt: 1500,
        deadlineAt: null,
        version: 3,
        messageId: '300000000000000001',
        leaseToken: null,
        deadAt: null,
      });
    });

    it('keeps a deadline only while every merged part has one (the latest wins)', async () => {
      await repo.enqueue(upsert('m:300000000000000002', { deadlineAt: 9000 }));
      await repo.enqueue(upsert('m:300000000000000002', { deadlineAt: 7000 }));
      expect((await repo.getRow('m:300000000000000002'))?.deadlineAt).toBe(9000);
    });

    it('upserts several targets in one call, in order', async () => {
      const versions = await repo.enqueueMany([
        upsert('m:300000000000000003'),
        upsert('m:300000000000000003'),
        upsert('k:a'),
      ]);
      expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 1 }]);
    });

    it('round-trips bodies as JSON', async () => {
      const body = {
        content: 'é 🚀 "quotes"',
        embeds: [{ title: 't', fields: [{ name: 'n', value: 'v', inline: true }] }],
      };
      await repo.enqueue(upsert('k:json', { body }));
      expect((await repo.getRow('k:json'))?.body).toEqual(body);
    });

    it('claims best first (priority, then enqueue time) and never the same row twice while leased', async () => {
      await repo.enqueueMany([
        upsert('m:300000000000000010', { priority: 1, enqueuedAt: 100 }),
        upsert('m:300000000000000011', { priority: 3, enqueuedAt: 500 }),
        upsert('m:300000000000000012', { priority: 1, enqueuedAt: 50 }),
      ]);
      const first = await repo.claim({ limit: 2, leaseMs: LONG, newNonce: nonce });
      expect(first.map((row) => row.targetKey)).toEqual(['m:300000000000000011', 'm:300000000000000012']);
      expect(new Set(first.map((row) => row.leaseToken)).size).toBe(2);
      const second = await repo.claim({ limit: 5, leaseMs: LONG, newNonce: nonce });
      expect(second.map((row) => row.targetKey)).toEqual(['m:300000000000000010']);
      expect(await repo.claim({ limit: 5, leaseMs: LONG, newNonce: nonce })).toEqual([]);
    });

    it('claims only the requested targets when asked', async () => {
      await repo.enqueueMany([upsert('k:a'), upsert('k:b')]);
      const claimed = await repo.claim({ limit: 10, leaseMs: LONG, targetKeys: ['k:b'], newNonce: nonce });
      expect(claimed.map((row) => row.targetKey)).toEqual(['k:b']);
    });

    it('claims the rows the memory repository would, in its order, whatever state each row is in', async () => {
      // The same random script runs here and on the memory repository (the reference): rows idle, leased, with an
      // ended lease, retried (time to come or come), dead or re-driven, claimed in every shape the API allows. Times
      // are relative to each repository's own clock (an ended lease is `leaseMs` < 0, a retry due is `retryInMs` <= 0),
      // so both agree on what is claimable without waiting.
      const reference = new MemoryUpdateRepository();
      const random = new SeededRandom(2026_04_08);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
      const HOUR = 3_600_000;
      const keys = Array.from({ length: 40 }, (_, i) => `k:t${String(i).padStart(2, '0')}`);
      const sides = [
        { repo, leases: new Map<string, { token: string; version: number }>() },
        { repo: reference, leases: new Map<string, { token: string; version: number }>() },
      ];
      const fresh = (key: string): OutboxUpsert =>
        upsert(key, { priority: pick([0, 1, 2, 3]), enqueuedAt: 1000 + 10 * Math.floor(random.next() * 5) });
      const initial = keys.map(fresh);
      for (const side of sides) await side.repo.enqueueMany(initial);
      const claimShape = (): Omit<ClaimOptions, 'newNonce'> => {
        const leaseMs = pick([-1000, LONG, LONG]);
        const limit = pick([0, 1, 1, 3, 10, Infinity]);
        const targets = pick([undefined, undefined, 'one', 'several'] as const);
        if (targets === undefined) return { limit, leaseMs };
        if (targets === 'one') return { limit, leaseMs, targetKeys: [pick(keys)] };
        return { limit, leaseMs, targetKeys: [pick(keys), pick(keys), pick(keys), 'k:missing'] };
      };
      for (let step = 0; step < 300; step++) {
        const action = pick([
          'claim',
          'claim',
          'claim',
          'release',
          'release',
          'dead',
          'ack',
          'ack',
          'enqueue',
          'redrive',
        ]);
        // Releases, dead letters and acks go to a row this side holds a lease on (an ended one included), when any.
        const held = [...sides[0]!.leases.keys()];
        const key =
          held.length > 0 && (action === 'release' || action === 'dead' || action === 'ack') ? pick(held) : pick(keys);
        const leased = sides[0]!.leases.has(key);
        if (action === 'claim') {
          const shape = claimShape();
          const claimed = await Promise.all(sides.map((side) => side.repo.claim({ ...shape, newNonce: nonce })));
          const [got, expected] = claimed.map((rows) => rows.map((row) => `${row.targetKey}@${row.version}`));
          expect(got, `step ${step}: claim ${JSON.stringify(shape)}`).toEqual(expected);
          claimed.forEach((rows, index) => {
            for (const row of rows) {
              sides[index]!.leases.set(row.targetKey, { token: row.leaseToken, version: row.version });
            }
          });
        } else if (action === 'release' && leased) {
          const retryInMs = pick([-HOUR, 0, HOUR]);
          const results = [];
          for (const side of sides) {
            const { token } = side.leases.get(key)!;
            side.leases.delete(key);
            results.push(
              await side.repo.release({ targetKey: key, leaseToken: token, attempts: 1, retryInMs, error: 'HTTP 503' }),
            );
          }
          expect(results[0], `step ${step}: release`).toBe(results[1]);
        } else if (action === 'dead' && leased) {
          const results = [];
          for (const side of sides) {
            const { token } = side.leases.get(key)!;
            side.leases.delete(key);
            results.push(await side.repo.deadLetter({ targetKey: key, leaseToken: token, error: 'HTTP 404' }));
          }
          expect(results[0], `step ${step}: dead letter`).toBe(results[1]);
        } else if (action === 'ack' && leased) {
          const results = [];
          for (const side of sides) {
            const { token, version } = side.leases.get(key)!;
            side.leases.delete(key);
            results.push(await side.repo.ack({ targetKey: key, leaseToken: token, version }));
          }
          expect(results[0], `step ${step}: ack`).toBe(results[1]);
        } else if (action === 'enqueue') {
          const update = fresh(key);
          for (const side of sides) await side.repo.enqueue(update);
        } else if (action === 'redrive') {
          const results = await Promise.all(sides.map((side) => side.repo.redrive(key)));
          expect(results[0], `step ${step}: redrive`).toBe(results[1]);
        }
      }
      const [pending, expectedPending] = await Promise.all(sides.map((side) => side.repo.listPending()));
      expect(pending!.map((row) => row.targetKey)).toEqual(expectedPending!.map((row) => row.targetKey));
    });

    it('gives a create a nonce at its first claim and keeps it across claims', async () => {
      await repo.enqueue(upsert('k:board'));
      const [first] = await repo.claim({ limit: 1, leaseMs: harness.shortLeaseMs, newNonce: nonce });
      expect(first?.nonce).toMatch(/^nonce-/);
      expect(first?.nonceVersion).toBe(1);
      await harness.wait(harness.shortLeaseMs + 50);
      await repo.enqueue(upsert('k:board', { body: { content: 'v2' } }));
      const [second] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(second?.nonce).toBe(first?.nonce);
      expect(second?.nonceVersion).toBe(1);
      expect(second?.version).toBe(2);
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
    });

    it('acks the version sent: deletes the row when it is the latest', async () => {
      await repo.enqueue(upsert('m:300000000000000020'));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(await repo.ack({ targetKey: row!.targetKey, leaseToken: row!.leaseToken, version: row!.version })).toBe(
        'done',
      );
      expect(await repo.getRow('m:300000000000000020')).toBeUndefined();
    });

    it('keeps a newer version enqueued while one was in flight, and sends it next', async () => {
      await repo.enqueue(upsert('k:item', { body: { content: 'v1' } }));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      await repo.enqueue(upsert('k:item', { body: { content: 'v2' } }));
      expect(
        await repo.ack({
          targetKey: 'k:item',
          leaseToken: row!.leaseToken,
          version: row!.version,
          messageId: '300000000000000099',
        }),
      ).toBe('newer');
      const stored = await repo.getRow('k:item');
      expect(stored).toMatchObject({
        body: { content: 'v2' },
        version: 2,
        messageId: '300000000000000099',
        leaseToken: null,
      });
      expect(stored?.nonce).toBeNull(); // the create is done: what follows is an edit
      const [next] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(next).toMatchObject({ targetKey: 'k:item', version: 2, body: { content: 'v2' } });
    });

    it('ignores a zombie: an ack with a lost lease changes nothing', async () => {
      await repo.enqueue(upsert('m:300000000000000030'));
      const [zombie] = await repo.claim({ limit: 1, leaseMs: harness.shortLeaseMs, newNonce: nonce });
      await harness.wait(harness.shortLeaseMs + 50);
      const [taker] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(taker?.targetKey).toBe('m:300000000000000030');
      expect(
        await repo.ack({ targetKey: zombie!.targetKey, leaseToken: zombie!.leaseToken, version: zombie!.version }),
      ).toBe('lost');
      expect(
        await repo.release({
          targetKey: zombie!.targetKey,
          leaseToken: zombie!.leaseToken,
          attempts: 9,
          retryInMs: 0,
          error: 'x',
        }),
      ).toBe(false);
      expect(await repo.getRow('m:300000000000000030')).toMatchObject({ leaseToken: taker!.leaseToken, attempts: 0 });
      expect(
        await repo.ack({ targetKey: taker!.targetKey, leaseToken: taker!.leaseToken, version: taker!.version }),
      ).toBe('done');
    });

    it('records the retry schedule on release and respects it', async () => {
      await repo.enqueue(upsert('m:300000000000000040'));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(
        await repo.release({
          targetKey: row!.targetKey,
          leaseToken: row!.leaseToken,
          attempts: 2,
          retryInMs: harness.shortLeaseMs,
          error: '502 Bad Gateway',
        }),
      ).toBe(true);
      expect(await repo.getRow('m:300000000000000040')).toMatchObject({
        attempts: 2,
        lastError: '502 Bad Gateway',
        leaseToken: null,
      });
      expect(await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce })).toEqual([]);
      await harness.wait(harness.shortLeaseMs + 50);
      const [again] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(again).toMatchObject({ targetKey: 'm:300000000000000040', attempts: 2 });
    });

    it('keeps dead letters out of claims, lists them, and re-drives them', async () => {
      await repo.enqueue(upsert('m:300000000000000050'));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      expect(
        await repo.deadLetter({ targetKey: row!.targetKey, leaseToken: row!.leaseToken, error: '403 Missing Access' }),
      ).toBe(true);
      expect(await repo.claim({ limit: 5, leaseMs: LONG, newNonce: nonce })).toEqual([]);
      expect(await repo.listPending()).toEqual([]);
      const dead = await repo.listDeadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ targetKey: 'm:300000000000000050', lastError: '403 Missing Access' });
      expect(dead[0]!.deadAt).toBeGreaterThan(0);
      expect(await repo.redrive('m:300000000000000050')).toBe(true);
      expect(await repo.redrive('m:300000000000000050')).toBe(false);
      expect((await repo.claim({ limit: 5, leaseMs: LONG, newNonce: nonce })).map((r) => r.targetKey)).toEqual([
        'm:300000000000000050',
      ]);
    });

    it('revives a dead letter when a newer version is enqueued', async () => {
      await repo.enqueue(upsert('m:300000000000000051'));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      await repo.deadLetter({ targetKey: row!.targetKey, leaseToken: row!.leaseToken, error: 'x' });
      await repo.enqueue(upsert('m:300000000000000051', { body: { content: 'fixed' } }));
      expect(await repo.listDeadLetters()).toEqual([]);
      expect((await repo.getRow('m:300000000000000051'))?.deadAt).toBeNull();
    });

    it('drops a create that was never attempted when its target is deleted', async () => {
      await repo.enqueue(upsert('k:gone'));
      await repo.enqueue(upsert('k:gone', { desired: 'absent', body: null }));
      expect(await repo.getRow('k:gone')).toBeUndefined();
      expect(await repo.enqueue(upsert('k:never', { desired: 'absent', body: null }))).toEqual({ version: 0 });
      expect(await repo.getRow('k:never')).toBeUndefined();
    });

    it('keeps a delete of a create already attempted (it may exist on Discord)', async () => {
      await repo.enqueue(upsert('k:maybe'));
      const [row] = await repo.claim({ limit: 1, leaseMs: LONG, newNonce: nonce });
      await repo.enqueue(upsert('k:maybe', { desired: 'absent', body: null }));
      expect(
        await repo.ack({
          targetKey: 'k:maybe',
          leaseToken: row!.leaseToken,
          version: 1,
          messageId: '300000000000000077',
        }),
      ).toBe('newer');
      expect(await repo.getRow('k:maybe')).toMatchObject({
        desired: 'absent',
        messageId: '300000000000000077',
        body: null,
      });
    });

    it('lists pending rows best first, excluding dead letters', async () => {
      await repo.enqueueMany([upsert('k:low', { priority: 0 }), upsert('k:high', { priority: 3 })]);
      expect((await repo.listPending()).map((row) => row.targetKey)).toEqual(['k:high', 'k:low']);
      await repo.remove('k:high');
      expect((await repo.listPending()).map((row) => row.targetKey)).toEqual(['k:low']);
    });

    it('stores managed messages', async () => {
      await repo.saveManaged({ key: 'b', channelId: '1', messageId: '2', contentHash: 'h1', sortOrder: 2 });
      await repo.saveManaged({ key: 'a', channelId: '1', messageId: '3', contentHash: null, sortOrder: 1 });
      await repo.saveManaged({ key: 'b', channelId: '1', messageId: '2', contentHash: 'h2', sortOrder: 2 });
      expect(await repo.listManaged()).toEqual([
        { key: 'a', channelId: '1', messageId: '3', contentHash: null, sortOrder: 1 },
        { key: 'b', channelId: '1', messageId: '2', contentHash: 'h2', sortOrder: 2 },
      ]);
      await repo.deleteManaged('a');
      expect((await repo.listManaged()).map((m) => m.key)).toEqual(['b']);
    });

    it('appends performance snapshots with the seed columns', async () => {
      const snapshot = {
        timestamp: 1000,
        messagesUpdated: 5,
        averageUpdateTimeMs: 12.5,
        queueSize: 3,
        rateLimitHits: 1,
        failedUpdates: 0,
      };
      await repo.recordSnapshot(snapshot);
      await repo.recordSnapshot({ ...snapshot, timestamp: 2000, messagesUpdated: 9 });
      expect(await repo.listSnapshots()).toEqual([snapshot, { ...snapshot, timestamp: 2000, messagesUpdated: 9 }]);
      expect((await repo.listSnapshots(1500)).map((s) => s.messagesUpdated)).toEqual([9]);
    });
  });
}
