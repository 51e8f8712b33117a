import type { Clock } from '../util/clock.js';

/**
 * Makes the `nonce` of message creates: unique per create (time, a counter and randomness), stable across its retries
 * because the caller keeps it, and at most 25 characters, Discord's limit.
 *
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 * @internal
 */
export class NonceSource {
  readonly #clock: Clock;
  readonly #random: () => number;
  #counter = 0;

  public constructor(clock: Clock, random: () => number) {
    this.#clock = clock;
    this.#random = random;
  }

  /** A new nonce. */
  public next(): string {
    this.#counter = (this.#counter + 1) % 1_679_616;
    const time = Math.floor(this.#clock.now()).toString(36).slice(-9);
    const random = Math.floor(this.#random() * 2_176_782_336).toString(36);
    return `${time}${this.#counter.toString(36)}${random}`.slice(0, 25);
  }
}
