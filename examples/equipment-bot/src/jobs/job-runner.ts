import type { Clock, ClockTimer } from 'discord-update-manager';
import type { BotDatabase } from '../db/database.js';
import type { Job } from '../db/job-repository.js';
import { repositories } from '../db/repositories.js';
import type { Logger } from '../logger.js';

/** What a handler decides: the job is done, or must run again later (a DM that could not be delivered yet). */
export type JobOutcome = { readonly done: true } | { readonly retryAt: number };

/** Runs one job. Throwing fails the attempt: it is retried with backoff, then marked failed. */
export type JobHandler = (job: Job) => Promise<JobOutcome>;

/** Options of {@link JobRunner}. */
export interface JobRunnerOptions {
  readonly database: BotDatabase;
  /** Time and timers (tests move time by giving a clock whose `now` runs ahead). */
  readonly clock: Clock;
  /** Handlers by job type; a job of another type fails (and is kept for inspection). */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly logger: Logger;
  /** How often the table is polled, ms. @defaultValue 5000 (a time-driven change shows within a minute) */
  readonly pollMs?: number;
  /** Jobs claimed per poll. @defaultValue 20 */
  readonly batch?: number;
  /** A job `running` for longer than this was left by a crash and is run again, ms. @defaultValue 300000 */
  readonly staleAfterMs?: number;
}

/**
 * The background-job loop: jobs live in the database (`jobs` table), so reminders, overdue notices, transfer expiry
 * and time-driven re-renders survive a restart; one loop polls them on the injected clock, claims the due ones
 * atomically (so two processes never run the same job), runs their handler, and records the outcome.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #pollMs: number;
  #timer: ClockTimer | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  /** @param options - database, clock, handlers, logger, polling */
  public constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#pollMs = options.pollMs ?? 5_000;
  }

  /** Requeues jobs a crash left `running`, then polls until {@link JobRunner.stop}. */
  public async start(): Promise<void> {
    const { database, clock, staleAfterMs = 300_000 } = this.#options;
    const requeued = await repositories(database.db, database.dialect).jobs.requeueStale(clock.now(), staleAfterMs);
    if (requeued > 0) this.#options.logger.info(`jobs: ${requeued} left running by an earlier process, run again`);
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops polling and waits for the jobs being run. */
  public async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /**
   * Runs the jobs due now (one batch).
   *
   * @returns how many ran
   */
  public async runDue(): Promise<number> {
    while (this.#running) await this.#running;
    this.#running = this.#runBatch().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #runBatch(): Promise<number> {
    const { database, clock, handlers, logger, batch = 20 } = this.#options;
    const jobs = repositories(database.db, database.dialect).jobs;
    const due = await jobs.claimDue(clock.now(), batch);
    for (const job of due) {
      const handler = handlers[job.type];
      try {
        if (!handler) throw new Error(`no handler for job type "${job.type}"`);
        const outcome = await handler(job);
        if ('done' in outcome) {
          await jobs.complete(job.id, clock.now());
        } else {
          await database.db
            .updateTable('jobs')
            .set({ status: 'pending', run_at: outcome.retryAt, updated_at: clock.now() })
            .where('id', '=', job.id)
            .execute();
        }
      } catch (error) {
        const result = await jobs.fail(job.id, error, clock.now());
        logger.warn(`job ${job.type}#${job.id} failed (${result.status}): ${String(error)}`);
      }
    }
    return due.length;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      void this.runDue()
        .catch((error: unknown) => this.#options.logger.warn(`jobs: poll failed: ${String(error)}`))
        .finally(() => this.#schedule(this.#pollMs));
    }, delayMs);
  }
}
