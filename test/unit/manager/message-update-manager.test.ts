import { describe, expect, it } from 'vitest';
import {
  DiscordAPIError,
  InvalidArgumentError,
  InvalidPayloadError,
  ManagerClosedError,
  MessageDeletedError,
  MessageUpdateManager,
  RetriesExhaustedError,
  TransportError,
  UnauthorizedError,
  UpdatePriority,
  InMemoryMetricsCollector,
  type RateLimitConfig,
} from '../../../src/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import type { TransportResponse } from '../../../src/transport/transport.js';
import { advanceBy, advanceUntilSettled } from '../../helpers/fake-clock-helpers.js';
import {
  CHANNEL,
  CHANNEL_2,
  MESSAGE,
  MESSAGE_2,
  ScriptedTransport,
  deferred,
  snowflake,
} from '../../helpers/scripted-transport.js';

function setup(config: Partial<RateLimitConfig> = {}, started = true) {
  const clock = new FakeClock(1_700_000_000_000);
  const transport = new ScriptedTransport(clock);
  const metrics = new InMemoryMetricsCollector();
  const manager = new MessageUpdateManager({ transport, clock, metrics, config, random: () => 0.5 });
  if (started) void manager.start();
  return { clock, transport, manager, metrics };
}

const ok = (id = MESSAGE): TransportResponse => ({ status: 200, headers: {}, body: { id } });

describe('MessageUpdateManager', () => {
  describe('coalescing', () => {
    it('merges queued edits of one message into one request with the newest body', async () => {
      const { clock, transport, manager } = setup({}, false);
      const first = manager.edit(CHANNEL, MESSAGE, { content: 'v1' });
      const second = manager.edit(CHANNEL, MESSAGE, { content: 'v2' });
      const third = manager.edit(CHANNEL, MESSAGE, { content: 'v3' });
      await manager.start();
      await clock.advance(0);
      expect(transport.requests).toHaveLength(1);
      expect(transport.requests[0]!.body).toEqual({ content: 'v3' });
      expect((await first).outcome).toBe('coalesced');
      expect((await second).outcome).toBe('coalesced');
      expect((await third).outcome).toBe('sent');
    });

    it('keeps at most one follow-up behind an edit in flight, with the newest body', async () => {
      const { clock, transport, manager } = setup();
      const gate = deferred<TransportResponse>();
      transport.handler = (request, index) => (index === 0 ? gate.promise : transport.discord(request));
      const inFlight = manager.edit(CHANNEL, MESSAGE, { content: 'a' });
      await clock.advance(0);
      const queued = [2, 3, 4, 5].map((n) => manager.edit(CHANNEL, MESSAGE, { content: `v${n}` }));
      await clock.advance(0);
      expect(transport.requests).toHaveLength(1);
      gate.resolve(transport.discord({ method: 'PATCH', path: `/channels/${CHANNEL}/messages/${MESSAGE}` }));
      await clock.advance(0);
      expect(transport.requests.map((r) => r.body)).toEqual([{ content: 'a' }, { content: 'v5' }]);
      expect((await inFlight).outcome).toBe('sent');
      expect((await Promise.all(queued)).map((r) => r.outcome)).toEqual([
        'coalesced',
        'coalesced',
        'coalesced',
        'sent',
      ]);
    });

    it('folds edits made before a keyed create is sent into that create', async () => {
      const { clock, transport, manager } = setup({}, false);
      const create = manager.create(CHANNEL, { content: 'draft' }, { key: 'board' });
      const sync = manager.sync('board', CHANNEL, { content: 'final' });
      await manager.start();
      await clock.advance(0);
      expect(transport.paths()).toEqual([`POST /channels/${CHANNEL}/messages`]);
      expect(transport.requests[0]!.body).toMatchObject({ content: 'final', enforce_nonce: true });
      expect(typeof (transport.requests[0]!.body as { nonce: unknown }).nonce).toBe('string');
      expect((await create).outcome).toBe('coalesced');
      const result = await sync;
      expect(result.outcome).toBe('sent');
      expect(result.messageId).toMatch(/^\d{17,20}$/);
      expect(manager.getManagedMessageId('board')).toBe(result.messageId);
    });

    it('edits a managed message once it exists, and skips unchanged content', async () => {
      const { clock, transport, manager } = setup();
      const created = await advanceUntilSettled(clock, manager.sync('k', CHANNEL, { content: 'one' }));
      const edited = await advanceUntilSettled(clock, manager.sync('k', CHANNEL, { content: 'two' }));
      const same = await advanceUntilSettled(clock, manager.sync('k', CHANNEL, { content: 'two' }));
      expect(created.kind).toBe('create');
      expect(edited).toMatchObject({ kind: 'edit', outcome: 'sent', messageId: created.messageId });
      expect(same.outcome).toBe('skipped');
      expect(transport.paths()).toEqual([
        `POST /channels/${CHANNEL}/messages`,
        `PATCH /channels/${CHANNEL}/messages/${created.messageId}`,
      ]);
    });

    it('cancels pending edits when the message is deleted and refuses edits afterwards', async () => {
      const { clock, transport, manager } = setup({}, false);
      const edit = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      const del = manager.delete(CHANNEL, MESSAGE);
      await expect(manager.edit(CHANNEL, MESSAGE, { content: 'y' })).rejects.toBeInstanceOf(MessageDeletedError);
      await manager.start();
      await clock.advance(0);
      expect((await edit).outcome).toBe('cancelled');
      expect((await del).outcome).toBe('sent');
      expect(transport.paths()).toEqual([`DELETE /channels/${CHANNEL}/messages/${MESSAGE}`]);
      const late = manager.edit(CHANNEL, MESSAGE, { content: 'z' });
      await expect(late).rejects.toThrow(/deleted through this manager/);
      expect(transport.requests).toHaveLength(1);
    });

    it('skips an edit identical to what Discord last acknowledged, with zero requests', async () => {
      const { clock, transport, manager, metrics } = setup();
      await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: 'same', embeds: [{ title: 't' }] }));
      const again = await advanceUntilSettled(
        clock,
        manager.edit(CHANNEL, MESSAGE, { embeds: [{ title: 't' }], content: 'same' }),
      );
      expect(again.outcome).toBe('skipped');
      expect(transport.requests).toHaveLength(1);
      expect(metrics.getMetrics().skipped).toBe(1);
    });

    it('skips at send time when the merged body ends equal to the acknowledged one', async () => {
      const { clock, transport, manager } = setup();
      const gate = deferred<TransportResponse>();
      transport.handler = (request, index) => (index === 0 ? gate.promise : transport.discord(request));
      manager.edit(CHANNEL, MESSAGE, { content: 'A' });
      await clock.advance(0);
      const b = manager.edit(CHANNEL, MESSAGE, { content: 'B' });
      const a = manager.edit(CHANNEL, MESSAGE, { content: 'A' });
      gate.resolve(ok());
      await clock.advance(0);
      expect(transport.requests).toHaveLength(1);
      expect((await b).outcome).toBe('coalesced');
      expect((await a).outcome).toBe('skipped');
    });

    it('expires an update whose deadline passes before it can be sent', async () => {
      const { clock, transport, manager } = setup();
      transport.limit = 1;
      await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: '1' }));
      const late = manager.edit(CHANNEL, MESSAGE_2, { content: '2' }, { deadlineMs: 1000 });
      await clock.advance(1000);
      expect((await late).outcome).toBe('expired');
      await clock.advance(10_000);
      expect(transport.requests).toHaveLength(1);
    });
  });

  describe('priority', () => {
    it('sends higher priorities first when capacity is short', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 1 }, false);
      const channels = [snowflake(), snowflake(), snowflake()];
      manager.edit(channels[0]!, snowflake(), { content: 'low' }, { priority: UpdatePriority.Low });
      manager.edit(channels[1]!, snowflake(), { content: 'normal' });
      manager.edit(channels[2]!, snowflake(), { content: 'critical' }, { priority: UpdatePriority.Critical });
      await manager.start();
      await clock.advance(5000);
      expect(transport.requests.map((r) => (r.body as { content: string }).content)).toEqual([
        'critical',
        'normal',
        'low',
      ]);
    });

    it('ages waiting updates so a Low one eventually goes before fresh Normal ones', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 1, priorityAgingMs: 2000 });
      // Keep the global window busy with a stream of Normal updates; the Low one must not starve.
      manager.edit(snowflake(), snowflake(), { content: 'first' });
      await clock.advance(0);
      manager.edit(snowflake(), snowflake(), { content: 'low' }, { priority: UpdatePriority.Low });
      for (let i = 0; i < 6; i++) {
        manager.edit(snowflake(), snowflake(), { content: `normal-${i}` });
        await clock.advance(1000);
      }
      await clock.advance(10_000);
      const order = transport.requests.map((r) => (r.body as { content: string }).content);
      expect(order.indexOf('low')).toBeGreaterThan(0);
      expect(order.indexOf('low')).toBeLessThan(order.indexOf('normal-5'));
    });

    it('keeps creates in one channel in enqueue order, whatever their priority', async () => {
      const { clock, transport, manager } = setup({}, false);
      const handles = ['a', 'b', 'c'].map((content, i) =>
        manager.create(CHANNEL, { content }, { priority: i === 2 ? UpdatePriority.Critical : UpdatePriority.Low }),
      );
      await manager.start();
      await clock.advance(0);
      expect(transport.requests.map((r) => (r.body as { content: string }).content)).toEqual(['a', 'b', 'c']);
      const ids = (await Promise.all(handles)).map((r) => BigInt(r.messageId!));
      expect(ids[1]!).toBeGreaterThan(ids[0]!);
      expect(ids[2]!).toBeGreaterThan(ids[1]!);
    });
  });

  describe('rate limits', () => {
    it('sends a lone update on an idle bucket at once', async () => {
      const { clock, transport, manager } = setup();
      const start = clock.now();
      manager.edit(CHANNEL, MESSAGE, { content: 'now' });
      await clock.advance(0);
      expect(transport.requests).toHaveLength(1);
      expect(transport.requests[0]!.at).toBe(start);
    });

    it('sends one request at a time to an unknown bucket, then uses what the headers allow', async () => {
      const { clock, transport, manager } = setup();
      const gate = deferred<TransportResponse>();
      transport.handler = (request, index) =>
        index === 0 ? gate.promise.then(() => transport.discord(request)) : transport.discord(request);
      for (let i = 0; i < 4; i++) manager.edit(CHANNEL, snowflake(), { content: String(i) });
      await clock.advance(0);
      expect(transport.requests).toHaveLength(1);
      gate.resolve(ok());
      await clock.advance(0);
      expect(transport.requests).toHaveLength(4);
      expect(transport.rateLimited429s).toBe(0);
    });

    it('never sends into an exhausted bucket and resumes when it resets', async () => {
      const { clock, transport, manager } = setup();
      transport.limit = 2;
      transport.windowMs = 1000;
      const handles = Array.from({ length: 6 }, (_, i) => manager.edit(CHANNEL, snowflake(), { content: String(i) }));
      await clock.advance(0);
      expect(transport.requests).toHaveLength(2);
      await clock.advance(999);
      expect(transport.requests).toHaveLength(2);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(4);
      await clock.advance(1000);
      expect((await Promise.all(handles)).filter((r) => r.outcome !== 'sent')).toEqual([]);
      expect(transport.rateLimited429s).toBe(0);
    });

    it('applies the global limit pre-emptively across buckets', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 3 });
      for (let i = 0; i < 7; i++) manager.edit(snowflake(), snowflake(), { content: String(i) });
      await clock.advance(0);
      expect(transport.requests).toHaveLength(3);
      await clock.advance(999);
      expect(transport.requests).toHaveLength(3);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(6);
      await clock.advance(1000);
      expect(transport.requests).toHaveLength(7);
    });

    it('obeys a user-scope 429 for its bucket without using up a retry', async () => {
      const { clock, transport, manager, metrics } = setup({ maxRetries: 0 });
      transport.handler = (request, index) =>
        index === 0
          ? {
              status: 429,
              headers: { ...transport.headers(0, 2), 'x-ratelimit-scope': 'user' },
              body: { message: 'You are being rate limited.', retry_after: 2, global: false },
            }
          : transport.discord(request);
      const events: string[] = [];
      manager.on('rateLimited', (e) => events.push(`${e.scope}:${e.retryAfterMs}`));
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(1999);
      expect(transport.requests).toHaveLength(1);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(2);
      expect((await handle).outcome).toBe('sent');
      expect((await handle).attempts).toBe(2);
      expect(events).toEqual(['user:2000']);
      expect(metrics.getMetrics()).toMatchObject({ retries: 0, rateLimitHits: 1, rateLimitHitsByScope: { user: 1 } });
    });

    it('pauses every bucket after a global 429', async () => {
      const { clock, transport, manager } = setup();
      transport.handler = (request, index) =>
        index === 0
          ? {
              status: 429,
              headers: { 'retry-after': '1', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
              body: { message: 'You are being rate limited.', retry_after: 0.5, global: true },
            }
          : transport.discord(request);
      manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(0);
      manager.edit(CHANNEL_2, MESSAGE_2, { content: 'y' });
      await clock.advance(499);
      expect(transport.requests).toHaveLength(1);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(3);
    });

    it('learns a global limit lower than configured from a global 429, reports it, and probes upward later', async () => {
      const { clock, transport, manager, metrics } = setup(); // configured: 50 requests/s
      transport.limit = 10_000;
      // The server allows 10 requests per fixed one-second window, whatever the client thinks.
      let windowStart = -Infinity;
      let used = 0;
      const global429At: number[] = [];
      transport.handler = (request) => {
        const now = clock.now();
        if (now >= windowStart + 1000) {
          windowStart = now;
          used = 0;
        }
        if (used >= 10) {
          global429At.push(now);
          const retryAfter = (windowStart + 1000 - now) / 1000;
          return {
            status: 429,
            headers: { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global', 'retry-after': '1' },
            body: { message: 'You are being rate limited.', retry_after: retryAfter, global: true },
          };
        }
        used++;
        return transport.discord(request);
      };
      const changes: { limit: number; previous: number; change: string }[] = [];
      manager.on('globalLimitChanged', ({ limit, previous, change }) => changes.push({ limit, previous, change }));
      const handles = Array.from({ length: 60 }, () => manager.edit(snowflake(), snowflake(), { content: 'x' }));
      await advanceBy(clock, 8000, 10);
      // The server counted the 10 requests it answered in that window: ceil(10 × 0.95) = 10.
      expect(changes[0]).toEqual({ limit: 10, previous: 50, change: 'lowered' });
      // The only 429s are those of requests already on the wire when the first came back (one pass's batch).
      expect(new Set(global429At)).toEqual(new Set([clock.now() - 8000]));
      expect(manager.getStats().globalLimit).toBe(10);
      expect(metrics.getMetrics()).toMatchObject({ globalLimit: 10, globalLimitChanges: 1 });
      expect((await Promise.all(handles)).filter((result) => result.outcome !== 'sent')).toEqual([]);
      // Ten seconds without a global 429: one more request per second is tried.
      await clock.advance(2000);
      manager.edit(snowflake(), snowflake(), { content: 'y' });
      await clock.advance(0);
      expect(changes.at(-1)).toEqual({ limit: 11, previous: 10, change: 'raised' });
    });

    it('does not count shared-scope 429s against the invalid-request budget', async () => {
      const { clock, transport, manager } = setup();
      transport.handler = (request, index) =>
        index === 0
          ? {
              status: 429,
              headers: { ...transport.headers(3, 1), 'x-ratelimit-scope': 'shared' },
              body: { message: 'The resource is being rate limited.', retry_after: 1, global: false },
            }
          : transport.discord(request);
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(1000);
      expect((await handle).outcome).toBe('sent');
      expect(manager.getStats().invalidRequestBudgetRemaining).toBe(10_000);
    });

    it('never crosses the invalid-request budget and warns before it is reached', async () => {
      const { clock, transport, manager } = setup({ invalidRequestLimit: 5, invalidRequestWindowMs: 60_000 });
      transport.handler = () => ({ status: 403, headers: {}, body: { message: 'Missing Access', code: 50001 } });
      const warnings: number[] = [];
      manager.on('invalidRequestWarning', (e) => warnings.push(e.count));
      const handles = Array.from({ length: 8 }, () => manager.edit(snowflake(), snowflake(), { content: 'x' }));
      await clock.advance(1000);
      expect(transport.requests).toHaveLength(5);
      expect(warnings).toEqual([4]);
      await clock.advance(59_000);
      expect(transport.requests).toHaveLength(8);
      for (const handle of handles) await expect(handle).rejects.toBeInstanceOf(DiscordAPIError);
    });
    it('keeps the invalid-request budget for channels whose requests are valid: a forbidden one cannot use it up', async () => {
      const { clock, transport, manager } = setup({ invalidRequestLimit: 20, invalidRequestWindowMs: 60_000 });
      transport.limit = 1000;
      const forbidden = snowflake();
      transport.handler = (request) =>
        request.path.startsWith(`/channels/${forbidden}/`)
          ? { status: 403, headers: {}, body: { message: 'Missing Permissions', code: 50013 } }
          : transport.discord(request);
      const bad = Array.from({ length: 30 }, () => manager.edit(forbidden, snowflake(), { content: 'x' }));
      const settledBad = bad.map((handle) =>
        handle.then(
          () => 'sent',
          () => 'failed',
        ),
      );
      await clock.advance(1000);
      const toForbidden = () => transport.requests.filter((r) => r.path.startsWith(`/channels/${forbidden}/`)).length;
      // 10% of the budget per channel: 2 of 20, then the channel waits for its answers to age out.
      expect(toForbidden()).toBe(2);
      const good = Array.from({ length: 15 }, () => manager.edit(snowflake(), snowflake(), { content: 'ok' }));
      for (const handle of good) expect((await advanceUntilSettled(clock, handle)).outcome).toBe('sent');
      expect(toForbidden()).toBe(2);
      expect(manager.getStats().invalidRequestBudgetRemaining).toBe(18);
      // Held, not failed: once the window passes the channel is tried again, 2 at a time.
      await clock.advance(60_000);
      expect(toForbidden()).toBe(4);
      await clock.advance(15 * 60_000);
      expect(await Promise.all(settledBad)).toEqual(bad.map(() => 'failed'));
    });
  });

  describe('retries and failures', () => {
    it('retries an isolated 5xx at once, then with exponential backoff as failures repeat', async () => {
      const { clock, transport, manager, metrics } = setup({ baseBackoffMs: 100, maxBackoffMs: 10_000 });
      transport.handler = (request, index) =>
        index < 3
          ? { status: 502, headers: {}, body: { message: 'Bad Gateway', code: 0 } }
          : transport.discord(request);
      const retries: number[] = [];
      manager.on('updateRetried', (e) => retries.push(e.delayMs));
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(0);
      expect(transport.requests).toHaveLength(2); // the first retry does not wait
      await clock.advance(74);
      expect(transport.requests).toHaveLength(2);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(3);
      await clock.advance(149);
      expect(transport.requests).toHaveLength(3);
      await clock.advance(1);
      expect(transport.requests).toHaveLength(4);
      // Retry k ≥ 2 waits base × 2^(k-2), half of it fixed and half random (random() = 0.5 here).
      expect(retries).toEqual([0, 75, 150]);
      expect(await handle).toMatchObject({ outcome: 'sent', attempts: 4 });
      expect(metrics.getMetrics().retries).toBe(3);
    });

    it('caps the backoff at maxBackoffMs and rejects with RetriesExhaustedError carrying the cause', async () => {
      const { clock, transport, manager, metrics } = setup({ baseBackoffMs: 100, maxBackoffMs: 200, maxRetries: 4 });
      transport.handler = () => {
        throw new Error('socket hang up');
      };
      const delays: number[] = [];
      manager.on('updateRetried', (e) => delays.push(e.delayMs));
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(10_000);
      const error = await handle.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).attempts).toBe(5);
      expect((error as RetriesExhaustedError).cause).toBeInstanceOf(TransportError);
      expect(delays).toEqual([0, 75, 150, 150]); // the last one capped: 200 (not 400), half of it jittered
      expect(transport.requests).toHaveLength(5);
      expect(metrics.getMetrics().failedUpdates).toBe(1);
    });

    it('times out a request the transport never answers, aborts it, and retries it as a failure', async () => {
      const clock = new FakeClock(1_700_000_000_000);
      const signals: AbortSignal[] = [];
      const transport = {
        request: (request: { signal?: AbortSignal }) => {
          signals.push(request.signal!);
          return new Promise<TransportResponse>(() => undefined); // never answers
        },
      };
      const manager = new MessageUpdateManager({
        transport,
        clock,
        random: () => 0.5,
        requestTimeoutMs: 1000,
        config: { maxRetries: 1, baseBackoffMs: 100 },
      });
      await manager.start();
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      const settled = handle.then(
        () => undefined,
        (e: unknown) => e,
      );
      await clock.advance(999);
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(false);
      const error = await advanceUntilSettled(clock, settled);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).cause).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/no answer within 1000 ms \(requestTimeoutMs\)/);
      expect(signals).toHaveLength(2);
      expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
      await manager.stop();
    });

    it('keeps backing off with a random source that returns NaN', async () => {
      const clock = new FakeClock(1_700_000_000_000);
      const transport = new ScriptedTransport(clock, () => ({ status: 500, headers: {}, body: undefined }));
      const manager = new MessageUpdateManager({
        transport,
        clock,
        random: () => Number.NaN,
        config: { baseBackoffMs: 100, maxRetries: 3 },
      });
      await manager.start();
      const delays: number[] = [];
      manager.on('updateRetried', (e) => delays.push(e.delayMs));
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await advanceUntilSettled(
        clock,
        handle.then(
          () => undefined,
          () => undefined,
        ),
      );
      expect(delays).toEqual([0, 75, 150]); // as with random() = 0.5
      await manager.stop();
    });

    it('slows every request down while failures cluster, loses nothing, and returns to full speed after', async () => {
      const { clock, transport, manager } = setup(); // 50 requests/s global
      transport.limit = 10_000; // only the global limit binds
      let storm = true;
      // Half of the answers fail (alternately) while the storm lasts.
      transport.handler = (request, index) =>
        storm && index % 2 === 1 ? { status: 500, headers: {}, body: undefined } : transport.discord(request);
      const channels = Array.from({ length: 10 }, () => snowflake());
      const handles = Array.from({ length: 300 }, (_, i) =>
        manager.edit(channels[i % 10]!, snowflake(), { content: `item ${i}` }),
      );
      const sentIn = async (ms: number): Promise<number> => {
        const before = transport.requests.length;
        await advanceBy(clock, ms, 10);
        return transport.requests.length - before;
      };
      const stormSeconds = [await sentIn(1000), await sentIn(1000)];
      storm = false;
      await sentIn(1000); // the storm's failures age out of the failure policy's one-second window
      const after = await sentIn(1000);
      // Without the policy the manager sends 50/s whatever the answers; in the storm it paces to the success ratio.
      expect(stormSeconds[1]).toBeGreaterThan(15);
      expect(stormSeconds[1]).toBeLessThan(35);
      expect(after).toBe(50);
      for (let t = 0; t < 20 && (manager.getStats().queueSize > 0 || manager.getStats().inFlight > 0); t++) {
        await sentIn(1000);
      }
      const results = await Promise.all(handles);
      expect(results.filter((result) => result.outcome !== 'sent')).toEqual([]);
    });

    it('sends only spaced probes while nothing succeeds, then delivers everything', async () => {
      const { clock, transport, manager } = setup({ baseBackoffMs: 100, maxBackoffMs: 1000 });
      transport.limit = 10_000;
      let down = true;
      transport.handler = (request) =>
        down ? { status: 503, headers: {}, body: undefined } : transport.discord(request);
      const handles = Array.from({ length: 20 }, () => manager.edit(snowflake(), snowflake(), { content: 'x' }));
      await advanceBy(clock, 5000, 10);
      // Without the policy each of the 20 updates would be tried 6 times within about 2 s (and fail for good).
      const duringOutage = transport.requests.length;
      expect(duringOutage).toBeLessThan(20);
      down = false;
      const results = await Promise.all(handles.map((handle) => advanceUntilSettled(clock, handle)));
      expect(results.filter((result) => result.outcome !== 'sent')).toEqual([]);
    });

    it('fails at once on 400, 403 and 404 without retrying', async () => {
      for (const status of [400, 403, 404]) {
        const { clock, transport, manager } = setup();
        transport.handler = () => ({ status, headers: {}, body: { message: 'nope', code: 10008 } });
        const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
        await clock.advance(60_000);
        await expect(handle).rejects.toMatchObject({ name: 'DiscordAPIError', status });
        expect(transport.requests).toHaveLength(1);
      }
    });

    it('re-creates a managed message that Discord says is gone', async () => {
      const { clock, transport, manager } = setup();
      const first = await advanceUntilSettled(clock, manager.sync('item', CHANNEL, { content: 'v1' }));
      transport.handler = (request) =>
        request.method === 'PATCH'
          ? { status: 404, headers: {}, body: { message: 'Unknown Message', code: 10008 } }
          : transport.discord(request);
      const recreated: string[] = [];
      manager.on('messageRecreated', (e) => recreated.push(e.previousMessageId));
      const second = await advanceUntilSettled(clock, manager.sync('item', CHANNEL, { content: 'v2' }));
      expect(second.kind).toBe('create');
      expect(second.outcome).toBe('sent');
      expect(second.messageId).not.toBe(first.messageId);
      expect(recreated).toEqual([first.messageId]);
      expect(manager.getManagedMessageId('item')).toBe(second.messageId);
      expect(transport.requests.at(-1)!.body).toMatchObject({ content: 'v2' });
    });

    it('stops all sending on 401 and rejects everything queued with UnauthorizedError', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 1 });
      transport.handler = () => ({ status: 401, headers: {}, body: { message: '401: Unauthorized', code: 0 } });
      const errors: Error[] = [];
      manager.on('unauthorized', (e) => errors.push(e));
      const handles = [
        manager.edit(CHANNEL, MESSAGE, { content: 'a' }),
        manager.edit(CHANNEL_2, MESSAGE_2, { content: 'b' }),
      ];
      await clock.advance(5000);
      for (const handle of handles) await expect(handle).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(manager.edit(CHANNEL, snowflake(), { content: 'c' })).rejects.toBeInstanceOf(UnauthorizedError);
      expect(transport.requests).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(/token is invalid/);
    });

    it('treats a 404 on delete as done', async () => {
      const { clock, transport, manager } = setup();
      transport.handler = () => ({ status: 404, headers: {}, body: { message: 'Unknown Message', code: 10008 } });
      expect((await advanceUntilSettled(clock, manager.delete(CHANNEL, MESSAGE))).outcome).toBe('sent');
    });
  });

  describe('input validation', () => {
    it('rejects ids that are not snowflakes before anything is queued', () => {
      const { manager, transport } = setup();
      expect(() => manager.edit('123', MESSAGE, { content: 'x' })).toThrow(InvalidArgumentError);
      expect(() => manager.edit(CHANNEL, 'abc', { content: 'x' })).toThrow(/`messageId` to be a Discord snowflake/);
      expect(() => manager.delete(CHANNEL, '1e18')).toThrow(InvalidArgumentError);
      expect(transport.requests).toHaveLength(0);
      expect(manager.getStats().queueSize).toBe(0);
    });

    it('rejects bodies over Discord limits with the field path', () => {
      const { manager } = setup();
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: 'x'.repeat(2001) })).toThrow(InvalidPayloadError);
      expect(() =>
        manager.edit(CHANNEL, MESSAGE, { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }),
      ).toThrow(/embeds/);
      expect(() => manager.create(CHANNEL, {})).toThrow(InvalidPayloadError);
    });

    it('rejects keys and bodies that are not well-formed Unicode at enqueue, naming the field', () => {
      const { manager, transport } = setup();
      const cut = '📋 board'.slice(0, 1); // half of the emoji: an unpaired surrogate
      expect(() => manager.sync(`board${cut}`, CHANNEL, { content: 'x' })).toThrow(InvalidArgumentError);
      expect(() => manager.create(CHANNEL, { content: 'x' }, { key: `k${cut}` })).toThrow(/no unpaired surrogate/);
      const error = (() => {
        try {
          manager.edit(CHANNEL, MESSAGE, { embeds: [{ title: 'ok', fields: [{ name: `n${cut}`, value: 'v' }] }] });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect(error).toMatchObject({ path: 'embeds[0].fields[0].name', actual: 1, limit: 0 });
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: `a${'\uDC00'}` })).toThrow(/`content`/);
      // Whole pairs and, without a repository that refuses them, NUL characters are fine.
      expect(() => manager.sync('📋 board', CHANNEL, { content: 'a\u0000b 👍' })).not.toThrow();
      expect(manager.getStats().queueSize).toBe(1);
      expect(transport.requests).toHaveLength(0);
    });

    it('refuses bodies that cannot be serialised or have fields of the wrong type at enqueue, with no orphan target', async () => {
      const { clock, manager, transport } = setup();
      const thrown = (call: () => unknown) => {
        try {
          call();
        } catch (caught) {
          return caught;
        }
        return undefined;
      };
      // After an acknowledged edit of the message, as in the probe that found a raw RangeError.
      await advanceUntilSettled(clock, manager.edit(CHANNEL, MESSAGE, { content: 'sent' }));
      const deep = (levels: number): Record<string, unknown> => {
        let value: Record<string, unknown> = {};
        for (let i = 0; i < levels; i++) value = { a: value };
        return value;
      };
      const circular: Record<string, unknown> = { title: 'loop' };
      circular['author'] = { name: 'a', self: circular };
      const cases: [unknown, string, RegExp][] = [
        [{ embeds: [circular] }, 'embeds[0].author.self', /refers back/],
        [{ content: 'x', flags: 4n }, 'flags', /BigInt/],
        [{ content: 42 }, 'content', /to be a string, got `42` \(number\)/],
        [{ embeds: { title: 'not an array' } }, 'embeds', /an array/],
        [{ embeds: [{ fields: [{ name: 'n' }] }] }, 'embeds[0].fields[0].value', /a string, got `undefined`/],
        [{ embeds: [{ color: 1.5 }] }, 'embeds[0].color', /an integer/],
        [{ components: [{ components: [] }] }, 'components[0].type', /ComponentType/],
        [{ content: 'x', allowed_mentions: deep(5000) }, `allowed_mentions${'.a'.repeat(63)}`, /at most 64 levels/],
      ];
      for (const [body, path, message] of cases) {
        const error = thrown(() => manager.edit(CHANNEL, MESSAGE_2, body as never));
        expect(error, path).toBeInstanceOf(InvalidPayloadError);
        expect(error, path).toMatchObject({ path });
        expect((error as Error).message, path).toMatch(message);
        expect(
          thrown(() => manager.edit(CHANNEL, MESSAGE, body as never)),
          path,
        ).toBeInstanceOf(InvalidPayloadError);
      }
      expect(manager.getStats().queueSize).toBe(0);
      expect(transport.requests).toHaveLength(1);
      const token = `${'M'.repeat(24)}.${'a'.repeat(6)}.${'b'.repeat(27)}`;
      const named = thrown(() => manager.edit(CHANNEL, MESSAGE, { content: 'x', poll: { [token]: 1n } } as never));
      expect((named as InvalidPayloadError).path).toBe('poll.[token]');
      expect((named as Error).message).not.toContain(token);
      // null clears a field in an edit: it is a valid type.
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: 'x', embeds: null as never })).not.toThrow();
    });

    it('sends the body as it was at enqueue: later changes to the object passed in change nothing', async () => {
      const { clock, manager, transport } = setup({}, false);
      const body = { content: 'as enqueued', embeds: [{ title: 'kept' }] };
      const handle = manager.edit(CHANNEL, MESSAGE, body);
      body.content = 'x'.repeat(5000); // would break the 2000-character limit had it been kept by reference
      body.embeds[0]!.title = 'changed';
      await manager.start();
      expect((await advanceUntilSettled(clock, handle)).outcome).toBe('sent');
      expect(transport.requests[0]!.body).toEqual({ content: 'as enqueued', embeds: [{ title: 'kept' }] });
    });

    it('sends what builders serialise to (toJSON), checked as sent', () => {
      const { manager } = setup({}, false);
      const builder = { toJSON: () => ({ title: 't'.repeat(300) }) };
      expect(() => manager.edit(CHANNEL, MESSAGE, { embeds: [builder] as never })).toThrow(/embeds\[0\]\.title/);
      const typed = { toJSON: () => ({ title: 7 }) };
      expect(() => manager.edit(CHANNEL, MESSAGE, { embeds: [typed] as never })).toThrow(/to be a string/);
    });

    it('rejects bad options and keys', () => {
      const { manager } = setup();
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: 'x' }, { priority: 7 as never })).toThrow(/priority/);
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: 'x' }, { deadlineMs: -5 })).toThrow(/deadlineMs/);
      expect(() => manager.sync('', CHANNEL, { content: 'x' })).toThrow(/key/);
    });

    it('rejects out-of-range manager options, naming the field, value and range', () => {
      const transport = { request: async () => ({ status: 200, headers: {}, body: {} }) };
      expect(() => new MessageUpdateManager({ transport, leaseMs: 10 })).toThrow(
        /`leaseMs` to be an integer from 1,000 to 3,600,000, got `10` \(number\)/,
      );
      expect(() => new MessageUpdateManager({ transport, outboxPollIntervalMs: -1 })).toThrow(/outboxPollIntervalMs/);
      expect(() => new MessageUpdateManager({ transport, rateLimitReservationTtlMs: 1.5 })).toThrow(
        /rateLimitReservationTtlMs/,
      );
      expect(() => new MessageUpdateManager({ transport, maxRememberedMessages: Number.NaN })).toThrow(
        /maxRememberedMessages/,
      );
    });

    it('checks injected contracts and option names at construction, not later in a timer', () => {
      const transport = { request: async () => ({ status: 200, headers: {}, body: {} }) };
      expect(() => new MessageUpdateManager({ transport, clock: {} as never })).toThrow(
        /`clock` to be a Clock .*Missing: now, setTimeout, clearTimeout/,
      );
      expect(() => new MessageUpdateManager({ transport, metrics: {} as never })).toThrow(
        /`metrics`.*Missing: bindGauges/,
      );
      expect(() => new MessageUpdateManager({ transport, random: 0.5 as never })).toThrow(/`random`/);
      expect(() => new MessageUpdateManager({ transport, leasMs: 5000 } as never)).toThrow(/`leasMs`.*Unknown option/);
      expect(() => new MessageUpdateManager({ transport, requestTimeoutMs: 10 })).toThrow(/requestTimeoutMs/);
    });

    it('refuses the all-zero snowflake', () => {
      const { manager } = setup();
      expect(() => manager.edit('00000000000000000', MESSAGE, { content: 'x' })).toThrow(/not starting with 0/);
    });

    it('requires exactly one of rest and transport', () => {
      expect(() => new MessageUpdateManager({})).toThrow(/exactly one/);
    });
  });

  describe('stop', () => {
    it('settles every pending handle as cancelled with drain: false, and nothing hangs', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 1 });
      const gate = deferred<TransportResponse>();
      transport.handler = (request, index) => (index === 0 ? gate.promise : transport.discord(request));
      const inFlight = manager.edit(snowflake(), snowflake(), { content: 'a' });
      const queued = Array.from({ length: 5 }, () => manager.edit(snowflake(), snowflake(), { content: 'b' }));
      await clock.advance(0);
      const stopped = manager.stop({ drain: false });
      for (const handle of queued) expect((await handle).outcome).toBe('cancelled');
      gate.resolve(ok());
      await stopped;
      expect((await inFlight).outcome).toBe('sent');
      expect(() => manager.edit(CHANNEL, MESSAGE, { content: 'x' })).toThrow(ManagerClosedError);
    });

    it('drains the queue with drain: true', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 2 });
      const handles = Array.from({ length: 5 }, () => manager.edit(snowflake(), snowflake(), { content: 'x' }));
      const stopped = manager.stop({ drain: true });
      await clock.advance(5000);
      await stopped;
      expect((await Promise.all(handles)).filter((r) => r.outcome !== 'sent')).toEqual([]);
      expect(transport.requests).toHaveLength(5);
    });

    it('joins a second stop() to the first: it waits for the drain and cancels nothing', async () => {
      const { clock, transport, manager } = setup({ globalRequestsPerSecond: 5 });
      const handles = Array.from({ length: 15 }, () => manager.edit(snowflake(), snowflake(), { content: 'x' }));
      let firstDone = false;
      let secondDone = false;
      const first = manager.stop().then(() => void (firstDone = true));
      // Two shutdown hooks (SIGINT and SIGTERM); the later one asks not to drain, the first one's drain holds.
      const second = manager.stop({ drain: false }).then(() => void (secondDone = true));
      await clock.advance(1000);
      expect({ firstDone, secondDone }).toEqual({ firstDone: false, secondDone: false });
      await clock.advance(5000);
      await Promise.all([first, second]);
      expect((await Promise.all(handles)).map((result) => result.outcome)).toEqual(handles.map(() => 'sent'));
      expect(transport.requests).toHaveLength(15);
      await manager.stop(); // after it stopped: resolves at once
    });

    it('cancels retries waiting for their backoff when stopped without draining', async () => {
      const { clock, transport, manager } = setup({ baseBackoffMs: 1000 });
      transport.handler = () => ({ status: 503, headers: {}, body: undefined });
      const handle = manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(0);
      await manager.stop({ drain: false });
      expect((await handle).outcome).toBe('cancelled');
    });
  });

  describe('metrics and stats', () => {
    it('measures update time from enqueue to acknowledgement and counts what happened', async () => {
      const { clock, transport, manager, metrics } = setup();
      transport.latencyMs = 40;
      manager.edit(CHANNEL, MESSAGE, { content: 'a' });
      manager.edit(CHANNEL, MESSAGE, { content: 'b' });
      manager.edit(CHANNEL, MESSAGE_2, { content: 'c' });
      expect(manager.getStats().queueSize).toBe(2);
      await clock.advance(0);
      // Same channel, bucket not yet known: one request at a time until the first answer.
      expect(manager.getStats()).toMatchObject({ queueSize: 1, inFlight: 1 });
      await clock.advance(40);
      await clock.advance(40);
      await manager.onIdle();
      const m = metrics.getMetrics();
      expect(m).toMatchObject({
        messagesUpdated: 2,
        coalesced: 1,
        failedUpdates: 0,
        apiCalls: 2,
        queueSize: 0,
        inFlight: 0,
      });
      expect(m.averageUpdateTimeMs).toBe(60);
      expect(m.p50UpdateTimeMs).toBe(40);
      expect(m.p99UpdateTimeMs).toBe(80);
      expect(m.invalidRequestBudgetRemaining).toBe(10_000);
      const bucket = manager.getStats().buckets.find((b) => b.bucket === `msgbucket:${CHANNEL}`);
      expect(bucket).toMatchObject({ limit: 5, remaining: 3 });
    });

    it('reports the current backoff while a retry waits', async () => {
      const { clock, transport, manager } = setup({ baseBackoffMs: 1000, maxBackoffMs: 60_000 });
      transport.handler = (request, index) =>
        index < 2 ? { status: 500, headers: {}, body: undefined } : transport.discord(request);
      manager.edit(CHANNEL, MESSAGE, { content: 'x' });
      await clock.advance(0);
      expect(manager.getStats().currentBackoffMs).toBe(750); // the second retry's wait
      await clock.advance(750);
      await manager.onIdle();
      expect(manager.getStats().currentBackoffMs).toBe(0);
    });
  });
});
