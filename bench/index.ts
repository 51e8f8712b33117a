/**
 * `npm run bench`: the equipment-channel scenario (five strategies), enqueue throughput and memory. Prints markdown
 * tables on stdout (progress on stderr) and writes them to `.bench-out/latest.md`.
 *
 * Usage: `tsx bench/index.ts [--quick]` — `--quick` skips the slow strategies (a)–(c) of the scenario.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runMemoryBench } from './memory.js';
import { runScenarioBench } from './scenario-bench.js';
import { runThroughputBench } from './throughput.js';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => arg !== '--quick');
if (unknown.length > 0) {
  process.stderr.write(`Unknown argument(s): ${unknown.join(' ')}\nUsage: tsx bench/index.ts [--quick]\n`);
  process.exit(2);
}
const quick = args.has('--quick');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const environment =
  `Environment: Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs (${cpu})` +
  `${quick ? ', --quick (strategies a–c skipped)' : ''}, ${new Date().toISOString()}`;

const started = performance.now();
const sections: string[] = [`# discord-update-manager bench`, '', environment];
const print = (section: string): void => {
  sections.push('', section);
  process.stdout.write(`${section}\n\n`);
};
process.stdout.write(`${environment}\n\n`);

print(await runScenarioBench({ quick, log }));
log('throughput: running ...');
print(await runThroughputBench());
log('memory: running ...');
print(await runMemoryBench());

const total = `Total bench time: ${((performance.now() - started) / 1000).toFixed(1)} s.`;
print(total);

const outDir = fileURLToPath(new URL('../.bench-out/', import.meta.url));
await mkdir(outDir, { recursive: true });
await writeFile(`${outDir}latest.md`, `${sections.join('\n')}\n`);
log(`Written to .bench-out/latest.md`);
