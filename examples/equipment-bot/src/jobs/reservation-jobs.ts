import type { BotDatabase } from '../db/database.js';
import type { Job } from '../db/job-repository.js';
import { repositories, type Repositories } from '../db/repositories.js';
import type { EpochMs, Reservation, Snowflake } from '../domain/model.js';
import { MINUTE_MS } from '../domain/services/support.js';
import { reminderTime } from '../domain/slots.js';
import { formatJst } from '../domain/time.js';
import type { Notifier } from '../notify/notifier.js';
import type { JobHandler, JobOutcome } from './job-runner.js';

/** The job types of reservations. */
export const ReservationJob = {
  /** Re-render the item's guild when a reservation starts or ends (scenario 10). */
  render: 'reservation.render',
  /** 15 minutes before the end (scenario 28). */
  reminder: 'reservation.reminder',
  /** At the end, then every `overdueRepeatMinutes` until returned (scenario 29). */
  overdue: 'reservation.overdue',
  /** At the start: tell the reserver when the previous borrower has not returned the item (scenario 30). */
  blocked: 'reservation.blocked',
  /** Delete a fallback notice posted in the channel (it must not stay among the display's messages). */
  deleteNotice: 'notice.delete',
} as const;

/** Texts of the notifications (English, as REFERENCE_BOT.md quotes them). */
export const NotificationText = {
  reminder: (item: string, endAt: EpochMs) => `Your reservation of ${item} ends at ${formatJst(endAt)} (JST).`,
  noNext: 'No next reservation, so extension is also possible.',
  overdue: (item: string, endAt: EpochMs) =>
    `Your reservation of ${item} ended at ${formatJst(endAt)} (JST) and the item has not been returned. Please return it, or extend your reservation.`,
  blocked: (item: string) =>
    `${item}: The equipment is currently unavailable because the previous user has not returned it.`,
  enableDms: 'I could not send you a direct message: please enable DMs from server members. I will try again.',
} as const;

/** How long the bot waits before trying again a DM that could not be delivered, ms. */
export const DM_RETRY_MS = 10 * 60_000;
/** How long a fallback notice stays in the channel, ms. */
export const NOTICE_LIFETIME_MS = 10 * 60_000;

/** `overdue:<round>` in `sent_reminders`: an overdue DM already sent. */
const OVERDUE_SENT = /^overdue:(\d+)$/;

interface ReservationPayload {
  readonly reservationId: number;
  readonly guildId: Snowflake;
  /** For `overdue`: which repetition (0, 1, …). */
  readonly round?: number;
}

/**
 * Schedules a reservation's jobs: re-renders at its start and end, the reminder, the next overdue notice (the first at
 * the end; after notices already sent, the following round one repeat period from now), the "previous user has not
 * returned it" check. Idempotent (dedupe keys); call it again after a change or an undone return, once its old jobs
 * were cancelled.
 *
 * @param repos - repositories (inside the transaction that made the reservation, or not)
 * @param guildId - the reservation's guild
 * @param reservation - the reservation
 * @param now - epoch ms
 */
export async function scheduleReservationJobs(
  repos: Repositories,
  guildId: Snowflake,
  reservation: Reservation,
  now: EpochMs,
): Promise<void> {
  const id = reservation.id;
  const payload: ReservationPayload = { reservationId: id, guildId };
  // The overdue notices go on from the first round not sent yet (a loan already overdue whose return was undone, or
  // whose end was moved, resumes its repeats instead of ending the chain on a round marked sent).
  const sentRounds = (await repos.sentReminders.listKinds(id))
    .map((kind) => OVERDUE_SENT.exec(kind)?.[1])
    .filter((round): round is string => round !== undefined)
    .map(Number);
  const round = sentRounds.length === 0 ? 0 : Math.max(...sentRounds) + 1;
  const overdueAt =
    round === 0
      ? reservation.endAt
      : Math.max(
          reservation.endAt,
          now + (await repos.guildSettings.getOrDefault(guildId)).overdueRepeatMinutes * MINUTE_MS,
        );
  const jobs: [type: string, runAt: EpochMs, key: string, payload: ReservationPayload][] = [
    [ReservationJob.render, reservation.startAt, `render:${id}:start`, payload],
    [ReservationJob.render, reservation.endAt, `render:${id}:end`, payload],
    [ReservationJob.reminder, reminderTime(reservation.endAt), `reminder:${id}`, payload],
    [ReservationJob.overdue, overdueAt, `overdue:${id}:${round}`, { ...payload, round }],
    [ReservationJob.blocked, reservation.startAt, `blocked:${id}`, payload],
  ];
  for (const [type, runAt, dedupeKey, data] of jobs) {
    await repos.jobs.enqueue({ type, runAt, dedupeKey, payload: data, reservationId: id }, now, {
      ifExists: 'replace',
    });
  }
}

/**
 * Cancels a reservation's pending jobs (cancelled, returned, or changed before it is scheduled again).
 *
 * @param repos - repositories
 * @param reservationId - the reservation
 * @returns how many were cancelled
 */
export function cancelReservationJobs(repos: Repositories, reservationId: number): Promise<number> {
  return repos.jobs.cancelByReservation(reservationId);
}

/** What the handlers need. */
export interface ReservationJobDeps {
  readonly database: BotDatabase;
  readonly notifier: Notifier;
  readonly now: () => EpochMs;
  /** Re-renders a guild's channel (time-driven: low priority). */
  readonly refresh: (guildId: Snowflake) => Promise<void>;
  /** The guild's reservation channel, for fallback notices. */
  readonly channelOf: (guildId: Snowflake) => Promise<Snowflake | null>;
  /** Deletes a message the bot posted (a fallback notice). */
  readonly deleteMessage: (channelId: Snowflake, messageId: Snowflake) => Promise<void>;
}

/**
 * The handlers of the reservation jobs. Each notification is sent at most once — `sent_reminders` has one row per
 * reservation and kind, taken before the DM goes out — also across restarts; when a member's DMs are closed, a
 * notice mentioning them is posted in the reservation channel once, and the DM is tried again later.
 *
 * @param deps - database, notifier, clock, display
 * @returns handlers by job type
 */
export function reservationJobHandlers(deps: ReservationJobDeps): Record<string, JobHandler> {
  const repos = (): Repositories => repositories(deps.database.db, deps.database.dialect);
  const payloadOf = (job: Job): ReservationPayload => job.payload as ReservationPayload;

  /** Sends a DM once per (reservation, kind); with DMs closed, posts the channel notice once and retries later. */
  const notify = async (reservation: Reservation, guildId: Snowflake, kind: string, text: string) => {
    const r = repos();
    if (await r.sentReminders.isSent(reservation.id, kind)) return DONE;
    const delivered = await deps.notifier.dm(reservation.userId, text);
    if (delivered === 'dm') {
      await r.sentReminders.markSent(reservation.id, kind, deps.now());
      return DONE;
    }
    if (await r.sentReminders.markSent(reservation.id, `${kind}:notice`, deps.now())) {
      const channelId = await deps.channelOf(guildId);
      if (channelId !== null) await postNotice(channelId, reservation.userId, r);
    }
    return { retryAt: deps.now() + DM_RETRY_MS } satisfies JobOutcome;
  };

  const postNotice = async (channelId: Snowflake, userId: Snowflake, r: Repositories) => {
    const messageId = await deps.notifier.mention(channelId, userId, NotificationText.enableDms);
    const now = deps.now();
    await r.jobs.enqueue(
      { type: ReservationJob.deleteNotice, runAt: now + NOTICE_LIFETIME_MS, payload: { channelId, messageId } },
      now,
    );
  };

  /** The reservation and its item, when the reservation still holds the item (confirmed, not returned). */
  const active = async (job: Job) => {
    const { reservationId } = payloadOf(job);
    const r = repos();
    const reservation = await r.reservations.get(reservationId);
    if (reservation?.status !== 'confirmed') return undefined;
    const equipment = await r.equipment.get(reservation.equipmentId);
    return equipment === null ? undefined : { reservation, equipment, r };
  };

  return {
    [ReservationJob.render]: async (job) => {
      await deps.refresh(payloadOf(job).guildId);
      return DONE;
    },
    [ReservationJob.reminder]: async (job) => {
      const found = await active(job);
      if (!found) return DONE;
      const { reservation, equipment, r } = found;
      const next = await r.reservations.nextConfirmed(equipment.id, reservation.endAt, reservation.id);
      const text = NotificationText.reminder(equipment.name, reservation.endAt);
      return notify(
        reservation,
        payloadOf(job).guildId,
        'reminder',
        next ? text : `${text}\n${NotificationText.noNext}`,
      );
    },
    [ReservationJob.overdue]: async (job) => {
      const found = await active(job);
      if (!found) return DONE;
      const { reservation, equipment, r } = found;
      const { guildId, round = 0 } = payloadOf(job);
      const outcome = await notify(
        reservation,
        guildId,
        `overdue:${round}`,
        NotificationText.overdue(equipment.name, reservation.endAt),
      );
      if ('done' in outcome) {
        const settings = await r.guildSettings.getOrDefault(guildId);
        const runAt = deps.now() + settings.overdueRepeatMinutes * 60_000;
        await r.jobs.enqueue(
          {
            type: ReservationJob.overdue,
            runAt,
            dedupeKey: `overdue:${reservation.id}:${round + 1}`,
            payload: { reservationId: reservation.id, guildId, round: round + 1 } satisfies ReservationPayload,
            reservationId: reservation.id,
          },
          deps.now(),
        );
      }
      return outcome;
    },
    [ReservationJob.blocked]: async (job) => {
      const found = await active(job);
      if (!found) return DONE;
      const { reservation, equipment, r } = found;
      // Another confirmed reservation of the item that started before this one and is still not returned.
      const holders = (await r.reservations.listConfirmed(equipment.id)).filter(
        (other) => other.id !== reservation.id && other.startAt < reservation.startAt,
      );
      if (holders.length === 0) return DONE;
      return notify(reservation, payloadOf(job).guildId, 'blocked', NotificationText.blocked(equipment.name));
    },
    [ReservationJob.deleteNotice]: async (job) => {
      const { channelId, messageId } = job.payload as { channelId: Snowflake; messageId: Snowflake };
      await deps.deleteMessage(channelId, messageId);
      return DONE;
    },
  };
}

const DONE: JobOutcome = { done: true };
