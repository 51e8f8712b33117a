// An unmodified @discordjs/ws WebSocketManager (default options: JSON, no compression) against the SimulatorGateway,
// mounted on a small loopback HTTP server that answers GET /gateway/bot as Discord does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents, WebSocketShardStatus } from '@discordjs/ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  GatewayIntent,
  SimulatorGateway,
  shardForGuild,
  type GatewayHost,
  type GatewayIdentity,
  type GatewayLogEntry,
  type SimulatorGatewayOptions,
} from '../../src/testing/simulator/gateway/index.js';
import { systemClock } from '../../src/util/clock.js';

const TOKEN = 'gateway-test-token';
/** Accepted by GET /gateway/bot but refused by the gateway: a token reset between the two calls. */
const REVOKED_TOKEN = 'revoked-test-token';
const APP_ID = '1180000000000000042';
/** On shard 0 of 2. */
const GUILD_A = '1180000000004194304';
/** On shard 1 of 2. */
const GUILD_B = '1180000000000000000';
const CHANNEL_ID = '1180000000000000100';

const IDENTITY: GatewayIdentity = {
  label: 'token#1',
  user: { id: APP_ID, username: 'simulator-bot', discriminator: '0', global_name: null, avatar: null, bot: true },
  applicationId: APP_ID,
  privilegedIntents: GatewayIntent.MESSAGE_CONTENT,
};

const host: GatewayHost = {
  identify: (token) => (token === TOKEN ? IDENTITY : undefined),
  guildIds: () => [GUILD_A, GUILD_B],
  guildCreate: (_identity, guildId) => ({ id: guildId, name: `Guild ${guildId}`, unavailable: false, channels: [] }),
};

/** Closed after each test, last opened first (bots before the gateway). */
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  readonly gateway: SimulatorGateway;
  readonly port: number;
}

async function startGateway(options: Partial<Omit<SimulatorGatewayOptions, 'host' | 'url'>> = {}): Promise<Harness> {
  let port = 0;
  const gateway = new SimulatorGateway({ clock: systemClock, host, url: () => `ws://127.0.0.1:${port}/`, ...options });
  const server = createServer((request, response) => {
    const token = /^Bot (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || request.url !== '/api/v10/gateway/bot') {
      json(404, { message: '404: Not Found', code: 0 });
    } else if (token !== TOKEN && token !== REVOKED_TOKEN) {
      json(401, { message: '401: Unauthorized', code: 0 });
    } else {
      json(200, gateway.botGatewayInfo(IDENTITY));
    }
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    await gateway.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { gateway, port };
}

interface SeenDispatch {
  readonly t: string;
  readonly s: number;
  readonly d: Record<string, unknown>;
  readonly shardId: number;
}

/** Items pushed by event listeners, and promises for the ones still to come. */
class Seen<T> {
  public readonly items: T[] = [];
  readonly #waiters: { readonly match: (item: T) => boolean; readonly resolve: (item: T) => void }[] = [];

  public push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(item)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(item);
    }
  }

  /** The first item from index `from` on that matches, now or when it comes. */
  public next(match: (item: T) => boolean, from = 0): Promise<T> {
    const found = this.items.slice(from).find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

interface Bot {
  readonly manager: WebSocketManager;
  readonly dispatches: Seen<SeenDispatch>;
  readonly errors: Seen<Error>;
  readonly resumed: Seen<number>;
}

function startBot(harness: Harness, options: { intents?: number; token?: string } = {}): Bot {
  const token = options.token ?? TOKEN;
  const rest = new REST({ api: `http://127.0.0.1:${harness.port}/api`, retries: 0 }).setToken(token);
  const manager = new WebSocketManager({
    token,
    intents: options.intents ?? GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES,
    rest,
  });
  const bot: Bot = { manager, dispatches: new Seen(), errors: new Seen(), resumed: new Seen() };
  manager.on(WebSocketShardEvents.Dispatch, (payload, shardId) => {
    bot.dispatches.push({ t: payload.t, s: payload.s, d: payload.d as Record<string, unknown>, shardId });
  });
  manager.on(WebSocketShardEvents.Error, (error) => bot.errors.push(error));
  manager.on(WebSocketShardEvents.Resumed, (shardId) => bot.resumed.push(shardId));
  cleanups.push(async () => {
    await manager.destroy();
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  });
  return bot;
}

function received(log: readonly GatewayLogEntry[], op: number): GatewayLogEntry[] {
  return log.filter((entry) => entry.type === 'received' && entry.op === op);
}

function messagePayload(id: string, guildId?: string): () => Record<string, unknown> {
  return () => ({ id, channel_id: CHANNEL_ID, content: `message ${id}`, ...(guildId ? { guild_id: guildId } : {}) });
}

describe('SimulatorGateway with @discordjs/ws', () => {
  it('connects: READY with s=1, then one GUILD_CREATE per guild, then live dispatches', async () => {
    const harness = await startGateway();
    const bot = startBot(harness);
    await bot.manager.connect();
    await bot.dispatches.next((event) => event.d['id'] === GUILD_B);

    const [ready, ...guilds] = bot.dispatches.items;
    expect(ready).toMatchObject({ t: 'READY', s: 1, shardId: 0 });
    expect(ready!.d).toMatchObject({
      v: 10,
      user: { id: APP_ID, bot: true },
      guilds: [
        { id: GUILD_A, unavailable: true },
        { id: GUILD_B, unavailable: true },
      ],
      resume_gateway_url: `ws://127.0.0.1:${harness.port}/`,
      shard: [0, 1],
      application: { id: APP_ID, flags: 0 },
    });
    expect(ready!.d['session_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(guilds.map(({ t, s, d }) => [t, s, d['id']])).toEqual([
      ['GUILD_CREATE', 2, GUILD_A],
      ['GUILD_CREATE', 3, GUILD_B],
    ]);

    const reached = harness.gateway.dispatch('MESSAGE_CREATE', {
      guildId: GUILD_A,
      intent: GatewayIntent.GUILD_MESSAGES,
      payload: messagePayload('1180000000000000200', GUILD_A),
    });
    expect(reached).toBe(1);
    const message = await bot.dispatches.next((event) => event.t === 'MESSAGE_CREATE');
    expect(message).toMatchObject({ s: 4, d: { id: '1180000000000000200', guild_id: GUILD_A } });

    const [session] = harness.gateway.sessions();
    expect(session).toMatchObject({
      botLabel: 'token#1',
      intents: 513,
      shard: [0, 1],
      connected: true,
      lastSequence: 4,
    });
    expect(received(harness.gateway.log(), 2)).toHaveLength(1);
  });

  it('resumes after disconnect() and replays what was sent meanwhile with its sequence, then RESUMED', async () => {
    const harness = await startGateway();
    const bot = startBot(harness);
    await bot.manager.connect();
    await bot.dispatches.next((event) => event.s === 3);
    const before = bot.dispatches.items.length;

    harness.gateway.disconnect();
    expect(harness.gateway.sessions()).toMatchObject([{ connected: false, lastSequence: 3 }]);
    const reached = harness.gateway.dispatch('MESSAGE_CREATE', {
      guildId: GUILD_B,
      intent: GatewayIntent.GUILD_MESSAGES,
      payload: messagePayload('1180000000000000201', GUILD_B),
    });
    expect(reached).toBe(1);

    await bot.dispatches.next((event) => event.t === 'RESUMED');
    expect(bot.dispatches.items.slice(before).map(({ t, s }) => [t, s])).toEqual([
      ['MESSAGE_CREATE', 4],
      ['RESUMED', 5],
    ]);
    const log = harness.gateway.log();
    expect(received(log, 2)).toHaveLength(1);
    expect(received(log, 6)).toMatchObject([{ s: 3 }]);
    expect(harness.gateway.sessions()).toMatchObject([{ connected: true, resumed: 1, lastSequence: 5 }]);
  });

  it('resumes when asked to reconnect (op 7)', async () => {
    const harness = await startGateway();
    const bot = startBot(harness);
    await bot.manager.connect();
    harness.gateway.requestReconnect();
    await bot.resumed.next(() => true);
    const log = harness.gateway.log();
    expect(log.filter((entry) => entry.type === 'sent' && entry.op === 7)).toHaveLength(1);
    expect(received(log, 2)).toHaveLength(1);
    expect(received(log, 6)).toHaveLength(1);
  });

  it('gets a zombie connection closed by the client and resumed when heartbeat ACKs stop', async () => {
    // A generous server-side timeout: the client's zombie check, not the server's 4009, must end the first socket.
    const harness = await startGateway({ heartbeatIntervalMs: 300, heartbeatTimeoutMs: 10_000 });
    const bot = startBot(harness);
    const acked = new Seen<number>();
    bot.manager.on(WebSocketShardEvents.HeartbeatComplete, (stats) => acked.push(stats.ackAt));
    await bot.manager.connect();
    await acked.next(() => true);

    harness.gateway.dropHeartbeatAcks(true);
    // ACKs come back as soon as the client hangs up (it reconnects 500 ms later), so the new socket is healthy.
    bot.manager.once(WebSocketShardEvents.Closed, () => harness.gateway.dropHeartbeatAcks(false));
    await bot.resumed.next(() => true);

    const log = harness.gateway.log();
    const resume = received(log, 6)[0]!;
    // The client hung up the first socket itself (its zombie check), and came back with RESUME, not IDENTIFY.
    expect(log.find((entry) => entry.type === 'closed')).toMatchObject({ connection: 1, by: 'client' });
    expect(resume.connection).toBeGreaterThan(1);
    expect(received(log, 2)).toHaveLength(1);
    expect(harness.gateway.sessions()[0]!.resumed).toBeGreaterThanOrEqual(1);
  });

  it('after restart() refuses the RESUME with op 9 and the client identifies again, 5 s after its last IDENTIFY', async () => {
    const harness = await startGateway();
    const bot = startBot(harness);
    await bot.manager.connect();
    const [first] = harness.gateway.sessions();

    harness.gateway.restart();
    expect(harness.gateway.sessions()).toEqual([]);
    const session = await harness.gateway.waitForSession((candidate) => candidate.id !== first!.id);
    expect(session).toMatchObject({ resumed: 0, lastSequence: 3 });
    await bot.dispatches.next((event) => event.t === 'READY' && event.d['session_id'] === session.id);

    const log = harness.gateway.log();
    const resumes = received(log, 6);
    const identifies = received(log, 2);
    expect(resumes).toHaveLength(1);
    expect(identifies).toHaveLength(2);
    expect(log).toContainEqual(expect.objectContaining({ type: 'sent', op: 9, resumable: false }));
    // @discordjs/ws's SimpleIdentifyThrottler spaces IDENTIFYs of one key by 5 s.
    expect(identifies[1]!.at - identifies[0]!.at).toBeGreaterThanOrEqual(4900);
    const readies = bot.dispatches.items.filter((event) => event.t === 'READY');
    expect(readies.map((event) => event.d['session_id'])).toEqual([first!.id, session.id]);
  }, 20_000);

  it('rejects connect() when GET /gateway/bot answers 401 for a wrong token', async () => {
    const harness = await startGateway();
    const bot = startBot(harness, { token: 'wrong-token' });
    await expect(bot.manager.connect()).rejects.toThrow('401: Unauthorized');
    expect(harness.gateway.log()).toEqual([]);
  });

  it('stops with "Authentication failed" and does not reconnect when the gateway closes with 4004', async () => {
    const harness = await startGateway();
    const bot = startBot(harness, { token: REVOKED_TOKEN });
    await expect(bot.manager.connect()).rejects.toThrow('Authentication failed');
    expect(bot.errors.items.map((error) => error.message)).toEqual(['Authentication failed']);
    expect(harness.gateway.log()).toContainEqual(expect.objectContaining({ type: 'closed', code: 4004, by: 'server' }));
    await vi.waitFor(async () => expect((await bot.manager.fetchStatus()).get(0)).toBe(WebSocketShardStatus.Idle));
    // The only way to see that nothing happens: give a reconnect (500 ms after a close) three times its delay.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(harness.gateway.log().filter((entry) => entry.type === 'open')).toHaveLength(1);
    expect(JSON.stringify(harness.gateway.log())).not.toContain(REVOKED_TOKEN);
  });

  it('closes with 4014 when a privileged intent is not enabled for the application', async () => {
    const harness = await startGateway();
    const bot = startBot(harness, { intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MEMBERS });
    await expect(bot.manager.connect()).rejects.toThrow('Used disallowed intents');
    expect(bot.errors.items.map((error) => error.message)).toEqual(['Used disallowed intents']);
    expect(harness.gateway.log()).toContainEqual(expect.objectContaining({ type: 'closed', code: 4014 }));
    expect(harness.gateway.sessions()).toEqual([]);
  });

  it('sends a dispatch only to sessions whose intents allow it', async () => {
    const harness = await startGateway();
    const bot = startBot(harness, { intents: GatewayIntent.GUILDS });
    await bot.manager.connect();

    const messages = harness.gateway.dispatch('MESSAGE_CREATE', {
      guildId: GUILD_A,
      intent: GatewayIntent.GUILD_MESSAGES,
      payload: messagePayload('1180000000000000202', GUILD_A),
    });
    const updates = harness.gateway.dispatch('GUILD_UPDATE', {
      guildId: GUILD_A,
      intent: GatewayIntent.GUILDS,
      payload: () => ({ id: GUILD_A, name: 'Renamed' }),
    });
    expect([messages, updates]).toEqual([0, 1]);
    // Same socket, in order: once the later GUILD_UPDATE is here, a MESSAGE_CREATE would have arrived before it.
    await bot.dispatches.next((event) => event.t === 'GUILD_UPDATE');
    expect(bot.dispatches.items.map((event) => event.t)).not.toContain('MESSAGE_CREATE');
  });

  it('with two shards sends guild events to the shard owning the guild and DM events to shard 0', async () => {
    expect([shardForGuild(GUILD_A, 2), shardForGuild(GUILD_B, 2)]).toEqual([0, 1]);
    // max_concurrency 2: both shards may identify at once (no 5 s wait between them).
    const harness = await startGateway({
      shards: 2,
      sessionStartLimit: { total: 1000, resetAfterMs: 60_000, maxConcurrency: 2 },
    });
    const bot = startBot(harness, {
      intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES | GatewayIntent.DIRECT_MESSAGES,
    });
    await bot.manager.connect();
    await bot.dispatches.next((event) => event.t === 'GUILD_CREATE' && event.shardId === 0);
    await bot.dispatches.next((event) => event.t === 'GUILD_CREATE' && event.shardId === 1);
    const readies = bot.dispatches.items.filter((event) => event.t === 'READY');
    expect(readies.map((event) => [event.shardId, event.d['shard'], event.d['guilds']]).sort()).toEqual([
      [0, [0, 2], [{ id: GUILD_A, unavailable: true }]],
      [1, [1, 2], [{ id: GUILD_B, unavailable: true }]],
    ]);
    const creates = bot.dispatches.items.filter((event) => event.t === 'GUILD_CREATE');
    expect(creates.map((event) => [event.shardId, event.d['id']]).sort()).toEqual([
      [0, GUILD_A],
      [1, GUILD_B],
    ]);

    const inGuildB = harness.gateway.dispatch('MESSAGE_CREATE', {
      guildId: GUILD_B,
      intent: GatewayIntent.GUILD_MESSAGES,
      payload: messagePayload('1180000000000000203', GUILD_B),
    });
    const direct = harness.gateway.dispatch('MESSAGE_CREATE', {
      intent: GatewayIntent.DIRECT_MESSAGES,
      payload: messagePayload('1180000000000000204'),
    });
    expect([inGuildB, direct]).toEqual([1, 1]);
    // Markers after them on each shard: once a marker arrives, everything sent before it on that shard has too.
    harness.gateway.dispatch('GUILD_UPDATE', { guildId: GUILD_A, payload: () => ({ id: GUILD_A }) });
    harness.gateway.dispatch('GUILD_UPDATE', { guildId: GUILD_B, payload: () => ({ id: GUILD_B }) });
    await bot.dispatches.next((event) => event.t === 'GUILD_UPDATE' && event.shardId === 0);
    await bot.dispatches.next((event) => event.t === 'GUILD_UPDATE' && event.shardId === 1);

    const messages = bot.dispatches.items.filter((event) => event.t === 'MESSAGE_CREATE');
    expect(messages.map((event) => [event.shardId, event.d['id']]).sort()).toEqual([
      [0, '1180000000000000204'],
      [1, '1180000000000000203'],
    ]);
    expect(
      harness.gateway
        .sessions()
        .map((session) => session.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });
});
