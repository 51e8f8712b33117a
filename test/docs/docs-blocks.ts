import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's root (this file is test/docs/docs-blocks.ts). */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Where the docs' code lives: every TypeScript block of the docs is one file of this folder, verbatim. */
export const SNIPPETS_DIR = join(ROOT, 'examples', 'snippets');

/** Languages of blocks that are not code to run (shell commands, diagrams, output): not tied to a file. */
export const UNCHECKED_LANGUAGES: ReadonlySet<string> = new Set(['bash', 'text']);

/** Languages of blocks that must be a file of examples/snippets/. */
export const SNIPPET_LANGUAGES: ReadonlySet<string> = new Set(['ts']);

/** The marker, on the line before a fence, naming the file the block must equal. */
const MARKER = /^<!-- snippet: (\S+) -->$/;

/** One fenced code block of a Markdown file. */
export interface DocsBlock {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's language (first word of its info string; `''` when none). */
  readonly language: string;
  /** The file named by a `<!-- snippet: path -->` marker right before the fence (blank lines allowed between). */
  readonly snippet: string | undefined;
  /** The block's text: its lines, each followed by `\n`. */
  readonly text: string;
}

/** README.md and every guide: the Markdown files whose code blocks must be true. */
export function docsFiles(): string[] {
  const guides = readdirSync(join(ROOT, 'docs', 'guides'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', 'guides', name));
  return ['README.md', ...guides];
}

/**
 * The fenced code blocks of a Markdown file (``` or ~~~ fences, CommonMark's closing rule: the same character, at
 * least as long, nothing after it).
 *
 * @throws Error for a fence that is never closed
 */
export function extractBlocks(file: string, markdown: string): DocsBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocsBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let previous = i - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous--;
    const snippet = previous >= 0 ? MARKER.exec(lines[previous]!.trim())?.[1] : undefined;
    const body: string[] = [];
    let close = i + 1;
    for (; close < lines.length; close++) {
      const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[close]!);
      if (closing && closing[1]![0] === fence[0] && closing[1]!.length >= fence.length) break;
      body.push(lines[close]!);
    }
    if (close >= lines.length) throw new Error(`${file}:${i + 1}: a code block is never closed`);
    blocks.push({ file, line: i + 1, language: open[2]!, snippet, text: body.map((line) => `${line}\n`).join('') });
    i = close;
  }
  return blocks;
}

/** Every code block of README.md and the guides. */
export function allDocsBlocks(): DocsBlock[] {
  return docsFiles().flatMap((file) => extractBlocks(file, readFileSync(join(ROOT, file), 'utf8')));
}

/** The files of examples/snippets/ that docs blocks show (every file but the runner), relative to the root. */
export function snippetFiles(): string[] {
  return readdirSync(SNIPPETS_DIR)
    .filter((name) => name.endsWith('.ts') && name !== 'run.ts')
    .sort()
    .map((name) => relative(ROOT, join(SNIPPETS_DIR, name)));
}

/**
 * Where two texts first differ, for a failure message.
 *
 * @returns `line N: expected «…», found «…»`, or `undefined` when they are equal
 */
export function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const want = expected.split('\n');
  const got = actual.split('\n');
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i])
      return `line ${i + 1}: the file has ${JSON.stringify(want[i])}, the docs ${JSON.stringify(got[i])}`;
  }
  return 'they differ';
}
