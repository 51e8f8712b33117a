import { InvalidArgumentError } from '../../errors/message-update-error.js';
import type { AuthorJson } from './message-store.js';
import { botUser } from './message-fields.js';

/** The caller, as identified by its `Authorization` header. */
export interface SimulatorClient {
  /** Key of the caller's rate-limit state, and its name in records: `token#N`, `unknown#N` or `anonymous`. */
  readonly label: string;
  /** The header was present. */
  readonly present: boolean;
  /** The token is one of the simulator's. */
  readonly known: boolean;
  /** The bot user of a known token. */
  readonly user: AuthorJson | undefined;
}

/** A token the simulator accepts: its label and its bot user. */
export interface KnownToken {
  readonly label: string;
  readonly user: AuthorJson;
}

/**
 * Whether a string can be a bot token: non-empty, without whitespace (it travels as `Bot <token>`).
 *
 * @param token - anything
 * @returns `true` for a usable token
 */
export function isValidToken(token: unknown): token is string {
  return typeof token === 'string' && /^\S+$/.test(token);
}

/**
 * The simulator's token registry: which bot tokens it accepts, and who a request comes from. Tokens are only ever
 * map keys here; everything that leaves this class (records, errors) carries the label instead.
 */
export class SimulatorAuth {
  readonly #nextId: () => string;
  readonly #tokens = new Map<string, KnownToken>();
  /** Unknown `Authorization` values get stable labels too, so their invalid requests are counted per caller. */
  readonly #unknown = new Map<string, string>();

  /** @param nextId - hands out the id of each new token's bot user */
  public constructor(nextId: () => string) {
    this.#nextId = nextId;
  }

  /**
   * Accepts a token, giving it a bot user and the next label.
   *
   * @param token - the token
   * @returns its label (`token#N`); an already known token keeps its label
   * @throws {@link InvalidArgumentError} for an empty token or one containing whitespace
   */
  public addToken(token: string): string {
    if (!isValidToken(token)) {
      throw new InvalidArgumentError(
        'token',
        typeof token === 'string' ? '<redacted>' : token,
        'a non-empty string without whitespace',
      );
    }
    const existing = this.#tokens.get(token);
    if (existing) return existing.label;
    const label = `token#${this.#tokens.size + 1}`;
    this.#tokens.set(token, { label, user: botUser(this.#nextId(), `simulator-bot-${this.#tokens.size + 1}`) });
    return label;
  }

  /**
   * Identifies the caller of a request.
   *
   * @param authorization - the `Authorization` header (`Bot <token>` or `Bearer <token>`), if any
   * @returns who is calling
   */
  public identify(authorization: string | undefined): SimulatorClient {
    if (authorization === undefined) return { label: 'anonymous', present: false, known: false, user: undefined };
    const match = /^(?:Bot|Bearer) (\S+)$/.exec(authorization.trim());
    const entry = match ? this.#tokens.get(match[1]!) : undefined;
    if (entry) return { label: entry.label, present: true, known: true, user: entry.user };
    let label = this.#unknown.get(authorization);
    if (label === undefined) {
      label = `unknown#${this.#unknown.size + 1}`;
      this.#unknown.set(authorization, label);
    }
    return { label, present: true, known: false, user: undefined };
  }

  /**
   * A known token by its label.
   *
   * @param label - e.g. `token#1`
   * @returns the token's label and bot user, or `undefined`
   */
  public byLabel(label: string): KnownToken | undefined {
    return [...this.#tokens.values()].find((candidate) => candidate.label === label);
  }
}
