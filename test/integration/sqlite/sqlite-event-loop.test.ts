import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteUpdateRepository, type SqliteDriver } from '../../../src/repositories/sqlite/index.js';
import type { OutboxUpsert } from '../../../src/repositories/update-repository.js';

/** Inserts `count` idle edit rows `m:<i>` directly (the enqueue path is not what these tests are about). */
function fill(file: string, count: number): void {
  const database = new Database(file);
  try {
    database
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count)
        INSERT INTO outbox (target_key, desired, channel_id, message_id, body, priority, enqueued_at, version)
        SELECT 'm:' || (300000000000000000 + i), 'present', '100000000000000001', CAST(300000000000000000 + i AS TEXT),
          '{"content":"x"}', i % 3, 1000 + i, 1
        FROM n`,
      )
      .run({ count });
  } finally {
    database.close();
  }
}

/** A driver that records the SQL its connections execute (`exec`) and the statements they run. */
function recordingDriver(): { readonly driver: SqliteDriver; readonly log: string[] } {
  const log: string[] = [];
  class RecordingDatabase extends Database {
    public constructor(filename: string, options?: Database.Options) {
      super(filename, options);
      const exec = this.exec.bind(this);
      const prepare = this.prepare.bind(this);
      this.exec = ((sql: string) => {
        log.push(sql);
        return exec(sql);
      }) as typeof this.exec;
      this.prepare = ((source: string) =>
        new Proxy(prepare(source), {
          get(target, property) {
            const value = Reflect.get(target, property, target) as unknown;
            if (typeof value !== 'function') return value;
            const method = value as (...params: unknown[]) => unknown;
            if (property !== 'all' && property !== 'get' && property !== 'run') return method.bind(target);
            return (...params: unknown[]) => {
              log.push(source.trim());
              return method.apply(target, params);
            };
          },
        })) as typeof this.prepare;
    }
  }
  return { driver: RecordingDatabase, log };
}

function create(targetKey: string): OutboxUpsert {
  return {
    targetKey,
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: targetKey.slice(2),
    body: { content: targetKey },
    priority: 1,
    enqueuedAt: 1000,
    deadlineAt: null,
  };
}

const newNonce = (): string => 'nonce-1';

describe('SqliteUpdateRepository and the event loop', () => {
  let dir: string;
  let file: string;
  const opened: SqliteUpdateRepository[] = [];
  const open = (options: { driver?: SqliteDriver } = {}): SqliteUpdateRepository => {
    const repository = new SqliteUpdateRepository({ filename: file, synchronous: 'NORMAL', ...options });
    opened.push(repository);
    return repository;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dum-sqlite-loop-'));
    file = join(dir, 'updates.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((repository) => repository.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('lets timers run while a caller drains the outbox with claim and ack, awaiting each', async () => {
    const repository = open();
    await repository.migrate();
    fill(file, 3000);
    // better-sqlite3 is synchronous: without breaks, a loop of awaited calls never gives the event loop a turn, and
    // this timer would only fire once the whole drain is over.
    let ackedWhenTimerFired: number | undefined;
    let acked = 0;
    setTimeout(() => {
      ackedWhenTimerFired = acked;
    }, 0);
    for (;;) {
      const rows = await repository.claim({ limit: 50, leaseMs: 60_000, newNonce });
      if (rows.length === 0) break;
      for (const row of rows) {
        await repository.ack({ targetKey: row.targetKey, leaseToken: row.leaseToken, version: row.version });
        acked++;
      }
    }
    expect(acked).toBe(3000);
    expect(ackedWhenTimerFired).toBeDefined();
    expect(ackedWhenTimerFired!).toBeLessThan(3000);
  });

  it('reads a long list in slices: timers run meanwhile, and the list is one consistent snapshot', async () => {
    const repository = open();
    await repository.migrate();
    fill(file, 20_000);
    let timerFiredBeforeList = false;
    let listed = false;
    setTimeout(() => {
      timerFiredBeforeList = !listed;
    }, 0);
    // Made while the list is being read, in this order: the enqueue waits for the list, the read for the enqueue.
    const pending = repository.listPending().then((rows) => {
      listed = true;
      return rows;
    });
    const enqueued = repository.enqueue(create('k:late'));
    const late = repository.getRow('k:late');
    const rows = await pending;
    expect(timerFiredBeforeList).toBe(true);
    expect(rows).toHaveLength(20_000);
    expect(rows.map((row) => row.targetKey)).not.toContain('k:late');
    // Best first, as one query returns them.
    const raw = new Database(file, { readonly: true });
    try {
      const expected = raw
        .prepare('SELECT target_key FROM outbox WHERE target_key <> ? ORDER BY priority DESC, enqueued_at, target_key')
        .pluck()
        .all('k:late');
      expect(rows.map((row) => row.targetKey)).toEqual(expected);
    } finally {
      raw.close();
    }
    expect(await enqueued).toEqual({ version: 1 });
    expect((await late)?.targetKey).toBe('k:late');
  });

  it('commits a claim without waiting for the disk, unless it hands out a nonce, which it makes durable', async () => {
    const { driver, log } = recordingDriver();
    const repository = new SqliteUpdateRepository({ filename: file, driver });
    opened.push(repository);
    await repository.migrate();
    await repository.enqueueMany([{ ...create('m:300000000000000001'), messageId: '300000000000000001' }]);
    await repository.enqueue(create('k:board'));

    log.length = 0;
    const [edit] = await repository.claim({
      limit: 1,
      leaseMs: 60_000,
      targetKeys: ['m:300000000000000001'],
      newNonce,
    });
    expect(edit?.nonce).toBeNull();
    expect(log.filter((sql) => sql.startsWith('PRAGMA'))).toEqual([
      'PRAGMA synchronous = NORMAL',
      'PRAGMA synchronous = FULL',
    ]);
    expect(log.some((sql) => sql.includes('SET nonce = nonce'))).toBe(false);

    log.length = 0;
    const [created] = await repository.claim({ limit: 1, leaseMs: 60_000, targetKeys: ['k:board'], newNonce });
    expect(created?.nonce).toBe('nonce-1');
    // The durable commit comes after the setting is back to FULL.
    const restored = log.indexOf('PRAGMA synchronous = FULL');
    const touched = log.findIndex((sql) => sql.includes('SET nonce = nonce'));
    expect(restored).toBeGreaterThanOrEqual(0);
    expect(touched).toBeGreaterThan(restored);

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare(`SELECT nonce FROM outbox WHERE target_key = 'k:board'`).pluck().get()).toBe('nonce-1');
    } finally {
      raw.close();
    }
  });
});
