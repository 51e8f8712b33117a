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
import { assertValidPayload, type PayloadKind } from './payload-limits.js';

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

/** Where in `value` JSON serialisation fails: a `BigInt`, or an object that contains itself. */
function findUnserialisable(value: unknown, path: string, ancestors: object[]): TypeProblem | undefined {
  if (typeof value === 'bigint') return { path, expected: 'JSON-serialisable (a BigInt is not)', value };
  if (value === null || typeof value !== 'object') return undefined;
  if (ancestors.includes(value)) {
    return { path, expected: 'JSON-serialisable (it refers back to an object that contains it)', value };
  }
  const resolved: unknown =
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  if (resolved !== value) return findUnserialisable(resolved, path, ancestors);
  ancestors.push(value);
  try {
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, i): [string, unknown] => [`${path}[${i}]`, item])
      : Object.entries(value).map(([key, item]): [string, unknown] => [path ? `${path}.${key}` : key, item]);
    for (const [at, item] of entries) {
      const found = findUnserialisable(item, at, ancestors);
      if (found) return found;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}

function typeError(problem: TypeProblem, advice?: string): InvalidPayloadError {
  return new InvalidPayloadError(problem.path || 'body', { expected: problem.expected, value: problem.value }, advice);
}

/**
 * Takes the copy of a message body the manager will keep, check, store and send, and checks it: serialisable as JSON,
 * fields of the types Discord expects, within Discord's payload limits.
 *
 * @param body - the caller's body (plain object; embeds and components may be builders with `toJSON`)
 * @param kind - `create` (must not be empty) or `edit`
 * @returns a JSON copy of the body, independent of the caller's object
 * @throws {@link InvalidPayloadError} naming the field at fault
 */
export function snapshotMessageBody(body: unknown, kind: PayloadKind): JsonBody {
  // Sizes and the shape of the body itself are checked on the original, so that a class instance is named as such.
  assertValidPayload(body, kind);
  let json: string;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    const found = findUnserialisable(body, '', []);
    if (found) throw typeError(found, 'It could never be sent; pass plain JSON data.');
    throw error;
  }
  const copy = JSON.parse(json) as JsonBody;
  const problem = findTypeProblem(copy);
  if (problem) throw typeError(problem);
  // A toJSON may return more than it held: check the limits of what is really sent.
  assertValidPayload(copy, kind);
  return copy;
}
