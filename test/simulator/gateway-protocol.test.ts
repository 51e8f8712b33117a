// The gateway protocol seen from a raw `ws` client: envelopes, close codes, RESUME, limits. Timers run on a FakeClock,
// so heartbeat timeouts, resume windows and identify limits are driven by `clock.advance`, not waited for.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { InvalidArgumentError } from '../../src/errors/message-update-error.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import {
  GatewayIntent,
  SimulatorGateway,
  type GatewayHost,
  type GatewayIdentity,
  type SimulatorGatewayOptions,
} from '../../src/testing/simulator/gateway/index.js';

const TOKEN = 'raw-gateway-token';
const OTHER_TOKEN = 'other-gateway-token';
const GUILD_A = '1180000000004194304';
const GUILD_B = '1180000000000000000';
const HEARTBEAT_MS = 1000;

function identityFor(label: string, applicationId: string, privilegedIntents = 0): GatewayIdentity {
  return { label, user: { id: applicationId, username: label, bot: true }, applicationId, privilegedIntents };
}

const BOT = identityFor('token#1', '1180000000000000042', GatewayIntent.MESSAGE_CONTENT);
const OTHER_BOT = identityFor('token#2', '1180000000000000043');

interface Envelope {
  readonly op: number;
  readonly d: unknown;
  readonly s: number | null;
  readonly t: string | null;
}

interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A raw gateway client: every message it got, in order, and its close. */
class RawClient {
  public readonly received: Envelope[] = [];
  public readonly closed: Promise<Closed>;
  readonly #socket: WebSocket;
  #cursor = 0;
  #isClosed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Envelope);
      this.#notify();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.#isClosed = true;
        resolve({ code, reason: reason.toString() });
        this.#notify();
      });
    });
  }

  public static async open(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    const client = new RawClient(socket);
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** The next message not read yet. */
  public async next(): Promise<Envelope> {
    while (this.#cursor >= this.received.length) {
      if (this.#isClosed) throw new Error(`socket closed with ${(await this.closed).code} before the next message`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.received[this.#cursor++]!;
  }

  /** Reads messages until one matches. */
  public async until(match: (envelope: Envelope) => boolean): Promise<Envelope> {
    for (;;) {
      const envelope = await this.next();
      if (match(envelope)) return envelope;
    }
  }

  public send(payload: unknown): void {
    this.#socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  public identify(d: Record<string, unknown> = {}): void {
    this.send({
      op: 2,
      d: { token: TOKEN, properties: { os: 'linux', browser: 'raw', device: 'raw' }, intents: 513, ...d },
    });
  }

  public resume(sessionId: string, seq: number | null, token = TOKEN): void {
    this.send({ op: 6, d: { token, session_id: sessionId, seq } });
  }

  /** Identifies and reads READY and the GUILD_CREATEs that follow (as many as `guilds`). */
  public async ready(d: Record<string, unknown> = {}, guilds = 2): Promise<Envelope> {
    this.identify(d);
    const ready = await this.until((envelope) => envelope.t === 'READY');
    for (let i = 0; i < guilds; i++) await this.until((envelope) => envelope.t === 'GUILD_CREATE');
    return ready;
  }

  public close(code?: number): void {
    this.#socket.close(code);
  }

  public terminate(): void {
    this.#socket.terminate();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

const clients: RawClient[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  readonly gateway: SimulatorGateway;
  readonly clock: FakeClock;
  readonly host: GatewayHost;
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  /** The URL with the query @discordjs/ws sends. */
  readonly connectUrl: string;
}

async function startGateway(
  options: Partial<Omit<SimulatorGatewayOptions, 'host' | 'url' | 'clock'>> & { host?: Partial<GatewayHost> } = {},
): Promise<Harness> {
  const { host: hostOverrides, ...gatewayOptions } = options;
  let port = 0;
  const clock = new FakeClock();
  const host: GatewayHost = {
    identify: (token) => (token === TOKEN ? BOT : token === OTHER_TOKEN ? OTHER_BOT : undefined),
    guildIds: () => [GUILD_A, GUILD_B],
    guildCreate: (_identity, guildId, intents, largeThreshold) => ({ id: guildId, intents, largeThreshold }),
    ...hostOverrides,
  };
  const gateway = new SimulatorGateway({
    clock,
    host,
    url: () => `ws://127.0.0.1:${port}/`,
    heartbeatIntervalMs: HEARTBEAT_MS,
    ...gatewayOptions,
  });
  const server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    await gateway.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `ws://127.0.0.1:${port}/`;
  return { gateway, clock, host, url, connectUrl: `${url}?v=10&encoding=json` };
}

/** Connects and reads HELLO. */
async function connect(harness: Harness): Promise<RawClient> {
  const client = await RawClient.open(harness.connectUrl);
  expect(await client.next()).toMatchObject({ op: 10 });
  return client;
}

/** Waits until the gateway has seen a socket go (its close event comes a moment after the client's). */
async function disconnected(harness: Harness, sessionId: string): Promise<void> {
  await vi.waitFor(() => expect(harness.gateway.sessions().find((s) => s.id === sessionId)?.connected).toBe(false));
}

function sessionIdOf(ready: Envelope): string {
  return (ready.d as { session_id: string }).session_id;
}

describe('SimulatorGateway protocol', () => {
  describe('handshake', () => {
    it('sends HELLO at once, in the op/d/s/t envelope, and ACKs heartbeats even before IDENTIFY', async () => {
      const harness = await startGateway();
      const client = await RawClient.open(harness.connectUrl);
      expect(await client.next()).toEqual({ op: 10, d: { heartbeat_interval: HEARTBEAT_MS }, s: null, t: null });
      client.send({ op: 1, d: null });
      expect(await client.next()).toEqual({ op: 11, d: null, s: null, t: null });
    });

    it('answers IDENTIFY with READY (s=1) and then one GUILD_CREATE per guild', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      client.identify({ shard: [0, 1], large_threshold: 100 });
      const ready = await client.next();
      expect(ready).toMatchObject({ op: 0, t: 'READY', s: 1 });
      expect(ready.d).toEqual({
        v: 10,
        user: BOT.user,
        guilds: [
          { id: GUILD_A, unavailable: true },
          { id: GUILD_B, unavailable: true },
        ],
        session_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        resume_gateway_url: harness.url,
        shard: [0, 1],
        application: { id: BOT.applicationId, flags: 0 },
      });
      expect(await client.next()).toEqual({
        op: 0,
        t: 'GUILD_CREATE',
        s: 2,
        d: { id: GUILD_A, intents: 513, largeThreshold: 100 },
      });
      expect(await client.next()).toMatchObject({ t: 'GUILD_CREATE', s: 3, d: { id: GUILD_B } });
      expect(harness.gateway.sessions()).toEqual([
        {
          id: sessionIdOf(ready),
          botLabel: 'token#1',
          applicationId: BOT.applicationId,
          intents: 513,
          shard: [0, 1],
          connected: true,
          lastSequence: 3,
          identifiedAt: harness.clock.now(),
          disconnectedAt: undefined,
          resumed: 0,
        },
      ]);
    });

    it('leaves out READY.shard when IDENTIFY had none, and sends no GUILD_CREATE without GUILDS', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      client.identify({ intents: GatewayIntent.GUILD_MESSAGES });
      const ready = await client.next();
      expect(ready.d).not.toHaveProperty('shard');
      harness.gateway.dispatch('TYPING_START', { payload: () => ({ marker: true }) });
      // The next dispatch after READY is the marker: no GUILD_CREATE came between them.
      expect(await client.next()).toMatchObject({ t: 'TYPING_START', s: 2 });
    });

    it('accepts v=9 and reports it in READY', async () => {
      const harness = await startGateway();
      const client = await RawClient.open(`${harness.url}?v=9&encoding=json`);
      expect(await client.next()).toMatchObject({ op: 10 });
      client.identify();
      expect(await client.next()).toMatchObject({ t: 'READY', d: { v: 9 } });
    });

    it.each([
      ['an unsupported version', '?v=5&encoding=json', 4012, 'Invalid API version'],
      ['no version', '?encoding=json', 4012, 'Invalid API version'],
      ['ETF encoding', '?v=10&encoding=etf', 4002, 'Decode error'],
      ['transport compression', '?v=10&encoding=json&compress=zlib-stream', 4002, 'Decode error'],
    ])('closes a connection asking for %s (%s) with %i, without HELLO', async (_what, query, code, reason) => {
      const harness = await startGateway();
      const client = await RawClient.open(`${harness.url}${query}`);
      expect(await client.closed).toEqual({ code, reason });
      expect(client.received).toEqual([]);
    });

    it('refuses upgrades on another path with 404, and every upgrade once closed with 503', async () => {
      const harness = await startGateway();
      await expect(RawClient.open(`${harness.url}elsewhere?v=10`)).rejects.toThrow('Unexpected server response: 404');
      await harness.gateway.close();
      await expect(RawClient.open(harness.connectUrl)).rejects.toThrow('Unexpected server response: 503');
    });
  });

  describe('close codes', () => {
    const properties = { os: 'linux', browser: 'raw', device: 'raw' };
    it.each<[string, (client: RawClient) => void, number]>([
      ['a payload before IDENTIFY', (client) => client.send({ op: 3, d: { status: 'online' } }), 4003],
      ['an unknown opcode', (client) => client.send({ op: 99, d: null }), 4001],
      ['a server-only opcode', (client) => client.send({ op: 10, d: null }), 4001],
      ['invalid JSON', (client) => client.send('{"op":1,'), 4002],
      ['a payload that is not an object', (client) => client.send([1, 2]), 4002],
      ['an opcode that is not an integer', (client) => client.send({ op: '1' }), 4002],
      ['a payload over 4096 bytes', (client) => client.send({ op: 1, d: null, padding: 'x'.repeat(4096) }), 4002],
      ['IDENTIFY with an unknown token', (client) => client.identify({ token: 'nope' }), 4004],
      ['IDENTIFY without properties', (client) => client.send({ op: 2, d: { token: TOKEN, intents: 1 } }), 4002],
      ['IDENTIFY with an undefined intent bit', (client) => client.identify({ intents: 1 << 17 }), 4013],
      ['IDENTIFY with negative intents', (client) => client.identify({ intents: -1 }), 4013],
      ['IDENTIFY without intents', (client) => client.send({ op: 2, d: { token: TOKEN, properties } }), 4013],
      ['IDENTIFY with a privileged intent not enabled', (client) => client.identify({ intents: 1 | 256 }), 4014],
      ['IDENTIFY with shard id = count', (client) => client.identify({ shard: [2, 2] }), 4010],
      ['IDENTIFY with 0 shards', (client) => client.identify({ shard: [0, 0] }), 4010],
      ['IDENTIFY with large_threshold 300', (client) => client.identify({ large_threshold: 300 }), 4002],
      ['RESUME with an unknown token', (client) => client.resume('abc', 0, 'nope'), 4004],
    ])('closes on %s', async (_what, act, code) => {
      const harness = await startGateway();
      const client = await connect(harness);
      act(client);
      expect((await client.closed).code).toBe(code);
      expect(harness.gateway.sessions()).toEqual([]);
      expect(harness.gateway.log().at(-1)).toMatchObject({ type: 'closed', code, by: 'server' });
    });

    it('accepts the just-allowed payload size, 4096 bytes', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const base = JSON.stringify({ op: 1, d: null, padding: '' });
      client.send(JSON.stringify({ op: 1, d: null, padding: 'x'.repeat(4096 - base.length) }));
      expect(await client.next()).toMatchObject({ op: 11 });
    });

    it('closes a second IDENTIFY with 4005, keeping the session resumable', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      client.identify();
      expect(await client.closed).toEqual({ code: 4005, reason: 'Already authenticated' });
      expect(harness.gateway.sessions()).toMatchObject([{ id: sessionIdOf(ready), connected: false }]);
    });

    it('closes with 4011 when the bot has more guilds than its shards may hold', async () => {
      const many = Array.from({ length: 2501 }, (_, i) => String(1180000000000000000n + BigInt(i) * 4194304n));
      const harness = await startGateway({ host: { guildIds: () => many } });
      const client = await connect(harness);
      client.identify({ shard: [0, 1] });
      expect((await client.closed).code).toBe(4011);
    });

    it('accepts presence updates once identified', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      await client.ready();
      client.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } });
      client.send({ op: 1, d: 3 });
      expect(await client.next()).toMatchObject({ op: 11 });
    });

    it('never puts the token in the log or a close reason', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      await client.ready();
      client.identify();
      const closed = await client.closed;
      const second = await connect(harness);
      second.identify({ token: `${TOKEN}-wrong` });
      const refused = await second.closed;
      const seen = JSON.stringify([harness.gateway.log(), harness.gateway.sessions(), closed, refused]);
      expect(seen).not.toContain(TOKEN);
    });

    it('closes the connection with 4000 when the host throws, and keeps the error', async () => {
      const failure = new Error('host bug');
      const harness = await startGateway({
        host: {
          guildCreate: () => {
            throw failure;
          },
        },
      });
      const client = await connect(harness);
      client.identify();
      expect((await client.closed).code).toBe(4000);
      expect(harness.gateway.hostErrors()).toEqual([failure]);
    });
  });

  describe('heartbeats', () => {
    it('closes with 4009 when no heartbeat comes within 1.5 intervals, and the session stays resumable', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      // 1499 ms of silence is fine; a heartbeat restarts the wait.
      await harness.clock.advance(1499);
      client.send({ op: 1, d: 3 });
      expect(await client.next()).toMatchObject({ op: 11 });
      await harness.clock.advance(1499);
      expect(harness.gateway.connectionCount).toBe(1);
      await harness.clock.advance(1);
      expect(await client.closed).toEqual({ code: 4009, reason: 'Session timed out' });

      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 3);
      expect(await again.next()).toMatchObject({ op: 0, t: 'RESUMED', s: 4, d: {} });
    });

    it('times out a connection that never heartbeats, counting from HELLO', async () => {
      const harness = await startGateway({ heartbeatTimeoutMs: 5000 });
      const client = await connect(harness);
      await harness.clock.advance(4999);
      expect(harness.gateway.connectionCount).toBe(1);
      await harness.clock.advance(1);
      expect((await client.closed).code).toBe(4009);
    });

    it('stops ACKing while dropHeartbeatAcks(true), and asks for a beat with op 1', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      harness.gateway.dropHeartbeatAcks(true);
      client.send({ op: 1, d: null });
      await vi.waitFor(() => expect(harness.gateway.log()).toContainEqual(expect.objectContaining({ op: 1 })));
      harness.gateway.requestHeartbeat();
      // The op 1 request is the next message: no ACK was sent for the heartbeat before it.
      expect(await client.next()).toEqual({ op: 1, d: null, s: null, t: null });
      harness.gateway.dropHeartbeatAcks(false);
      client.send({ op: 1, d: null });
      expect(await client.next()).toMatchObject({ op: 11 });
    });

    it('sends op 7 on requestReconnect()', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      harness.gateway.requestReconnect();
      expect(await client.next()).toEqual({ op: 7, d: null, s: null, t: null });
    });
  });

  describe('RESUME', () => {
    it('replays every dispatch after seq with its own sequence number, then RESUMED', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      harness.gateway.dispatch('MESSAGE_CREATE', { guildId: GUILD_A, payload: () => ({ id: '4' }) });
      expect(await client.next()).toMatchObject({ s: 4 });
      client.close(4000);
      await disconnected(harness, sessionIdOf(ready));
      const reached = [5, 6].map((id) =>
        harness.gateway.dispatch('MESSAGE_CREATE', { guildId: GUILD_A, payload: () => ({ id: String(id) }) }),
      );
      expect(reached).toEqual([1, 1]);

      const again = await connect(harness);
      // The client last saw s=3: s=4 is replayed too, though it was sent on the old socket.
      again.resume(sessionIdOf(ready), 3);
      const replayed = [await again.next(), await again.next(), await again.next(), await again.next()];
      expect(replayed).toEqual([
        { op: 0, t: 'MESSAGE_CREATE', s: 4, d: { id: '4' } },
        { op: 0, t: 'MESSAGE_CREATE', s: 5, d: { id: '5' } },
        { op: 0, t: 'MESSAGE_CREATE', s: 6, d: { id: '6' } },
        { op: 0, t: 'RESUMED', s: 7, d: {} },
      ]);
      expect(harness.gateway.sessions()).toMatchObject([{ connected: true, resumed: 1, lastSequence: 7 }]);
    });

    it('forgets dispatches a heartbeat acknowledged: a RESUME from before them gets op 9', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      client.send({ op: 1, d: 3 });
      expect(await client.next()).toMatchObject({ op: 11 });
      client.terminate();
      await disconnected(harness, sessionIdOf(ready));
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 2);
      expect(await again.next()).toEqual({ op: 9, d: false, s: null, t: null });
    });

    it('answers an unknown session with op 9 (d: false) and lets the socket IDENTIFY instead', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      client.resume('0123456789abcdef0123456789abcdef', 5);
      expect(await client.next()).toEqual({ op: 9, d: false, s: null, t: null });
      client.identify();
      expect(await client.next()).toMatchObject({ t: 'READY', s: 1 });
    });

    it("answers op 9 to another bot's session id", async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      const other = await connect(harness);
      other.resume(sessionIdOf(ready), 1, OTHER_TOKEN);
      expect(await other.next()).toMatchObject({ op: 9, d: false });
    });

    it.each([
      ['greater than the last sequence', 4],
      ['negative', -1],
      ['null', null],
    ])('closes with 4007 when seq is %s', async (_what, seq) => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      client.close(4000);
      await disconnected(harness, sessionIdOf(ready));
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), seq);
      expect(await again.closed).toEqual({ code: 4007, reason: 'Invalid seq' });
    });

    it('closes the old socket (4000) when a session is resumed while still connected', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 3);
      expect(await again.next()).toMatchObject({ t: 'RESUMED', s: 4 });
      expect((await client.closed).code).toBe(4000);
      harness.gateway.dispatch('GUILD_UPDATE', { guildId: GUILD_A, payload: () => ({ id: GUILD_A }) });
      expect(await again.next()).toMatchObject({ t: 'GUILD_UPDATE', s: 5 });
      expect(harness.gateway.sessions()).toMatchObject([{ connected: true, resumed: 1 }]);
    });

    it('ends the session when the client closes with 1000', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      client.close(1000);
      await client.closed;
      await vi.waitFor(() => expect(harness.gateway.sessions()).toEqual([]));
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 3);
      expect(await again.next()).toMatchObject({ op: 9, d: false });
    });

    it('keeps a dropped session resumable for resumableForMs, then answers op 9', async () => {
      const harness = await startGateway({ resumableForMs: 60_000 });
      const first = await connect(harness);
      const ready = await first.ready();
      first.terminate();
      await disconnected(harness, sessionIdOf(ready));
      await harness.clock.advance(59_999);
      const second = await connect(harness);
      second.resume(sessionIdOf(ready), 3);
      expect(await second.next()).toMatchObject({ t: 'RESUMED' });
      second.terminate();
      await disconnected(harness, sessionIdOf(ready));
      await harness.clock.advance(60_000);
      expect(harness.gateway.sessions()).toEqual([]);
      const third = await connect(harness);
      third.resume(sessionIdOf(ready), 4);
      expect(await third.next()).toMatchObject({ op: 9, d: false });
    });
  });

  describe('limits', () => {
    it('closes with 4008 on the payload after sendLimit in one window; a new window starts afresh', async () => {
      const harness = await startGateway({ sendLimit: { limit: 3, windowMs: 1000 }, heartbeatTimeoutMs: 60_000 });
      const client = await connect(harness);
      for (let i = 0; i < 3; i++) client.send({ op: 1, d: null });
      for (let i = 0; i < 3; i++) expect(await client.next()).toMatchObject({ op: 11 });
      await harness.clock.advance(1000);
      for (let i = 0; i < 3; i++) client.send({ op: 1, d: null });
      for (let i = 0; i < 3; i++) expect(await client.next()).toMatchObject({ op: 11 });
      client.send({ op: 1, d: null });
      expect(await client.closed).toEqual({ code: 4008, reason: 'Rate limited' });
    });

    it('answers op 9 to a second IDENTIFY of the same rate-limit key within 5 s', async () => {
      const harness = await startGateway({ heartbeatTimeoutMs: 600_000 });
      const first = await connect(harness);
      await first.ready();
      const second = await connect(harness);
      await harness.clock.advance(4800);
      second.identify();
      expect(await second.next()).toEqual({ op: 9, d: false, s: null, t: null });
      await harness.clock.advance(100);
      second.identify();
      expect(await second.next()).toMatchObject({ t: 'READY' });
    });

    it('lets max_concurrency keys identify at once', async () => {
      const harness = await startGateway({
        shards: 2,
        sessionStartLimit: { total: 10, resetAfterMs: 60_000, maxConcurrency: 2 },
      });
      const first = await connect(harness);
      const second = await connect(harness);
      first.identify({ shard: [0, 2] });
      second.identify({ shard: [1, 2] });
      expect(await first.next()).toMatchObject({ t: 'READY', d: { shard: [0, 2], guilds: [{ id: GUILD_A }] } });
      expect(await second.next()).toMatchObject({ t: 'READY', d: { shard: [1, 2], guilds: [{ id: GUILD_B }] } });
    });

    it('counts IDENTIFYs into session_start_limit.remaining and refuses them at 0 until the window resets', async () => {
      const harness = await startGateway({
        shards: 3,
        enforceIdentifyRate: false,
        heartbeatTimeoutMs: 600_000,
        sessionStartLimit: { total: 2, resetAfterMs: 60_000, maxConcurrency: 1 },
      });
      const info = (): unknown => harness.gateway.botGatewayInfo(BOT);
      expect(info()).toEqual({
        url: harness.url,
        shards: 3,
        session_start_limit: { total: 2, remaining: 2, reset_after: 60_000, max_concurrency: 1 },
      });
      const first = await connect(harness);
      const ready = await first.ready();
      await (await connect(harness)).ready();
      await harness.clock.advance(10_000);
      expect(info()).toMatchObject({ session_start_limit: { remaining: 0, reset_after: 50_000 } });
      const refused = await connect(harness);
      refused.identify();
      expect(await refused.next()).toMatchObject({ op: 9, d: false });
      // A RESUME is not a session start: it still works at 0, and counts nothing.
      first.terminate();
      await disconnected(harness, sessionIdOf(ready));
      const resumed = await connect(harness);
      resumed.resume(sessionIdOf(ready), 3);
      expect(await resumed.next()).toMatchObject({ t: 'RESUMED' });
      expect(info()).toMatchObject({ session_start_limit: { remaining: 0 } });
      // Other applications have their own count.
      expect(harness.gateway.botGatewayInfo(OTHER_BOT)).toMatchObject({ session_start_limit: { remaining: 2 } });
      await harness.clock.advance(50_000);
      expect(info()).toMatchObject({ session_start_limit: { remaining: 2, reset_after: 60_000 } });
      refused.identify();
      expect(await refused.next()).toMatchObject({ t: 'READY' });
    });
  });

  describe('dispatch', () => {
    it('targets a bot by label, skips sessions the payload builder declines, and counts the sessions reached', async () => {
      const harness = await startGateway();
      const bot = await connect(harness);
      await bot.ready({ intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES | GatewayIntent.MESSAGE_CONTENT });
      const other = await connect(harness);
      other.identify({ token: OTHER_TOKEN, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES });
      await other.until((envelope) => envelope.s === 3);

      const seen: [string, number, readonly [number, number]][] = [];
      const reached = harness.gateway.dispatch('MESSAGE_CREATE', {
        guildId: GUILD_A,
        intent: GatewayIntent.GUILD_MESSAGES,
        payload: ({ identity, intents, shard }) => {
          seen.push([identity.label, intents, shard]);
          return (intents & GatewayIntent.MESSAGE_CONTENT) !== 0 ? { content: 'hello' } : undefined;
        },
      });
      expect(reached).toBe(1);
      expect(seen).toEqual([
        ['token#1', 33281, [0, 1]],
        ['token#2', 513, [0, 1]],
      ]);
      expect(harness.gateway.dispatch('GUILD_UPDATE', { botLabel: 'token#2', payload: () => ({}) })).toBe(1);
      expect(await bot.next()).toMatchObject({ t: 'MESSAGE_CREATE', s: 4, d: { content: 'hello' } });
      expect(await other.next()).toMatchObject({ t: 'GUILD_UPDATE', s: 4 });
    });

    it('rejects malformed arguments', async () => {
      const harness = await startGateway();
      const payload = (): Record<string, unknown> => ({});
      expect(() => harness.gateway.dispatch('message_create', { payload })).toThrow(InvalidArgumentError);
      expect(() => harness.gateway.dispatch('MESSAGE_CREATE', { guildId: '12', payload })).toThrow(
        'Expected `options.guildId` to be a snowflake',
      );
      expect(() => harness.gateway.dispatch('MESSAGE_CREATE', { intent: 1 << 18, payload })).toThrow(
        InvalidArgumentError,
      );
      expect(() => harness.gateway.disconnect({ code: 1006 })).toThrow(InvalidArgumentError);
    });
  });

  describe('disconnect, restart and close', () => {
    it('disconnect() keeps sessions resumable; disconnect({ code: 1000 }) ends them', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      harness.gateway.disconnect();
      expect(await client.closed).toEqual({ code: 4000, reason: 'Unknown error' });
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 3);
      expect(await again.next()).toMatchObject({ t: 'RESUMED' });
      harness.gateway.disconnect({ code: 1000 });
      expect((await again.closed).code).toBe(1000);
      expect(harness.gateway.sessions()).toEqual([]);
    });

    it('restart() closes every socket with 4000 and forgets every session', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      const ready = await client.ready();
      harness.gateway.restart();
      expect((await client.closed).code).toBe(4000);
      expect(harness.gateway.sessions()).toEqual([]);
      const again = await connect(harness);
      again.resume(sessionIdOf(ready), 3);
      expect(await again.next()).toMatchObject({ op: 9, d: false });
    });

    it('waitForSession() resolves on a matching READY and rejects when its time is up', async () => {
      const harness = await startGateway();
      const waiting = harness.gateway.waitForSession((session) => session.botLabel === 'token#2');
      const late = harness.gateway.waitForSession((session) => session.botLabel === 'token#3', 1000);
      const client = await connect(harness);
      client.identify({ token: OTHER_TOKEN });
      await expect(waiting).resolves.toMatchObject({ botLabel: 'token#2', connected: true });
      const timedOut = expect(late).rejects.toThrow('No gateway session matched within 1000 ms.');
      await harness.clock.advance(1000);
      await timedOut;
    });

    it('close() closes sockets with 1001, clears every timer and rejects waiters', async () => {
      const harness = await startGateway();
      const client = await connect(harness);
      await client.ready();
      const other = await connect(harness);
      other.terminate();
      const waiting = expect(harness.gateway.waitForSession(() => false)).rejects.toThrow('SimulatorGateway closed.');
      await harness.gateway.close();
      expect((await client.closed).code).toBe(1001);
      await waiting;
      expect(harness.gateway.sessions()).toEqual([]);
      expect(harness.gateway.connectionCount).toBe(0);
      expect(harness.clock.pendingTimers).toBe(0);
    });
  });
});
