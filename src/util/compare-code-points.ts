/**
 * Compares two strings by Unicode code point, the order of SQLite's BINARY collation on UTF-8 and of Postgres's "C"
 * collation — not by UTF-16 code unit as `<` does (which puts U+FF5E after U+1F600, whose surrogates start at
 * U+D83D). Used wherever the memory repository must order keys as the SQL adapters do.
 *
 * @param a - a string
 * @param b - another string
 * @returns negative when `a` sorts first, positive when `b` does, 0 when equal
 * @internal
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below U+D800 and above U+DFFF units order as their code points do; a surrogate (U+D800–U+DFFF) stands for a
    // code point above U+FFFF, so it sorts after every unit above U+DFFF.
    return weight(x) - weight(y);
  }
  return a.length - b.length;
}

/** A UTF-16 unit's place in code-point order: surrogates moved above U+FFFF. */
function weight(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}
