import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allDocsBlocks,
  extractBlocks,
  firstDifference,
  ROOT,
  SNIPPET_LANGUAGES,
  snippetFiles,
  UNCHECKED_LANGUAGES,
} from './docs-blocks.js';

// Every TypeScript block of README.md and docs/guides/ is a file of examples/snippets/, verbatim: the marker
// `<!-- snippet: examples/snippets/<name>.ts -->` on the line before its fence names the file, and this test fails
// when the two differ. The files themselves are type-checked, linted and run (snippets.test.ts and the
// examples/snippets/*.test.ts files). Shell and plain-text blocks are marked `bash` or `text` and not run.
const blocks = allDocsBlocks();
const where = (block: { file: string; line: number }) => `${block.file}:${block.line}`;

describe('the docs’ code blocks', () => {
  it('are found (the extractor sees the blocks of README.md and the guides)', () => {
    expect(blocks.filter((block) => block.file === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(new Set(blocks.map((block) => block.file)).size).toBeGreaterThan(2);
  });

  it.each(blocks.map((block) => [where(block), block] as const))('%s has a known language', (_, block) => {
    const known = [...SNIPPET_LANGUAGES, ...UNCHECKED_LANGUAGES];
    expect(known, `${where(block)}: mark the fence with one of ${known.join(', ')}`).toContain(block.language);
  });

  const tied = blocks.filter((block) => SNIPPET_LANGUAGES.has(block.language) || block.snippet !== undefined);
  it.each(tied.map((block) => [where(block), block] as const))('%s equals its snippet file', (_, block) => {
    expect(block.snippet, `${where(block)}: put <!-- snippet: examples/snippets/<name>.ts --> before it`).toBeDefined();
    const path = join(ROOT, block.snippet!);
    expect(existsSync(path), `${where(block)}: ${block.snippet} does not exist`).toBe(true);
    const file = readFileSync(path, 'utf8');
    const difference = firstDifference(file, block.text);
    expect(difference, `${where(block)} differs from ${block.snippet}: ${difference}`).toBeUndefined();
  });

  it('show every file of examples/snippets/', () => {
    const shown = new Set(blocks.map((block) => block.snippet));
    expect(snippetFiles().filter((file) => !shown.has(file))).toEqual([]);
  });
});

describe('extractBlocks', () => {
  it('reads the language, the marker and the text, and honours longer fences', () => {
    const markdown = [
      'Intro',
      '<!-- snippet: examples/snippets/a.ts -->',
      '',
      '```ts',
      'const a = 1;',
      '```',
      '',
      '````text',
      '```',
      'inside',
      '````',
      '```',
      'bare',
      '```',
    ].join('\n');
    expect(extractBlocks('x.md', markdown)).toEqual([
      { file: 'x.md', line: 4, language: 'ts', snippet: 'examples/snippets/a.ts', text: 'const a = 1;\n' },
      { file: 'x.md', line: 8, language: 'text', snippet: undefined, text: '```\ninside\n' },
      { file: 'x.md', line: 12, language: '', snippet: undefined, text: 'bare\n' },
    ]);
  });

  it('refuses a block that is never closed', () => {
    expect(() => extractBlocks('x.md', '```ts\nconst a = 1;\n')).toThrow('x.md:1: a code block is never closed');
  });

  it('names the first differing line', () => {
    expect(firstDifference('a\nb\n', 'a\nc\n')).toBe('line 2: the file has "b", the docs "c"');
    expect(firstDifference('a\n', 'a\n')).toBeUndefined();
  });
});
