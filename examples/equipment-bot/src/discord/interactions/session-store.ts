/**
 * Wizard sessions: what a user chose so far in one ephemeral interface, keyed by a short random id that travels in
 * the components' `custom_id` (`v1:<flow>:<action>:<session>`), never by the interaction token. Each session
 * belongs to one flow and one user, and lives `ttlMs` after its last use.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { EpochMs, Snowflake } from '../../domain/model.js';
import type { Flow } from '../custom-id.js';

/** How long an untouched wizard stays usable: 15 minutes, the life of an interaction token. */
export const SESSION_TTL_MS = 15 * 60_000;

/** One wizard's state. */
export interface WizardSession<T> {
  readonly id: string;
  readonly flow: Flow;
  readonly userId: Snowflake;
  readonly guildId: Snowflake;
  /** What the user chose so far. */
  data: T;
  expiresAt: EpochMs;
}

/**
 * Where wizard state lives: in memory by default ({@link MemorySessionStore}), in the database when several bot
 * processes answer one member's clicks ({@link DatabaseSessionStore}).
 */
export interface SessionStore {
  /**
   * Opens a session.
   *
   * @param flow - the flow it belongs to
   * @param userId - its user
   * @param guildId - its guild
   * @param data - the first state
   * @returns the session (its id goes into the custom ids)
   */
  create<T>(flow: Flow, userId: Snowflake, guildId: Snowflake, data: T): Promise<WizardSession<T>>;
  /**
   * A live session of this flow and user, its life extended; `undefined` when it expired, never existed, is
   * finished, or is another flow's or user's.
   */
  get<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined>;
  /**
   * Ends a session and hands it over, at most once: of two identical clicks on a final button, only the first gets
   * it (also across processes, for the database store).
   */
  take<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined>;
  /**
   * Whether a session was taken (finished) within its time to live: a second click on a final button that raced the
   * first, which should change nothing rather than say the menu expired.
   */
  wasFinished(id: string): Promise<boolean>;
  /**
   * Runs one interaction's handling: what it changes in the `data` of the sessions it creates or gets is kept when
   * it ends (the router wraps each interaction in it). The memory store's sessions are the stored objects, so it
   * only runs `fn`.
   *
   * @param fn - the handling
   * @returns what `fn` returns
   */
  scoped<R>(fn: () => Promise<R>): Promise<R>;
  /**
   * Keeps now what the current interaction changed in its sessions (the context calls it before each answer, so that
   * the member's next click, which may reach another process, reads the new state).
   */
  flush(): Promise<void>;
  /** How many sessions are live (expired ones are dropped first). */
  size(): Promise<number>;
}

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** The clock. */
  readonly now: () => EpochMs;
  /** Life of a session after its last use, ms. @defaultValue {@link SESSION_TTL_MS} */
  readonly ttlMs?: number;
  /** Most live sessions; the oldest is dropped beyond it. @defaultValue 10000 */
  readonly maxSessions?: number;
}

/** A {@link SessionStore} in the process' memory: right for one bot process. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, WizardSession<unknown>>();
  /** Sessions taken recently, with when they are forgotten. */
  readonly #finished = new Map<string, EpochMs>();
  readonly #now: () => EpochMs;
  readonly #ttlMs: number;
  readonly #maxSessions: number;

  /** @param options - clock, time to live, bound */
  public constructor(options: MemorySessionStoreOptions) {
    const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    const maxSessions = options.maxSessions ?? 10_000;
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`MemorySessionStore ttlMs must be a positive integer (ms), got ${String(ttlMs)}.`);
    }
    if (!Number.isInteger(maxSessions) || maxSessions < 1) {
      throw new RangeError(`MemorySessionStore maxSessions must be an integer ≥ 1, got ${String(maxSessions)}.`);
    }
    this.#now = options.now;
    this.#ttlMs = ttlMs;
    this.#maxSessions = maxSessions;
  }

  public create<T>(flow: Flow, userId: Snowflake, guildId: Snowflake, data: T): Promise<WizardSession<T>> {
    return Promise.resolve(this.#create(flow, userId, guildId, data));
  }

  #create<T>(flow: Flow, userId: Snowflake, guildId: Snowflake, data: T): WizardSession<T> {
    this.#sweep();
    let id = newSessionId();
    while (this.#sessions.has(id)) id = newSessionId();
    const session: WizardSession<T> = { id, flow, userId, guildId, data, expiresAt: this.#now() + this.#ttlMs };
    this.#sessions.set(id, session as WizardSession<unknown>);
    while (this.#sessions.size > this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
    return session;
  }

  public get<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined> {
    return Promise.resolve(this.#get<T>(id, flow, userId));
  }

  #get<T>(id: string, flow: Flow, userId: Snowflake): WizardSession<T> | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.flow !== flow || session.userId !== userId) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.expiresAt = this.#now() + this.#ttlMs;
    // Most recently used last, so that the bound drops the least recently used.
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session as WizardSession<T>;
  }

  public take<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined> {
    // The check and the removal in one synchronous step: a second identical click finds nothing.
    const session = this.#get<T>(id, flow, userId);
    if (session !== undefined) {
      this.#sessions.delete(id);
      this.#finished.set(id, this.#now() + this.#ttlMs);
    }
    return Promise.resolve(session);
  }

  public wasFinished(id: string): Promise<boolean> {
    const until = this.#finished.get(id);
    return Promise.resolve(until !== undefined && until > this.#now());
  }

  public scoped<R>(fn: () => Promise<R>): Promise<R> {
    return fn();
  }

  public flush(): Promise<void> {
    return Promise.resolve();
  }

  public size(): Promise<number> {
    this.#sweep();
    return Promise.resolve(this.#sessions.size);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) this.#sessions.delete(id);
    }
    for (const [id, until] of this.#finished) {
      if (until <= now) this.#finished.delete(id);
    }
  }
}

/** A session id: 10 url-safe characters (60 random bits), short enough for a custom id. */
export function newSessionId(): string {
  return randomBytes(8).toString('base64url').slice(0, 10);
}
