/**
 * `npm run bench`: the equipment-channel scenario (five strategies), enqueue throughput, memory, persistence, claim
 * cost by outbox size, scale-out (several processes of one bot) and the reference bot (its hot queries at 1,000 and
 * 10,000 items on SQLite and Postgres, with and without migration 002's indexes, and its RSS with 1,000 items
 * rendered). Prints markdown tables on stdout (progress on stderr) and writes them to `.bench-out/latest.md`.
 *
 * Usage: `tsx bench/index.ts [--quick] [--only <part>]` — `--quick` skips the slow strategies (a)–(c) of the scenario,
 * the 1,000,000-row outboxes of claim-cost and the bot's Postgres queries at 10,000 items without the indexes;
 * `--only` runs one part: scenario, faults, throughput, memory, persistence, claim-cost, scale-out or bot (all of them
 * by default).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runBotBench } from './bot-queries.js';
import { runClaimCostBench } from './claim-cost.js';
import { runFaultBench } from './fault-bench.js';
import { runMemoryBench } from './memory.js';
import { runPersistenceBench } from './persistence.js';
import { runScaleOutBench } from './scale-out.js';
import { runScenarioBench } from './scenario-bench.js';
import { runThroughputBench } from './throughput.js';

const PARTS = ['scenario', 'faults', 'throughput', 'memory', 'persistence', 'claim-cost', 'scale-out', 'bot'] as const;
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : argv[onlyAt + 1];
const args = new Set(argv.filter((_, index) => onlyAt === -1 || (index !== onlyAt && index !== onlyAt + 1)));
const unknown = [...args].filter((arg) => arg !== '--quick');
if (unknown.length > 0 || (onlyAt !== -1 && !PARTS.some((part) => part === only))) {
  process.stderr.write(
    `Unknown argument(s): ${[...unknown, ...(onlyAt === -1 ? [] : [`--only ${only ?? ''}`])].join(' ')}\n` +
      `Usage: tsx bench/index.ts [--quick] [--only ${PARTS.join('|')}]\n`,
  );
  process.exit(2);
}
const quick = args.has('--quick');
const runs = (part: (typeof PARTS)[number]): boolean => only === undefined || only === part;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const environment =
  `Environment: Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs (${cpu})` +
  `${quick ? ', --quick (strategies a–c skipped)' : ''}${only ? `, --only ${only}` : ''}, ${new Date().toISOString()}`;

const started = performance.now();
const sections: string[] = [`# discord-update-manager bench`, '', environment];
const print = (section: string): void => {
  sections.push('', section);
  process.stdout.write(`${section}\n\n`);
};
process.stdout.write(`${environment}\n\n`);

if (runs('scenario')) print(await runScenarioBench({ quick, log }));
if (runs('faults')) print(await runFaultBench({ quick, log }));
if (runs('throughput')) {
  log('throughput: running ...');
  print(await runThroughputBench());
}
if (runs('memory')) {
  log('memory: running ...');
  print(await runMemoryBench());
}
if (runs('persistence')) {
  log('persistence: running ...');
  print(await runPersistenceBench({ quick, log }));
}
if (runs('claim-cost')) {
  log('claim-cost: running ...');
  print(await runClaimCostBench({ quick, log }));
}
if (runs('scale-out')) {
  log('scale-out: running ...');
  print(await runScaleOutBench({ quick, log }));
}
if (runs('bot')) {
  log('bot: running ...');
  print(await runBotBench({ quick, log }));
}

const total = `Total bench time: ${((performance.now() - started) / 1000).toFixed(1)} s.`;
print(total);

const outDir = fileURLToPath(new URL('../.bench-out/', import.meta.url));
await mkdir(outDir, { recursive: true });
await writeFile(`${outDir}latest.md`, `${sections.join('\n')}\n`);
log(`Written to .bench-out/latest.md`);
