import { GatewayIntentBits } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors/message-update-error.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import {
  ALL_INTENTS,
  DEFAULT_GATEWAY_OPTIONS,
  GatewayIntent,
  PRIVILEGED_INTENTS,
  SimulatorGateway,
  intentForEvent,
  shardForGuild,
  stripMessageContent,
  type GatewayHost,
} from '../../src/testing/simulator/gateway/index.js';

describe('gateway intents', () => {
  it('has the bits discord-api-types defines, and no other', () => {
    const defined = Object.values(GatewayIntentBits).filter((value): value is number => typeof value === 'number');
    expect(ALL_INTENTS).toBe(defined.reduce((mask, bit) => mask | bit, 0));
    expect(ALL_INTENTS).toBe(0b11_0011_0001_1111_1111_1111_1111);
    expect(GatewayIntent).toMatchObject({
      GUILDS: 1,
      GUILD_MEMBERS: 2,
      GUILD_MODERATION: 4,
      GUILD_PRESENCES: 256,
      GUILD_MESSAGES: 512,
      DIRECT_MESSAGES: 4096,
      MESSAGE_CONTENT: 32768,
      DIRECT_MESSAGE_POLLS: 1 << 25,
    });
    expect(PRIVILEGED_INTENTS).toBe(2 | 256 | 32768);
  });

  it.each([
    ['GUILD_CREATE', true, GatewayIntent.GUILDS],
    ['GUILD_UPDATE', true, GatewayIntent.GUILDS],
    ['GUILD_DELETE', true, GatewayIntent.GUILDS],
    ['GUILD_ROLE_CREATE', true, GatewayIntent.GUILDS],
    ['GUILD_ROLE_UPDATE', true, GatewayIntent.GUILDS],
    ['GUILD_ROLE_DELETE', true, GatewayIntent.GUILDS],
    ['CHANNEL_CREATE', true, GatewayIntent.GUILDS],
    ['CHANNEL_UPDATE', true, GatewayIntent.GUILDS],
    ['CHANNEL_DELETE', true, GatewayIntent.GUILDS],
    ['CHANNEL_PINS_UPDATE', true, GatewayIntent.GUILDS],
    ['CHANNEL_PINS_UPDATE', false, GatewayIntent.DIRECT_MESSAGES],
    ['THREAD_CREATE', true, GatewayIntent.GUILDS],
    ['GUILD_MEMBER_ADD', true, GatewayIntent.GUILD_MEMBERS],
    ['GUILD_MEMBER_UPDATE', true, GatewayIntent.GUILD_MEMBERS],
    ['GUILD_MEMBER_REMOVE', true, GatewayIntent.GUILD_MEMBERS],
    ['GUILD_BAN_ADD', true, GatewayIntent.GUILD_MODERATION],
    ['PRESENCE_UPDATE', true, GatewayIntent.GUILD_PRESENCES],
    ['MESSAGE_CREATE', true, GatewayIntent.GUILD_MESSAGES],
    ['MESSAGE_CREATE', false, GatewayIntent.DIRECT_MESSAGES],
    ['MESSAGE_UPDATE', true, GatewayIntent.GUILD_MESSAGES],
    ['MESSAGE_UPDATE', false, GatewayIntent.DIRECT_MESSAGES],
    ['MESSAGE_DELETE', true, GatewayIntent.GUILD_MESSAGES],
    ['MESSAGE_DELETE', false, GatewayIntent.DIRECT_MESSAGES],
    ['MESSAGE_DELETE_BULK', true, GatewayIntent.GUILD_MESSAGES],
    ['MESSAGE_REACTION_ADD', false, GatewayIntent.DIRECT_MESSAGE_REACTIONS],
    ['TYPING_START', true, GatewayIntent.GUILD_MESSAGE_TYPING],
    ['READY', true, undefined],
    ['RESUMED', false, undefined],
    ['INTERACTION_CREATE', true, undefined],
    ['INTERACTION_CREATE', false, undefined],
    ['USER_UPDATE', false, undefined],
    ['NOT_AN_EVENT', true, undefined],
  ])('intentForEvent(%s, inGuild %s) is %s', (event, inGuild, intent) => {
    expect(intentForEvent(event, inGuild)).toBe(intent);
  });

  it('stripMessageContent empties content, embeds, attachments and components, drops poll, keeps the rest', () => {
    const message = {
      id: '1180000000000000300',
      content: 'secret',
      embeds: [{ title: 'x' }],
      attachments: [{ id: '1' }],
      components: [{ type: 1, components: [] }],
      poll: { question: { text: '?' } },
      author: { id: '1180000000000000301' },
    };
    const copy = structuredClone(message);
    expect(stripMessageContent(message)).toEqual({
      id: '1180000000000000300',
      content: '',
      embeds: [],
      attachments: [],
      components: [],
      author: { id: '1180000000000000301' },
    });
    expect(message).toEqual(copy);
  });

  it('shardForGuild is (guild_id >> 22) % shards', () => {
    expect(shardForGuild('1180000000000000000', 2)).toBe(1);
    expect(shardForGuild('1180000000004194304', 2)).toBe(0);
    expect(shardForGuild('175928847299117063', 1)).toBe(0);
    expect(shardForGuild('175928847299117063', 16)).toBe(Number((175928847299117063n >> 22n) % 16n));
  });
});

describe('SimulatorGateway options', () => {
  const host: GatewayHost = { identify: () => undefined, guildIds: () => [], guildCreate: () => undefined };
  const base = { clock: new FakeClock(), host, url: () => 'ws://127.0.0.1:1/' };

  it('defaults to Discord production values', () => {
    expect(DEFAULT_GATEWAY_OPTIONS).toEqual({
      heartbeatIntervalMs: 41_250,
      resumableForMs: 180_000,
      shards: 1,
      sessionStartLimit: { total: 1000, resetAfterMs: 86_400_000, maxConcurrency: 1 },
      enforceIdentifyRate: true,
      sendLimit: { limit: 120, windowMs: 60_000 },
      logLimit: 10_000,
    });
    const gateway = new SimulatorGateway(base);
    expect(gateway.botGatewayInfo({ label: 'token#1', user: {}, applicationId: '1', privilegedIntents: 0 })).toEqual({
      url: 'ws://127.0.0.1:1/',
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    });
  });

  it.each([
    ['clock', { clock: {} }, 'Expected `clock` to be a Clock'],
    ['host', { host: { identify: () => undefined } }, 'Expected `host` to be a GatewayHost'],
    ['url', { url: 'ws://x/' }, 'Expected `url` to be a function'],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 0 }, 'Expected `heartbeatIntervalMs` to be an integer from 1'],
    ['heartbeatTimeoutMs', { heartbeatTimeoutMs: 1.5 }, 'Expected `heartbeatTimeoutMs` to be an integer'],
    ['resumableForMs', { resumableForMs: -1 }, 'Expected `resumableForMs` to be an integer from 0'],
    ['shards', { shards: 0 }, 'Expected `shards` to be an integer from 1'],
    ['sessionStartLimit', { sessionStartLimit: 5 }, 'Expected `sessionStartLimit` to be an object'],
    [
      'sessionStartLimit.maxConcurrency',
      { sessionStartLimit: { total: 1, resetAfterMs: 1, maxConcurrency: 0 } },
      'Expected `sessionStartLimit.maxConcurrency` to be an integer from 1 to 64',
    ],
    ['enforceIdentifyRate', { enforceIdentifyRate: 'yes' }, 'Expected `enforceIdentifyRate` to be a boolean'],
    ['sendLimit.limit', { sendLimit: { limit: 0, windowMs: 1 } }, 'Expected `sendLimit.limit` to be an integer'],
    ['logLimit', { logLimit: 0 }, 'Expected `logLimit` to be an integer from 1'],
  ])('rejects a bad %s', (_field, override, message) => {
    expect(() => new SimulatorGateway({ ...base, ...override } as never)).toThrow(InvalidConfigError);
    expect(() => new SimulatorGateway({ ...base, ...override } as never)).toThrow(message);
  });
});
