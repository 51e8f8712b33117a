/**
 * fast-check arbitraries for the public boundary: values a caller may pass where the manager expects a snowflake, a
 * body, a key, an options object, a `config` or an environment map — the well-formed ones and every kind of wrong
 * one (wrong types, lone surrogates, leading zeros, cycles, `BigInt`, `toJSON` objects, huge strings, token-shaped
 * strings in values and in property names).
 */
import fc from 'fast-check';
import { DEFAULT_RATE_LIMIT_CONFIG, RATE_LIMIT_ENV_VARS } from '../../src/index.js';

/** A Discord bot token shape (the brief's example); messages must never echo it. */
export const TOKEN = `${'M'.repeat(24)}.${'a'.repeat(6)}.${'b'.repeat(27)}`;
/** A second, less regular token, so a fix that masks one literal cannot pass. */
export const TOKEN_2 = 'NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I';
export const TOKENS = [TOKEN, TOKEN_2] as const;

export const tokenArb = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.constantFrom(...TOKENS).map((token) => ` ${token}\n`),
  fc.constantFrom(...TOKENS).map((token) => `Bot ${token}`),
);

/** Whether `text` holds any of {@link TOKENS} as given. */
export function containsToken(text: string): boolean {
  return TOKENS.some((token) => text.includes(token));
}

export const loneSurrogateArb = fc.constantFrom('\uD800', 'a\uDC00b', '\uDBFF\uDBFF', 'ok\uD83D', '\uDE00x');

/** Strings of every kind, short and huge. */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: loneSurrogateArb },
  { weight: 1, arbitrary: tokenArb },
  { weight: 1, arbitrary: fc.constantFrom('', '\u0000', ' ', '\n', '__proto__', 'toString') },
);

/**
 * Text at and beyond Discord's length limits, for the fields that have one. Kept out of {@link textArb}: a long run
 * of word characters in a value an error quotes costs quadratic time in `maskTokens` (a known issue, tested on its
 * own), which would make the fuzz runs slow rather than find anything new.
 */
export const sizedTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: textArb },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(1024, 1025, 2000, 2001, 4096, 4097, 6001, 20_000), fc.constantFrom('x', '😀'))
      .map(([n, unit]) => unit.repeat(unit.length === 1 ? n : Math.ceil(n / 2))),
  },
);

/** Anything that is not a string: numbers of all kinds, null, objects, arrays, BigInt, symbols, functions. */
export const notAStringArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e21, 2 ** 53 + 2),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.bigInt(),
  fc.constant(Symbol('s')),
  fc.constant(() => 'f'),
  fc.constant({}),
  fc.constant([]),
  fc.constant(Object.create(null) as unknown),
  fc.constant(new String('100000000000000001') as unknown),
  fc.constant(new Date(0) as unknown),
);

export const snowflakeArb = fc.bigInt({ min: 10n ** 16n, max: 2n ** 64n - 1n }).map(String);

/** Ids: valid snowflakes (often), and every near miss. */
export const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: snowflakeArb },
  { weight: 1, arbitrary: snowflakeArb.map((id) => `0${id.slice(1)}`) },
  { weight: 1, arbitrary: snowflakeArb.map((id) => `0${id}`) },
  { weight: 1, arbitrary: fc.constantFrom('18446744073709551616', '99999999999999999999', '1234567890123456', '0') },
  { weight: 1, arbitrary: snowflakeArb.map((id) => ` ${id}`) },
  { weight: 1, arbitrary: snowflakeArb.map((id) => `${id}\n`) },
  { weight: 1, arbitrary: snowflakeArb.map((id) => `${id}\uD800`) },
  { weight: 1, arbitrary: fc.constantFrom('１２３４５６７８９０１２３４５６７８', '١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨') },
  { weight: 1, arbitrary: snowflakeArb.map((id) => Number(id)) },
  { weight: 1, arbitrary: snowflakeArb.map((id) => BigInt(id)) },
  { weight: 2, arbitrary: textArb },
  { weight: 2, arbitrary: notAStringArb },
);

export const keyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'k'.repeat(200), 'k'.repeat(201), '😀'.repeat(100), '😀'.repeat(101)) },
  { weight: 1, arbitrary: fc.constantFrom('a\u0000b', '__proto__', 'toString', 'constructor') },
  { weight: 1, arbitrary: loneSurrogateArb },
  { weight: 1, arbitrary: tokenArb },
  { weight: 2, arbitrary: notAStringArb },
);

/** A leaf of a body: text, numbers, wrong types, BigInt, functions (JSON drops them), symbols. */
const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: textArb },
  { weight: 3, arbitrary: notAStringArb },
);

const fieldText = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: sizedTextArb },
  { weight: 2, arbitrary: leafArb },
);

const embedArb = fc.record(
  {
    title: fieldText,
    description: fieldText,
    url: fieldText,
    timestamp: fieldText,
    color: fc.oneof(fc.integer({ min: 0, max: 0xffffff }), leafArb),
    footer: fc.oneof(fc.record({ text: fieldText }, { requiredKeys: [] }), leafArb),
    author: fc.oneof(fc.record({ name: fieldText }, { requiredKeys: [] }), leafArb),
    image: fc.oneof(fc.record({ url: fieldText }, { requiredKeys: [] }), leafArb),
    fields: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            { name: fieldText, value: fieldText, inline: fc.oneof(fc.boolean(), leafArb) },
            { requiredKeys: [] },
          ),
          leafArb,
        ),
        { maxLength: 27 },
      ),
      leafArb,
    ),
  },
  { requiredKeys: [] },
);

const componentArb = fc.oneof(
  fc.record(
    {
      type: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 1, arbitrary: leafArb }),
      components: fc.array(fc.record({ type: fc.integer({ min: 2, max: 8 }), custom_id: fc.string() }), {
        maxLength: 6,
      }),
    },
    { requiredKeys: ['type'] },
  ),
  leafArb,
);

/** Discord-shaped bodies with random field types. */
const structuredBodyArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    content: fc.oneof({ weight: 6, arbitrary: sizedTextArb }, { weight: 1, arbitrary: leafArb }),
    embeds: fc.oneof(fc.array(fc.oneof({ weight: 5, arbitrary: embedArb }, leafArb), { maxLength: 11 }), leafArb),
    components: fc.oneof(fc.array(componentArb, { maxLength: 6 }), leafArb),
    flags: fc.oneof(fc.constantFrom(0, 4, 1 << 15, 1 << 12), leafArb),
    sticker_ids: fc.oneof(fc.array(fc.oneof(snowflakeArb, leafArb), { maxLength: 4 }), leafArb),
    tts: fc.oneof(fc.boolean(), leafArb),
    allowed_mentions: fc.oneof(fc.constant({ parse: [] }), leafArb),
    nonce: fc.oneof(fc.string({ maxLength: 30 }), leafArb),
    extra: fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withBoxedValues: true }),
  },
  { requiredKeys: [] },
);

/** A class instance is not a plain object, whatever its fields: a body the manager must refuse. */
class BodyClass {
  public readonly kind = 'a class instance';
}

/** How a body is dressed up before it is passed. */
type Dressing = 'none' | 'cycle' | 'toJSON' | 'embedToJSON' | 'tokenKey' | 'nestedTokenKey' | 'classInstance';

function dress(body: Record<string, unknown>, dressing: Dressing, token: string): unknown {
  switch (dressing) {
    case 'none':
      return body;
    case 'cycle': {
      const target = Array.isArray(body['embeds']) && typeof body['embeds'][0] === 'object' ? body['embeds'][0] : body;
      if (target !== null && typeof target === 'object') (target as Record<string, unknown>)['self'] = body;
      return body;
    }
    case 'toJSON': {
      const copy = { ...body };
      return { toJSON: () => copy };
    }
    case 'embedToJSON':
      return { ...body, embeds: [{ toJSON: () => ({ title: 'built', description: body['content'] }) }] };
    case 'tokenKey':
      return { ...body, [token]: body['content'] ?? 1n };
    case 'nestedTokenKey':
      return { ...body, embeds: [{ [token]: 'v\uD800' }] };
    case 'classInstance':
      return Object.assign(new BodyClass(), body);
  }
}

export const bodyArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        structuredBodyArb,
        fc.constantFrom<Dressing>(
          'none',
          'none',
          'none',
          'cycle',
          'toJSON',
          'embedToJSON',
          'tokenKey',
          'nestedTokenKey',
          'classInstance',
        ),
        fc.constantFrom(...TOKENS),
      )
      .map(([body, dressing, token]) => dress(body, dressing, token)),
  },
  {
    weight: 2,
    arbitrary: fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withSparseArray: true }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ toJSON: () => undefined }, { toJSON: () => null }) },
  { weight: 1, arbitrary: fc.integer({ min: 3000, max: 4000 }).map((depth) => nest(depth)) },
  { weight: 1, arbitrary: leafArb },
);

/** `{ content: 'x', extra: { a: { a: ... } } }`, `depth` levels down. */
function nest(depth: number): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return { content: 'deep', extra: value };
}

const weirdNumberArb = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, 1.5, -0, 2 ** 31, 2 ** 53),
  fc.constantFrom('1', '', '100'),
  notAStringArb,
);

export const updateOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        priority: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 3) }, weirdNumberArb),
        deadlineMs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 20_000 }) }, weirdNumberArb),
        key: keyArb,
        sortOrder: fc.oneof(fc.double(), weirdNumberArb),
        [TOKEN]: fc.constant(1),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: leafArb },
);

export const CONFIG_FIELDS = Object.keys(DEFAULT_RATE_LIMIT_CONFIG) as (keyof typeof DEFAULT_RATE_LIMIT_CONFIG)[];
export const ENV_VARS = Object.values(RATE_LIMIT_ENV_VARS);

const objectKeyArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CONFIG_FIELDS) },
  { weight: 1, arbitrary: fc.constantFrom('toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...TOKENS) },
);

/** Values for a config field: in range, at the bounds, off by one, and of every wrong type. */
export const configValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 10_000, 10_001, 3_600_000, 3_600_001, 86_400_000, 1e9, 1e9 + 1, -1) },
  { weight: 2, arbitrary: weirdNumberArb },
  { weight: 1, arbitrary: tokenArb },
);

/**
 * Builds an object with the given entries as *own* properties, `__proto__` included (an object literal or a plain
 * assignment would set the prototype instead).
 */
export function ownEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return object;
}

export const configArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 8,
    arbitrary: fc.array(fc.tuple(objectKeyArb, configValueArb), { maxLength: 5 }).map((entries) => ownEntries(entries)),
  },
  { weight: 1, arbitrary: leafArb },
);

const envValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -10, max: 100_000 }).map(String) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', ' ', '\t', '\n', '+', '-', '0', '00', '\u00a0', '\uFEFF'),
        fc.integer({ min: 0, max: 70_000 }),
        fc.constantFrom('', '', ' ', '\n', '\r\n', '.0', 'e3', 'ms', '\u2028'),
      )
      .map(([before, n, after]) => `${before}${n}${after}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '0x10', '1e3', '1_000', '１２', '٣', 'Infinity', 'NaN', '99999999999999999999'),
  },
  { weight: 1, arbitrary: textArb },
  { weight: 1, arbitrary: tokenArb },
  { weight: 2, arbitrary: notAStringArb },
);

export const envArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ENV_VARS) }, fc.string()), envValueArb), {
        maxLength: 6,
      })
      .map((entries) => ownEntries(entries)),
  },
  { weight: 1, arbitrary: leafArb },
);

/**
 * Bodies that are mostly what a bot sends (content, embeds with fields, a row of buttons), some at or over a limit,
 * some built with `toJSON`: these reach the send path, where the request itself is checked.
 */
export const plausibleBodyArb: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.record(
      {
        content: sizedTextArb,
        embeds: fc.array(
          fc.record(
            {
              title: fc.string({ maxLength: 40 }),
              description: sizedTextArb,
              color: fc.integer({ min: 0, max: 0xffffff }),
              fields: fc.array(
                fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), value: fc.string({ maxLength: 40 }) }),
                { maxLength: 26 },
              ),
              footer: fc.record({ text: fc.string({ maxLength: 30 }) }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 11 },
        ),
        components: fc.array(
          fc.record({
            type: fc.constant(1),
            components: fc.array(fc.record({ type: fc.constant(2), style: fc.constant(1), custom_id: fc.string() }), {
              maxLength: 6,
            }),
          }),
          { maxLength: 6 },
        ),
        tts: fc.boolean(),
        flags: fc.constantFrom(0, 4),
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom<'none' | 'toJSON' | 'embedToJSON'>('none', 'none', 'none', 'toJSON', 'embedToJSON'),
  )
  .map(([body, how]) => {
    if (how === 'toJSON') return { toJSON: () => body };
    if (how === 'embedToJSON') return { ...body, embeds: [{ toJSON: () => ({ title: 'built' }) }] };
    return body;
  });

/** Options that are mostly valid (a priority, sometimes a deadline), now and then one wrong field. */
export const plausibleOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.record(
      { priority: fc.constantFrom(0, 1, 2, 3), deadlineMs: fc.integer({ min: 1, max: 20_000 }) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: updateOptionsArb },
);

/** Managed keys as bots write them (`equipment:42`), and now and then a bad one. */
export const plausibleKeyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('board', 'equipment:1', 'équipe', 'item-😀') },
  { weight: 1, arbitrary: keyArb },
);
