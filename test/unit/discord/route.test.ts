import { describe, expect, it } from 'vitest';
import { isSnowflake, maskTokens, redactPath, routeOf } from '../../../src/index.js';

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

  it('hides tokens however the path is spelt: letter case, empty or encoded ids, query and fragment', () => {
    const cases: [string, string][] = [
      ['/WEBHOOKS/123/SeCrEt', '/WEBHOOKS/123/:token'],
      ['/webhooks//SeCrEt', '/webhooks//:token'],
      ['/webhooks/123%2F/SeCrEt', '/webhooks/123//:token'],
      ['/webhooks%2F123%2FSeCrEt/messages/9', '/webhooks/123/:token/messages/9'],
      ['/webhooks/123/SeCrEt/messages/@original?wait=true', '/webhooks/123/:token/messages/@original?wait=true'],
      ['/oauth2/callback#token=SeCrEt&x=1', '/oauth2/callback#token=:token&x=1'],
      ['/x?access_token=SeCrEt', '/x?access_token=:token'],
    ];
    for (const [path, redacted] of cases) {
      expect(redactPath(path), path).toBe(redacted);
      expect(redactPath(path), path).not.toContain('SeCrEt');
    }
  });

  it('masks anything shaped like a bot token, in paths and in text', () => {
    const token = `${'M'.repeat(24)}.${'a'.repeat(6)}.${'b'.repeat(27)}`;
    expect(redactPath(`/channels/1/${token}`)).toBe('/channels/1/[token]');
    expect(maskTokens(`Bot ${token} end`)).toBe('Bot [token] end');
  });
});
