import { request as httpRequest } from 'node:http';
import { RESTEvents } from '@discordjs/rest';
import { describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/testing/index.js';
import { origin, TOKEN, useSimulators } from './http-harness.js';

const EDIT = 'PATCH /channels/:channel_id/messages/:message_id';
const { started, adopt, restFor } = useSimulators();

async function control(sim: DiscordSimulator, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${origin(sim)}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

interface SeenResponse {
  readonly method: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Promise<unknown> | undefined;
}

describe('DiscordSimulator', () => {
  describe('HTTP server', () => {
    it('explains that url needs start() and serves on 127.0.0.1 once started', async () => {
      const sim = new DiscordSimulator();
      expect(() => sim.url).toThrow('await sim.start()');
      await sim.start();
      adopt(sim);
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
      await expect(sim.start()).rejects.toThrow(/already listening/);
    });

    it('writes lowercase rate-limit header names on the wire', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const url = new URL(`${sim.url}/v10/channels/${channelId}/messages`);
      const rawHeaders = await new Promise<string[]>((resolve, reject) => {
        const req = httpRequest(
          url,
          { method: 'POST', headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.rawHeaders));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ content: 'wire' }));
      });
      const names = rawHeaders.filter((_, index) => index % 2 === 0);
      for (const name of [
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
        'x-ratelimit-reset-after',
      ]) {
        expect(names).toContain(name);
      }
      expect(names).toContain('x-ratelimit-bucket');
    });

    it('destroys the socket for an injected connection reset', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      sim.setFaults('*', { resetRate: 1 });
      await expect(
        fetch(`${sim.url}/v10/channels/${channelId}`, { headers: { authorization: `Bot ${TOKEN}` } }),
      ).rejects.toThrow();
      expect(sim.getStats().faults.resets).toBe(1);
    });

    it('applies a write whose answer comes after the client gave up (commit then time out)', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const message = sim.seedMessage(channelId, { content: 'before' });
      sim.setFaults(EDIT, { commitThenTimeoutMs: 2_000 });
      const rest = restFor(sim, { timeout: 100 });
      await expect(
        rest.patch(`/channels/${channelId}/messages/${message.id}`, { body: { content: 'after' } }),
      ).rejects.toThrow();
      expect(sim.getMessage(channelId, message.id)).toMatchObject({ content: 'after', version: 1 });
    });
  });

  describe('HTTP control API', () => {
    it('sets up the world, changes limits and reports state under /__sim/', async () => {
      const sim = await started();
      const channel = (await (await control(sim, 'POST', '/channels', { name: 'board' })).json()) as { id: string };
      expect(channel.id).toMatch(/^\d{17,19}$/);
      const seeded = await control(sim, 'POST', '/messages', { channel_id: channel.id, body: { content: 'seed' } });
      expect(seeded.status).toBe(200);
      const token = (await (await control(sim, 'POST', '/tokens', { token: 'second' })).json()) as { label: string };
      expect(token.label).toBe('token#2');
      expect((await control(sim, 'POST', '/limits', { route: EDIT, limit: 1, windowMs: 60_000 })).status).toBe(200);
      expect((await control(sim, 'POST', '/faults', { route: '*', latencyMs: 1 })).status).toBe(200);

      const { id: messageId } = sim.listMessages(channel.id)[0]!;
      const rest = restFor(sim);
      await rest.patch(`/channels/${channel.id}/messages/${messageId}`, { body: { content: 'edited' } });

      const messages = (await (await control(sim, 'GET', `/messages?channel_id=${channel.id}`)).json()) as unknown[];
      expect(messages).toMatchObject([{ content: 'edited', version: 1 }]);
      const writes = (await (
        await control(sim, 'GET', `/writes?channel_id=${channel.id}&message_id=${messageId}`)
      ).json()) as unknown[];
      expect(writes).toMatchObject([{ kind: 'edit', body: { content: 'edited' }, tokenLabel: 'token#1' }]);
      const requests = (await (await control(sim, 'GET', '/requests')).json()) as { route: string }[];
      expect(requests.map((entry) => entry.route)).toEqual([EDIT]);
      const stats = (await (await control(sim, 'GET', '/stats')).json()) as { requests: number; byStatus: unknown };
      expect(stats).toMatchObject({ requests: 1, byStatus: { 200: 1 } });
      const bucket = (await (
        await control(sim, 'GET', `/bucket?route=${encodeURIComponent(EDIT)}&major=${channel.id}`)
      ).json()) as unknown;
      expect(bucket).toMatchObject({ limit: 1, remaining: 0 });
      expect((await control(sim, 'DELETE', '/faults')).status).toBe(200);
      expect((await control(sim, 'POST', '/reset-stats')).status).toBe(200);
      expect(sim.getStats().requests).toBe(0);
    });

    it('answers 400 naming the field for bad control input and 404 for unknown control routes', async () => {
      const sim = await started();
      const bad = await control(sim, 'POST', '/limits', { route: EDIT, limit: -1, windowMs: 1000 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('`limit.limit`');
      const missing = await control(sim, 'POST', '/messages', { body: { content: 'x' } });
      expect(((await missing.json()) as { error: string }).error).toContain('`channel_id`');
      expect((await control(sim, 'GET', '/nothing')).status).toBe(404);
      expect(sim.getRequestLog()).toEqual([]);
    });
  });

  describe('fidelity with @discordjs/rest', () => {
    it('lets a plain REST client learn the bucket from its headers and pace itself', async () => {
      const sim = await started({ limits: { messageWrite: { limit: 3, windowMs: 400 } } });
      const channelId = sim.createChannel().id;
      const rest = restFor(sim);
      const seen: SeenResponse[] = [];
      rest.on(RESTEvents.Response, (request, response) => {
        seen.push({
          method: request.method,
          status: response.status,
          headers: Object.fromEntries(response.headers as unknown as Iterable<[string, string]>),
          body: undefined,
        });
      });

      const { id } = (await rest.post(`/channels/${channelId}/messages`, { body: { content: 'v0' } })) as {
        id: string;
      };
      for (let version = 1; version <= 7; version++) {
        await rest.patch(`/channels/${channelId}/messages/${id}`, { body: { content: `v${version}` } });
      }

      const hash = sim.getBucket(EDIT, channelId)!.hash;
      expect(seen.map((response) => response.status)).toEqual(Array(8).fill(200));
      expect(seen.map((response) => response.headers['x-ratelimit-remaining'])).toEqual([
        '2',
        '1',
        '0',
        '2',
        '1',
        '0',
        '2',
        '1',
      ]);
      for (const response of seen) {
        expect(response.headers['x-ratelimit-limit']).toBe('3');
        expect(response.headers['x-ratelimit-bucket']).toBe(hash);
        expect(Number(response.headers['x-ratelimit-reset-after'])).toBeGreaterThan(0);
        expect(Number(response.headers['x-ratelimit-reset-after'])).toBeLessThanOrEqual(0.4);
        expect(response.headers['x-ratelimit-reset']).toMatch(/^\d+\.\d{3}$/);
      }
      expect(rest.hashes.get('PATCH:/channels/:id/messages/:id')?.value).toBe(hash);
      expect(rest.hashes.get('POST:/channels/:id/messages')?.value).toBe(hash);
      expect(sim.getMessage(channelId, id)).toMatchObject({ content: 'v7', version: 7 });
      expect(sim.getStats().rateLimited.user).toBe(0);
    });

    it('shows a REST client a 429 with Discord exact body and headers', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const message = sim.seedMessage(channelId, { content: 'v0' });
      sim.setRouteLimit(EDIT, { limit: 2, windowMs: 700 });
      const path = `/api/v10/channels/${channelId}/messages/${message.id}`;
      const edit = (content: string): Promise<unknown> =>
        sim.handle({
          method: 'PATCH',
          path,
          headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ content }),
        });
      // Another process of the same bot used up the bucket.
      await Promise.all([edit('a'), edit('b')]);

      const rest = restFor(sim);
      const seen: SeenResponse[] = [];
      rest.on(RESTEvents.Response, (request, response) => {
        seen.push({
          method: request.method,
          status: response.status,
          headers: Object.fromEntries(response.headers as unknown as Iterable<[string, string]>),
          body: response.status === 429 ? (response.json() as Promise<unknown>) : undefined,
        });
      });
      await rest.patch(`/channels/${channelId}/messages/${message.id}`, { body: { content: 'from rest' } });

      expect(seen.map((response) => response.status)).toEqual([429, 200]);
      const limited = seen[0]!;
      const hash = sim.getBucket(EDIT, channelId)!.hash;
      expect(limited.headers).toMatchObject({
        'content-type': 'application/json',
        'retry-after': '1',
        'x-ratelimit-bucket': hash,
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-scope': 'user',
      });
      expect(limited.headers['x-ratelimit-global']).toBeUndefined();
      const body = (await limited.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['message', 'retry_after', 'global']);
      expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
      expect(body['retry_after']).toBeGreaterThan(0);
      expect(body['retry_after']).toBeLessThanOrEqual(0.7);
      expect(Number(limited.headers['x-ratelimit-reset-after'])).toBe(body['retry_after']);
      expect(rest.hashes.get('PATCH:/channels/:id/messages/:id')?.value).toBe(hash);
      expect(sim.getMessage(channelId, message.id)).toMatchObject({ content: 'from rest', version: 3 });
      expect(sim.getStats().rateLimited.user).toBe(1);
    });

    it('accepts multipart uploads from REST and lists the files as attachments', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const rest = restFor(sim);
      const sent = (await rest.post(`/channels/${channelId}/messages`, {
        body: { content: 'report attached ✓' },
        files: [{ name: 'report.txt', data: Buffer.from('hello world'), contentType: 'text/plain' }],
      })) as { id: string; content: string; attachments: { filename: string; size: number }[] };
      expect(sent.content).toBe('report attached ✓');
      expect(sent.attachments).toMatchObject([{ filename: 'report.txt', size: 11 }]);
      expect(sim.getMessage(channelId, sent.id)?.attachments).toHaveLength(1);
      expect(sim.getWrites({ messageId: sent.id })[0]?.body).toEqual({ content: 'report attached ✓' });
    });

    it('serves webhook and interaction routes to REST without a bot token', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const hook = sim.createWebhook(channelId);
      const rest = restFor(sim);
      const sent = (await rest.post(`/webhooks/${hook.id}/${hook.token}`, {
        body: { content: 'hook' },
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
      })) as { id: string; webhook_id: string };
      expect(sent.webhook_id).toBe(hook.id);
      const interaction = sim.createInteraction(channelId);
      await rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        body: { type: 4, data: { content: 'pong' } },
        auth: false,
      });
      const original = (await rest.get(
        `/webhooks/${interaction.applicationId}/${interaction.token}/messages/@original`,
        { auth: false },
      )) as { content: string };
      expect(original.content).toBe('pong');
      const log = JSON.stringify(sim.getRequestLog());
      expect(log).not.toContain(hook.token);
      expect(log).not.toContain(interaction.token);
    });
  });
});
