import { describe, expect, it } from 'vitest';
import { claimDueJobs, JobRepository } from '../../src/db/job-repository.js';
import { repositories } from '../../src/db/repositories.js';
import { DIALECTS, HOUR, MIN, seedItem, T0, useTestDatabase } from './harness.js';

describe.each(DIALECTS)('%s jobs', (dialect) => {
  const t = useTestDatabase(dialect);
  const jobs = (): JobRepository => new JobRepository(t.database.db, t.database.dialect);

  it('enqueues once per dedupe key (keep), and replaces a pending job on request', async () => {
    const first = await jobs().enqueue({ type: 'reminder', payload: { n: 1 }, runAt: T0, dedupeKey: 'r:1:end' }, T0);
    const again = await jobs().enqueue(
      { type: 'reminder', payload: { n: 2 }, runAt: T0 + MIN, dedupeKey: 'r:1:end' },
      T0,
    );
    expect(first.outcome).toBe('created');
    expect(again).toMatchObject({ outcome: 'existing', job: { id: first.job.id, payload: { n: 1 }, runAt: T0 } });
    const replaced = await jobs().enqueue(
      { type: 'reminder', payload: { n: 3 }, runAt: T0 + 2 * MIN, dedupeKey: 'r:1:end' },
      T0,
      { ifExists: 'replace' },
    );
    expect(replaced).toMatchObject({
      outcome: 'replaced',
      job: { id: first.job.id, payload: { n: 3 }, runAt: T0 + 2 * MIN },
    });
    const noKey = await Promise.all([
      jobs().enqueue({ type: 'render', runAt: T0 }, T0),
      jobs().enqueue({ type: 'render', runAt: T0 }, T0),
    ]);
    expect(noKey.map((result) => result.outcome)).toEqual(['created', 'created']);
  });

  it('keeps a running job when asked to replace it, and enqueues no duplicate from two connections at once', async () => {
    await jobs().enqueue({ type: 'x', runAt: T0, dedupeKey: 'k' }, T0);
    const [claimed] = await claimDueJobs(t.database, T0, 10);
    const kept = await jobs().enqueue({ type: 'x', runAt: T0 + HOUR, dedupeKey: 'k' }, T0, { ifExists: 'replace' });
    expect(kept).toMatchObject({ outcome: 'existing', job: { id: claimed?.id, status: 'running', runAt: T0 } });
    const other = await t.test.openAnother();
    const results = await Promise.all([
      jobs().enqueue({ type: 'y', runAt: T0, dedupeKey: 'same' }, T0),
      new JobRepository(other.db, other.dialect).enqueue({ type: 'y', runAt: T0, dedupeKey: 'same' }, T0),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['created', 'existing']);
    expect(new Set(results.map((result) => result.job.id)).size).toBe(1);
  });

  it('claims due jobs oldest first, up to the limit, as running with one more attempt', async () => {
    await jobs().enqueue({ type: 'b', runAt: T0 + 2, dedupeKey: 'b' }, T0);
    await jobs().enqueue({ type: 'a', runAt: T0 + 1, dedupeKey: 'a' }, T0);
    await jobs().enqueue({ type: 'later', runAt: T0 + HOUR, dedupeKey: 'later' }, T0);
    await jobs().enqueue({ type: 'c', runAt: T0 + 3, dedupeKey: 'c' }, T0);
    const claimed = await claimDueJobs(t.database, T0 + 10, 2);
    expect(claimed.map((job) => [job.type, job.status, job.attempts, job.updatedAt])).toEqual([
      ['a', 'running', 1, T0 + 10],
      ['b', 'running', 1, T0 + 10],
    ]);
    expect((await claimDueJobs(t.database, T0 + 10, 10)).map((job) => job.type)).toEqual(['c']);
    expect(await claimDueJobs(t.database, T0 + 10, 10)).toEqual([]);
  });

  it('hands each due job to exactly one of several concurrent claimers on separate connections', async () => {
    for (let index = 0; index < 60; index += 1) {
      await jobs().enqueue({ type: 'work', runAt: T0 + index, dedupeKey: `work:${index}` }, T0);
    }
    const claimers = [t.database, await t.test.openAnother(), await t.test.openAnother()];
    const drain = async (database: (typeof claimers)[number]): Promise<number[]> => {
      const ids: number[] = [];
      for (;;) {
        const batch = await claimDueJobs(database, T0 + HOUR, 7);
        if (batch.length === 0) return ids;
        ids.push(...batch.map((job) => job.id));
      }
    };
    const results = await Promise.all(claimers.map(drain));
    const all = results.flat();
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
    const attempts = await t.database.db.selectFrom('jobs').select('attempts').distinct().execute();
    expect(attempts.map((row) => Number(row.attempts))).toEqual([1]);
  });

  it('completes; fails with exponential backoff, then for good after the last attempt', async () => {
    await jobs().enqueue({ type: 'dm', runAt: T0, dedupeKey: 'dm' }, T0);
    const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 3000 };
    let [job] = await claimDueJobs(t.database, T0, 1);
    expect(await jobs().fail(job!.id, new Error('DMs closed'), T0, policy)).toEqual({
      status: 'pending',
      runAt: T0 + 1000,
    });
    expect(await claimDueJobs(t.database, T0 + 999, 1)).toEqual([]);
    [job] = await claimDueJobs(t.database, T0 + 1000, 1);
    expect(await jobs().fail(job!.id, 'again', T0 + 1000, policy)).toEqual({ status: 'pending', runAt: T0 + 3000 });
    [job] = await claimDueJobs(t.database, T0 + 3000, 1);
    expect(job?.attempts).toBe(3);
    expect(await jobs().fail(job!.id, new Error('still closed'), T0 + 3000, policy)).toEqual({ status: 'failed' });
    expect(await jobs().get(job!.id)).toMatchObject({ status: 'failed', lastError: 'still closed' });
    expect(await jobs().fail(job!.id, 'x', T0, policy)).toEqual({ status: 'not-running' });
    await jobs().enqueue({ type: 'ok', runAt: T0, dedupeKey: 'ok' }, T0);
    const [ok] = await claimDueJobs(t.database, T0, 1);
    expect(await jobs().complete(ok!.id, T0 + 1)).toBe(true);
    expect(await jobs().complete(ok!.id, T0 + 1)).toBe(false);
    expect((await jobs().enqueue({ type: 'ok', runAt: T0, dedupeKey: 'ok' }, T0)).outcome).toBe('existing');
    expect(await jobs().purgeFinished(T0 + 10_000)).toBe(2);
    expect((await jobs().enqueue({ type: 'ok', runAt: T0, dedupeKey: 'ok' }, T0)).outcome).toBe('created');
  });

  it('requeues jobs left running by a process that died', async () => {
    await jobs().enqueue({ type: 'x', runAt: T0, dedupeKey: 'x' }, T0);
    await claimDueJobs(t.database, T0, 1);
    expect(await jobs().requeueStale(T0 + MIN, 5 * MIN)).toBe(0);
    expect(await jobs().requeueStale(T0 + 5 * MIN, 5 * MIN)).toBe(1);
    expect((await claimDueJobs(t.database, T0 + 5 * MIN, 1))[0]?.attempts).toBe(2);
  });

  it('cancels pending jobs by exact dedupe-key prefix (no LIKE wildcards) and by reservation', async () => {
    const { equipmentId } = await seedItem(t.database);
    const reservation = await repositories(t.database.db, t.database.dialect).reservations.insert(
      { equipmentId, userId: '1', startAt: T0 + HOUR, endAt: T0 + 2 * HOUR, locationId: null },
      T0,
    );
    for (const key of ['r:1:end', 'r:1:overdue', 'r:10:end', 'r_1:end', 'R:1:end']) {
      await jobs().enqueue({ type: 'reminder', runAt: T0 + HOUR, dedupeKey: key }, T0);
    }
    expect(await jobs().cancelByDedupePrefix('r:1:')).toBe(2);
    expect(await jobs().cancelByDedupePrefix('r_1')).toBe(1);
    await expect(jobs().cancelByDedupePrefix('')).rejects.toThrow(/non-empty prefix/);
    const remaining = await t.database.db.selectFrom('jobs').select('dedupe_key').orderBy('dedupe_key').execute();
    expect(remaining.map((row) => row.dedupe_key)).toEqual(['R:1:end', 'r:10:end']);

    await jobs().enqueue({ type: 'a', runAt: T0 + HOUR, reservationId: reservation.id }, T0);
    await jobs().enqueue({ type: 'b', runAt: T0 + HOUR, reservationId: reservation.id }, T0);
    expect(await jobs().cancelByReservation(reservation.id)).toBe(2);
    await jobs().enqueue({ type: 'c', runAt: T0 + HOUR, reservationId: reservation.id }, T0);
    await t.database.db.deleteFrom('reservations').where('id', '=', reservation.id).execute();
    expect(await t.database.db.selectFrom('jobs').select('id').where('type', '=', 'c').execute()).toEqual([]);
  });
});
