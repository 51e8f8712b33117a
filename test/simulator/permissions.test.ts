import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/message-update-error.js';
import {
  ALL_PERMISSIONS,
  basePermissions,
  channelPermissions,
  formatPermissions,
  missingPermissionError,
  parsePermissions,
  permissionNames,
  Permissions,
  requiredForMessageCreate,
  type PermissionGuild,
  type PermissionMember,
  type PermissionOverwrite,
} from '../../src/testing/simulator/guild/permissions.js';

const P = Permissions;
const GUILD_ID = '100';
const OWNER_ID = '1';
const USER_ID = '2';
const NOW = 1_700_000_000_000;

const EVERYONE = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.EMBED_LINKS | P.ADD_REACTIONS;

function guild(roles: Record<string, bigint> = {}, everyone: bigint = EVERYONE): PermissionGuild {
  const map = new Map<string, { permissions: bigint }>([[GUILD_ID, { permissions: everyone }]]);
  for (const [id, permissions] of Object.entries(roles)) map.set(id, { permissions });
  return { id: GUILD_ID, ownerId: OWNER_ID, roles: map };
}

function member(roleIds: string[] = [], extra: Partial<PermissionMember> = {}): PermissionMember {
  return { userId: USER_ID, roleIds, ...extra };
}

function role(id: string, allow: bigint, deny: bigint): PermissionOverwrite {
  return { id, type: 0, allow, deny };
}

function user(id: string, allow: bigint, deny: bigint): PermissionOverwrite {
  return { id, type: 1, allow, deny };
}

describe('permission bits', () => {
  it('uses Discord documented values', () => {
    expect(P.CREATE_INSTANT_INVITE).toBe(1n);
    expect(P.ADMINISTRATOR).toBe(8n);
    expect(P.MANAGE_GUILD).toBe(32n);
    expect(P.ADD_REACTIONS).toBe(64n);
    expect(P.VIEW_CHANNEL).toBe(1024n);
    expect(P.SEND_MESSAGES).toBe(2048n);
    expect(P.MANAGE_MESSAGES).toBe(8192n);
    expect(P.USE_APPLICATION_COMMANDS).toBe(2147483648n);
    expect(P.MODERATE_MEMBERS).toBe(1n << 40n);
    expect(P.USE_EXTERNAL_APPS).toBe(1n << 50n);
    const setup = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.MANAGE_MESSAGES | P.EMBED_LINKS;
    expect(setup).toBe(93184n);
    expect(permissionNames(P.VIEW_CHANNEL | P.SEND_MESSAGES)).toEqual(['VIEW_CHANNEL', 'SEND_MESSAGES']);
    for (const bit of Object.values(P)) expect(ALL_PERMISSIONS & bit).toBe(bit);
  });

  it('parses decimal strings, bigints and numbers, and formats decimal strings', () => {
    expect(parsePermissions('93184', 'permissions')).toBe(93184n);
    expect(parsePermissions('0', 'permissions')).toBe(0n);
    expect(parsePermissions(2048n, 'permissions')).toBe(2048n);
    expect(parsePermissions(2048, 'permissions')).toBe(2048n);
    expect(parsePermissions('1125899906842624', 'permissions')).toBe(1n << 50n);
    expect(formatPermissions(93184n)).toBe('93184');
    expect(formatPermissions(1n << 50n)).toBe('1125899906842624');
  });

  it.each<[string | bigint | number]>([
    ['abc'],
    ['-1'],
    ['1.5'],
    [''],
    [' 8'],
    ['0x10'],
    [-1],
    [1.5],
    [Number.NaN],
    [-1n],
  ])('refuses %s, naming the field', (value) => {
    expect(() => parsePermissions(value, 'roles[0].permissions')).toThrow(InvalidArgumentError);
    expect(() => parsePermissions(value, 'roles[0].permissions')).toThrow(/`roles\[0\]\.permissions`/);
  });

  it('refuses to format negative bits', () => {
    expect(() => formatPermissions(-1n)).toThrow(InvalidArgumentError);
  });
});

describe('basePermissions', () => {
  it('gives the owner everything, whatever the roles', () => {
    expect(basePermissions(guild({}, 0n), { userId: OWNER_ID, roleIds: [] }, NOW)).toBe(ALL_PERMISSIONS);
  });

  it('ORs @everyone with every role of the member, ignoring unknown roles', () => {
    const g = guild({ a: P.MANAGE_MESSAGES, b: P.MANAGE_ROLES, c: P.KICK_MEMBERS });
    expect(basePermissions(g, member(['a', 'b', 'missing']), NOW)).toBe(EVERYONE | P.MANAGE_MESSAGES | P.MANAGE_ROLES);
  });

  it('gives ADMINISTRATOR everything', () => {
    expect(basePermissions(guild({ admin: P.ADMINISTRATOR }, 0n), member(['admin']), NOW)).toBe(ALL_PERMISSIONS);
  });

  it('leaves a timed-out member VIEW_CHANNEL and READ_MESSAGE_HISTORY only', () => {
    const g = guild({ mod: P.MANAGE_MESSAGES });
    const timedOut = member(['mod'], { communicationDisabledUntil: NOW + 1 });
    expect(basePermissions(g, timedOut, NOW)).toBe(P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY);
    expect(basePermissions(g, member(['mod'], { communicationDisabledUntil: NOW }), NOW)).toBe(
      EVERYONE | P.MANAGE_MESSAGES,
    );
  });
});

describe('channelPermissions', () => {
  it('gives the owner everything even when overwrites deny it', () => {
    const overwrites = [role(GUILD_ID, 0n, ALL_PERMISSIONS), user(OWNER_ID, 0n, ALL_PERMISSIONS)];
    expect(channelPermissions(guild(), { userId: OWNER_ID, roleIds: [] }, overwrites, NOW)).toBe(ALL_PERMISSIONS);
  });

  it('gives an ADMINISTRATOR role everything, ignoring overwrites', () => {
    const overwrites = [
      role(GUILD_ID, 0n, P.VIEW_CHANNEL),
      role('admin', 0n, P.VIEW_CHANNEL | P.SEND_MESSAGES),
      user(USER_ID, 0n, ALL_PERMISSIONS),
    ];
    expect(channelPermissions(guild({ admin: P.ADMINISTRATOR }), member(['admin']), overwrites, NOW)).toBe(
      ALL_PERMISSIONS,
    );
  });

  it('gives a member with only @everyone and no overwrites the @everyone permissions', () => {
    expect(channelPermissions(guild(), member(), [], NOW)).toBe(EVERYONE);
  });

  it('applies the @everyone overwrite', () => {
    const overwrites = [role(GUILD_ID, P.ATTACH_FILES, P.ADD_REACTIONS)];
    expect(channelPermissions(guild(), member(), overwrites, NOW)).toBe((EVERYONE & ~P.ADD_REACTIONS) | P.ATTACH_FILES);
  });

  it('lets a role overwrite deny beat a base allow', () => {
    const g = guild({ muted: 0n });
    const overwrites = [role('muted', 0n, P.ADD_REACTIONS)];
    expect(channelPermissions(g, member(['muted']), overwrites, NOW)).toBe(EVERYONE & ~P.ADD_REACTIONS);
  });

  it('lets a role overwrite allow beat an @everyone overwrite deny', () => {
    const g = guild({ staff: 0n });
    const overwrites = [role(GUILD_ID, 0n, P.SEND_MESSAGES), role('staff', P.SEND_MESSAGES, 0n)];
    expect(channelPermissions(g, member(['staff']), overwrites, NOW)).toBe(EVERYONE);
    expect(channelPermissions(g, member([]), overwrites, NOW)).toBe(
      EVERYONE & ~P.SEND_MESSAGES & ~P.EMBED_LINKS, // EMBED_LINKS falls with SEND_MESSAGES (implicit)
    );
  });

  it('ORs all role overwrites into one allow and one deny, whatever the order: the allow wins', () => {
    // Discord: allow = OR of allows, deny = OR of denies; perms &= ~deny; perms |= allow.
    const g = guild({ a: 0n, b: 0n });
    const base = EVERYONE & ~P.SEND_MESSAGES; // the channel's @everyone overwrite takes SEND_MESSAGES away
    const everyoneDeny = role(GUILD_ID, 0n, P.SEND_MESSAGES);
    const allowFromA = role('a', P.SEND_MESSAGES | P.MANAGE_MESSAGES, 0n);
    const denyFromB = role('b', 0n, P.SEND_MESSAGES | P.ADD_REACTIONS);
    const allow = P.SEND_MESSAGES | P.MANAGE_MESSAGES;
    const deny = P.SEND_MESSAGES | P.ADD_REACTIONS;
    const expected = (base & ~deny) | allow;
    expect(expected).toBe(
      P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.EMBED_LINKS | P.MANAGE_MESSAGES,
    );
    expect(channelPermissions(g, member(['a', 'b']), [everyoneDeny, allowFromA, denyFromB], NOW)).toBe(expected);
    expect(channelPermissions(g, member(['b', 'a']), [denyFromB, everyoneDeny, allowFromA], NOW)).toBe(expected);
  });

  it('ignores overwrites of roles the member does not have and of other members', () => {
    const g = guild({ a: 0n, other: 0n });
    const overwrites = [role('other', 0n, P.VIEW_CHANNEL), user('999', 0n, P.VIEW_CHANNEL)];
    expect(channelPermissions(g, member(['a']), overwrites, NOW)).toBe(EVERYONE);
  });

  it('applies the member overwrite last', () => {
    const g = guild({ a: 0n });
    const roleAllows = [role('a', P.MANAGE_MESSAGES, 0n), user(USER_ID, 0n, P.MANAGE_MESSAGES)];
    expect(channelPermissions(g, member(['a']), roleAllows, NOW)).toBe(EVERYONE);
    const hidden = [
      role(GUILD_ID, 0n, P.VIEW_CHANNEL),
      role('a', 0n, P.VIEW_CHANNEL),
      user(USER_ID, P.VIEW_CHANNEL, 0n),
    ];
    expect(channelPermissions(g, member(['a']), hidden, NOW)).toBe(EVERYONE);
  });

  it('gives nothing without VIEW_CHANNEL (implicit)', () => {
    const g = guild({ mod: P.MANAGE_MESSAGES | P.MANAGE_ROLES });
    const overwrites = [role(GUILD_ID, 0n, P.VIEW_CHANNEL)];
    expect(channelPermissions(g, member(['mod']), overwrites, NOW)).toBe(0n);
  });

  it('drops MENTION_EVERYONE, SEND_TTS_MESSAGES, ATTACH_FILES and EMBED_LINKS without SEND_MESSAGES (implicit)', () => {
    const everything = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS;
    const extras = P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS;
    const g = guild({}, everything | extras);
    const overwrites = [role(GUILD_ID, 0n, P.SEND_MESSAGES)];
    expect(channelPermissions(g, member(), overwrites, NOW)).toBe(
      P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS,
    );
    expect(channelPermissions(g, member(), [], NOW)).toBe(everything | extras);
  });

  it('leaves a timed-out member VIEW_CHANNEL and READ_MESSAGE_HISTORY, after overwrites; owner and admin exempt', () => {
    const g = guild({ mod: P.MANAGE_MESSAGES, admin: P.ADMINISTRATOR });
    const overwrites = [user(USER_ID, P.ATTACH_FILES, 0n)];
    const until = { communicationDisabledUntil: NOW + 60_000 };
    expect(channelPermissions(g, member(['mod'], until), overwrites, NOW)).toBe(
      P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY,
    );
    expect(channelPermissions(g, member(['mod'], until), [role(GUILD_ID, 0n, P.VIEW_CHANNEL)], NOW)).toBe(0n);
    expect(channelPermissions(g, member(['mod'], until), overwrites, NOW + 60_000)).toBe(
      EVERYONE | P.MANAGE_MESSAGES | P.ATTACH_FILES,
    );
    expect(channelPermissions(g, member(['admin'], until), overwrites, NOW)).toBe(ALL_PERMISSIONS);
    expect(channelPermissions(g, { userId: OWNER_ID, roleIds: [], ...until }, [], NOW)).toBe(ALL_PERMISSIONS);
  });
});

describe('missingPermissionError', () => {
  const required = P.VIEW_CHANNEL | P.SEND_MESSAGES;

  it('answers nothing when every bit is there', () => {
    expect(missingPermissionError(required | P.EMBED_LINKS, required)).toBeUndefined();
    expect(missingPermissionError(0n, 0n)).toBeUndefined();
  });

  it('answers 50001 Missing Access when the channel is not visible', () => {
    expect(missingPermissionError(0n, required)).toEqual({
      status: 403,
      body: { message: 'Missing Access', code: 50001 },
    });
    expect(missingPermissionError(P.SEND_MESSAGES, P.SEND_MESSAGES | P.VIEW_CHANNEL)?.body.code).toBe(50001);
  });

  it('answers 50013 Missing Permissions when the channel is visible but a bit is missing', () => {
    expect(missingPermissionError(P.VIEW_CHANNEL, required)).toEqual({
      status: 403,
      body: { message: 'Missing Permissions', code: 50013 },
    });
    expect(missingPermissionError(P.VIEW_CHANNEL | P.SEND_MESSAGES, P.MANAGE_MESSAGES)?.body.code).toBe(50013);
  });
});

describe('requiredForMessageCreate', () => {
  const base = P.VIEW_CHANNEL | P.SEND_MESSAGES;

  it('needs VIEW_CHANNEL and SEND_MESSAGES, plus what the body asks for', () => {
    expect(requiredForMessageCreate({ content: 'hi' })).toBe(base);
    expect(requiredForMessageCreate(undefined)).toBe(base);
    expect(requiredForMessageCreate({ content: 'hi', message_reference: { message_id: '5' } })).toBe(
      base | P.READ_MESSAGE_HISTORY,
    );
    expect(requiredForMessageCreate({ content: 'hi', tts: true })).toBe(base | P.SEND_TTS_MESSAGES);
    expect(requiredForMessageCreate({ content: 'hi', tts: false })).toBe(base);
    expect(requiredForMessageCreate({ attachments: [{ id: 0 }] })).toBe(base | P.ATTACH_FILES);
    expect(requiredForMessageCreate({ attachments: [] })).toBe(base);
    expect(requiredForMessageCreate({ content: 'hi' }, 2)).toBe(base | P.ATTACH_FILES);
  });
});

describe('properties', () => {
  const bits = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  const overwrite = fc.record({
    id: fc.constantFrom(GUILD_ID, 'r1', 'r2', 'r3', USER_ID, '999'),
    type: fc.constantFrom<0 | 1>(0, 1),
    allow: bits,
    deny: bits,
  });
  const scenario = fc.record({
    everyone: bits,
    roles: fc.tuple(bits, bits, bits),
    memberRoles: fc.subarray(['r1', 'r2', 'r3']),
    overwrites: fc.array(overwrite, { maxLength: 8 }),
    timedOut: fc.boolean(),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function setup(s: Scenario, extraRoles: Record<string, bigint> = {}, extraMemberRoles: string[] = []) {
    const g = guild({ r1: s.roles[0], r2: s.roles[1], r3: s.roles[2], ...extraRoles }, s.everyone);
    const roleIds = [...new Set([...s.memberRoles, ...extraMemberRoles])];
    const m = member(roleIds, s.timedOut ? { communicationDisabledUntil: NOW + 1 } : {});
    return { g, m };
  }

  it('ADMINISTRATOR in any member role gives ALL, whatever the overwrites', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('r1', 'r2', 'r3'), (s, adminRole) => {
        const { g, m } = setup(s, { [adminRole]: P.ADMINISTRATOR }, [adminRole]);
        expect(channelPermissions(g, m, s.overwrites, NOW)).toBe(ALL_PERMISSIONS);
      }),
      { seed: 20260806, numRuns: 300 },
    );
  });

  it('never exceeds ALL, and never grants anything without VIEW_CHANNEL', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { g, m } = setup(s);
        const result = channelPermissions(g, m, s.overwrites, NOW);
        expect(result & ~ALL_PERMISSIONS).toBe(0n);
        if ((result & P.VIEW_CHANNEL) === 0n) expect(result).toBe(0n);
        if (s.timedOut && result !== ALL_PERMISSIONS) {
          expect(result & ~(P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)).toBe(0n);
        }
      }),
      { seed: 20260807, numRuns: 300 },
    );
  });
});
