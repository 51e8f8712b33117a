/**
 * Wizard sessions in the bot's database (`wizard_sessions`, migration 003), for a bot that runs as several processes
 * (e.g. one per shard) where one member's clicks may reach different processes. `take` is one conditional UPDATE, so
 * of two identical clicks only one process gets the session. Handlers change `session.data` in place; the router runs
 * each interaction in {@link DatabaseSessionStore.scoped}, which writes back what changed when the interaction ends.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { BotDatabase } from '../../db/database.js';
import type { WizardSessionsTable } from '../../db/schema.js';
import type { EpochMs, Snowflake } from '../../domain/model.js';
import type { Flow } from '../custom-id.js';
import { newSessionId, SESSION_TTL_MS, type SessionStore, type WizardSession } from './session-store.js';

/** Options of {@link DatabaseSessionStore}. */
export interface DatabaseSessionStoreOptions {
  readonly database: BotDatabase;
  readonly now: () => EpochMs;
  /** Life of a session after its last use, ms. @defaultValue {@link SESSION_TTL_MS} */
  readonly ttlMs?: number;
}

/** How often (in creates) expired rows are deleted. */
const SWEEP_EVERY = 100;

/** A {@link SessionStore} in the database, shared by every process of the bot. */
export class DatabaseSessionStore implements SessionStore {
  readonly #database: BotDatabase;
  readonly #now: () => EpochMs;
  readonly #ttlMs: number;
  /** The sessions the current interaction was handed, with their data as read (one map per {@link scoped} run). */
  readonly #scope = new AsyncLocalStorage<Map<string, { session: WizardSession<unknown>; json: string }>>();
  #creates = 0;

  /** @param options - database, clock, time to live */
  public constructor(options: DatabaseSessionStoreOptions) {
    const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`DatabaseSessionStore ttlMs must be a positive integer (ms), got ${String(ttlMs)}.`);
    }
    this.#database = options.database;
    this.#now = options.now;
    this.#ttlMs = ttlMs;
  }

  public async create<T>(flow: Flow, userId: Snowflake, guildId: Snowflake, data: T): Promise<WizardSession<T>> {
    if (++this.#creates % SWEEP_EVERY === 0) await this.#sweep();
    const session: WizardSession<T> = {
      id: newSessionId(),
      flow,
      userId,
      guildId,
      data,
      expiresAt: this.#now() + this.#ttlMs,
    };
    const json = JSON.stringify(data);
    await this.#database.db
      .insertInto('wizard_sessions')
      .values({
        id: session.id,
        flow,
        user_id: userId,
        guild_id: guildId,
        data: json,
        expires_at: session.expiresAt,
        finished_at: null,
      })
      .execute();
    this.#scope.getStore()?.set(session.id, { session: session as WizardSession<unknown>, json });
    return session;
  }

  public async get<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined> {
    const now = this.#now();
    const row = await this.#updateLive(id, flow, userId, now, { expires_at: now + this.#ttlMs });
    return row === undefined ? undefined : this.#handOut<T>(row);
  }

  public async take<T>(id: string, flow: Flow, userId: Snowflake): Promise<WizardSession<T> | undefined> {
    const now = this.#now();
    // One conditional UPDATE: of two processes taking the same session, only one sees the row come back.
    const row = await this.#updateLive(id, flow, userId, now, { finished_at: now, expires_at: now + this.#ttlMs });
    if (row === undefined) return undefined;
    this.#scope.getStore()?.delete(id);
    return toSession<T>(row);
  }

  public async wasFinished(id: string): Promise<boolean> {
    const row = await this.#database.db
      .selectFrom('wizard_sessions')
      .select('id')
      .where('id', '=', id)
      .where('finished_at', 'is not', null)
      .where('expires_at', '>', this.#now())
      .executeTakeFirst();
    return row !== undefined;
  }

  public async scoped<R>(fn: () => Promise<R>): Promise<R> {
    const handedOut = new Map<string, { session: WizardSession<unknown>; json: string }>();
    return this.#scope.run(handedOut, async () => {
      try {
        return await fn();
      } finally {
        await this.flush();
      }
    });
  }

  public async flush(): Promise<void> {
    for (const entry of this.#scope.getStore()?.values() ?? []) {
      const data = JSON.stringify(entry.session.data);
      if (data === entry.json) continue;
      entry.json = data;
      // A session taken meanwhile (finished) stays as it was when it was finished.
      await this.#database.db
        .updateTable('wizard_sessions')
        .set({ data })
        .where('id', '=', entry.session.id)
        .where('finished_at', 'is', null)
        .execute();
    }
  }

  public async size(): Promise<number> {
    await this.#sweep();
    const row = await this.#database.db
      .selectFrom('wizard_sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('finished_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Updates a live session of this flow and user (not finished, not expired) and returns its row, if there is one. */
  #updateLive(
    id: string,
    flow: Flow,
    userId: Snowflake,
    now: EpochMs,
    set: { readonly expires_at: number; readonly finished_at?: number },
  ): Promise<WizardSessionsTable | undefined> {
    return this.#database.db
      .updateTable('wizard_sessions')
      .set(set)
      .where('id', '=', id)
      .where('flow', '=', flow)
      .where('user_id', '=', userId)
      .where('finished_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  #handOut<T>(row: WizardSessionsTable): WizardSession<T> {
    const handedOut = this.#scope.getStore();
    const known = handedOut?.get(row.id);
    // Within one interaction a session is one object, so that changes made through either reference are kept.
    if (known !== undefined) {
      known.session.expiresAt = Number(row.expires_at);
      return known.session as WizardSession<T>;
    }
    const session = toSession<T>(row);
    handedOut?.set(session.id, { session: session as WizardSession<unknown>, json: row.data });
    return session;
  }

  async #sweep(): Promise<void> {
    await this.#database.db.deleteFrom('wizard_sessions').where('expires_at', '<=', this.#now()).execute();
  }
}

function toSession<T>(row: WizardSessionsTable): WizardSession<T> {
  return {
    id: row.id,
    flow: row.flow as Flow,
    userId: row.user_id,
    guildId: row.guild_id,
    data: JSON.parse(row.data) as T,
    expiresAt: Number(row.expires_at),
  };
}
