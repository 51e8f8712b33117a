import { describe, expect, it } from 'vitest';
import { DatabaseSessionStore } from '../../src/discord/interactions/database-session-store.js';
import { MemorySessionStore, type SessionStore } from '../../src/discord/interactions/session-store.js';
import { DIALECTS, useTestDatabase } from '../db/harness.js';

const USER = '100000000000000001';

/** The contract every session store keeps, run against one made by `make` on a clock the test moves. */
function contract(make: (now: () => number, ttlMs: number) => SessionStore): void {
  it('keeps a session for its user and flow, extends it on use, and forgets it after its time to live', async () => {
    let now = 1_000;
    const store = make(() => now, 100);
    const session = await store.create('reserve', USER, '5', { step: 1 });
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{10}$/);
    expect(await store.get(session.id, 'setup', USER)).toBeUndefined();
    expect(await store.get(session.id, 'reserve', '2')).toBeUndefined();
    now += 90;
    expect((await store.get(session.id, 'reserve', USER))?.data).toEqual({ step: 1 });
    now += 90; // 180 after creation, 90 after its last use
    expect(await store.get(session.id, 'reserve', USER)).toMatchObject({ guildId: '5', flow: 'reserve' });
    now += 101;
    expect(await store.get(session.id, 'reserve', USER)).toBeUndefined();
    expect(await store.size()).toBe(0);
  });

  it('hands a session over once, remembers that it finished, and a finished one is not got again', async () => {
    const store = make(() => 0, 60_000);
    const session = await store.create('setup', USER, '5', {});
    const [first, second] = await Promise.all([
      store.take(session.id, 'setup', USER),
      store.take(session.id, 'setup', USER),
    ]);
    expect([first, second].filter((taken) => taken !== undefined)).toHaveLength(1);
    expect(await store.get(session.id, 'setup', USER)).toBeUndefined();
    expect(await store.wasFinished(session.id)).toBe(true);
    expect(await store.wasFinished('unknown')).toBe(false);
  });

  it('keeps what a handler changed in a session, by the end of its interaction', async () => {
    const store = make(() => 0, 60_000);
    const id = await store.scoped(async () => {
      const session = await store.create<{ step: number; picks: string[] }>('reserve', USER, '5', {
        step: 1,
        picks: [],
      });
      session.data.step = 2;
      return session.id;
    });
    await store.scoped(async () => {
      const session = await store.get<{ step: number; picks: string[] }>(id, 'reserve', USER);
      expect(session?.data.step).toBe(2);
      session!.data.picks.push('a');
      // Flushed before the answer: what another process reads next.
      await store.flush();
      expect((await make(() => 0, 60_000).get(id, 'reserve', USER))?.data).toEqual(
        store instanceof MemorySessionStore ? undefined : { step: 2, picks: ['a'] },
      );
    });
    expect((await store.get<{ picks: string[] }>(id, 'reserve', USER))?.data.picks).toEqual(['a']);
  });
}

describe('MemorySessionStore (the contract)', () => {
  contract((now, ttlMs) => new MemorySessionStore({ now, ttlMs }));
});

describe.each(DIALECTS)('DatabaseSessionStore (%s)', (dialect) => {
  const suite = useTestDatabase(dialect);
  contract((now, ttlMs) => new DatabaseSessionStore({ database: suite.database, now, ttlMs }));

  it('is shared by several processes: one takes a session another created, and a racing take gets nothing', async () => {
    const one = new DatabaseSessionStore({ database: suite.database, now: () => 0 });
    const other = new DatabaseSessionStore({ database: await suite.test.openAnother(), now: () => 0 });
    const session = await one.create('setup', USER, '5', { channelId: '7' });
    expect((await other.get<{ channelId: string }>(session.id, 'setup', USER))?.data).toEqual({ channelId: '7' });
    const [a, b] = await Promise.all([one.take(session.id, 'setup', USER), other.take(session.id, 'setup', USER)]);
    expect([a, b].filter((taken) => taken !== undefined)).toHaveLength(1);
    expect(await other.wasFinished(session.id)).toBe(true);
    expect(() => new DatabaseSessionStore({ database: suite.database, now: () => 0, ttlMs: -1 })).toThrow(/ttlMs/);
  });
});
