import { InvalidArgumentError } from '../errors/message-update-error.js';
import { BoundedMap } from '../util/bounded-map.js';
import type { ManagedRecord, Target } from './target.js';

/** A managed message, as {@link TargetRegistry.managedMessages} lists it. */
export interface ManagedMessageEntry {
  readonly key: string;
  readonly channelId: string;
  readonly messageId: string;
  readonly sortOrder: number;
}

/**
 * Every target with work, found by message id (`m:<id>`), managed key (`k:<key>`) or outbox row key; the managed
 * messages; and, for idle messages, a bounded memory of what Discord last acknowledged (to skip identical edits) and
 * of deleted ids. Idle targets are not kept: only these bounded maps remember them.
 *
 * @internal
 */
export class TargetRegistry {
  readonly #targets = new Map<string, Target>();
  readonly #managed = new Map<string, ManagedRecord>();
  readonly #acked: BoundedMap<string, string>;
  readonly #deletedIds: BoundedMap<string, true>;
  readonly #newKey: () => string;

  /**
   * @param remembered - how many idle messages' acknowledged content and deleted ids are remembered
   * @param newKey - a fresh unique string, for the outbox key of a create without a managed key
   */
  public constructor(remembered: number, newKey: () => string) {
    this.#acked = new BoundedMap(remembered);
    this.#deletedIds = new BoundedMap(remembered);
    this.#newKey = newKey;
  }

  /** The target under `key` (`m:<message id>`, `k:<managed key>`, or an outbox row key). */
  public get(key: string): Target | undefined {
    return this.#targets.get(key);
  }

  /** Every target with work (each once). */
  public targets(): Set<Target> {
    return new Set(this.#targets.values());
  }

  /** A new target, not registered yet (creates without a key are never looked up). */
  public newTarget(channelId: string, messageId: string | undefined, key: string | undefined): Target {
    return {
      durableKey: key !== undefined ? `k:${key}` : messageId !== undefined ? `m:${messageId}` : `c:${this.#newKey()}`,
      sortOrder: key === undefined ? 0 : (this.#managed.get(key)?.sortOrder ?? 0),
      unflushed: 0,
      channelId,
      messageId,
      key,
      pending: undefined,
      inFlight: undefined,
      grantWaiter: undefined,
      lastAckedHash: messageId === undefined ? undefined : this.#acked.get(messageId),
      readyToken: 0,
      deleted: messageId !== undefined && this.#deletedIds.has(messageId),
      createQueued: false,
    };
  }

  /**
   * The target of a create without a key: new every time, and registered under its own key while it has work, so
   * that a stop without draining finds it (and settles it) like any other.
   */
  public anonymousTarget(channelId: string): Target {
    const target = this.newTarget(channelId, undefined, undefined);
    this.#targets.set(target.durableKey, target);
    return target;
  }

  /**
   * The target of a message, created on first use.
   *
   * @throws InvalidArgumentError when the message is known in another channel
   */
  public messageTarget(channelId: string, messageId: string): Target {
    const existing = this.#targets.get(`m:${messageId}`);
    if (existing) {
      if (existing.channelId !== channelId) {
        throw new InvalidArgumentError(
          'channelId',
          channelId,
          `the channel of message ${messageId} (${existing.channelId})`,
        );
      }
      return existing;
    }
    const target = this.newTarget(channelId, messageId, undefined);
    this.#targets.set(`m:${messageId}`, target);
    return target;
  }

  /**
   * The target of a managed message, created on first use (bound to its message once it exists).
   *
   * @throws InvalidArgumentError when the key is bound to another channel
   */
  public keyTarget(key: string, channelId: string): Target {
    let target = this.#targets.get(`k:${key}`);
    if (!target) {
      const record = this.#managed.get(key);
      if (record?.messageId !== undefined) {
        target = this.messageTarget(record.channelId, record.messageId);
        target.key = key;
        // The message's target may predate the key (an edit by id): the stored order is the key's.
        target.sortOrder = record.sortOrder;
        target.lastAckedHash ??= record.hash;
      } else {
        target = this.newTarget(record?.channelId ?? channelId, undefined, key);
      }
      this.#targets.set(`k:${key}`, target);
    }
    if (target.channelId !== channelId) {
      this.dropIfIdle(target);
      throw new InvalidArgumentError(
        'channelId',
        channelId,
        `the channel managed key "${key}" is bound to (${target.channelId}); deleteManaged(key) first to move it`,
      );
    }
    return target;
  }

  /** Registers a target found in the outbox (left by an earlier process), under every key it has. */
  public adopt(target: Target): void {
    this.#targets.set(target.durableKey, target);
    if (target.messageId !== undefined) this.#targets.set(`m:${target.messageId}`, target);
    if (target.key !== undefined) this.#targets.set(`k:${target.key}`, target);
  }

  /** Binds a target to the message Discord created (or the outbox row says exists). */
  public bindMessage(target: Target, messageId: string): void {
    target.messageId = messageId;
    this.#targets.set(`m:${messageId}`, target);
  }

  /** The message of a managed target is gone (404): it is to be created again. */
  public unbindMessage(target: Target): void {
    const previous = target.messageId;
    if (previous === undefined) return;
    this.#targets.delete(`m:${previous}`);
    this.#acked.delete(previous);
    target.messageId = undefined;
    target.lastAckedHash = undefined;
    const record = target.key === undefined ? undefined : this.#managed.get(target.key);
    if (record) {
      record.messageId = undefined;
      record.hash = undefined;
    }
  }

  /** Remembers that a message was deleted: later edits of it are refused. */
  public markDeleted(messageId: string): void {
    this.#deletedIds.set(messageId, true);
  }

  /** A managed target's message is gone for good: forget its key. */
  public forgetKey(target: Target): void {
    if (target.key === undefined) return;
    this.#managed.delete(target.key);
    this.#targets.delete(`k:${target.key}`);
  }

  /** Idle targets are not kept: their last acknowledged content goes to a bounded map (managed ones: the record). */
  public dropIfIdle(target: Target): void {
    if (target.pending || target.inFlight || target.grantWaiter) return;
    if (target.durableKey.startsWith('c:') && this.#targets.get(target.durableKey) === target) {
      this.#targets.delete(target.durableKey);
    }
    if (target.messageId !== undefined) {
      if (target.deleted) this.#deletedIds.set(target.messageId, true);
      else if (target.lastAckedHash !== undefined) this.#acked.set(target.messageId, target.lastAckedHash);
      if (this.#targets.get(`m:${target.messageId}`) === target) this.#targets.delete(`m:${target.messageId}`);
    }
    if (target.key !== undefined && this.#targets.get(`k:${target.key}`) === target) {
      this.#targets.delete(`k:${target.key}`);
      const record = this.#managed.get(target.key);
      if (!record && !target.deleted && target.messageId !== undefined) {
        this.#managed.set(target.key, {
          channelId: target.channelId,
          messageId: target.messageId,
          hash: target.lastAckedHash,
          sortOrder: target.sortOrder,
        });
      }
    }
  }

  /** The managed record of `key`. */
  public managed(key: string): ManagedRecord | undefined {
    return this.#managed.get(key);
  }

  /** Stores the managed record of `key` (created, edited, or loaded from the repository). */
  public setManaged(key: string, record: ManagedRecord): void {
    this.#managed.set(key, record);
  }

  /** How many managed messages are known. */
  public get managedCount(): number {
    return this.#managed.size;
  }

  /** The message id a managed key is bound to, or `undefined` when it has not been created yet. */
  public managedMessageId(key: string): string | undefined {
    return this.#targets.get(`k:${key}`)?.messageId ?? this.#managed.get(key)?.messageId;
  }

  /** Every created managed message, by `sortOrder` then key. */
  public managedMessages(): ManagedMessageEntry[] {
    const result: ManagedMessageEntry[] = [];
    for (const [key, record] of this.#managed) {
      if (record.messageId !== undefined) {
        result.push({ key, channelId: record.channelId, messageId: record.messageId, sortOrder: record.sortOrder });
      }
    }
    return result.sort((a, b) => a.sortOrder - b.sortOrder || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
