import { WebSocket, type RawData } from 'ws';
import type { Clock, ClockTimer } from '../../../util/clock.js';
import type { GatewaySendLimit } from './gateway-options.js';
import type { GatewaySession } from './gateway-session.js';

/**
 * One client socket: its send-limit window, its heartbeat watchdog and the session attached to it once IDENTIFY
 * or RESUME succeeded. Knows nothing of the protocol beyond that; {@link SimulatorGateway} drives it.
 */
export class GatewayConnection {
  /** Number of the connection, from 1, in order of opening. */
  public readonly id: number;
  /** The `?v=` it connected with. */
  public readonly version: number;
  /** The attached session, once identified or resumed. */
  public session: GatewaySession | undefined;
  /** Resolves once the socket has closed. */
  public readonly closed: Promise<void>;
  readonly #socket: WebSocket;
  readonly #clock: Clock;
  #watchdog: ClockTimer | undefined;
  #windowStart: number;
  #windowCount = 0;
  #serverCloseCode: number | undefined;
  #markClosed!: () => void;

  /**
   * @param id - the connection's number
   * @param socket - the accepted socket
   * @param version - the gateway version it asked for
   * @param clock - time source of the watchdog and the send window
   */
  public constructor(id: number, socket: WebSocket, version: number, clock: Clock) {
    this.id = id;
    this.#socket = socket;
    this.version = version;
    this.#clock = clock;
    this.#windowStart = clock.now();
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  /** The socket is open and the server has not started closing it: payloads can be sent. */
  public get open(): boolean {
    return this.#serverCloseCode === undefined && this.#socket.readyState === WebSocket.OPEN;
  }

  /** The close code the server closed the socket with, if it did. */
  public get serverCloseCode(): number | undefined {
    return this.#serverCloseCode;
  }

  /**
   * Sends an encoded payload if the socket is open.
   *
   * @param json - the payload's JSON
   * @returns whether it was sent
   */
  public send(json: string): boolean {
    if (!this.open) return false;
    this.#socket.send(json);
    return true;
  }

  /**
   * Counts one client payload against the send limit. Windows are fixed, the first starting when the socket opened
   * (`@discordjs/ws` resets its own count on open too).
   *
   * @param limit - the send limit
   * @returns `false` when the payload is one too many
   */
  public admitPayload(limit: GatewaySendLimit): boolean {
    const now = this.#clock.now();
    if (now - this.#windowStart >= limit.windowMs) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount += 1;
    return this.#windowCount <= limit.limit;
  }

  /**
   * (Re)starts the heartbeat watchdog.
   *
   * @param timeoutMs - how long to wait for the next heartbeat
   * @param onTimeout - called if none arrives in time
   */
  public armWatchdog(timeoutMs: number, onTimeout: () => void): void {
    this.disarmWatchdog();
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = undefined;
      onTimeout();
    }, timeoutMs);
  }

  /** Stops the heartbeat watchdog. */
  public disarmWatchdog(): void {
    if (this.#watchdog !== undefined) this.#clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  /**
   * Starts the closing handshake from the server side (once; later calls do nothing).
   *
   * @param code - the close code
   * @param reason - the close reason (at most 123 bytes)
   */
  public close(code: number, reason: string): void {
    if (this.#serverCloseCode !== undefined) return;
    this.#serverCloseCode = code;
    this.disarmWatchdog();
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.close(code, reason);
    }
  }

  /** Drops the TCP connection without a closing handshake. */
  public terminate(): void {
    this.disarmWatchdog();
    this.#socket.terminate();
  }

  /** Called once the socket has closed. */
  public markClosed(): void {
    this.disarmWatchdog();
    this.#markClosed();
  }
}

/**
 * The bytes of a received message, whatever shape `ws` delivered it in.
 *
 * @param data - a `message` event's data
 * @returns one buffer
 */
export function messageBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
