/**
 * Encoding of values for the Postgres adapter's statements and decoding of its rows. `bigint` columns arrive as
 * strings from a default `pg` pool (and may arrive as numbers or `bigint`s from a pool with custom type parsers), so
 * every number goes through `Number()`.
 *
 * @module
 */
import { InvalidArgumentError } from '../../errors/message-update-error.js';
import type { ManagedMessage, OutboxUpsert } from '../update-repository.js';
import { encodeBody as encodeJson } from '../outbox-record.js';
export { decodeOutboxRow, type OutboxRecord } from '../outbox-record.js';

type Numeric = number | string | bigint;

/** A `managed_messages` row. */
export interface ManagedRecord {
  readonly key: string;
  readonly channel_id: string;
  readonly message_id: string;
  readonly content_hash: string | null;
  readonly sort_order: Numeric;
}

/**
 * Turns a `managed_messages` record into a {@link ManagedMessage}.
 *
 * @param record - a selected row
 * @returns the managed message
 */
export function decodeManaged(record: ManagedRecord): ManagedMessage {
  return {
    key: record.key,
    channelId: record.channel_id,
    messageId: record.message_id,
    contentHash: record.content_hash,
    sortOrder: Number(record.sort_order),
  };
}

/**
 * The JSON text stored for an upsert's body: the body when `desired` is `present`, else `null` (as the memory
 * repository stores it). Always serialised here: `pg` would turn a JavaScript array into a PostgreSQL array.
 *
 * @param update - the upsert
 * @returns JSON text, or `null`
 * @throws {@link InvalidArgumentError} when the body cannot be serialised (a `bigint`, a cycle) or holds a U+0000
 *   character
 */
export function encodeBody(update: OutboxUpsert): string | null {
  const json = encodeJson(update);
  if (json !== null && NUL_ESCAPE.test(json)) {
    throw new InvalidArgumentError(
      'body',
      update.body,
      `a message body without U+0000 characters (PostgreSQL's jsonb cannot store them; target ${update.targetKey})`,
    );
  }
  return json;
}

/** `\u0000` as JSON.stringify writes a NUL character: preceded by an even number of backslashes. */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * A client time for a `bigint` column: whole milliseconds (client clocks such as `performance.timeOrigin +
 * performance.now()` have fractions).
 *
 * @param ms - a time in ms
 * @returns the time rounded to the millisecond
 */
export function wholeMs(ms: number): number {
  return Math.round(ms);
}

/**
 * A `LIMIT` value with the memory repository's `slice(0, limit)` meaning for non-negative limits: fractions are
 * truncated, `Infinity` means no limit (`LIMIT NULL` in PostgreSQL).
 *
 * @param limit - the caller's limit
 * @returns an integer, or `null` for no limit
 */
export function sqlLimit(limit: number): number | null {
  if (Number.isFinite(limit)) return Math.max(0, Math.trunc(limit));
  return limit > 0 ? null : 0;
}

/**
 * The message id learned by an ack or a release, as the memory repository reads it (an empty string is no id).
 *
 * @param messageId - the caller's value
 * @returns the id, or `null`
 */
export function learnedMessageId(messageId: string | null | undefined): string | null {
  return messageId ? messageId : null;
}

/** Characters that must be backslash-escaped inside a double-quoted array element. */
const ARRAY_ELEMENT_ESCAPES = /["\\]/g;
/** The same, tested first: most elements (keys, ids, tokens) have none, and a test is cheaper than a replace. */
const NEEDS_ARRAY_ESCAPE = /["\\]/;

/**
 * A PostgreSQL array literal (`{"a",NULL,"b"}`) for a bind parameter cast to an array type (`$1::text[]`). Every
 * element is double-quoted with `"` and `\` escaped, so any text (braces, commas, quotes, `NULL`, blanks) stays one
 * element; `null` is SQL NULL; numbers are written as JavaScript prints them (which `float8` and `bigint` read back,
 * `NaN` and `Infinity` included). Written here rather than left to `pg`, whose generic array encoding is several
 * times slower on batches of thousands of values.
 *
 * @param values - the elements
 * @returns the literal, to pass as a parameter value (never spliced into SQL text)
 * @example
 * ```ts
 * arrayLiteral(['a"b', null, 3]); // '{"a\\"b",NULL,"3"}'
 * ```
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    else if (typeof value === 'number') literal += `"${value}"`;
    else literal += `"${NEEDS_ARRAY_ESCAPE.test(value) ? value.replace(ARRAY_ELEMENT_ESCAPES, '\\$&') : value}"`;
  }
  return `${literal}}`;
}
