import { describe, expect, it } from 'vitest';
import { InvalidConfigError, InvalidPayloadError } from '../../src/errors/message-update-error.js';
import {
  DiscordSimulator,
  FakeClock,
  SimulatorConnectionResetError,
  snowflakeToTimestamp,
  type DiscordSimulatorOptions,
  type SimulatorResponse,
} from '../../src/testing/index.js';

const TOKEN = 'simulator-token';
const DAY_MS = 24 * 60 * 60 * 1000;
const MESSAGES = 'POST /channels/:channel_id/messages';
const EDIT = 'PATCH /channels/:channel_id/messages/:message_id';

interface Reply extends SimulatorResponse {
  readonly json: unknown;
}

interface CallOptions {
  /** `null` sends no Authorization header. */
  readonly token?: string | null;
  readonly raw?: string;
}

function setup(options: DiscordSimulatorOptions = {}): { clock: FakeClock; sim: DiscordSimulator; channelId: string } {
  const clock = new FakeClock();
  const sim = new DiscordSimulator({ clock, ...options });
  return { clock, sim, channelId: sim.createChannel({ name: 'status' }).id };
}

async function call(
  sim: DiscordSimulator,
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<Reply> {
  const token = options.token === undefined ? TOKEN : options.token;
  const response = await sim.handle({
    method,
    path: path.startsWith('/api') || path.startsWith('/__sim') ? path : `/api/v10${path}`,
    headers: {
      ...(token === null ? {} : { authorization: `Bot ${token}` }),
      ...(body === undefined && options.raw === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const isJson = response.headers['content-type'] === 'application/json';
  return { ...response, json: isJson ? JSON.parse(response.body) : undefined };
}

async function create(sim: DiscordSimulator, channelId: string, body: unknown = { content: 'hello' }): Promise<string> {
  const reply = await call(sim, 'POST', `/channels/${channelId}/messages`, body);
  expect(reply.status).toBe(200);
  return (reply.json as { id: string }).id;
}

function rateHeaders(reply: Reply): Record<string, string> {
  return Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.startsWith('x-ratelimit-')));
}

describe('DiscordSimulator', () => {
  describe('routing and authentication', () => {
    it('serves the same routes under /api/v10 and /api', async () => {
      const { sim, channelId } = setup();
      expect((await call(sim, 'GET', `/api/v10/channels/${channelId}`)).status).toBe(200);
      const unversioned = await call(sim, 'GET', `/api/channels/${channelId}`);
      expect(unversioned.status).toBe(200);
      expect(unversioned.json).toMatchObject({ id: channelId, name: 'status', type: 0 });
    });

    it('answers 404 with Discord body for unknown routes and 405 for a wrong method', async () => {
      const { sim, channelId } = setup();
      const unknown = await call(sim, 'GET', '/users/@me/guilds');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toBe('{"message":"404: Not Found","code":0}');
      expect((await call(sim, 'GET', '/nope/v10/channels')).status).toBe(404);
      const wrongMethod = await call(sim, 'PUT', `/channels/${channelId}/messages`);
      expect(wrongMethod.status).toBe(405);
    });

    it('answers 401 to an unknown token or a missing Authorization header and accepts Bearer', async () => {
      const { sim, channelId } = setup();
      const unknown = await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'wrong' });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toBe('{"message":"401: Unauthorized","code":0}');
      expect((await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: null })).status).toBe(401);
      const bearer = await sim.handle({
        method: 'GET',
        path: `/api/v10/channels/${channelId}`,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(bearer.status).toBe(200);
      sim.addToken('second-token');
      expect((await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'second-token' })).status).toBe(200);
    });

    it('answers Unknown Channel and Unknown Message, still charging the bucket', async () => {
      const { sim, channelId } = setup();
      const missingChannel = await call(sim, 'POST', '/channels/1180000000000000000/messages', { content: 'x' });
      expect(missingChannel.status).toBe(404);
      expect(missingChannel.json).toEqual({ message: 'Unknown Channel', code: 10003 });
      const missing = await call(sim, 'PATCH', `/channels/${channelId}/messages/1180000000000000001`, { content: 'x' });
      expect(missing.status).toBe(404);
      expect(missing.body).toBe('{"message":"Unknown Message","code":10008}');
      expect(missing.headers['x-ratelimit-remaining']).toBe('4');
      expect(sim.getBucket(EDIT, channelId)?.remaining).toBe(4);
    });

    it('refuses ids that are not snowflakes with Invalid Form Body', async () => {
      const { sim, channelId } = setup();
      const reply = await call(sim, 'GET', `/channels/${channelId}/messages/abc`);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({
        code: 50035,
        errors: { message_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE' }] } },
      });
    });
  });

  describe('per-route limits', () => {
    it('opens a window at the first request and reports it in lowercase headers', async () => {
      const { sim, clock, channelId } = setup();
      const start = clock.now();
      const first = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'a' });
      expect(rateHeaders(first)).toEqual({
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '4',
        'x-ratelimit-reset': ((start + 5000) / 1000).toFixed(3),
        'x-ratelimit-reset-after': '5.000',
        'x-ratelimit-bucket': expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      });
      await clock.advance(1234);
      const second = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'b' });
      expect(second.headers['x-ratelimit-remaining']).toBe('3');
      expect(second.headers['x-ratelimit-reset-after']).toBe('3.766');
      expect(second.headers['x-ratelimit-reset']).toBe(first.headers['x-ratelimit-reset']);
      // The next window opens with the first request after this one ended, not at a fixed boundary.
      await clock.advance(10_000);
      const later = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'c' });
      expect(later.headers['x-ratelimit-remaining']).toBe('4');
      expect(later.headers['x-ratelimit-reset-after']).toBe('5.000');
      expect(later.headers['x-ratelimit-reset']).toBe(((clock.now() + 5000) / 1000).toFixed(3));
    });

    it('rounds reset-after up to the millisecond', async () => {
      const clock = new FakeClock(1_700_000_000_000.4);
      const sim = new DiscordSimulator({ clock, limits: { messageWrite: { limit: 5, windowMs: 1000.3 } } });
      const channelId = sim.createChannel().id;
      const reply = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'a' });
      expect(reply.headers['x-ratelimit-reset-after']).toBe('1.001');
    });

    it('answers a 429 with Discord shape when the bucket is empty, without consuming budget', async () => {
      const { sim, clock, channelId } = setup({ limits: { messageWrite: { limit: 2, windowMs: 1500 } } });
      const messageId = await create(sim, channelId);
      await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v1' });
      const before = sim.getBucket(EDIT, channelId);
      await clock.advance(300);
      const limited = await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v2' });
      expect(limited.status).toBe(429);
      expect(limited.body).toBe('{"message":"You are being rate limited.","retry_after":1.2,"global":false}');
      expect(limited.headers).toMatchObject({
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': '1.200',
        'x-ratelimit-scope': 'user',
        'retry-after': '2',
        'content-type': 'application/json',
      });
      expect(limited.headers['x-ratelimit-bucket']).toBe(before?.hash);
      expect(limited.headers['x-ratelimit-global']).toBeUndefined();
      expect(sim.getBucket(EDIT, channelId)).toEqual(before);
      expect(sim.getMessage(channelId, messageId)?.content).toBe('v1');
      expect(sim.getStats().rateLimited.user).toBe(1);
      expect(sim.getStats().invalidRequests.total).toBe(1);
      await clock.advance(1200);
      const fresh = await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v2' });
      expect(fresh.status).toBe(200);
      expect(fresh.headers['x-ratelimit-remaining']).toBe('1');
    });

    it('sends rate-limit headers on 400, 404 and 5xx answers, and none on routes without a limit', async () => {
      const { sim, channelId } = setup();
      const bad = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x'.repeat(2001) });
      expect(bad.status).toBe(400);
      expect(bad.headers['x-ratelimit-remaining']).toBe('4');
      const missing = await call(sim, 'PATCH', `/channels/${channelId}/messages/1180000000000000001`, { content: 'x' });
      expect(missing.headers['x-ratelimit-remaining']).toBe('3');
      sim.setFaults(MESSAGES, { errorRate: 1, errorStatus: 503 });
      const failed = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(failed.status).toBe(503);
      expect(failed.headers['x-ratelimit-remaining']).toBe('2');
      const get = await call(sim, 'GET', `/channels/${channelId}/messages`);
      expect(get.status).toBe(200);
      expect(rateHeaders(get)).toEqual({});
    });

    it('shares one hash between create and edit, and uses other hashes for delete and old delete', async () => {
      const { sim, clock, channelId } = setup();
      const old = sim.seedMessage(channelId, { content: 'old' }, { createdAt: clock.now() - 15 * DAY_MS });
      const messageId = await create(sim, channelId);
      const edit = await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v1' });
      expect(edit.headers['x-ratelimit-remaining']).toBe('3');
      const createHash = edit.headers['x-ratelimit-bucket']!;
      expect(createHash).not.toContain(channelId);
      const deleted = await call(sim, 'DELETE', `/channels/${channelId}/messages/${messageId}`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe('');
      const oldDeleted = await call(sim, 'DELETE', `/channels/${channelId}/messages/${old.id}`);
      expect(oldDeleted.status).toBe(204);
      const hashes = new Set([
        createHash,
        deleted.headers['x-ratelimit-bucket'],
        oldDeleted.headers['x-ratelimit-bucket'],
      ]);
      expect(hashes.size).toBe(3);
      expect(sim.getRequestLog().at(-1)?.route).toBe('DELETE /channels/:channel_id/messages/:message_id (old)');
      // Another channel is another counter under the same hash.
      const other = sim.createChannel().id;
      const elsewhere = await call(sim, 'POST', `/channels/${other}/messages`, { content: 'x' });
      expect(elsewhere.headers['x-ratelimit-bucket']).toBe(createHash);
      expect(elsewhere.headers['x-ratelimit-remaining']).toBe('4');
    });

    it('can report one hash with separate counters per route, as Discord sometimes does', async () => {
      const { sim, channelId } = setup({ sharedHashSeparateCounters: true });
      const messageId = await create(sim, channelId);
      const edit = await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v1' });
      expect(edit.headers['x-ratelimit-remaining']).toBe('4');
      expect(edit.headers['x-ratelimit-bucket']).toBe(sim.getBucket(MESSAGES, channelId)?.hash);
      expect(sim.getBucket(MESSAGES, channelId)?.remaining).toBe(4);
    });

    it('scales preset windows with timeScale but not explicit limits', async () => {
      const { sim, channelId } = setup({ timeScale: 0.1, limits: { messageDelete: { limit: 3, windowMs: 700 } } });
      const write = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(write.headers['x-ratelimit-reset-after']).toBe('0.500');
      expect(sim.getLimits().global).toEqual({ limit: 50, windowMs: 100 });
      expect(sim.getLimits().messageDelete).toEqual({ limit: 3, windowMs: 700 });
    });

    it('changes limits and hashes at run time', async () => {
      const { sim, channelId } = setup();
      sim.setRouteLimit(EDIT, { limit: 1, windowMs: 1000 });
      const messageId = await create(sim, channelId);
      const limited = await call(sim, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { content: 'v1' });
      expect(limited.status).toBe(429);
      sim.setRouteHash('DELETE /channels/:channel_id/messages/:message_id', 'custom-hash');
      const deleted = await call(sim, 'DELETE', `/channels/${channelId}/messages/${messageId}`);
      expect(deleted.headers['x-ratelimit-bucket']).toBe('custom-hash');
      expect(sim.getBucket('custom-hash', channelId)?.remaining).toBe(4);
      sim.setRouteLimit('GET /channels/:channel_id', { limit: 7, windowMs: 1000 });
      expect((await call(sim, 'GET', `/channels/${channelId}`)).headers['x-ratelimit-limit']).toBe('7');
    });

    it('limits reactions to one per 250 ms per channel under one hash', async () => {
      const { sim, clock, channelId } = setup();
      const messageId = await create(sim, channelId);
      const path = `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent('👍')}/@me`;
      const first = await call(sim, 'PUT', path);
      expect(first.status).toBe(204);
      const second = await call(sim, 'DELETE', path);
      expect(second.status).toBe(429);
      expect(second.headers['x-ratelimit-bucket']).toBe(first.headers['x-ratelimit-bucket']);
      await clock.advance(250);
      expect((await call(sim, 'DELETE', path)).status).toBe(204);
      expect(sim.getWrites({ messageId }).map((write) => write.kind)).toEqual([
        'create',
        'reactionAdd',
        'reactionRemove',
      ]);
    });
  });

  describe('global limit', () => {
    it('answers a global 429 before the route limit, without bucket headers', async () => {
      const { sim, clock, channelId } = setup({ limits: { global: { limit: 3, windowMs: 1000 } } });
      for (let i = 0; i < 3; i++) expect((await call(sim, 'GET', `/channels/${channelId}`)).status).toBe(200);
      await clock.advance(400);
      const limited = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(limited.status).toBe(429);
      expect(limited.json).toEqual({ message: 'You are being rate limited.', retry_after: 0.6, global: true });
      expect(limited.headers).toMatchObject({
        'retry-after': '1',
        'x-ratelimit-global': 'true',
        'x-ratelimit-scope': 'global',
      });
      expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
      expect(limited.headers['x-ratelimit-remaining']).toBeUndefined();
      expect(limited.headers['x-ratelimit-bucket']).toBeUndefined();
      expect(sim.getBucket(MESSAGES, channelId)?.resetAt).toBeUndefined();
      expect(sim.getStats().rateLimited.global).toBe(1);
      // Another token has its own global budget.
      sim.addToken('other');
      expect((await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'other' })).status).toBe(200);
      await clock.advance(600);
      expect((await call(sim, 'GET', `/channels/${channelId}`)).status).toBe(200);
    });

    it('exempts interaction callbacks and interaction webhooks from the global limit', async () => {
      const { sim, channelId } = setup({ limits: { global: { limit: 1, windowMs: 1000 } } });
      expect((await call(sim, 'GET', `/channels/${channelId}`)).status).toBe(200);
      expect((await call(sim, 'GET', `/channels/${channelId}`)).status).toBe(429);
      const interaction = sim.createInteraction(channelId);
      const callback = await call(sim, 'POST', `/interactions/${interaction.id}/${interaction.token}/callback`, {
        type: 4,
        data: { content: 'pong' },
      });
      expect(callback.status).toBe(204);
      const base = `/webhooks/${interaction.applicationId}/${interaction.token}`;
      const original = await call(sim, 'PATCH', `${base}/messages/@original`, { content: 'pong!' });
      expect(original.status).toBe(200);
      expect(original.json).toMatchObject({ content: 'pong!', application_id: interaction.applicationId });
      const followUp = await call(sim, 'POST', base, { content: 'more' }, { token: null });
      expect(followUp.status).toBe(200);
      expect(sim.listMessages(channelId).map((message) => message.content)).toEqual(['pong!', 'more']);
      const log = sim.getRequestLog().at(-1)!;
      expect(log.route).toBe('POST /webhooks/:application_id/:interaction_token');
      expect(log.path).not.toContain(interaction.token);
    });
  });

  describe('shared scope, sub-limits and bans', () => {
    it('answers shared-scope 429s for a throttled channel without counting them invalid', async () => {
      const { sim, clock, channelId } = setup();
      sim.throttleResource(channelId, 2_000);
      const limited = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(limited.status).toBe(429);
      expect(limited.json).toEqual({ message: 'The resource is being rate limited.', retry_after: 2, global: false });
      expect(limited.headers['x-ratelimit-scope']).toBe('shared');
      expect(limited.headers['retry-after']).toBe('2');
      expect(limited.headers['x-ratelimit-remaining']).toBe('5');
      const stats = sim.getStats();
      expect(stats.rateLimited.shared).toBe(1);
      expect(stats.invalidRequests.total).toBe(0);
      await clock.advance(2_000);
      expect((await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' })).status).toBe(200);
    });

    it('applies the hidden name/topic sub-limit while the parent headers still show room', async () => {
      const { sim, clock, channelId } = setup();
      expect((await call(sim, 'PATCH', `/channels/${channelId}`, { name: 'one' })).status).toBe(200);
      expect((await call(sim, 'PATCH', `/channels/${channelId}`, { topic: 'two' })).status).toBe(200);
      await clock.advance(1000);
      const limited = await call(sim, 'PATCH', `/channels/${channelId}`, { name: 'three' });
      expect(limited.status).toBe(429);
      expect(limited.headers['x-ratelimit-scope']).toBe('user');
      expect(Number(limited.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
      expect(limited.json).toMatchObject({ retry_after: 599, global: false });
      expect(sim.getStats().subLimited).toBe(1);
      expect(sim.getChannel(channelId)).toMatchObject({ name: 'one', topic: 'two' });
      // Edits that change neither name nor topic only use the parent bucket.
      expect((await call(sim, 'PATCH', `/channels/${channelId}`, { nsfw: true })).status).toBe(200);
      expect(sim.getRequestLog().filter((entry) => entry.subLimit)).toHaveLength(1);
    });

    it('bans a client that crosses the invalid-request limit with plain-text 429s', async () => {
      const { sim, clock, channelId } = setup({
        limits: { invalidRequests: { limit: 3, windowMs: 60_000, banMs: 10_000 } },
      });
      for (let i = 0; i < 4; i++) {
        expect((await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'stolen' })).status).toBe(401);
      }
      const banned = await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'stolen' });
      expect(banned.status).toBe(429);
      expect(banned.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(banned.headers['retry-after']).toBe('10');
      expect(rateHeaders(banned)).toEqual({});
      expect(() => JSON.parse(banned.body) as unknown).toThrow();
      expect(sim.getStats()).toMatchObject({ bans: 1, bannedRequests: 1 });
      // The valid token is another client.
      expect((await call(sim, 'GET', `/channels/${channelId}`)).status).toBe(200);
      await clock.advance(10_000);
      expect((await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'stolen' })).status).toBe(401);
      expect(sim.getStats().invalidRequests.byToken).toEqual({ 'unknown#1': 1 });
    });

    it('counts invalid requests over a rolling window', async () => {
      const { sim, clock, channelId } = setup({
        limits: { invalidRequests: { limit: 100, windowMs: 1_000, banMs: 1_000 } },
      });
      await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'bad' });
      await clock.advance(600);
      await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'bad' });
      expect(sim.getStats().invalidRequests.total).toBe(2);
      await clock.advance(500);
      expect(sim.getStats().invalidRequests.total).toBe(1);
    });
  });

  describe('messages', () => {
    it('creates, edits and deletes messages with Discord-shaped JSON and versions', async () => {
      const { sim, clock, channelId } = setup();
      const created = await call(sim, 'POST', `/channels/${channelId}/messages`, {
        content: 'v0',
        embeds: [{ title: 'Status' }],
      });
      const message = created.json as Record<string, unknown>;
      expect(message).toMatchObject({
        channel_id: channelId,
        content: 'v0',
        embeds: [{ title: 'Status' }],
        components: [],
        edited_timestamp: null,
        author: { bot: true },
        type: 0,
      });
      const id = message['id'] as string;
      expect(id).toMatch(/^\d{17,19}$/);
      expect(snowflakeToTimestamp(id)).toBe(clock.now());
      expect(message['timestamp']).toBe(new Date(clock.now()).toISOString().replace('Z', '000+00:00'));
      await clock.advance(100);
      const edited = await call(sim, 'PATCH', `/channels/${channelId}/messages/${id}`, { content: 'v1' });
      expect(edited.json).toMatchObject({ content: 'v1', embeds: [{ title: 'Status' }] });
      expect((edited.json as Record<string, unknown>)['edited_timestamp']).not.toBeNull();
      expect(sim.getMessage(channelId, id)).toMatchObject({ content: 'v1', version: 1, editedAt: clock.now() });
      const fetched = await call(sim, 'GET', `/channels/${channelId}/messages/${id}`);
      expect(fetched.json).toMatchObject({ id, content: 'v1' });
      expect((await call(sim, 'DELETE', `/channels/${channelId}/messages/${id}`)).status).toBe(204);
      expect(sim.getMessage(channelId, id)).toBeUndefined();
      expect((await call(sim, 'GET', `/channels/${channelId}/messages/${id}`)).status).toBe(404);
      expect(sim.getWrites({ messageId: id }).map((write) => [write.kind, write.version])).toEqual([
        ['create', 0],
        ['edit', 1],
        ['delete', 1],
      ]);
    });

    it('refuses to edit a message authored by another bot', async () => {
      const { sim, channelId } = setup();
      sim.addToken('other');
      const id = await create(sim, channelId);
      const reply = await call(
        sim,
        'PATCH',
        `/channels/${channelId}/messages/${id}`,
        { content: 'x' },
        { token: 'other' },
      );
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({ message: 'Cannot edit a message authored by another user', code: 50005 });
    });

    it('returns the earlier message for a repeated nonce with enforce_nonce', async () => {
      const { sim, clock, channelId } = setup({ nonceWindowMs: 60_000 });
      const body = { content: 'once', nonce: 'abc-123', enforce_nonce: true };
      const first = await create(sim, channelId, body);
      await clock.advance(1000);
      const again = await create(sim, channelId, { ...body, content: 'twice' });
      expect(again).toBe(first);
      expect(sim.listMessages(channelId).map((message) => message.content)).toEqual(['once']);
      expect(sim.getWrites({ channelId })).toHaveLength(1);
      expect(sim.getStats().duplicateCreatesPrevented).toBe(1);
      // Without enforce_nonce, or once the window has passed, a new message is created.
      expect(await create(sim, channelId, { content: 'x', nonce: 'abc-123' })).not.toBe(first);
      await clock.advance(60_000);
      expect(await create(sim, channelId, body)).not.toBe(first);
    });

    it('validates payload limits and answers with Discord error bodies', async () => {
      const { sim, channelId } = setup();
      const long = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x'.repeat(2001) });
      expect(long.json).toEqual({
        message: 'Invalid Form Body',
        code: 50035,
        errors: {
          content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
        },
      });
      const field = await call(sim, 'POST', `/channels/${channelId}/messages`, {
        embeds: [{ fields: [{ name: 'a', value: 'x'.repeat(1025) }] }],
      });
      expect(field.json).toMatchObject({ errors: { embeds: { 0: { fields: { 0: { value: { _errors: [{}] } } } } } } });
      const empty = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: '' });
      expect(empty.json).toEqual({ message: 'Cannot send an empty message', code: 50006 });
      const malformed = await call(sim, 'POST', `/channels/${channelId}/messages`, undefined, { raw: '{"content":' });
      expect(malformed.status).toBe(400);
      expect(malformed.json).toEqual({ message: 'The request body contains invalid JSON.', code: 50109 });
      expect(sim.listMessages(channelId)).toHaveLength(0);
    });

    it('lists messages newest first with limit, before and after', async () => {
      const { sim, clock, channelId } = setup();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await create(sim, channelId, { content: `m${i}` }));
        await clock.advance(1000);
      }
      const contents = async (query: string): Promise<string[]> => {
        const reply = await call(sim, 'GET', `/channels/${channelId}/messages${query}`);
        return (reply.json as { content: string }[]).map((message) => message.content);
      };
      expect(await contents('')).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
      expect(await contents('?limit=2')).toEqual(['m4', 'm3']);
      expect(await contents(`?before=${ids[3]!}&limit=2`)).toEqual(['m2', 'm1']);
      expect(await contents(`?after=${ids[0]!}&limit=2`)).toEqual(['m2', 'm1']);
      expect((await call(sim, 'GET', `/channels/${channelId}/messages?limit=101`)).status).toBe(400);
    });

    it('bulk deletes 2 to 100 recent messages and refuses old ones', async () => {
      const { sim, clock, channelId } = setup();
      const old = sim.seedMessage(channelId, { content: 'old' }, { createdAt: clock.now() - 15 * DAY_MS });
      const a = await create(sim, channelId);
      const b = await create(sim, channelId);
      const path = `/channels/${channelId}/messages/bulk-delete`;
      expect((await call(sim, 'POST', path, { messages: [a] })).status).toBe(400);
      await clock.advance(1000);
      const tooOld = await call(sim, 'POST', path, { messages: [a, old.id] });
      expect(tooOld.json).toEqual({
        message: 'You can only bulk delete messages that are under 14 days old.',
        code: 50034,
      });
      await clock.advance(1000);
      expect((await call(sim, 'POST', path, { messages: [a, b] })).status).toBe(204);
      expect(sim.listMessages(channelId).map((message) => message.id)).toEqual([old.id]);
    });

    it('executes webhooks without a bot token and checks the webhook token', async () => {
      const { sim, channelId } = setup();
      const hook = sim.createWebhook(channelId, { name: 'Alerts' });
      const noWait = await call(
        sim,
        'POST',
        `/webhooks/${hook.id}/${hook.token}`,
        { content: 'fire' },
        { token: null },
      );
      expect(noWait.status).toBe(204);
      const reply = await call(
        sim,
        'POST',
        `/webhooks/${hook.id}/${hook.token}?wait=true`,
        { content: 'x' },
        { token: null },
      );
      expect(reply.status).toBe(200);
      const message = reply.json as { id: string; webhook_id: string; author: { username: string } };
      expect(message.webhook_id).toBe(hook.id);
      expect(message.author.username).toBe('Alerts');
      const edit = await call(
        sim,
        'PATCH',
        `/webhooks/${hook.id}/${hook.token}/messages/${message.id}`,
        { content: 'y' },
        {
          token: null,
        },
      );
      expect(edit.json).toMatchObject({ content: 'y' });
      const wrong = await call(sim, 'POST', `/webhooks/${hook.id}/not-the-token`, { content: 'x' }, { token: null });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({ message: 'Invalid Webhook Token', code: 50027 });
      expect(sim.getWrites({ channelId }).map((write) => write.tokenLabel)).toEqual([
        `webhook:${hook.id}`,
        `webhook:${hook.id}`,
        `webhook:${hook.id}`,
      ]);
      const paths = sim.getRequestLog().map((entry) => entry.path);
      expect(paths.join(' ')).not.toContain(hook.token);
      expect(sim.getRequestLog()[0]?.majorParameter).toBe(`${hook.id}/:token`);
    });

    it('answers interactions once, within 3 seconds', async () => {
      const { sim, clock, channelId } = setup();
      const late = sim.createInteraction(channelId);
      const interaction = sim.createInteraction(channelId);
      expect(interaction.token).toMatch(/^aW50ZXJhY3Rpb246/);
      const path = `/interactions/${interaction.id}/${interaction.token}/callback`;
      expect((await call(sim, 'POST', path, { type: 5 }, { token: null })).status).toBe(204);
      const twice = await call(sim, 'POST', path, { type: 4, data: { content: 'x' } }, { token: null });
      expect(twice.json).toEqual({ message: 'Interaction has already been acknowledged.', code: 40060 });
      // The deferred response is a "thinking" message until @original is edited.
      const original = `/webhooks/${interaction.applicationId}/${interaction.token}/messages/@original`;
      const thinking = await call(sim, 'GET', original, undefined, { token: null });
      expect(thinking.json).toMatchObject({ content: '', flags: 128 });
      const done = await call(sim, 'PATCH', original, { content: 'done' }, { token: null });
      expect(done.json).toMatchObject({ content: 'done', flags: 0, type: 20 });
      await clock.advance(3001);
      const expired = await call(sim, 'POST', `/interactions/${late.id}/${late.token}/callback`, { type: 5 });
      expect(expired.json).toEqual({ message: 'Unknown interaction', code: 10062 });
      await clock.advance(15 * 60 * 1000);
      const stale = await call(sim, 'PATCH', original, { content: 'too late' }, { token: null });
      expect(stale.json).toEqual({ message: 'Invalid Webhook Token', code: 50027 });
    });

    it('updates the message of a component interaction', async () => {
      const { sim, channelId } = setup();
      const board = await create(sim, channelId, { content: 'page 1' });
      const interaction = sim.createInteraction(channelId, { messageId: board });
      const path = `/interactions/${interaction.id}/${interaction.token}/callback`;
      const reply = await call(sim, 'POST', `${path}?with_response=true`, { type: 7, data: { content: 'page 2' } });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ resource: { type: 7, message: { id: board, content: 'page 2' } } });
      expect(sim.getMessage(channelId, board)).toMatchObject({ content: 'page 2', version: 1 });
    });
  });

  describe('faults', () => {
    it('injects server errors with a seeded, repeatable probability', async () => {
      const statuses = async (seed: number): Promise<number[]> => {
        const { sim, channelId } = setup({ seed, limits: { global: { limit: 1000, windowMs: 1000 } } });
        sim.setFaults('GET /channels/:channel_id', { errorRate: 0.5, errorStatus: 502 });
        const result: number[] = [];
        for (let i = 0; i < 40; i++) result.push((await call(sim, 'GET', `/channels/${channelId}`)).status);
        return result;
      };
      const first = await statuses(7);
      expect(await statuses(7)).toEqual(first);
      expect(await statuses(8)).not.toEqual(first);
      const errors = first.filter((status) => status === 502).length;
      expect(errors).toBeGreaterThan(8);
      expect(errors).toBeLessThan(32);
      expect(new Set(first)).toEqual(new Set([200, 502]));
    });

    it('drops rate-limit headers from injected errors with errorHeaders: false, still charging the limits', async () => {
      const { sim, clock, channelId } = setup({ limits: { global: { limit: 3, windowMs: 1000 } } });
      sim.setFaults(MESSAGES, { errorRate: 1, errorStatus: 502, errorHeaders: false });
      for (let i = 0; i < 3; i++) {
        const failed = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
        expect(failed.status).toBe(502);
        expect(failed.json).toEqual({ message: '502: Bad Gateway', code: 0 });
        expect(rateHeaders(failed)).toEqual({});
      }
      expect(sim.getBucket(MESSAGES, channelId)?.remaining).toBe(2);
      expect(sim.getRequestLog().map((entry) => entry.fault)).toEqual(['error', 'error', 'error']);
      const global = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(global.status).toBe(429);
      expect(global.headers['x-ratelimit-scope']).toBe('global');
      sim.clearFaults();
      await clock.advance(1000);
      const ok = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBe('1');
    });

    it('keeps rate-limit headers on injected errors by default', async () => {
      const { sim, channelId } = setup();
      sim.setFaults(MESSAGES, { errorRate: 1, errorStatus: 503 });
      const implicit = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(implicit.status).toBe(503);
      expect(implicit.headers['x-ratelimit-remaining']).toBe('4');
      expect(implicit.headers['x-ratelimit-bucket']).toBeDefined();
      sim.setFaults(MESSAGES, { errorRate: 1, errorStatus: 503, errorHeaders: true });
      const explicit = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(explicit.headers['x-ratelimit-remaining']).toBe('3');
    });

    it('validates errorHeaders, also through the control API', async () => {
      const { sim, channelId } = setup();
      expect(() => sim.setFaults('*', { errorHeaders: 0 as never })).toThrow(/faults\.errorHeaders/);
      const set = await call(sim, 'POST', '/__sim/faults', { route: MESSAGES, errorRate: 1, errorHeaders: false });
      expect(set.status).toBe(200);
      const failed = await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      expect(failed.status).toBe(500);
      expect(rateHeaders(failed)).toEqual({});
      expect(sim.getBucket(MESSAGES, channelId)?.remaining).toBe(4);
      const bad = await call(sim, 'POST', '/__sim/faults', { route: '*', errorHeaders: 'no' });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ code: 'INVALID_CONFIG' });
    });

    it('applies the write but answers late with commit-then-timeout', async () => {
      const { sim, clock, channelId } = setup();
      const id = await create(sim, channelId);
      sim.setFaults(EDIT, { commitThenTimeoutMs: 20_000 });
      let settled = false;
      const pending = call(sim, 'PATCH', `/channels/${channelId}/messages/${id}`, { content: 'late' }).then((reply) => {
        settled = true;
        return reply;
      });
      await clock.advance(19_999);
      expect(settled).toBe(false);
      expect(sim.getMessage(channelId, id)).toMatchObject({ content: 'late', version: 1 });
      await clock.advance(1);
      expect((await pending).status).toBe(200);
      expect(sim.getStats().faults.commitThenTimeouts).toBe(1);
      expect(sim.getRequestLog().at(-1)?.fault).toBe('commitThenTimeout');
    });

    it('resets connections before processing, rejecting with ECONNRESET', async () => {
      const { sim, channelId } = setup();
      sim.setFaults('*', { resetRate: 1 });
      const attempt = call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' });
      await expect(attempt).rejects.toBeInstanceOf(SimulatorConnectionResetError);
      await expect(attempt).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(sim.listMessages(channelId)).toHaveLength(0);
      expect(sim.getBucket(MESSAGES, channelId)?.remaining).toBe(5);
      expect(sim.getRequestLog().at(-1)).toMatchObject({ status: 0, fault: 'reset' });
      sim.clearFaults();
      expect((await call(sim, 'POST', `/channels/${channelId}/messages`, { content: 'x' })).status).toBe(200);
    });

    it('delays answers by a fixed or random latency on the injected clock', async () => {
      const { sim, clock, channelId } = setup();
      sim.setFaults('GET /channels/:channel_id', { latencyMs: [100, 200] });
      let settled = false;
      const pending = call(sim, 'GET', `/channels/${channelId}`).then(() => (settled = true));
      await clock.advance(99);
      expect(settled).toBe(false);
      await clock.advance(101);
      await pending;
      expect(settled).toBe(true);
    });

    it('validates fault settings', () => {
      const { sim } = setup();
      expect(() => sim.setFaults('*', { errorRate: 2 })).toThrow(/errorRate/);
      expect(() => sim.setFaults('*', { latencyMs: [10, 5] })).toThrow(InvalidConfigError);
      expect(() => sim.setFaults('GET /nowhere' as never, {})).toThrow(/route/);
    });
  });

  describe('inspection', () => {
    it('lists messages in creation order and filters writes', async () => {
      const { sim, channelId } = setup();
      const other = sim.createChannel({ name: 'other' }).id;
      const seeded = sim.seedMessage(channelId, { content: 'seeded' });
      const a = await create(sim, channelId, { content: 'a' });
      const b = await create(sim, other, { content: 'b' });
      await call(sim, 'PATCH', `/channels/${channelId}/messages/${a}`, { content: 'a2' });
      expect(sim.listMessages(channelId).map((message) => message.content)).toEqual(['seeded', 'a2']);
      expect(seeded.author).toMatchObject({ kind: 'bot', tokenLabel: 'token#1' });
      expect(sim.getWrites().map((write) => write.seq)).toEqual([1, 2, 3]);
      expect(sim.getWrites({ channelId: other }).map((write) => write.messageId)).toEqual([b]);
      const edit = sim.getWrites({ messageId: a }).at(-1)!;
      expect(edit).toMatchObject({ kind: 'edit', body: { content: 'a2' }, tokenLabel: 'token#1', version: 1 });
      // Snapshots are copies.
      const snapshot = sim.getMessage(channelId, a)!;
      (snapshot.embeds as unknown[]).push({ title: 'mutated' });
      expect(sim.getMessage(channelId, a)?.embeds).toEqual([]);
    });

    it('logs requests with route, bucket and status, never the token, and resets stats', async () => {
      const { sim, channelId } = setup();
      await create(sim, channelId);
      await call(sim, 'GET', `/channels/${channelId}`, undefined, { token: 'secret-value' });
      const log = sim.getRequestLog();
      expect(log[0]).toMatchObject({
        method: 'POST',
        route: MESSAGES,
        majorParameter: channelId,
        status: 200,
        tokenLabel: 'token#1',
      });
      expect(log[0]?.bucket).toBe(sim.getBucket(MESSAGES, channelId)?.hash);
      expect(log[1]).toMatchObject({ status: 401, tokenLabel: 'unknown#1' });
      expect(JSON.stringify(log)).not.toContain('secret-value');
      expect(JSON.stringify(log)).not.toContain(TOKEN);
      expect(sim.getStats()).toMatchObject({ requests: 2, byStatus: { 200: 1, 401: 1 }, writes: 1 });
      sim.resetStats();
      expect(sim.getStats()).toMatchObject({ requests: 0, byStatus: {}, writes: 1 });
      expect(sim.getRequestLog()).toEqual([]);
    });

    it('keeps ids valid snowflakes when the clock starts near zero', async () => {
      const clock = new FakeClock(0);
      const sim = new DiscordSimulator({ clock });
      const channelId = sim.createChannel().id;
      const id = await create(sim, channelId);
      expect(channelId).toMatch(/^\d{17,19}$/);
      expect(id).toMatch(/^\d{17,19}$/);
      // A message seeded 15 days "ago" is still recognised as old.
      await clock.advance(20 * DAY_MS);
      const old = sim.seedMessage(channelId, { content: 'old' }, { createdAt: clock.now() - 15 * DAY_MS });
      await call(sim, 'DELETE', `/channels/${channelId}/messages/${old.id}`);
      expect(sim.getRequestLog().at(-1)?.route).toBe('DELETE /channels/:channel_id/messages/:message_id (old)');
    });
  });

  describe('options', () => {
    it('refuses bad options with errors naming the field, the value and what is allowed', () => {
      expect(() => new DiscordSimulator({ timeScale: 0 })).toThrow(
        'Expected `timeScale` to be a number greater than 0 and at most 1000, got `0` (number)',
      );
      expect(() => new DiscordSimulator({ port: 70_000 })).toThrow(/`port`/);
      expect(() => new DiscordSimulator({ tokens: [] })).toThrow(/`tokens`/);
      expect(() => new DiscordSimulator({ tokens: ['has space'] })).toThrow(/`tokens\[0\]`/);
      expect(() => new DiscordSimulator({ limits: { messageWrite: { limit: 0, windowMs: 10 } } })).toThrow(
        /`limits\.messageWrite\.limit`/,
      );
      expect(() => new DiscordSimulator({ limits: { nope: { limit: 1, windowMs: 1 } } as never })).toThrow(
        /`limits\.nope`/,
      );
      expect(() => new DiscordSimulator({ seed: 1.5 })).toThrow(InvalidConfigError);
    });

    it('refuses to seed an invalid body or into an unknown channel', () => {
      const { sim, channelId } = setup();
      expect(() => sim.seedMessage(channelId, { content: 'x'.repeat(2001) })).toThrow(InvalidPayloadError);
      expect(() => sim.seedMessage('1180000000000000000', { content: 'x' })).toThrow(/channelId/);
    });
  });
});
