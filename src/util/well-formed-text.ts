/**
 * Text a database can store as given: no unpaired UTF-16 surrogate (what `name.slice(0, n)` leaves of an emoji; SQLite
 * and Postgres store it as U+FFFD, so the text read back differs), and, where the database cannot store it
 * (Postgres), no NUL character (U+0000).
 *
 * @internal
 */

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any surrogate: the cheap test that lets most text through without counting. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** What is wrong with a piece of text, and how many times. */
export interface TextProblem {
  /** `unpaired surrogates` or `NUL characters (U+0000)`. */
  readonly unit: string;
  readonly count: number;
}

/** The first problem of `text`, or `undefined` when it can be stored as given. */
export function textProblem(text: string, rejectNul: boolean): TextProblem | undefined {
  const unpaired = SURROGATE.test(text) ? (text.match(UNPAIRED_SURROGATE)?.length ?? 0) : 0;
  if (unpaired > 0) return { unit: 'unpaired surrogates', count: unpaired };
  const nul = rejectNul && text.includes('\u0000') ? text.split('\u0000').length - 1 : 0;
  if (nul > 0) return { unit: 'NUL characters (U+0000)', count: nul };
  return undefined;
}

/** A problem found inside a JSON value, with the path of the string (or property name) that has it. */
export interface TextProblemAt extends TextProblem {
  /** e.g. `embeds[0].title`; a property name's own problem is reported at its path. */
  readonly path: string;
}

/**
 * The first string (value or property name) inside `value` that cannot be stored as given, walking plain objects and
 * arrays (each object once: a cycle ends the walk of that branch).
 */
export function findTextProblem(value: unknown, rejectNul: boolean, path = ''): TextProblemAt | undefined {
  return walk(value, rejectNul, path, new Set());
}

function walk(value: unknown, rejectNul: boolean, path: string, seen: Set<object>): TextProblemAt | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value, rejectNul);
    return problem ? { ...problem, path: path || 'body' } : undefined;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], rejectNul, `${path}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const own = textProblem(key, rejectNul);
    if (own) return { ...own, path: at };
    const found = walk(item, rejectNul, at, seen);
    if (found) return found;
  }
  return undefined;
}
