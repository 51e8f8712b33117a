import { describe, expect, it } from 'vitest';
import { isSnowflake, redactPath, routeOf } from '../../../src/index.js';

const NOW = Date.UTC(2026, 10, 29);
// A snowflake created "now" and one created 30 days earlier.
const fresh = ((BigInt(NOW) - 1_420_070_400_000n) << 22n).toString();
const old = ((BigInt(NOW - 30 * 86_400_000) - 1_420_070_400_000n) << 22n).toString();

describe('routeOf', () => {
  it('keeps the channel as major parameter and folds other ids', () => {
    expect(routeOf('PATCH', `/channels/111111111111111111/messages/${fresh}`, NOW)).toEqual({
      routeKey: 'PATCH /channels/:channel_id/messages/:id',
      majorParameter: '111111111111111111',
      exemptFromGlobal: false,
    });
    expect(routeOf('POST', '/channels/111111111111111111/messages', NOW).routeKey).toBe(
      'POST /channels/:channel_id/messages',
    );
  });

  it('uses a separate route for deleting messages older than 14 days', () => {
    expect(routeOf('DELETE', `/channels/1111111111111111111/messages/${fresh}`, NOW).routeKey).toBe(
      'DELETE /channels/:channel_id/messages/:id',
    );
    expect(routeOf('DELETE', `/channels/1111111111111111111/messages/${old}`, NOW).routeKey).toBe(
      'DELETE /channels/:channel_id/messages/:id (old)',
    );
  });

  it('folds reaction emojis and keys webhooks by id and token', () => {
    expect(
      routeOf('PUT', `/channels/1111111111111111111/messages/${fresh}/reactions/%F0%9F%91%8D/@me`, NOW).routeKey,
    ).toBe('PUT /channels/:channel_id/messages/:id/reactions/:emoji/@me');
    const webhook = routeOf('POST', '/webhooks/222222222222222222/tok_en', NOW);
    expect(webhook).toEqual({
      routeKey: 'POST /webhooks/:webhook_id/:token',
      majorParameter: '222222222222222222/tok_en',
      exemptFromGlobal: false,
    });
  });

  it('exempts interaction callbacks and interaction webhooks from the global limit', () => {
    expect(routeOf('POST', '/interactions/333333333333333333/abc/callback', NOW).exemptFromGlobal).toBe(true);
    expect(
      routeOf('PATCH', '/webhooks/444444444444444444/aW50ZXJhY3Rpb246xyz/messages/@original', NOW).exemptFromGlobal,
    ).toBe(true);
  });
});

describe('isSnowflake', () => {
  it('accepts 17 to 20 digit strings only', () => {
    expect(isSnowflake('12345678901234567')).toBe(true);
    expect(isSnowflake('1234567890123456')).toBe(false);
    expect(isSnowflake(1234567)).toBe(false);
    expect(isSnowflake('12345678901234567a')).toBe(false);
  });
});

describe('redactPath', () => {
  it('hides webhook and interaction tokens', () => {
    expect(redactPath('/webhooks/123/secret-token/messages/456')).toBe('/webhooks/123/:token/messages/456');
    expect(redactPath('/interactions/123/secret/callback')).toBe('/interactions/123/:token/callback');
    expect(redactPath('/channels/1/messages')).toBe('/channels/1/messages');
  });
});
