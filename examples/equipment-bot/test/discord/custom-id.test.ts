import { describe, expect, it } from 'vitest';
import { customId, parseCustomId } from '../../src/discord/custom-id.js';

describe('customId', () => {
  it('builds v1:flow:action:session[:arg] and parses it back exactly', () => {
    expect(customId('reserve', 'open', '-', '42')).toBe('v1:reserve:open:-:42');
    expect(parseCustomId('v1:reserve:open:-:42')).toEqual({ flow: 'reserve', action: 'open', session: '-', arg: '42' });
    expect(parseCustomId('v1:admin:open:-')).toEqual({ flow: 'admin', action: 'open', session: '-', arg: undefined });
  });

  it('refuses ids longer than 100 characters, and parts that would break the routing', () => {
    expect(() => customId('reserve', 'open', 'abc', 'x'.repeat(90))).toThrow(/characters; Discord allows 100/);
    expect(() => customId('reserve', 'op:en', '-')).toThrow(/action "op:en"/);
    expect(() => customId('reserve', 'open', '-', 'a:b')).toThrow(/arg "a:b"/);
  });

  it('does not route ids of another version, flow or shape', () => {
    expect(parseCustomId('v2:reserve:open:-')).toBeUndefined();
    expect(parseCustomId('v1:unknown:open:-')).toBeUndefined();
    expect(parseCustomId('v1:reserve')).toBeUndefined();
    expect(parseCustomId('v1:reserve:open:-:1:2')).toBeUndefined();
  });
});
