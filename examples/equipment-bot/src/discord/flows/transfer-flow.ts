/**
 * Owner transfer (scenarios 20–23): handing a reservation over to another member, who must approve.
 *
 * The owner's side is a step of the Check/Change interface (one ephemeral interface, edited in place, so its custom
 * ids are `mine` ones and it shares {@link MineState}):
 * 1. Transfer Owner (on a reservation's details) → a user select with ← Back. A bot or the owner themself is refused
 *    with an explanation, the select still offered.
 * 2. Choosing a member asks the domain (`requestTransfer`): one request may be pending per reservation, a second is
 *    refused with "a request is already pending". The target gets a DM with Approve / Deny, whose custom ids carry
 *    the request's id (`transfer:approve:-:<id>`, `transfer:deny:-:<id>`), so they work without a session, for 3 h.
 *
 * When the DM cannot be delivered (the target's DMs are closed), the request is withdrawn at once (marked expired,
 * logged): nobody could answer it, and leaving it pending would block another request for 3 hours. The owner is
 * told so, and may pick someone else.
 *
 * The target's side: Approve makes them the owner (`answerTransfer`), re-renders the item's embed and tells both by
 * DM; Deny tells the owner by DM and changes nothing. A click in a DM has no guild: the request's reservation gives
 * it. A click on an expired, answered or outdated request says it is no longer valid and changes nothing. The
 * request DM loses its buttons once answered.
 *
 * @module
 */
import { ButtonStyle, type APIMessage } from 'discord-api-types/v10';
import type { Snowflake } from '../../domain/model.js';
import {
  answerTransfer,
  requestTransfer,
  withdrawTransfer,
  type TransferDone,
} from '../../domain/services/transfers.js';
import { formatJst, formatJstRange } from '../../domain/time.js';
import { customId } from '../custom-id.js';
import type { Screen } from '../interactions/context.js';
import type { ComponentOrModal, InteractionRouter, RouteHandler } from '../interactions/router.js';
import type { WizardSession } from '../interactions/session-store.js';
import { BACK_LABEL, button, buttonRow, rows, selectedValues, userSelectRow } from '../interactions/ui.js';
import { withNotice, type FlowDeps } from './flow-deps.js';
import {
  afterCommit,
  chosenReservation,
  detailScreen,
  listScreen,
  mineId,
  phaseOf,
  reopen,
  type MineState,
} from './mine-flow.js';

/** What the owner transfer shows and sends (English). */
export const TransferText = {
  pick: (item: string, range: string) =>
    `Hand over your reservation of ${item}, ${range} (JST), to another member. They get a direct message and must approve within 3 hours; until then the reservation stays yours.`,
  placeholder: 'New owner',
  botRefused: 'A bot cannot take over a reservation. Please choose a member.',
  selfRefused: 'This reservation is already yours. Please choose another member.',
  requested: (toUserId: string, expiresAt: number) =>
    `Request sent: <@${toUserId}> has until ${formatJst(expiresAt)} (JST) to approve. The reservation stays yours until they do.`,
  pendingExists: (toUserId: string, expiresAt: number) =>
    `A handover request for this reservation is already pending (to <@${toUserId}>, until ${formatJst(expiresAt)} JST). Wait for their answer, or for it to expire.`,
  notTransferable:
    'This reservation can no longer be handed over: it was cancelled or returned, it has ended, or it is no longer yours. Nothing was changed.',
  dmClosed: (toUserId: string) =>
    `I could not send <@${toUserId}> a direct message (their DMs are closed), so the request was withdrawn. Ask them to allow direct messages from server members, or choose someone else.`,
  dmFailed: (toUserId: string) =>
    `I could not send <@${toUserId}> a direct message just now, so the request was withdrawn. Please try again.`,
  request: (fromUserId: string, item: string, range: string, expiresAt: number) =>
    `<@${fromUserId}> would like to hand their reservation of ${item}, ${range} (JST), over to you. Approve to become its owner, or Deny. This request expires at ${formatJst(expiresAt)} (JST).`,
  approveLabel: 'Approve',
  denyLabel: 'Deny',
  approvedTarget: (item: string, range: string) =>
    `You are now the owner of the reservation of ${item}, ${range} (JST).`,
  approvedRequester: (toUserId: string, item: string, range: string) =>
    `<@${toUserId}> approved: your reservation of ${item}, ${range} (JST), is now theirs.`,
  deniedTarget: (fromUserId: string) => `You denied the request. The reservation stays with <@${fromUserId}>.`,
  deniedRequester: (toUserId: string, item: string, range: string) =>
    `<@${toUserId}> denied your request to hand over your reservation of ${item}, ${range} (JST). It stays yours.`,
  approvedNote: 'Approved: you are now the owner of this reservation.',
  deniedNote: 'Denied: the reservation stays with its owner.',
  closedNote: 'This request is no longer valid.',
  noLongerValid:
    'This request is no longer valid: it expired, was already answered, or the reservation changed. Nothing was changed.',
  notYours: 'This request is addressed to someone else.',
  tryAgain: 'The previous handover request of this reservation has just ended. Please try again.',
} as const;

/**
 * The `custom_id`s of a request DM's buttons.
 *
 * @param transferId - the request
 * @returns Approve's and Deny's ids
 */
export function transferButtonIds(transferId: number): { readonly approve: string; readonly deny: string } {
  return {
    approve: customId('transfer', 'approve', '-', String(transferId)),
    deny: customId('transfer', 'deny', '-', String(transferId)),
  };
}

/** The user a user select chose, and whether it is a bot (`data.resolved.users`). */
function chosenUser(interaction: ComponentOrModal): { readonly id: Snowflake; readonly bot: boolean } | undefined {
  const data = interaction.data as { resolved?: { users?: Record<string, { bot?: boolean }> } };
  const [id] = selectedValues(interaction);
  if (id === undefined) return undefined;
  return { id, bot: data.resolved?.users?.[id]?.bot === true };
}

/** Withdraws a request whose DM could not be delivered (see `withdrawTransfer`). */
async function withdraw(deps: FlowDeps, done: TransferDone, reason: string): Promise<void> {
  await withdrawTransfer(
    deps.database,
    { transferId: done.transfer.id, equipment: done.equipment, reason },
    deps.now(),
  );
}

/**
 * Routes the owner transfer: the owner's steps in the Check/Change interface, and the target's DM buttons.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerTransferFlow(router: InteractionRouter, deps: FlowDeps): void {
  const pickScreen = async (session: WizardSession<MineState>, notice?: string): Promise<Screen> => {
    const chosen = await chosenReservation(deps, session);
    if (!chosen.ok) return chosen.screen;
    const { equipment, reservation } = chosen;
    if (phaseOf(reservation, deps.now()) === 'overdue')
      return detailScreen(deps, session, TransferText.notTransferable);
    return {
      content: withNotice(
        notice,
        TransferText.pick(equipment.name, formatJstRange(reservation.startAt, reservation.endAt)),
      ),
      components: rows(
        userSelectRow(mineId('transfer-to', session.id), TransferText.placeholder),
        buttonRow(button(BACK_LABEL, mineId('detail', session.id))),
      ),
    };
  };
  /** A final answer after the session was taken, with ← Back to the reservation (a new session). */
  const withBack = async (session: WizardSession<MineState>, content: string): Promise<Screen> => ({
    content,
    components: rows(buttonRow(button(BACK_LABEL, mineId('detail', (await reopen(deps, session)).id)))),
  });

  router.step<MineState>('mine', 'transfer', async (ctx, session) => {
    await ctx.show(await pickScreen(session));
  });

  router.step<MineState>('mine', 'transfer-to', async (ctx, session, _id, interaction) => {
    const target = chosenUser(interaction);
    if (target === undefined || target.bot) return ctx.show(await pickScreen(session, TransferText.botRefused));
    if (target.id === ctx.userId) return ctx.show(await pickScreen(session, TransferText.selfRefused));
    const reservationId = session.data.reservationId;
    // The request is the final write: take the session first (synchronously, before any await) so that a second,
    // identical selection changes nothing.
    if (reservationId === null || (await deps.sessions.take(session.id, 'mine', ctx.userId)) === undefined) {
      return ctx.defer();
    }
    const result = await requestTransfer(deps.database, {
      reservationId,
      fromUserId: ctx.userId,
      toUserId: target.id,
      now: deps.now(),
    });
    if (!result.ok) {
      if (result.reason === 'pending-exists') {
        // The domain gives the pending request; null only if it ended in between (then a new try will do).
        const pending = result.transfer;
        return ctx.show(
          await withBack(
            session,
            pending === null ? TransferText.tryAgain : TransferText.pendingExists(pending.toUserId, pending.expiresAt),
          ),
        );
      }
      if (result.reason === 'invalid') return ctx.show(await withBack(session, TransferText.selfRefused));
      const again = await reopen(deps, session);
      again.data.reservationId = null;
      return ctx.show(await listScreen(deps, again, TransferText.notTransferable));
    }
    await ctx.show(await deliver(session, result));
  });

  /** DMs the target the request; withdraws it when that fails. */
  const deliver = async (session: WizardSession<MineState>, done: TransferDone): Promise<Screen> => {
    const { transfer, reservation, equipment } = done;
    const ids = transferButtonIds(transfer.id);
    const range = formatJstRange(reservation.startAt, reservation.endAt);
    let failure: string | undefined;
    try {
      const receipt = await deps.notifier.send(transfer.toUserId, {
        content: TransferText.request(transfer.fromUserId, equipment.name, range, transfer.expiresAt),
        components: rows(
          buttonRow(
            button(TransferText.approveLabel, ids.approve, ButtonStyle.Success),
            button(TransferText.denyLabel, ids.deny, ButtonStyle.Danger),
          ),
        ),
      });
      if (receipt.status === 'dm')
        return { content: TransferText.requested(transfer.toUserId, transfer.expiresAt), components: [] };
      failure = 'target DMs closed';
    } catch (error) {
      deps.logger.warn(
        `transfer ${transfer.id}: the request DM failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    await withdraw(deps, done, failure ?? 'request DM failed');
    return withBack(
      session,
      failure === undefined ? TransferText.dmFailed(transfer.toUserId) : TransferText.dmClosed(transfer.toUserId),
    );
  };

  const answer =
    (kind: 'approve' | 'deny'): RouteHandler =>
    async (ctx, id, interaction) => {
      const transferId = Number(id.arg);
      const source = 'message' in interaction ? (interaction.message as APIMessage | undefined) : undefined;
      if (!Number.isSafeInteger(transferId) || transferId <= 0)
        return ctx.show({ content: TransferText.noLongerValid });
      const result = await answerTransfer(deps.database, {
        transferId,
        userId: ctx.userId,
        answer: kind,
        now: deps.now(),
      });
      if (!result.ok) {
        if (result.reason === 'forbidden') return ctx.show({ content: TransferText.notYours });
        await ctx.show({ content: TransferText.noLongerValid });
        // Its buttons go, unless another click answered it: that click notes the outcome (a double click's second
        // half must not overwrite it).
        const answered = result.transfer?.status === 'approved' || result.transfer?.status === 'denied';
        return answered ? undefined : closeRequestDm(source, TransferText.closedNote);
      }
      const { transfer, reservation, equipment } = result;
      const range = formatJstRange(reservation.startAt, reservation.endAt);
      if (kind === 'approve') {
        await ctx.show({ content: TransferText.approvedTarget(equipment.name, range) });
        await closeRequestDm(source, TransferText.approvedNote);
        await afterCommit(deps, `re-render after transfer ${transfer.id}`, () =>
          deps.refresh(equipment.guildId, { kind: 'action', equipmentId: equipment.id }),
        );
        await tell(transfer.fromUserId, TransferText.approvedRequester(transfer.toUserId, equipment.name, range));
      } else {
        await ctx.show({ content: TransferText.deniedTarget(transfer.fromUserId) });
        await closeRequestDm(source, TransferText.deniedNote);
        await tell(transfer.fromUserId, TransferText.deniedRequester(transfer.toUserId, equipment.name, range));
      }
    };

  /** Removes the buttons of the request DM once it is answered (or found no longer valid), noting the outcome. */
  const closeRequestDm = (source: APIMessage | undefined, note: string): Promise<void> =>
    source === undefined
      ? Promise.resolve()
      : afterCommit(deps, `closing request DM ${source.id}`, () =>
          deps.notifier.editDm(source.channel_id, source.id, {
            content: `${source.content}\n\n${note}`,
            components: [],
          }),
        );

  const tell = (userId: Snowflake, content: string): Promise<void> =>
    afterCommit(deps, `DM to ${userId}`, async () => {
      if ((await deps.notifier.dm(userId, content)) === 'closed')
        deps.logger.info(`could not DM ${userId}: DMs closed`);
    });

  router.on('transfer', 'approve', answer('approve'));
  router.on('transfer', 'deny', answer('deny'));
}
