import type { BotDatabase } from '../db/database.js';
import { repositories } from '../db/repositories.js';
import type { EpochMs } from '../domain/model.js';
import { expireTransfers } from '../domain/services/transfers.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../notify/notifier.js';
import type { JobHandler } from './job-runner.js';

/** The recurring job that expires unanswered transfer requests (scenario 23). */
export const TRANSFER_SWEEP_JOB = 'transfers.expire';
const SWEEP_KEY = 'transfers:expire';
/** How often it runs: a request expires within a minute of its deadline. */
export const TRANSFER_SWEEP_EVERY_MS = 60_000;

/** The DM a requester gets when nobody answered in time. */
export const transferExpiredText = (item: string, toUserId: string): string =>
  `Your request to hand over your reservation of ${item} to <@${toUserId}> has expired: it was not answered within 3 hours.`;

/**
 * Makes sure the sweep is scheduled (at start: one job, whatever the number of restarts — its dedupe key).
 *
 * @param database - the open database
 * @param now - epoch ms
 */
export async function scheduleTransferSweep(database: BotDatabase, now: EpochMs): Promise<void> {
  await repositories(database.db, database.dialect).jobs.enqueue(
    { type: TRANSFER_SWEEP_JOB, runAt: now, dedupeKey: SWEEP_KEY },
    now,
  );
}

/**
 * The sweep's handler: expires the requests whose 3 hours are up, DMs each requester, runs again a minute later.
 *
 * @param deps - database, notifier, clock, logger
 * @returns handlers by job type
 */
export function transferJobHandlers(deps: {
  readonly database: BotDatabase;
  readonly notifier: Notifier;
  readonly now: () => EpochMs;
  readonly logger: Logger;
}): Record<string, JobHandler> {
  return {
    [TRANSFER_SWEEP_JOB]: async () => {
      for (const { transfer, equipment } of await expireTransfers(deps.database, deps.now())) {
        const delivered = await deps.notifier.dm(
          transfer.fromUserId,
          transferExpiredText(equipment.name, transfer.toUserId),
        );
        if (delivered === 'closed') deps.logger.info(`transfer ${transfer.id} expired; requester's DMs are closed`);
      }
      return { retryAt: deps.now() + TRANSFER_SWEEP_EVERY_MS };
    },
  };
}
