/**
 * The message body the manager keeps: a JSON copy of what the caller passed, taken and checked at enqueue.
 *
 * A body is serialised once, at enqueue, the way it will be sent (builders' `toJSON` applied, `undefined` and
 * functions dropped), and the copy is what is checked, stored and sent. So a body that cannot be sent (a cycle, a
 * `BigInt`, a field of the wrong type) is refused before anything is queued, and changing the caller's object after
 * `edit()` changes nothing that was queued.
 *
 * @module
 */
import { InvalidPayloadError } from '../errors/message-update-error.js';
import { isRecord } from '../util/is-record.js';
import { textProblem, type TextProblem } from '../util/well-formed-text.js';
import { assertValidPayload, isPlainObject, type PayloadKind } from './payload-limits.js';

/** A body as JSON gives it back: plain objects, arrays, strings, finite numbers, booleans and `null`. */
export type JsonBody = Record<string, unknown>;

/** What a field must be, and how to tell. */
interface FieldType {
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
}

const isString = (value: unknown) => typeof value === 'string';
const STRING: FieldType = { expected: 'a string', test: isString };
const BOOLEAN: FieldType = { expected: 'a boolean', test: (value) => typeof value === 'boolean' };
const INTEGER: FieldType = { expected: 'an integer', test: (value) => Number.isSafeInteger(value) };
const OBJECT: FieldType = { expected: 'an object', test: isRecord };
const ARRAY: FieldType = { expected: 'an array', test: Array.isArray };
const SNOWFLAKE_LIKE: FieldType = {
  expected: 'a snowflake string',
  test: (value) => typeof value === 'string' || Number.isSafeInteger(value),
};

/**
 * Top-level fields of create and edit bodies whose type Discord checks. `null` is accepted for each: an edit clears a
 * field with it, and Discord treats it as absent in a create.
 *
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 * @see https://discord.com/developers/docs/resources/message#edit-message-jsonform-params
 */
const TOP_LEVEL: Readonly<Record<string, FieldType>> = {
  content: STRING,
  tts: BOOLEAN,
  embeds: ARRAY,
  allowed_mentions: OBJECT,
  message_reference: OBJECT,
  components: ARRAY,
  sticker_ids: ARRAY,
  attachments: ARRAY,
  flags: INTEGER,
  poll: OBJECT,
};

/** Fields of an embed object. */
const EMBED: Readonly<Record<string, FieldType>> = {
  title: STRING,
  type: STRING,
  description: STRING,
  url: STRING,
  timestamp: STRING,
  color: INTEGER,
  footer: OBJECT,
  image: OBJECT,
  thumbnail: OBJECT,
  video: OBJECT,
  author: OBJECT,
  fields: ARRAY,
};

/** A type problem: the path of the field, what it must be, and what it is. */
interface TypeProblem {
  readonly path: string;
  readonly expected: string;
  readonly value: unknown;
}

function checkFields(
  object: JsonBody,
  types: Readonly<Record<string, FieldType>>,
  prefix: string,
): TypeProblem | undefined {
  for (const [name, type] of Object.entries(types)) {
    const value = object[name];
    if (value !== undefined && value !== null && !type.test(value)) {
      return { path: `${prefix}${name}`, expected: type.expected, value };
    }
  }
  return undefined;
}

/** A required string field of a nested object (`footer.text`, `author.name`, `fields[n].name`). */
function requireString(object: JsonBody, name: string, path: string): TypeProblem | undefined {
  return isString(object[name]) ? undefined : { path: `${path}.${name}`, expected: 'a string', value: object[name] };
}

function checkEmbed(embed: unknown, path: string): TypeProblem | undefined {
  if (!isRecord(embed)) return { path, expected: 'an embed object', value: embed };
  const own = checkFields(embed, EMBED, `${path}.`);
  if (own) return own;
  if (isRecord(embed['footer'])) {
    const found = requireString(embed['footer'], 'text', `${path}.footer`);
    if (found) return found;
  }
  if (isRecord(embed['author'])) {
    const found = requireString(embed['author'], 'name', `${path}.author`);
    if (found) return found;
  }
  for (const media of ['image', 'thumbnail'] as const) {
    if (isRecord(embed[media])) {
      const found = requireString(embed[media], 'url', `${path}.${media}`);
      if (found) return found;
    }
  }
  const fields = embed['fields'];
  if (Array.isArray(fields)) {
    for (let f = 0; f < fields.length; f++) {
      const field: unknown = fields[f];
      const at = `${path}.fields[${f}]`;
      if (!isRecord(field)) return { path: at, expected: 'an embed field object', value: field };
      const found =
        requireString(field, 'name', at) ??
        requireString(field, 'value', at) ??
        checkFields(field, { inline: BOOLEAN }, `${at}.`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first field of a (JSON) message body whose type Discord would reject with 400: top-level fields, embeds and
 * their parts, components (objects with an integer `type`), sticker ids.
 *
 * @param body - a plain JSON object
 * @returns the problem, or `undefined` when the types are right
 */
function findTypeProblem(body: JsonBody): TypeProblem | undefined {
  const top = checkFields(body, TOP_LEVEL, '');
  if (top) return top;
  const embeds = body['embeds'];
  if (Array.isArray(embeds)) {
    for (let e = 0; e < embeds.length; e++) {
      const found = checkEmbed(embeds[e], `embeds[${e}]`);
      if (found) return found;
    }
  }
  const components = body['components'];
  if (Array.isArray(components)) {
    for (let c = 0; c < components.length; c++) {
      const component: unknown = components[c];
      const at = `components[${c}]`;
      if (!isRecord(component)) return { path: at, expected: 'a component object', value: component };
      if (!Number.isSafeInteger(component['type'])) {
        return { path: `${at}.type`, expected: 'an integer (a ComponentType)', value: component['type'] };
      }
    }
  }
  const stickers = body['sticker_ids'];
  if (Array.isArray(stickers)) {
    const s = stickers.findIndex((id) => !SNOWFLAKE_LIKE.test(id));
    if (s >= 0) return { path: `sticker_ids[${s}]`, expected: SNOWFLAKE_LIKE.expected, value: stickers[s] };
  }
  return undefined;
}

/** Why a value cannot be copied as JSON, or holds text that would not be kept as given. */
class CopyProblem {
  public constructor(public readonly error: InvalidPayloadError) {}
}

/**
 * Copies `value` as `JSON.parse(JSON.stringify(value))` would (`toJSON` applied, `undefined`, functions and symbols
 * dropped from objects and `null` in arrays, non-finite numbers `null`, boxed primitives unboxed), in one walk that
 * also finds what JSON cannot carry (a `BigInt`, a cycle) and strings that would not be kept as given.
 */
function jsonCopy(value: unknown, key: string, path: string, ancestors: object[], rejectNul: boolean): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (value instanceof String || value instanceof Number || value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string': {
      const problem = textProblem(value, rejectNul);
      if (problem) throw new CopyProblem(textError(path || 'body', problem));
      return value;
    }
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      throw new CopyProblem(typeError({ path, expected: 'JSON-serialisable (a BigInt is not)', value }, UNSENDABLE));
    case 'object':
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (value === null) return null;
  if (ancestors.length >= MAX_DEPTH) {
    const expected = `nested at most ${MAX_DEPTH} levels deep (Discord's bodies need a handful)`;
    throw new CopyProblem(typeError({ path, expected, value }, UNSENDABLE));
  }
  if (ancestors.includes(value)) {
    const expected = 'JSON-serialisable (it refers back to an object that contains it)';
    throw new CopyProblem(typeError({ path, expected, value }, UNSENDABLE));
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const copy: unknown[] = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        copy[i] = jsonCopy(value[i], String(i), `${path}[${i}]`, ancestors, rejectNul) ?? null;
      }
      return copy;
    }
    const copy: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      const at = path ? `${path}.${name}` : name;
      const ownProblem = textProblem(name, rejectNul);
      if (ownProblem) throw new CopyProblem(textError(at, ownProblem));
      const item = jsonCopy((value as Record<string, unknown>)[name], name, at, ancestors, rejectNul);
      if (item !== undefined) copy[name] = item;
    }
    return copy;
  } finally {
    ancestors.pop();
  }
}

const UNSENDABLE = 'It could never be sent; pass plain JSON data.';
/** Deepest nesting copied: far beyond any message body, far below the call stack's limit. */
const MAX_DEPTH = 64;

function textError(path: string, problem: TextProblem): InvalidPayloadError {
  return new InvalidPayloadError(
    path,
    problem.count,
    0,
    problem.unit,
    problem.unit === 'unpaired surrogates'
      ? 'It would not be sent or stored as given; cut strings by code point, not by UTF-16 unit.'
      : 'The repository cannot store them; remove them before enqueueing.',
  );
}

function typeError(problem: TypeProblem, advice?: string): InvalidPayloadError {
  return new InvalidPayloadError(problem.path || 'body', { expected: problem.expected, value: problem.value }, advice);
}

/** Options of {@link snapshotMessageBody}. */
export interface SnapshotOptions {
  /** Refuse NUL characters (U+0000): the repository cannot store them (Postgres). */
  readonly rejectNul: boolean;
}

/**
 * Takes the copy of a message body the manager will keep, check, store and send, and checks it: serialisable as JSON,
 * fields of the types Discord expects, within Discord's payload limits, every string storable as given.
 *
 * @param body - the caller's body (plain object; embeds and components may be builders with `toJSON`)
 * @param kind - `create` (must not be empty) or `edit`
 * @param options - what the repository cannot store
 * @returns a JSON copy of the body, independent of the caller's object
 * @throws {@link InvalidPayloadError} naming the field at fault
 */
export function snapshotMessageBody(body: unknown, kind: PayloadKind, options: SnapshotOptions): JsonBody {
  // The shape of the body itself is checked on the original (its copy would turn a class instance into a plain object).
  if (!isPlainObject(body)) assertValidPayload(body, kind); // throws: not a plain object
  let copy: JsonBody;
  try {
    copy = jsonCopy(body, '', '', [], options.rejectNul) as JsonBody;
  } catch (error) {
    if (error instanceof CopyProblem) throw error.error;
    throw error;
  }
  if (!isPlainObject(copy)) {
    // A toJSON of the body itself returned something that is not an object (null, undefined, a string...).
    throw typeError({
      path: 'body',
      expected: 'a plain JSON object (its toJSON() returned something else)',
      value: copy,
    });
  }
  const problem = findTypeProblem(copy);
  if (problem) throw typeError(problem);
  // Sizes on what is really sent (a toJSON may return more than its object held).
  assertValidPayload(copy, kind);
  return copy;
}
