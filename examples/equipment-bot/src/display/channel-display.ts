import {
  UpdatePriority,
  type MessageUpdateManager,
  type MetricsCollector,
  type UpdateHandle,
} from 'discord-update-manager';
import type { EpochMs, EquipmentView, Snowflake } from '../domain/model.js';
import { renderHeader, renderItem, type DisplayBody } from './render.js';

/** Where the display gets the items to show. */
export interface DisplaySource {
  /** Every item of a guild as it is at `now`, in display order (tag order, then name; untagged last). */
  listEquipmentViews(guildId: Snowflake, now: EpochMs): Promise<readonly EquipmentView[]>;
}

/** What the display needs of the channel itself, to reconcile it at start-up. */
export interface DisplayChannel {
  /** The channel's messages, oldest first, with their authors and how many embeds they have. */
  listMessages(channelId: Snowflake): Promise<readonly ChannelMessage[]>;
  /** Deletes a message (an orphan the bot left behind). A message already gone is not an error. */
  deleteMessage(channelId: Snowflake, messageId: Snowflake): Promise<void>;
  /** The bot's own user id. */
  readonly botUserId: Snowflake;
}

/** A message of the channel, as reconcile sees it. */
export interface ChannelMessage {
  readonly id: Snowflake;
  readonly authorId: Snowflake;
  /** Display messages always have one; the bot's plain notices (a DM fallback) have none and are not the display's. */
  readonly embedCount: number;
}

/** Why the display is re-rendered: decides the priority of the edits it makes. */
export type RenderReason =
  /** A user acted on an item: that item's slot is High, the others Normal. */
  | { readonly kind: 'action'; readonly equipmentId: number }
  /** An admin changed the list or the order (add, delete, rename, tags): Normal. */
  | { readonly kind: 'structure' }
  /** Time passed (a reservation started or ended): Low. */
  | { readonly kind: 'time' };

/** A slot of the channel: the header is slot 0, the items 1, 2, … */
interface PlannedSlot {
  readonly key: string;
  readonly sortOrder: number;
  readonly body: DisplayBody;
  readonly equipmentId: number | undefined;
}

/**
 * The reservation channel, kept by the library's `MessageUpdateManager`: one managed message per display slot —
 * the header, then position 1, 2, … — so that inserting an item re-sequences the following ones by editing them in
 * place and appends one message; unchanged slots cost no API call (the manager skips identical edits); removed
 * items delete the last slots. Keys carry the guild id: `display:<guild>:<slot>`.
 */
export class ChannelDisplay {
  readonly #manager: MessageUpdateManager<MetricsCollector>;
  readonly #source: DisplaySource;
  readonly #channel: DisplayChannel;
  readonly #now: () => EpochMs;
  /** The render in progress of each guild (renders of one guild run one after the other). */
  readonly #rendering = new Map<Snowflake, Promise<void>>();

  /**
   * @param manager - the started manager every channel message goes through
   * @param source - the items to show
   * @param channel - channel listing and orphan deletion, for reconcile
   * @param now - the clock
   */
  public constructor(
    manager: MessageUpdateManager<MetricsCollector>,
    source: DisplaySource,
    channel: DisplayChannel,
    now: () => EpochMs,
  ) {
    this.#manager = manager;
    this.#source = source;
    this.#channel = channel;
    this.#now = now;
  }

  /**
   * The slots a guild's channel shows now.
   *
   * @param guildId - the guild
   * @returns the header and one slot per item, in order
   */
  public async plan(guildId: Snowflake): Promise<PlannedSlot[]> {
    const views = await this.#source.listEquipmentViews(guildId, this.#now());
    return [
      { key: slotKey(guildId, 0), sortOrder: 0, body: renderHeader(views.length), equipmentId: undefined },
      ...views.map((view, index) => ({
        key: slotKey(guildId, index + 1),
        sortOrder: index + 1,
        body: renderItem(view),
        equipmentId: view.equipment.id,
      })),
    ];
  }

  /**
   * Brings the channel up to date: syncs every slot (unchanged ones are skipped by the manager) and deletes the
   * slots past the last item.
   *
   * @param guildId - the guild
   * @param channelId - its reservation channel
   * @param reason - why (decides the priorities)
   * @returns the handles of the updates queued, settled when Discord has them
   */
  public render(guildId: Snowflake, channelId: Snowflake, reason: RenderReason): Promise<UpdateHandle[]> {
    // One plan at a time per guild: two renders started close together (two admins' changes) would otherwise read
    // the database in one order and hand their bodies to the manager in the other, and the older plan would win.
    const previous = this.#rendering.get(guildId) ?? Promise.resolve();
    const run = previous.then(() => this.#render(guildId, channelId, reason));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#rendering.set(guildId, settled);
    void settled.then(() => {
      if (this.#rendering.get(guildId) === settled) this.#rendering.delete(guildId);
    });
    return run;
  }

  async #render(guildId: Snowflake, channelId: Snowflake, reason: RenderReason): Promise<UpdateHandle[]> {
    const slots = await this.plan(guildId);
    const handles = slots.map((slot) =>
      this.#manager.sync(slot.key, channelId, slot.body, {
        sortOrder: slot.sortOrder,
        priority: priorityOf(reason, slot.equipmentId),
      }),
    );
    for (const managed of this.#managedOf(guildId)) {
      if (managed.sortOrder >= slots.length) handles.push(this.#manager.deleteManaged(managed.key));
    }
    return handles;
  }

  /**
   * Empties a guild's display: every managed message deleted (to move the display to another channel, or when the
   * bot leaves).
   *
   * @param guildId - the guild
   * @returns the delete handles
   */
  public clear(guildId: Snowflake): UpdateHandle[] {
    return this.#managedOf(guildId).map((managed) => this.#manager.deleteManaged(managed.key));
  }

  /**
   * Start-up reconcile (scenario 11): when the channel's bot messages are not exactly the managed ones in order (one
   * was deleted by hand while the bot was away, an orphan or duplicate was left behind), deletes them all and
   * rebuilds the display in order, so the stored ids are the new messages'. Otherwise only renders.
   *
   * @param guildId - the guild
   * @param channelId - its reservation channel
   * @returns whether the channel was rebuilt
   */
  public async reconcile(guildId: Snowflake, channelId: Snowflake): Promise<boolean> {
    const managed = this.#managedOf(guildId);
    const inChannel = (await this.#channel.listMessages(channelId)).filter(
      (message) => message.authorId === this.#channel.botUserId && message.embedCount > 0,
    );
    const expected = managed.filter((m) => m.channelId === channelId).map((m) => m.messageId);
    const actual = inChannel.map((message) => message.id);
    // A slot the manager lost (its message answered 404 and is being created again, at the end of the channel) is
    // missing from `managed` although the plan has it.
    const planned = (await this.plan(guildId)).map((slot) => slot.key);
    const bound = new Set(managed.map((m) => m.key));
    const intact =
      expected.length === managed.length &&
      expected.length === actual.length &&
      expected.every((id, index) => actual[index] === id) &&
      planned.slice(0, managed.length).every((key) => bound.has(key));
    if (intact) {
      await Promise.all(await this.render(guildId, channelId, { kind: 'structure' }));
      return false;
    }
    await Promise.all([...this.clear(guildId), ...this.#cancelUnbound(planned, bound)]);
    const known = new Set(expected);
    for (const message of inChannel) {
      if (!known.has(message.id)) await this.#channel.deleteMessage(channelId, message.id);
    }
    await Promise.all(await this.render(guildId, channelId, { kind: 'structure' }));
    return true;
  }

  /** Cancels the queued creates of slots not bound to a message (a re-create after a 404 would append them). */
  #cancelUnbound(keys: readonly string[], bound: ReadonlySet<string>): UpdateHandle[] {
    return keys.filter((key) => !bound.has(key)).map((key) => this.#manager.deleteManaged(key));
  }

  #managedOf(guildId: Snowflake) {
    const prefix = `display:${guildId}:`;
    return this.#manager.getManagedMessages().filter((managed) => managed.key.startsWith(prefix));
  }
}

/**
 * The managed-message key of a display slot.
 *
 * @param guildId - the guild
 * @param slot - 0 for the header, then 1, 2, …
 * @returns `display:<guild>:<slot>`
 */
export function slotKey(guildId: Snowflake, slot: number): string {
  return `display:${guildId}:${slot}`;
}

function priorityOf(reason: RenderReason, equipmentId: number | undefined): UpdatePriority {
  switch (reason.kind) {
    case 'action':
      return equipmentId === reason.equipmentId ? UpdatePriority.High : UpdatePriority.Normal;
    case 'structure':
      return UpdatePriority.Normal;
    case 'time':
      return UpdatePriority.Low;
  }
}
