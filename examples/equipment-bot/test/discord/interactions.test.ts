import type { API } from '@discordjs/core';
import type { APIInteraction } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { customId } from '../../src/discord/custom-id.js';
import { InteractionRouter, RouterText } from '../../src/discord/interactions/router.js';
import { MemorySessionStore } from '../../src/discord/interactions/session-store.js';
import { silentLogger } from '../../src/logger.js';

/** An API that records the interaction callbacks it is asked for. */
function recordingApi() {
  const calls: { method: string; body?: unknown }[] = [];
  const record =
    (method: string) =>
    async (...args: unknown[]) => {
      calls.push({ method, body: args.find((arg) => typeof arg === 'object') });
      return undefined;
    };
  const api = {
    interactions: {
      reply: record('reply'),
      updateMessage: record('updateMessage'),
      defer: record('defer'),
      deferMessageUpdate: record('deferMessageUpdate'),
      editReply: record('editReply'),
      followUp: record('followUp'),
      createModal: record('createModal'),
    },
  } as unknown as API;
  return { api, calls };
}

const USER = '100000000000000001';

function click(custom_id: string, ephemeral: boolean): APIInteraction {
  return {
    id: '1',
    token: 't',
    application_id: '9',
    type: 3,
    guild_id: '5',
    channel: { id: '6', type: 0 },
    member: { user: { id: USER }, roles: [], permissions: '0' },
    message: { id: '7', flags: ephemeral ? 64 : 0 },
    data: { custom_id, component_type: 2 },
  } as unknown as APIInteraction;
}

describe('MemorySessionStore', () => {
  it('drops the least recently used session past its bound, and rejects bad options', async () => {
    const store = new MemorySessionStore({ now: () => 0, maxSessions: 2 });
    const a = await store.create('setup', USER, '5', 'a');
    const b = await store.create('setup', USER, '5', 'b');
    await store.get(a.id, 'setup', USER);
    await store.create('setup', USER, '5', 'c');
    expect(await store.get(b.id, 'setup', USER)).toBeUndefined();
    expect((await store.get(a.id, 'setup', USER))?.data).toBe('a');
    expect(() => new MemorySessionStore({ now: () => 0, ttlMs: 0 })).toThrow(/ttlMs must be a positive integer/);
    expect(() => new MemorySessionStore({ now: () => 0, maxSessions: 0.5 })).toThrow(/maxSessions/);
  });
});

describe('InteractionRouter', () => {
  it('routes by exact flow and action, and answers unknown or expired ids without running a handler', async () => {
    const sessions = new MemorySessionStore({ now: () => 0 });
    const router = new InteractionRouter({ sessions, logger: silentLogger });
    const ran: string[] = [];
    router.on('item', 'open', async (ctx, id) => {
      ran.push(`open ${id.arg}`);
      await ctx.show({ content: 'opened' });
    });
    router.on('item', 'open-log', async (ctx) => {
      ran.push('open-log');
      await ctx.show({ content: 'log' });
    });
    router.step('reserve', 'date', async (ctx) => {
      ran.push('date');
      await ctx.show({ content: 'date' });
    });
    expect(() => router.on('item', 'open', async () => {})).toThrow(/routed twice/);
    const { api, calls } = recordingApi();
    await router.dispatch(api, click(customId('item', 'open-log', '-', '3'), false));
    await router.dispatch(api, click(customId('item', 'open', '-', '3'), false));
    await router.dispatch(api, click('v2:item:open:-:3', false));
    await router.dispatch(api, click(customId('reserve', 'date', 'nosuchsess'), true));
    expect(ran).toEqual(['open-log', 'open 3']);
    expect(calls.map((call) => call.method)).toEqual(['reply', 'reply', 'reply', 'updateMessage']);
    expect(calls[2]?.body).toMatchObject({ content: RouterText.unknown, flags: 64 });
    expect(calls[3]?.body).toMatchObject({ content: RouterText.expired });
  });

  it('defers a slow handler in time (deferred update in a wizard) and then edits the original answer', async () => {
    const sessions = new MemorySessionStore({ now: () => 0 });
    const router = new InteractionRouter({ sessions, logger: silentLogger, deferAfterMs: 10 });
    router.on('item', 'slow', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      await ctx.show({ content: 'done' });
    });
    const { api, calls } = recordingApi();
    await router.dispatch(api, click(customId('item', 'slow', '-'), true));
    await router.dispatch(api, click(customId('item', 'slow', '-'), false));
    expect(calls.map((call) => call.method)).toEqual(['deferMessageUpdate', 'editReply', 'defer', 'editReply']);
    expect(calls[2]?.body).toEqual({ flags: 64 });
  });

  it('tells the user when a handler fails, and that nothing changed', async () => {
    const router = new InteractionRouter({ sessions: new MemorySessionStore({ now: () => 0 }), logger: silentLogger });
    router.on('item', 'boom', async () => {
      throw new Error('database gone');
    });
    const { api, calls } = recordingApi();
    await router.dispatch(api, click(customId('item', 'boom', '-'), false));
    expect(calls).toEqual([{ method: 'reply', body: expect.objectContaining({ content: RouterText.failed }) }]);
  });
});
