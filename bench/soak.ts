/**
 * `npm run soak -- --minutes 30`: steady load for a long time, to show that memory and latency stay flat. Not part
 * of `npm test` or `npm run bench`.
 *
 * This process runs a DiscordSimulator over HTTP (Discord's limits scaled to the demo's: 5 edits per 500 ms per
 * channel, 50 requests/s global); a child process (bench/soak-worker.ts) runs the bot side — MessageUpdateManager,
 * SQLite outbox, `@discordjs/rest` — and edits random messages of 200 at a steady rate. Every `--sample-seconds` the
 * child's heap, RSS, queue depth and the interval's p50/p95 enqueue → sent latency are printed as a table row; at the
 * end, a summary, text charts of heap and p95 over time, and the table, also written to `.bench-out/soak.md`.
 *
 * Usage: `tsx bench/soak.ts [--minutes N] [--sample-seconds S] [--rate EDITS_PER_SECOND]`
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DiscordSimulator } from '../src/testing/index.js';
import type { SoakSample } from './soak-worker.js';
import { formatInt, markdownTable } from './table.js';

const USAGE = 'Usage: npm run soak -- [--minutes N (default 30)] [--sample-seconds S (10)] [--rate EDITS/S (30)]';

/** Reads a positive number option, or exits with the usage line naming the option and the value. */
function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > max) {
    process.stderr.write(
      `--${name} must be a number above 0 and at most ${max}, got ${JSON.stringify(raw)}\n${USAGE}\n`,
    );
    process.exit(2);
  }
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      minutes: { type: 'string' },
      'sample-seconds': { type: 'string' },
      rate: { type: 'string' },
    },
    strict: true,
  });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const minutes = positive('minutes', parsed.values.minutes, 30, 24 * 60);
const sampleSeconds = positive('sample-seconds', parsed.values['sample-seconds'], 10, 3600);
const rate = positive('rate', parsed.values.rate, 30, 1000);

const MB = 1024 * 1024;
const sim = await new DiscordSimulator({
  seed: 30,
  limits: { global: { limit: 50, windowMs: 1000 }, messageWrite: { limit: 5, windowMs: 500 } },
}).start();
const plan: { channelId: string; messageId: string }[] = [];
for (let c = 0; c < 5; c++) {
  const channelId = sim.createChannel({ name: `soak-${c}` }).id;
  for (let m = 0; m < 40; m++) plan.push({ channelId, messageId: sim.seedMessage(channelId, { content: 'seed' }).id });
}
const dir = await mkdtemp(join(tmpdir(), 'dum-soak-'));

process.stderr.write(
  `Soak: ${minutes} min, ${rate} edits/s on ${plan.length} messages in 5 channels, a sample every ${sampleSeconds} s\n`,
);
const header = ['t', 'heap MB', 'RSS MB', 'queue', 'edits', 'settled', 'failed', 'p50 ms', 'p95 ms', '429s'];
const rowOf = (s: SoakSample): string[] => [
  `${(s.elapsedMs / 1000).toFixed(0)} s`,
  (s.heapUsedBytes / MB).toFixed(1),
  (s.rssBytes / MB).toFixed(1),
  formatInt(s.queueSize),
  formatInt(s.enqueued),
  formatInt(s.settled),
  formatInt(s.failed),
  formatInt(s.p50Ms),
  formatInt(s.p95Ms),
  formatInt(s.rateLimited),
];
process.stdout.write(`${header.join('\t')}\n`);

const samples: SoakSample[] = [];
let done: (SoakSample & { pendingAfterDrain: number; versions: number }) | undefined;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./soak-worker.ts', import.meta.url))],
  {
    env: {
      ...process.env,
      SOAK_SIM_URL: sim.url,
      SOAK_TOKEN: 'simulator-token',
      SOAK_PLAN: JSON.stringify(plan),
      SOAK_DURATION_MS: String(Math.round(minutes * 60_000)),
      SOAK_SAMPLE_MS: String(Math.round(sampleSeconds * 1000)),
      SOAK_RATE: String(rate),
      SOAK_DB: join(dir, 'soak.db'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let buffered = '';
child.stdout.on('data', (chunk: Buffer) => {
  buffered += chunk.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop()!;
  for (const line of lines) {
    const record = JSON.parse(line) as SoakSample & { done?: boolean; pendingAfterDrain: number; versions: number };
    if (record.done) done = record;
    else {
      samples.push(record);
      process.stdout.write(`${rowOf(record).join('\t')}\n`);
    }
  }
});
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
await sim.close();
await rm(dir, { recursive: true, force: true });
if (code !== 0 || !done || samples.length === 0) {
  process.stderr.write(`soak worker exited with ${code}\n`);
  process.exit(1);
}

/** A text chart of one series: one column per sample, `height` rows, the axis labelled with min and max. */
function chart(title: string, values: readonly number[], unit: string, height = 8): string {
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const levels = values.map((value) => Math.round(((value - min) / span) * (height - 1)));
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? max.toFixed(1) : row === 0 ? min.toFixed(1) : '';
    rows.push(`${label.padStart(8)} |${levels.map((level) => (level >= row ? '█' : ' ')).join('')}`);
  }
  return [`${title} (${unit}), one column per sample`, ...rows, `${' '.repeat(8)} +${'-'.repeat(values.length)}`].join(
    '\n',
  );
}

// The first minute warms up (JIT, SQLite cache, the queue reaching its steady depth): compare the rest.
const steady = samples.filter((s) => s.elapsedMs > 60_000);
const base = steady.length > 0 ? steady : samples;
const heaps = base.map((s) => s.heapUsedBytes / MB);
const p95s = base.map((s) => s.p95Ms);
const summary = markdownTable(
  ['measure', 'value'],
  [
    ['duration', `${minutes} min, ${samples.length} samples`],
    ['edits enqueued', formatInt(done.versions)],
    ['failed updates', formatInt(samples.reduce((sum, s) => sum + s.failed, 0) + done.failed)],
    ['429s', formatInt(samples.reduce((sum, s) => sum + s.rateLimited, 0) + done.rateLimited)],
    ['outbox rows left after the drain', formatInt(done.pendingAfterDrain)],
    [
      'heap after the first minute: min / max',
      `${Math.min(...heaps).toFixed(1)} / ${Math.max(...heaps).toFixed(1)} MB`,
    ],
    [
      'RSS after the first minute: min / max',
      `${Math.min(...base.map((s) => s.rssBytes / MB)).toFixed(1)} / ${Math.max(...base.map((s) => s.rssBytes / MB)).toFixed(1)} MB`,
    ],
    ['p95 latency after the first minute: min / max', `${Math.min(...p95s)} / ${Math.max(...p95s)} ms`],
  ],
);
const report = [
  `# Soak, ${new Date().toISOString()}`,
  '',
  `Node ${process.version}; ${rate} edits/s on ${plan.length} messages in 5 channels (5 edits per 500 ms per channel, 50/s global), SQLite outbox, @discordjs/rest.`,
  '',
  summary,
  '',
  '```',
  chart(
    'heap used',
    samples.map((s) => s.heapUsedBytes / MB),
    'MB',
  ),
  '',
  chart(
    'p95 enqueue → sent',
    samples.map((s) => s.p95Ms),
    'ms',
  ),
  '```',
  '',
  markdownTable(header, samples.map(rowOf)),
].join('\n');
process.stdout.write(`\n${report}\n`);
await mkdir('.bench-out', { recursive: true });
await writeFile('.bench-out/soak.md', `${report}\n`);
process.stderr.write('Written to .bench-out/soak.md\n');
process.exit(done.pendingAfterDrain === 0 && done.failed === 0 ? 0 : 1);
