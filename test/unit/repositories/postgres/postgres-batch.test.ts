/**
 * The pure parts of the Postgres adapter's batch writes: array literals for bind parameters and the planning of a
 * batch (folds and replays), checked against the memory repository. The SQL side runs in the postgres project.
 */
import { describe, expect, it } from 'vitest';
import { MemoryUpdateRepository } from '../../../../src/repositories/memory/memory-update-repository.js';
import {
  dependsOnRow,
  foldUpserts,
  groupByTarget,
  planLockedTarget,
  prepareUpsert,
  type PreparedUpsert,
} from '../../../../src/repositories/postgres/postgres-batch.js';
import { arrayLiteral, encodeBody } from '../../../../src/repositories/postgres/postgres-rows.js';
import type { OutboxUpsert } from '../../../../src/repositories/update-repository.js';

function upsert(targetKey: string, overrides: Partial<OutboxUpsert> = {}): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: null,
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
    ...overrides,
  };
}

const prepared = (update: OutboxUpsert): PreparedUpsert => prepareUpsert(update, encodeBody(update));

describe('arrayLiteral', () => {
  it('quotes every element and escapes only quotes and backslashes', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', null, '', 'NULL', ' b ', '{x,y}', 'say "hi"', 'back\\slash'])).toBe(
      '{"a",NULL,"","NULL"," b ","{x,y}","say \\"hi\\"","back\\\\slash"}',
    );
    expect(arrayLiteral([1, -2.5, 1e-7, NaN, Infinity, -Infinity, null])).toBe(
      '{"1","-2.5","1e-7","NaN","Infinity","-Infinity",NULL}',
    );
    expect(arrayLiteral([JSON.stringify({ a: ['"', '\\'] })])).toBe('{"{\\"a\\":[\\"\\\\\\"\\",\\"\\\\\\\\\\"]}"}');
  });
});

describe('batch planning', () => {
  it('folds the upserts of one target as the single-row merge would, in order', () => {
    const fold = foldUpserts(
      [
        upsert('k:a', { priority: 1, enqueuedAt: 1500.4, deadlineAt: 9000, channelId: '1' }),
        upsert('k:a', { messageId: '5', priority: 3, enqueuedAt: 1200, deadlineAt: 7000, managedKey: 'board' }),
        upsert('k:a', {
          messageId: '6',
          desired: 'absent',
          body: null,
          priority: 2,
          enqueuedAt: 1800,
          deadlineAt: 8000,
        }),
      ].map(prepared),
    );
    expect(fold).toEqual({
      targetKey: 'k:a',
      desired: 'absent',
      channelId: '1',
      messageId: '5',
      managedKey: 'board',
      body: null,
      priority: 3,
      enqueuedAt: 1200,
      deadlineAt: 9000,
      upserts: 3,
    });
    expect(foldUpserts([prepared(upsert('k:a', { deadlineAt: 9000 })), prepared(upsert('k:a'))]).deadlineAt).toBe(null);
    // PostgreSQL's GREATEST: NaN above every number.
    expect(foldUpserts([prepared(upsert('k:a', { priority: NaN })), prepared(upsert('k:a'))]).priority).toBeNaN();
    expect(foldUpserts([prepared(upsert('k:a')), prepared(upsert('k:a', { priority: NaN }))]).priority).toBeNaN();
  });

  it('groups a batch by target, keeping the order of each target', () => {
    const batch = ['k:b', 'k:a', 'k:b', 'k:c', 'k:a'].map((key) => prepared(upsert(key)));
    expect([...groupByTarget(batch)]).toEqual([
      ['k:b', [0, 2]],
      ['k:a', [1, 4]],
      ['k:c', [3]],
    ]);
    expect(dependsOnRow(prepared(upsert('k:a', { desired: 'absent', body: null })))).toBe(true);
    expect(dependsOnRow(prepared(upsert('m:1', { desired: 'absent', body: null, messageId: '1' })))).toBe(false);
    expect(dependsOnRow(prepared(upsert('k:a')))).toBe(false);
  });

  it('replays random sequences with the versions and outcome of the memory repository', async () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 300; round++) {
      const memory = new MemoryUpdateRepository();
      const start = (['none', 'droppable', 'kept'] as const)[round % 3]!;
      if (start !== 'none') await memory.enqueue(upsert('k:t', { messageId: start === 'kept' ? '9' : null }));
      const before = await memory.getRow('k:t');
      const sequence = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, index) =>
        upsert('k:t', {
          desired: next() < 0.5 ? 'absent' : 'present',
          messageId: next() < 0.2 ? '7' : null,
          body: { index },
          priority: Math.floor(next() * 4),
        }),
      );
      const versions = [];
      for (const update of sequence) versions.push((await memory.enqueue(update)).version);
      const plan = planLockedTarget(
        sequence.map(prepared),
        before && { version: before.version, droppable: before.messageId === null && before.nonce === null },
      );
      const after = await memory.getRow('k:t');
      expect(plan.versions, `round ${round}`).toEqual(versions);
      expect(plan.op === 'drop' ? undefined : plan.version, `round ${round}`).toBe(after?.version);
      if (plan.op === 'merge') expect(before, `round ${round}`).toBeDefined();
      if (plan.op !== 'drop') {
        expect(plan.row.desired).toBe(after!.desired);
        expect(plan.row.body).toBe(after!.desired === 'present' ? JSON.stringify(after!.body) : null);
      }
    }
  });
});
