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
