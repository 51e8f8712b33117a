// Runs one docs snippet's main() and prints what it returns: `npx tsx examples/snippets/run.ts readme-quick-start`.
// (Each other file of this folder is a code block of README.md or docs/guides/, verbatim: see test/docs/.)
// The *.test.ts snippets are tests: `npx vitest run --project docs`.
const name = process.argv[2];
if (name === undefined || !/^[a-z-]+$/.test(name) || name === 'run') {
  console.error('usage: npx tsx examples/snippets/run.ts <snippet name, e.g. readme-quick-start>');
  process.exit(2);
}
const snippet = (await import(`./${name}.ts`)) as { main?: () => Promise<unknown> };
if (typeof snippet.main !== 'function') {
  console.error(`examples/snippets/${name}.ts has no main(): run its tests with npx vitest run --project docs`);
  process.exit(2);
}
console.dir(await snippet.main(), { depth: 4 });
