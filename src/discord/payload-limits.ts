/**
 * Discord's size limits on message bodies, checked locally so a body Discord would reject with 400 is refused at
 * enqueue instead of costing a request (and a slot in the bucket).
 *
 * The checks run on every enqueue, so they walk the body once, allocate nothing on the happy path (no
 * `JSON.stringify`, no path strings until a violation is found) and stop at the first violation.
 *
 * @see https://discord.com/developers/docs/resources/message#create-message
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * @module
 */
import { InvalidPayloadError } from '../errors/message-update-error.js';
import { isRecord } from '../util/is-record.js';

/**
 * Discord's limits on a message body. Characters are JavaScript string lengths (UTF-16 code units), which is how
 * Discord counts them closely enough for every practical body.
 *
 * @example
 * ```ts
 * if (content.length > PAYLOAD_LIMITS.content) content = `${content.slice(0, PAYLOAD_LIMITS.content - 1)}…`;
 * ```
 */
export const PAYLOAD_LIMITS = {
  /** `content`, in characters. */
  content: 2000,
  /** Number of `embeds`. */
  embeds: 10,
  /** `embeds[n].title`, in characters. */
  embedTitle: 256,
  /** `embeds[n].description`, in characters. */
  embedDescription: 4096,
  /** Number of `embeds[n].fields`. */
  embedFields: 25,
  /** `embeds[n].fields[m].name`, in characters. */
  embedFieldName: 256,
  /** `embeds[n].fields[m].value`, in characters. */
  embedFieldValue: 1024,
  /** `embeds[n].footer.text`, in characters. */
  embedFooterText: 2048,
  /** `embeds[n].author.name`, in characters. */
  embedAuthorName: 256,
  /** Sum of every title, description, field name and value, footer text and author name of all embeds. */
  embedTotal: 6000,
  /** Number of top-level action rows in `components`. */
  actionRows: 5,
  /** Number of components inside one action row. */
  actionRowComponents: 5,
  /** Total number of components (nested ones included) of a message flagged `IS_COMPONENTS_V2`. */
  componentsV2Total: 40,
  /** Number of `sticker_ids`. */
  stickers: 3,
  /** `nonce` as a string, in characters. */
  nonce: 25,
} as const;

/** `MessageFlags.IsComponentsV2`: the message uses layout components instead of content and embeds. */
const IS_COMPONENTS_V2 = 1 << 15;

/** Unit reported for an empty `create` body. */
const EMPTY_BODY_UNIT = 'of content, embeds, components, stickers or files';

/**
 * The first limit a body breaks.
 *
 * `actual` and `limit` are counts of `unit` (`characters` or `items`); for the structural problems "body is not a
 * plain object" and "create body is empty", `path` is `body`, `actual` is 0 and `limit` is 1.
 */
export interface PayloadViolation {
  /** Path of the offending field, e.g. `content`, `embeds[0].fields[3].value`, `components[1].components`. */
  readonly path: string;
  /** Measured size. */
  readonly actual: number;
  /** Discord's limit for that field. */
  readonly limit: number;
  /** What `actual` and `limit` count: `characters`, `items`, or a phrase for the structural cases. */
  readonly unit: string;
}

/** Whether a body is for a new message (which must not be empty) or an edit. */
export type PayloadKind = 'create' | 'edit';

type Loose = Record<string, unknown>;

/** A plain object (`{}` or `Object.create(null)`), not a class instance, array or primitive. */
export function isPlainObject(value: unknown): value is Loose {
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Builders (`EmbedBuilder`, `ActionRowBuilder`) serialise through `toJSON`, which is what Discord would receive. */
function resolve(value: unknown): unknown {
  if (isRecord(value) && typeof value['toJSON'] === 'function') return (value['toJSON'] as () => unknown)();
  return value;
}

function stringLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

function violation(path: string, actual: number, limit: number, unit: string): PayloadViolation {
  return { path, actual, limit, unit };
}

function nonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** Checks one embed; returns its violation, or its character count towards the 6000 total. */
function checkEmbed(embed: Loose, index: number): PayloadViolation | number {
  const title = stringLength(embed['title']);
  if (title > PAYLOAD_LIMITS.embedTitle) {
    return violation(`embeds[${index}].title`, title, PAYLOAD_LIMITS.embedTitle, 'characters');
  }
  const description = stringLength(embed['description']);
  if (description > PAYLOAD_LIMITS.embedDescription) {
    return violation(`embeds[${index}].description`, description, PAYLOAD_LIMITS.embedDescription, 'characters');
  }
  let count = title + description;
  const fields = embed['fields'];
  if (Array.isArray(fields)) {
    if (fields.length > PAYLOAD_LIMITS.embedFields) {
      return violation(`embeds[${index}].fields`, fields.length, PAYLOAD_LIMITS.embedFields, 'items');
    }
    for (let f = 0; f < fields.length; f++) {
      const field: unknown = fields[f];
      if (!isRecord(field)) continue;
      const name = stringLength(field['name']);
      if (name > PAYLOAD_LIMITS.embedFieldName) {
        return violation(`embeds[${index}].fields[${f}].name`, name, PAYLOAD_LIMITS.embedFieldName, 'characters');
      }
      const value = stringLength(field['value']);
      if (value > PAYLOAD_LIMITS.embedFieldValue) {
        return violation(`embeds[${index}].fields[${f}].value`, value, PAYLOAD_LIMITS.embedFieldValue, 'characters');
      }
      count += name + value;
    }
  }
  const footer = embed['footer'];
  if (isRecord(footer)) {
    const text = stringLength(footer['text']);
    if (text > PAYLOAD_LIMITS.embedFooterText) {
      return violation(`embeds[${index}].footer.text`, text, PAYLOAD_LIMITS.embedFooterText, 'characters');
    }
    count += text;
  }
  const author = embed['author'];
  if (isRecord(author)) {
    const name = stringLength(author['name']);
    if (name > PAYLOAD_LIMITS.embedAuthorName) {
      return violation(`embeds[${index}].author.name`, name, PAYLOAD_LIMITS.embedAuthorName, 'characters');
    }
    count += name;
  }
  return count;
}

/** Counts every component of a components-v2 tree (children of containers, sections and rows, and accessories). */
function countComponents(components: readonly unknown[]): number {
  let count = 0;
  for (const raw of components) {
    const component = resolve(raw);
    if (!isRecord(component)) continue;
    count++;
    const children = component['components'];
    if (Array.isArray(children)) count += countComponents(children);
    if (isRecord(component['accessory'])) count++;
  }
  return count;
}

function checkComponents(components: readonly unknown[], flags: unknown): PayloadViolation | undefined {
  if (typeof flags === 'number' && (flags & IS_COMPONENTS_V2) !== 0) {
    // Components v2 lifts the five-row rule and caps the whole tree instead.
    const total = countComponents(components);
    if (total > PAYLOAD_LIMITS.componentsV2Total) {
      return violation('components', total, PAYLOAD_LIMITS.componentsV2Total, 'components in total');
    }
    return undefined;
  }
  if (components.length > PAYLOAD_LIMITS.actionRows) {
    return violation('components', components.length, PAYLOAD_LIMITS.actionRows, 'items');
  }
  for (let r = 0; r < components.length; r++) {
    const row = resolve(components[r]);
    if (!isRecord(row)) continue;
    const children = row['components'];
    if (Array.isArray(children) && children.length > PAYLOAD_LIMITS.actionRowComponents) {
      return violation(`components[${r}].components`, children.length, PAYLOAD_LIMITS.actionRowComponents, 'items');
    }
  }
  return undefined;
}

/**
 * Finds the first of Discord's payload limits that a message body breaks.
 *
 * Only sizes and emptiness are checked here; the manager also checks field types and JSON serialisability (see
 * `snapshotMessageBody`). Unknown fields are left to Discord. Embeds and components given as
 * builders (objects with `toJSON`) are measured as serialised.
 *
 * @param body - the JSON body of a create or edit request (`content`, `embeds`, `components`, ...)
 * @param kind - `create` also requires the body not to be empty (content, embeds, components, stickers, files, or a
 *   poll); `edit` accepts partial bodies
 * @returns the violation, or `undefined` when Discord would accept the body's sizes
 * @example
 * ```ts
 * findPayloadViolation({ content: 'x'.repeat(2001) }, 'edit');
 * // { path: 'content', actual: 2001, limit: 2000, unit: 'characters' }
 * findPayloadViolation({ embeds: [{ title: 'Status' }] }, 'create'); // undefined
 * ```
 */
export function findPayloadViolation(body: unknown, kind: PayloadKind): PayloadViolation | undefined {
  if (!isPlainObject(body)) return violation('body', 0, 1, 'plain JSON object');

  const content = body['content'];
  const contentLength = stringLength(content);
  if (contentLength > PAYLOAD_LIMITS.content) {
    return violation('content', contentLength, PAYLOAD_LIMITS.content, 'characters');
  }

  const embeds = body['embeds'];
  let embedCount = 0;
  if (Array.isArray(embeds)) {
    embedCount = embeds.length;
    if (embedCount > PAYLOAD_LIMITS.embeds) return violation('embeds', embedCount, PAYLOAD_LIMITS.embeds, 'items');
    let total = 0;
    for (let e = 0; e < embedCount; e++) {
      const embed = resolve(embeds[e]);
      if (!isRecord(embed)) continue;
      const found = checkEmbed(embed, e);
      if (typeof found !== 'number') return found;
      total += found;
    }
    if (total > PAYLOAD_LIMITS.embedTotal) {
      return violation('embeds', total, PAYLOAD_LIMITS.embedTotal, 'characters in total');
    }
  }

  const components = body['components'];
  if (Array.isArray(components)) {
    const found = checkComponents(components, body['flags']);
    if (found) return found;
  }

  const stickers = body['sticker_ids'];
  if (Array.isArray(stickers) && stickers.length > PAYLOAD_LIMITS.stickers) {
    return violation('sticker_ids', stickers.length, PAYLOAD_LIMITS.stickers, 'items');
  }

  const nonce = body['nonce'];
  if (typeof nonce === 'string' && nonce.length > PAYLOAD_LIMITS.nonce) {
    return violation('nonce', nonce.length, PAYLOAD_LIMITS.nonce, 'characters');
  }

  if (
    kind === 'create' &&
    contentLength === 0 &&
    embedCount === 0 &&
    !nonEmptyArray(components) &&
    !nonEmptyArray(stickers) &&
    !nonEmptyArray(body['files']) &&
    !nonEmptyArray(body['attachments']) &&
    !isRecord(body['poll'])
  ) {
    return violation('body', 0, 1, EMPTY_BODY_UNIT);
  }
  return undefined;
}

/**
 * Throws when a message body breaks one of Discord's payload limits (see {@link findPayloadViolation}).
 *
 * @param body - the JSON body of a create or edit request
 * @param kind - `create` (must not be empty) or `edit`
 * @throws {@link InvalidPayloadError} naming the field's path, its size and the limit
 * @example
 * ```ts
 * assertValidPayload({ content: 'hello' }, 'create'); // passes
 * assertValidPayload({ embeds: new Array(11).fill({ title: 'x' }) }, 'edit');
 * // InvalidPayloadError: Expected `embeds` to have at most 10 items, got 11. ...
 * ```
 */
export function assertValidPayload(body: unknown, kind: PayloadKind): void {
  const found = findPayloadViolation(body, kind);
  if (found) throw new InvalidPayloadError(found.path, found.actual, found.limit, found.unit);
}
