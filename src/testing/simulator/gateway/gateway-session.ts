import type { ClockTimer } from '../../../util/clock.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewayIdentity, GatewaySessionInfo } from './gateway-host.js';

/**
 * Dispatches a session keeps for replay beyond the ones its client acknowledged with a heartbeat. Past this the
 * oldest are dropped, and a RESUME that would need them gets op 9 (not resumable) instead of a gap.
 */
export const MAX_BUFFERED_DISPATCHES = 10_000;

/** A dispatch kept for replay: its sequence number, event name and encoded envelope. */
export interface BufferedDispatch {
  readonly s: number;
  readonly t: string;
  readonly json: string;
}

/** How a session starts. */
export interface GatewaySessionInit {
  readonly id: string;
  readonly identity: GatewayIdentity;
  readonly intents: number;
  readonly shard: readonly [number, number];
  /** IDENTIFY carried `shard` (READY then echoes it). */
  readonly shardRequested: boolean;
  readonly largeThreshold: number;
  readonly identifiedAt: number;
}

/**
 * One gateway session: what IDENTIFY set up, its sequence counter and the dispatches kept for RESUME. At most one
 * connection is attached at a time; without one the session waits to be resumed until it expires.
 */
export class GatewaySession {
  /** The `session_id`. */
  public readonly id: string;
  /** The bot. */
  public readonly identity: GatewayIdentity;
  /** Intents from IDENTIFY. */
  public readonly intents: number;
  /** `[shard_id, num_shards]`. */
  public readonly shard: readonly [number, number];
  /** IDENTIFY carried `shard`. */
  public readonly shardRequested: boolean;
  /** `large_threshold` from IDENTIFY (50 when absent). */
  public readonly largeThreshold: number;
  /** When IDENTIFY created it, clock milliseconds. */
  public readonly identifiedAt: number;
  /** The attached connection, if any. */
  public connection: GatewayConnection | undefined;
  /** When the last connection went away, while none is attached. */
  public disconnectedAt: number | undefined;
  /** Fires when the resume window ends. */
  public expiryTimer: ClockTimer | undefined;
  /** Number of successful RESUMEs. */
  public resumed = 0;
  #sequence = 0;
  /** The last dispatch dropped from the buffer (acknowledged, or over the cap): RESUMEs from before it fail. */
  #replayFloor = 0;
  readonly #buffer: BufferedDispatch[] = [];

  /** @param init - what IDENTIFY set up */
  public constructor(init: GatewaySessionInit) {
    this.id = init.id;
    this.identity = init.identity;
    this.intents = init.intents;
    this.shard = init.shard;
    this.shardRequested = init.shardRequested;
    this.largeThreshold = init.largeThreshold;
    this.identifiedAt = init.identifiedAt;
  }

  /** The sequence number of the last dispatch made. */
  public get sequence(): number {
    return this.#sequence;
  }

  /**
   * Takes the next sequence number for a dispatch.
   *
   * @param t - the event name
   * @param replayable - whether a RESUME may replay it (READY and RESUMED are not replayed)
   * @param encode - builds the envelope's JSON from the sequence number (if it throws, no number is taken)
   * @returns the dispatch
   */
  public nextDispatch(t: string, replayable: boolean, encode: (s: number) => string): BufferedDispatch {
    const s = this.#sequence + 1;
    const dispatch: BufferedDispatch = { s, t, json: encode(s) };
    this.#sequence = s;
    if (replayable) {
      this.#buffer.push(dispatch);
      if (this.#buffer.length > MAX_BUFFERED_DISPATCHES) this.#replayFloor = this.#buffer.shift()!.s;
    }
    return dispatch;
  }

  /**
   * Forgets the dispatches a client says it has, from a heartbeat's `d`: they will not be asked for again.
   *
   * @param sequence - the client's last sequence number (ignored when not a sequence this session made)
   */
  public acknowledge(sequence: unknown): void {
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence > this.#sequence) return;
    while (this.#buffer.length > 0 && this.#buffer[0]!.s <= sequence) this.#replayFloor = this.#buffer.shift()!.s;
  }

  /**
   * The dispatches after a client's last sequence number, for RESUME.
   *
   * @param sequence - RESUME's `seq`, at most {@link GatewaySession.sequence}
   * @returns the dispatches in order, or `undefined` when some of them are no longer kept
   */
  public replayAfter(sequence: number): BufferedDispatch[] | undefined {
    if (sequence < this.#replayFloor) return undefined;
    return this.#buffer.filter((entry) => entry.s > sequence);
  }

  /**
   * Whether the resume window has ended.
   *
   * @param now - clock milliseconds
   * @param resumableForMs - length of the resume window
   */
  public expired(now: number, resumableForMs: number): boolean {
    return this.disconnectedAt !== undefined && now - this.disconnectedAt >= resumableForMs;
  }

  /** A snapshot for inspection. */
  public info(): GatewaySessionInfo {
    return {
      id: this.id,
      botLabel: this.identity.label,
      applicationId: this.identity.applicationId,
      intents: this.intents,
      shard: [this.shard[0], this.shard[1]],
      connected: this.connection !== undefined,
      lastSequence: this.#sequence,
      identifiedAt: this.identifiedAt,
      disconnectedAt: this.disconnectedAt,
      resumed: this.resumed,
    };
  }
}
