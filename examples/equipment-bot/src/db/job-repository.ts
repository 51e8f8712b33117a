/**
 * Background jobs that live in the database (reminders, transfer expiry, time-driven re-renders), so they resume
 * after a restart. A job with a dedupe key exists at most once (unique index); claiming is atomic and exclusive
 * (Postgres: `FOR UPDATE SKIP LOCKED`; SQLite: one `BEGIN IMMEDIATE` transaction).
 *
 * @module
 */
import { sql, type Selectable } from 'kysely';
import type { EpochMs } from '../domain/model.js';
import type { BotDatabase, BotDialect } from './database.js';
import { num, numOrNull } from './rows.js';
import type { BotExecutor, JobsTable, JobStatusColumn } from './schema.js';

/** A job's lifecycle: pending → running → done, or back to pending (retry), or failed (gave up). */
export type JobStatus = JobStatusColumn;

/** A stored job. */
export interface Job {
  readonly id: number;
  readonly type: string;
  /** The JSON payload, parsed. */
  readonly payload: unknown;
  readonly runAt: EpochMs;
  readonly status: JobStatus;
  /** How many times it was claimed. */
  readonly attempts: number;
  readonly dedupeKey: string | null;
  readonly reservationId: number | null;
  readonly lastError: string | null;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

/** What to enqueue. */
export interface NewJob {
  readonly type: string;
  /** Anything `JSON.stringify` accepts. */
  readonly payload?: unknown;
  readonly runAt: EpochMs;
  /** A second job with the same key is not created (see {@link EnqueueOptions.ifExists}). */
  readonly dedupeKey?: string | null;
  /** The reservation the job is about: `cancelByReservation` removes it, and deleting the reservation does too. */
  readonly reservationId?: number | null;
}

/** Options of {@link JobRepository.enqueue}. */
export interface EnqueueOptions {
  /**
   * What to do when a job with the same dedupe key exists: `'keep'` it as it is, or `'replace'` its type, payload,
   * run time and reservation and make it pending again with no attempts (unless it is running right now: a running
   * job is kept).
   * @defaultValue `'keep'`
   */
  readonly ifExists?: 'keep' | 'replace';
}

/** What {@link JobRepository.enqueue} did. */
export interface EnqueueResult {
  readonly job: Job;
  /** `created`: a new job; `existing`: the key's job was kept; `replaced`: the key's job was rescheduled. */
  readonly outcome: 'created' | 'existing' | 'replaced';
}

/** How failed jobs are retried. */
export interface RetryPolicy {
  /** After this many attempts the job is `failed`. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Delay before the first retry; it doubles each attempt. @defaultValue 30000 */
  readonly baseDelayMs?: number;
  /** Longest delay. @defaultValue 3600000 */
  readonly maxDelayMs?: number;
}

/** What {@link JobRepository.fail} did. */
export type FailResult =
  | { readonly status: 'pending'; readonly runAt: EpochMs }
  | { readonly status: 'failed' }
  | { readonly status: 'not-running' };

/**
 * The due-jobs query: pending jobs whose time has come, oldest first. Uses `idx_jobs_status_run_at`. On Postgres
 * the rows are locked, skipping those another claimer holds. Exported for the plan tests.
 *
 * @param db - the database or a transaction
 * @param dialect - the database's dialect
 * @param now - epoch ms
 * @param limit - at most this many
 * @returns the query (ids only)
 */
export function dueJobsQuery(db: BotExecutor, dialect: BotDialect, now: EpochMs, limit: number) {
  const query = db
    .selectFrom('jobs')
    .select('id')
    .where('status', '=', 'pending')
    .where('run_at', '<=', now)
    .orderBy('run_at')
    .orderBy('id')
    .limit(limit);
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/** Reads and writes `jobs`. */
export class JobRepository {
  readonly #db: BotExecutor;
  readonly #dialect: BotDialect;

  /**
   * @param db - the database or a transaction
   * @param dialect - its dialect
   */
  public constructor(db: BotExecutor, dialect: BotDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Adds a job, or finds the one with the same dedupe key.
   *
   * @param job - the job
   * @param now - epoch ms
   * @param options - what to do with an existing job of the same key
   * @returns the job and whether it was created
   */
  public async enqueue(job: NewJob, now: EpochMs, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const values = {
      type: job.type,
      payload: JSON.stringify(job.payload ?? {}),
      run_at: job.runAt,
      dedupe_key: job.dedupeKey ?? null,
      reservation_id: job.reservationId ?? null,
      created_at: now,
      updated_at: now,
    };
    const insert = this.#db.insertInto('jobs').values(values);
    if (values.dedupe_key === null) {
      return { job: toJob(await insert.returningAll().executeTakeFirstOrThrow()), outcome: 'created' };
    }
    const before = await this.getByDedupeKey(values.dedupe_key);
    const row =
      options.ifExists === 'replace'
        ? await insert
            .onConflict((conflict) =>
              conflict
                .column('dedupe_key')
                .doUpdateSet({
                  type: values.type,
                  payload: values.payload,
                  run_at: values.run_at,
                  reservation_id: values.reservation_id,
                  status: 'pending',
                  attempts: 0,
                  last_error: null,
                  updated_at: now,
                })
                .where('jobs.status', '<>', 'running'),
            )
            .returningAll()
            .executeTakeFirst()
        : await insert
            .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
            .returningAll()
            .executeTakeFirst();
    if (row !== undefined) return { job: toJob(row), outcome: before === null ? 'created' : 'replaced' };
    const existing = await this.getByDedupeKey(values.dedupe_key);
    if (existing === null) throw new Error(`job ${values.dedupe_key} was neither inserted nor found; retry.`);
    return { job: existing, outcome: 'existing' };
  }

  /**
   * @param jobId - the job
   * @returns it, or null
   */
  public async get(jobId: number): Promise<Job | null> {
    const row = await this.#db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    return row === undefined ? null : toJob(row);
  }

  /**
   * @param dedupeKey - a dedupe key
   * @returns its job, or null
   */
  public async getByDedupeKey(dedupeKey: string): Promise<Job | null> {
    const row = await this.#db.selectFrom('jobs').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
    return row === undefined ? null : toJob(row);
  }

  /**
   * Claims due jobs in one statement: they become `running` with one more attempt. Each job goes to one claimer
   * only. Prefer {@link claimDueJobs}, which runs this in a write transaction.
   *
   * @param now - epoch ms
   * @param limit - at most this many
   * @returns the claimed jobs, oldest first
   */
  public async claimDue(now: EpochMs, limit: number): Promise<Job[]> {
    const rows = await this.#db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', dueJobsQuery(this.#db, this.#dialect, now, limit))
      .returningAll()
      .execute();
    return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id);
  }

  /**
   * Marks a running job done.
   *
   * @param jobId - the job
   * @param now - epoch ms
   * @returns whether it was running (a job cancelled meanwhile is gone)
   */
  public async complete(jobId: number, now: EpochMs): Promise<boolean> {
    const result = await this.#db
      .updateTable('jobs')
      .set({ status: 'done', last_error: null, updated_at: now })
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Records a failed run: pending again after an exponential backoff, or `failed` after the last attempt.
   *
   * @param jobId - the job
   * @param error - what went wrong (its message is stored)
   * @param now - epoch ms
   * @param policy - retries
   * @returns what became of the job
   */
  public async fail(jobId: number, error: unknown, now: EpochMs, policy: RetryPolicy = {}): Promise<FailResult> {
    const job = await this.get(jobId);
    if (job === null || job.status !== 'running') return { status: 'not-running' };
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const maxAttempts = policy.maxAttempts ?? 5;
    if (job.attempts >= maxAttempts) {
      await this.#db
        .updateTable('jobs')
        .set({ status: 'failed', last_error: message, updated_at: now })
        .where('id', '=', jobId)
        .execute();
      return { status: 'failed' };
    }
    const delay = Math.min(
      policy.maxDelayMs ?? 3_600_000,
      (policy.baseDelayMs ?? 30_000) * 2 ** Math.max(0, job.attempts - 1),
    );
    const runAt = now + Math.round(delay);
    await this.#db
      .updateTable('jobs')
      .set({ status: 'pending', run_at: runAt, last_error: message, updated_at: now })
      .where('id', '=', jobId)
      .execute();
    return { status: 'pending', runAt };
  }

  /**
   * Makes running jobs pending again when they have been running for too long (their process died): call it at
   * start-up and now and then.
   *
   * @param now - epoch ms
   * @param olderThanMs - how long a run may take
   * @returns how many jobs were released
   */
  public async requeueStale(now: EpochMs, olderThanMs: number): Promise<number> {
    const result = await this.#db
      .updateTable('jobs')
      .set({ status: 'pending', updated_at: now })
      .where('status', '=', 'running')
      .where('updated_at', '<=', now - olderThanMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Deletes the pending jobs whose dedupe key starts with `prefix` (exactly, case-sensitively).
   *
   * @param prefix - e.g. `'reminder:42:'`
   * @returns how many were deleted
   */
  public async cancelByDedupePrefix(prefix: string): Promise<number> {
    if (prefix.length === 0)
      throw new Error('cancelByDedupePrefix needs a non-empty prefix (it would cancel every job).');
    const result = await this.#db
      .deleteFrom('jobs')
      .where('status', '=', 'pending')
      .where(sql<string>`substr(dedupe_key, 1, ${prefix.length})`, '=', prefix)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes a reservation's pending jobs.
   *
   * @param reservationId - the reservation
   * @returns how many were deleted
   */
  public async cancelByReservation(reservationId: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('jobs')
      .where('reservation_id', '=', reservationId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes done and failed jobs last changed before `before` (their dedupe keys become free again).
   *
   * @param before - epoch ms
   * @returns how many were deleted
   */
  public async purgeFinished(before: EpochMs): Promise<number> {
    const result = await this.#db
      .deleteFrom('jobs')
      .where('status', 'in', ['done', 'failed'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/**
 * Claims due jobs atomically in one write transaction (see {@link JobRepository.claimDue}).
 *
 * @param database - the open database
 * @param now - epoch ms
 * @param limit - at most this many
 * @returns the claimed jobs, oldest first
 */
export function claimDueJobs(database: BotDatabase, now: EpochMs, limit: number): Promise<Job[]> {
  return database.transaction((trx) => new JobRepository(trx, database.dialect).claimDue(now, limit));
}

function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: num(row.id),
    type: row.type,
    payload: JSON.parse(row.payload) as unknown,
    runAt: num(row.run_at),
    status: row.status,
    attempts: num(row.attempts),
    dedupeKey: row.dedupe_key,
    reservationId: numOrNull(row.reservation_id),
    lastError: row.last_error,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}
