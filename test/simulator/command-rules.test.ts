import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/testing/simulator/discord-errors.js';
import {
  commandCharacterCount,
  findCommandsError,
  normalizeCommand,
  resolveCommandOptions,
} from '../../src/testing/simulator/interactions/command-rules.js';

type Json = Record<string, unknown>;

const setup: Json = {
  name: 'setup',
  description: 'Set up the live message',
  default_member_permissions: '32',
  options: [
    { type: 7, name: 'channel', description: 'Where to post', required: true, channel_types: [0] },
    {
      type: 3,
      name: 'mode',
      description: 'Layout',
      choices: [
        { name: 'Compact', value: 'compact' },
        { name: 'Full', value: 'full' },
      ],
    },
    { type: 4, name: 'interval', description: 'Seconds between updates', min_value: 5, max_value: 3600 },
    { type: 5, name: 'pin', description: 'Pin the message' },
  ],
};

const config: Json = {
  name: 'config',
  description: 'Configuration',
  options: [
    {
      type: 2,
      name: 'lang',
      description: 'Language',
      options: [
        {
          type: 1,
          name: 'set',
          description: 'Set the language',
          options: [
            { type: 3, name: 'code', description: 'Language code', required: true, min_length: 2, max_length: 5 },
          ],
        },
        { type: 1, name: 'get', description: 'Show the language' },
      ],
    },
    { type: 1, name: 'ping', description: 'Ping the bot' },
  ],
};

const userCommand: Json = { type: 2, name: 'Report User', description: '' };
const messageCommand: Json = { type: 3, name: 'Quote' };

function chatInput(name: string, extra: Json = {}): Json {
  return { name, description: `The ${name} command`, ...extra };
}

function option(name: string, extra: Json = {}): Json {
  return { type: 3, name, description: `The ${name} option`, ...extra };
}

function errorsOf(answer: ApiError | undefined): unknown {
  expect(answer).toBeDefined();
  expect(answer!.status).toBe(400);
  expect(answer!.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
  return answer!.body.errors;
}

/** The node at a dotted path of an errors tree, e.g. `0.options.1.name._errors.0.code`. */
function dig(tree: unknown, path: string): unknown {
  let node = tree;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function leaf(code: string, message: string): { _errors: { code: string; message: string }[] } {
  return { _errors: [{ code, message }] };
}

/** The first error code at a path for a one-command body. */
function codeAt(command: Json, path: string): unknown {
  return dig(errorsOf(findCommandsError([command])), `0.${path}._errors.0.code`);
}

describe('findCommandsError', () => {
  it('accepts a valid list of chat input, user and message commands', () => {
    expect(findCommandsError([setup, config, userCommand, messageCommand])).toBeUndefined();
    expect(findCommandsError([])).toBeUndefined();
    expect(
      findCommandsError([chatInput('café'), chatInput('नमस्ते'), chatInput("it's-a_name"), chatInput('日本')]),
    ).toBeUndefined();
  });

  it('refuses a body that is not a list, and commands that are not objects', () => {
    expect(errorsOf(findCommandsError({ name: 'setup' }))).toEqual(
      leaf('LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType'),
    );
    expect(errorsOf(findCommandsError([setup, 'nope']))).toEqual({
      '1': leaf('DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType'),
    });
  });

  it('checks chat input names: length, pattern, lowercase', () => {
    expect(errorsOf(findCommandsError([chatInput('Setup')]))).toEqual({
      '0': { name: leaf('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid') },
    });
    expect(codeAt(chatInput('set up'), 'name')).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect(codeAt(chatInput('hey!'), 'name')).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect(findCommandsError([chatInput('x'.repeat(32))])).toBeUndefined();
    expect(dig(errorsOf(findCommandsError([chatInput('x'.repeat(33))])), '0.name')).toEqual(
      leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.'),
    );
    expect(codeAt(chatInput(''), 'name')).toBe('BASE_TYPE_BAD_LENGTH');
    expect(codeAt({ description: 'no name' }, 'name')).toBe('BASE_TYPE_REQUIRED');
    expect(codeAt({ type: 2, name: 'x'.repeat(33) }, 'name')).toBe('BASE_TYPE_BAD_LENGTH');
  });

  it('refuses two commands of one type with one name, on the later one', () => {
    expect(errorsOf(findCommandsError([chatInput('ping'), chatInput('pong'), chatInput('ping')]))).toEqual({
      '2': leaf('APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique'),
    });
    expect(findCommandsError([chatInput('quote'), { type: 3, name: 'quote' }])).toBeUndefined();
  });

  it('checks descriptions: 1-100 for chat input, empty for user and message commands', () => {
    expect(findCommandsError([chatInput('a', { description: 'd'.repeat(100) })])).toBeUndefined();
    expect(
      dig(errorsOf(findCommandsError([chatInput('a', { description: 'd'.repeat(101) })])), '0.description'),
    ).toEqual(leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
    expect(codeAt({ name: 'a' }, 'description')).toBe('BASE_TYPE_REQUIRED');
    expect(codeAt(chatInput('a', { description: '' }), 'description')).toBe('BASE_TYPE_BAD_LENGTH');
    expect(dig(errorsOf(findCommandsError([{ type: 2, name: 'Report', description: 'x' }])), '0.description')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 0 or fewer in length.'),
    );
    expect(codeAt({ type: 3, name: 'Quote', options: [option('a')] }, 'options')).toBe('BASE_TYPE_MAX_LENGTH');
    expect(codeAt({ type: 5, name: 'a' }, 'type')).toBe('BASE_TYPE_CHOICES');
  });

  it('allows 25 options and refuses 26', () => {
    const options = (count: number) => Array.from({ length: count }, (_, i) => option(`o${i}`));
    expect(findCommandsError([chatInput('a', { options: options(25) })])).toBeUndefined();
    expect(dig(errorsOf(findCommandsError([chatInput('a', { options: options(26) })])), '0.options')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'),
    );
  });

  it('refuses a required option after an optional one', () => {
    const options = [option('a', { required: true }), option('b'), option('c', { required: true })];
    expect(dig(errorsOf(findCommandsError([chatInput('cmd', { options })])), '0.options')).toEqual(
      leaf('APPLICATION_COMMAND_OPTIONS_ORDER_INVALID', 'Required options must be placed before non-required options'),
    );
  });

  it('checks option types, names, descriptions and uniqueness', () => {
    const at = (opt: Json, path: string) => codeAt(chatInput('cmd', { options: [opt] }), `options.0.${path}`);
    expect(at(option('a', { type: 12 }), 'type')).toBe('BASE_TYPE_CHOICES');
    expect(at(option('a', { type: undefined }), 'type')).toBe('BASE_TYPE_REQUIRED');
    expect(at(option('Channel'), 'name')).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect(at(option('x'.repeat(33)), 'name')).toBe('BASE_TYPE_BAD_LENGTH');
    expect(at(option('a', { description: 'd'.repeat(101) }), 'description')).toBe('BASE_TYPE_BAD_LENGTH');
    expect(at(option('a', { description: undefined }), 'description')).toBe('BASE_TYPE_REQUIRED');
    const twice = chatInput('cmd', { options: [option('a'), option('a')] });
    expect(codeAt(twice, 'options.1.name')).toBe('APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME');
  });

  it('checks choices: at most 25, names 1-100, values of the option type', () => {
    const choices = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `c${i}`, value: `v${i}` }));
    const at = (opt: Json, path: string) => codeAt(chatInput('cmd', { options: [opt] }), `options.0.${path}`);
    expect(findCommandsError([chatInput('cmd', { options: [option('a', { choices: choices(25) })] })])).toBeUndefined();
    expect(
      dig(
        errorsOf(findCommandsError([chatInput('cmd', { options: [option('a', { choices: choices(26) })] })])),
        '0.options.0.choices',
      ),
    ).toEqual(leaf('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
    expect(at(option('a', { choices: [{ name: 'n'.repeat(101), value: 'v' }] }), 'choices.0.name')).toBe(
      'BASE_TYPE_BAD_LENGTH',
    );
    expect(at(option('a', { choices: [{ name: 'n', value: 'v'.repeat(101) }] }), 'choices.0.value')).toBe(
      'BASE_TYPE_MAX_LENGTH',
    );
    const valid = (opt: Json) => findCommandsError([chatInput('cmd', { options: [opt] })]);
    expect(valid(option('a', { choices: [{ name: 'n', value: 'v'.repeat(100) }] }))).toBeUndefined();
    expect(at(option('a', { type: 4, choices: [{ name: 'n', value: 'one' }] }), 'choices.0.value')).toBe(
      'NUMBER_TYPE_COERCE',
    );
    expect(at(option('a', { type: 4, choices: [{ name: 'n', value: 1.5 }] }), 'choices.0.value')).toBe(
      'NUMBER_TYPE_COERCE',
    );
    expect(valid(option('a', { type: 10, choices: [{ name: 'n', value: 1.5 }] }))).toBeUndefined();
    expect(at(option('a', { type: 3, choices: [{ name: 'n', value: 5 }] }), 'choices.0.value')).toBe(
      'STRING_TYPE_CONVERT',
    );
    expect(at(option('a', { choices: [{ name: 'n' }] }), 'choices.0.value')).toBe('BASE_TYPE_REQUIRED');
  });

  it('checks min_length and max_length (0-6000)', () => {
    const at = (opt: Json, path: string) => codeAt(chatInput('cmd', { options: [opt] }), `options.0.${path}`);
    expect(
      findCommandsError([chatInput('cmd', { options: [option('a', { min_length: 0, max_length: 6000 })] })]),
    ).toBeUndefined();
    expect(at(option('a', { min_length: 6001 }), 'min_length')).toBe('NUMBER_TYPE_MAX');
    expect(at(option('a', { min_length: -1 }), 'min_length')).toBe('NUMBER_TYPE_MIN');
    expect(at(option('a', { max_length: 0 }), 'max_length')).toBe('NUMBER_TYPE_MIN');
    expect(at(option('a', { max_length: 6001 }), 'max_length')).toBe('NUMBER_TYPE_MAX');
  });

  it('applies the sub-command nesting rules', () => {
    const group = (inner: Json) => ({ type: 2, name: 'group', description: 'Group', options: [inner] });
    const sub = (inner?: Json) => ({
      type: 1,
      name: 'sub',
      description: 'Sub',
      ...(inner ? { options: [inner] } : {}),
    });
    expect(codeAt(chatInput('cmd', { options: [group(option('text'))] }), 'options.0.options.0.type')).toBe(
      'BASE_TYPE_CHOICES',
    );
    expect(codeAt(chatInput('cmd', { options: [group(group(sub()))] }), 'options.0.options.0.type')).toBe(
      'BASE_TYPE_CHOICES',
    );
    expect(
      dig(errorsOf(findCommandsError([chatInput('cmd', { options: [sub(sub())] })])), '0.options.0.options.0.type'),
    ).toEqual(leaf('BASE_TYPE_CHOICES', 'Value must be one of {3, 4, 5, 6, 7, 8, 9, 10, 11}.'));
    expect(
      dig(errorsOf(findCommandsError([chatInput('cmd', { options: [sub(), option('text')] })])), '0.options'),
    ).toEqual(
      leaf(
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command and sub-command group option types are mutually exclusive to all other types',
      ),
    );
    expect(
      findCommandsError([
        chatInput('cmd', {
          options: [
            { ...group(sub(option('text'))), name: 'g' },
            { ...sub(), name: 's' },
          ],
        }),
      ]),
    ).toBeUndefined();
  });

  it('accepts null or a decimal string for default_member_permissions', () => {
    expect(findCommandsError([chatInput('a', { default_member_permissions: null })])).toBeUndefined();
    expect(findCommandsError([chatInput('a', { default_member_permissions: '0' })])).toBeUndefined();
    expect(findCommandsError([chatInput('a', { default_member_permissions: '93184' })])).toBeUndefined();
    expect(codeAt(chatInput('a', { default_member_permissions: 'admin' }), 'default_member_permissions')).toBe(
      'NUMBER_TYPE_COERCE',
    );
    expect(codeAt(chatInput('a', { default_member_permissions: 32 }), 'default_member_permissions')).toBe(
      'STRING_TYPE_CONVERT',
    );
  });

  it('allows 8000 characters per command and refuses 8001', () => {
    const choices = (count: number, size: number) =>
      Array.from({ length: count }, (_, i) => ({ name: `${i}`.padEnd(size, 'n'), value: `${i}`.padEnd(size, 'v') }));
    const big = (lastValue: number): Json => ({
      name: 'big',
      description: 'd'.repeat(97),
      options: [
        option('o0', { description: 'd'.repeat(98), choices: choices(25, 100) }),
        option('o1', {
          description: 'd'.repeat(98),
          choices: [...choices(13, 100), { name: 'n'.repeat(50), value: 'v'.repeat(lastValue) }],
        }),
      ],
    });
    expect(commandCharacterCount(big(50))).toBe(8000);
    expect(findCommandsError([big(50)])).toBeUndefined();
    expect(commandCharacterCount(big(51))).toBe(8001);
    expect(errorsOf(findCommandsError([big(51)]))).toEqual({
      '0': leaf('APPLICATION_COMMAND_TOO_LARGE', 'Command exceeds maximum size (8000)'),
    });
  });

  it('allows 100 chat input commands and refuses 101 with 30032', () => {
    const commands = (count: number) => Array.from({ length: count }, (_, i) => chatInput(`c${i}`));
    expect(findCommandsError([...commands(100), userCommand, messageCommand])).toBeUndefined();
    expect(findCommandsError(commands(101))).toEqual({
      status: 400,
      body: { message: 'Maximum number of application commands reached (100)', code: 30032 },
    });
  });

  it('reports every error of the body at once', () => {
    const body = [chatInput('Bad'), chatInput('ok', { description: '' }), chatInput('ok')];
    expect(errorsOf(findCommandsError(body))).toEqual({
      '0': { name: leaf('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid') },
      '1': { description: leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') },
      '2': leaf('APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique'),
    });
  });
});

describe('normalizeCommand', () => {
  const ids = { id: '900', applicationId: '800', version: '901' };

  it('returns the object Discord stores for a global chat input command', () => {
    expect(normalizeCommand(setup, ids)).toEqual({
      id: '900',
      type: 1,
      application_id: '800',
      name: 'setup',
      name_localizations: null,
      description: 'Set up the live message',
      description_localizations: null,
      options: setup['options'],
      default_member_permissions: '32',
      dm_permission: true,
      contexts: null,
      integration_types: [0],
      nsfw: false,
      version: '901',
    });
  });

  it('adds guild_id and drops dm_permission for a guild command; user commands have an empty description', () => {
    const stored = normalizeCommand({ ...userCommand, description: undefined }, { ...ids, guildId: '700' });
    expect(stored).toEqual({
      id: '900',
      type: 2,
      application_id: '800',
      guild_id: '700',
      name: 'Report User',
      name_localizations: null,
      description: '',
      description_localizations: null,
      default_member_permissions: null,
      contexts: null,
      integration_types: [0],
      nsfw: false,
      version: '901',
    });
  });

  it('echoes contexts, integration_types, nsfw and localizations, and copies options', () => {
    const command = chatInput('a', {
      contexts: [0, 1],
      integration_types: [0, 1],
      nsfw: true,
      dm_permission: false,
      name_localizations: { fr: 'a' },
      options: [option('x')],
    });
    const stored = normalizeCommand(command, ids);
    expect(stored).toMatchObject({
      contexts: [0, 1],
      integration_types: [0, 1],
      nsfw: true,
      dm_permission: false,
      name_localizations: { fr: 'a' },
    });
    expect(stored.options).toEqual(command['options']);
    expect(stored.options).not.toBe(command['options']);
  });
});

describe('resolveCommandOptions', () => {
  const channels = new Map([['#general', '555']]);
  const resolve = (type: number, value: unknown) => (type === 7 ? channels.get(String(value)) : undefined);

  it('resolves options in the declared order, choices by value or name', () => {
    const result = resolveCommandOptions(
      setup,
      { interval: '60', mode: 'Full', channel: '#general', pin: true },
      resolve,
    );
    expect(result).toEqual({
      ok: true,
      options: [
        { name: 'channel', type: 7, value: '555' },
        { name: 'mode', type: 3, value: 'full' },
        { name: 'interval', type: 4, value: 60 },
        { name: 'pin', type: 5, value: true },
      ],
    });
    expect(resolveCommandOptions(setup, { channel: '#general', mode: 'compact' }, resolve)).toEqual({
      ok: true,
      options: [
        { name: 'channel', type: 7, value: '555' },
        { name: 'mode', type: 3, value: 'compact' },
      ],
    });
  });

  it('reports a missing required option', () => {
    expect(resolveCommandOptions(setup, { mode: 'full' }, resolve)).toEqual({
      ok: false,
      errors: ['option `channel` is required'],
      error: 'option `channel` is required',
    });
  });

  it('reports wrong types, values outside the choices or the range, unknown options and unresolvable entities', () => {
    const result = resolveCommandOptions(
      setup,
      { channel: '#nowhere', mode: 'huge', interval: 'soon', pin: 'maybe', color: 'red' },
      resolve,
    );
    expect(!result.ok && result.errors).toEqual([
      'unknown option `color` (options: channel, mode, interval, pin)',
      'option `channel` takes a channel; `#nowhere` (string) does not name one',
      'option `mode` must be one of `compact`, `full`, got `huge` (string)',
      'option `interval` takes an integer, got `soon` (string)',
      'option `pin` takes true or false, got `maybe` (string)',
    ]);
    const low = resolveCommandOptions(setup, { channel: '#general', interval: 1 }, resolve);
    expect(!low.ok && low.error).toBe('option `interval` must be at least 5, got 1');
    const high = resolveCommandOptions(setup, { channel: '#general', interval: 3601 }, resolve);
    expect(!high.ok && high.error).toBe('option `interval` must be at most 3600, got 3601');
    const fraction = resolveCommandOptions(setup, { channel: '#general', interval: 7.5 }, resolve);
    expect(fraction.ok).toBe(false);
  });

  it('addresses sub-commands as `sub` or `group sub`', () => {
    expect(resolveCommandOptions(config, { 'lang set': { code: 'fr' } }, resolve)).toEqual({
      ok: true,
      options: [
        {
          name: 'lang',
          type: 2,
          options: [{ name: 'set', type: 1, options: [{ name: 'code', type: 3, value: 'fr' }] }],
        },
      ],
    });
    expect(resolveCommandOptions(config, { ping: {} }, resolve)).toEqual({
      ok: true,
      options: [{ name: 'ping', type: 1, options: [] }],
    });
    expect(resolveCommandOptions(config, { 'lang get': true }, resolve)).toEqual({
      ok: true,
      options: [{ name: 'lang', type: 2, options: [{ name: 'get', type: 1, options: [] }] }],
    });
  });

  it('reports a missing, ambiguous or unknown sub-command, and the sub-command own checks', () => {
    const none = resolveCommandOptions(config, {}, resolve);
    expect(!none.ok && none.error).toBe('choose a sub-command: `lang set`, `lang get`, `ping`');
    const two = resolveCommandOptions(config, { ping: {}, 'lang get': {} }, resolve);
    expect(!two.ok && two.error).toBe('give exactly one sub-command, got `ping`, `lang get`');
    const unknown = resolveCommandOptions(config, { lang: {} }, resolve);
    expect(!unknown.ok && unknown.error).toBe(
      'unknown sub-command `lang` (choose one of `lang set`, `lang get`, `ping`)',
    );
    const short = resolveCommandOptions(config, { 'lang set': { code: 'f' } }, resolve);
    expect(!short.ok && short.error).toBe('option `code` must be 2–5 characters long, got 1');
    const missing = resolveCommandOptions(config, { 'lang set': {} }, resolve);
    expect(!missing.ok && missing.error).toBe('option `code` is required');
  });
});
