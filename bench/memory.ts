/**
 * Bench part 3: resident memory with N managed messages. Each size runs in its own child process (started with
 * `--expose-gc`), so sizes do not pollute each other. Run directly as `tsx bench/memory.ts --child <N>` to measure
 * one size (prints one JSON line).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageUpdateManager, type Transport } from '../src/index.js';
import { formatInt, formatMs, markdownTable } from './table.js';

/** RSS target at 1,000 managed messages, bytes. */
export const RSS_TARGET_BYTES_AT_1000 = 100 * 1024 * 1024;

/** What one child reports. */
export interface MemorySample {
  readonly targets: number;
  readonly baselineRss: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly syncMs: number;
  readonly requests: number;
  readonly managedMessages: number;
  readonly gcExposed: boolean;
}

const MB = 1024 * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** A transport answering creates with fresh snowflake ids and edits with 200, at once, without rate-limit headers. */
function creatingTransport(): Transport & { readonly requests: () => number } {
  let requests = 0;
  let next = 1_300_000_000_000_000_000n;
  return {
    requests: () => requests,
    async request({ method, path }) {
      requests++;
      if (method === 'POST') {
        next += 1n;
        return { status: 200, headers: {}, body: { id: next.toString(), channel_id: path.split('/')[2] } };
      }
      return { status: 200, headers: {}, body: {} };
    },
  };
}

/**
 * Measures one size in this process: `sync(key_i, channel, body)` for every target, wait for idle, collect
 * garbage, read RSS.
 *
 * @param targets - managed messages
 * @returns the sample
 */
export async function measureInProcess(targets: number): Promise<MemorySample> {
  collect();
  const baselineRss = process.memoryUsage().rss;
  const transport = creatingTransport();
  const manager = new MessageUpdateManager({ transport, config: { globalRequestsPerSecond: 100_000 } });
  await manager.start();
  const channels = Array.from({ length: 10 }, (_, c) => `${100_000_000_000_000_000n + BigInt(c)}`);
  const started = performance.now();
  for (let i = 0; i < targets; i++) {
    manager.sync(`equipment:${i}`, channels[i % channels.length]!, {
      embeds: [
        {
          title: `Item ${i}`,
          description: `Available. Tag ${i % 10}. Last change by user ${i % 20}.`,
          color: 0x2ecc71,
        },
      ],
    });
  }
  await manager.onIdle();
  const syncMs = performance.now() - started;
  collect();
  const usage = process.memoryUsage();
  const sample: MemorySample = {
    targets,
    baselineRss,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    syncMs,
    requests: transport.requests(),
    managedMessages: manager.getStats().managedMessages,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
  // Keep the manager alive until after the measurement.
  await manager.stop();
  return sample;
}

/** Runs one size in a child process (`node --expose-gc --import tsx bench/memory.ts --child N`). */
function measureInChild(targets: number): Promise<MemorySample> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--child', String(targets)], {
      // From the package root, so `--import tsx` resolves to this project's tsx.
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) {
        reject(new Error(`memory child for ${targets} exited with ${code}: ${out}`));
        return;
      }
      try {
        resolve(JSON.parse(line) as MemorySample);
      } catch (error) {
        reject(new Error(`memory child for ${targets} printed no result: ${out}`, { cause: error }));
      }
    });
  });
}

/**
 * Runs the memory bench.
 *
 * @param sizes - numbers of managed messages @defaultValue [1000, 10000]
 * @returns the markdown section
 */
export async function runMemoryBench(sizes: readonly number[] = [1000, 10_000]): Promise<string> {
  const samples: MemorySample[] = [];
  for (const size of sizes) samples.push(await measureInChild(size));
  const rows = samples.map((s) => [
    formatInt(s.targets),
    `${(s.rss / MB).toFixed(1)} MB`,
    `${((s.rss - s.baselineRss) / MB).toFixed(1)} MB`,
    `${(s.heapUsed / MB).toFixed(1)} MB`,
    formatMs(s.syncMs),
    formatInt(s.requests),
    s.targets === 1000 ? (s.rss < RSS_TARGET_BYTES_AT_1000 ? 'PASS (< 100 MB)' : 'FAIL (≥ 100 MB)') : '',
  ]);
  const gcNote = samples.every((s) => s.gcExposed) ? 'after `global.gc()`' : 'WITHOUT gc (not exposed)';
  return [
    '## Memory (managed messages)',
    '',
    `One child process per size (\`node --expose-gc --import tsx\`); \`sync(key_i, channel, body)\` for every target over ` +
      `10 channels, transport answering creates with fresh ids, wait for idle, then RSS ${gcNote}. ` +
      `"RSS − baseline" subtracts the child's RSS before the manager was made (Node + tsx + the package).`,
    '',
    markdownTable(
      ['managed messages', 'RSS', 'RSS − baseline', 'heap used', 'create all + idle', 'requests', 'target'],
      rows,
    ),
  ].join('\n');
}

if (process.argv[2] === '--child') {
  const targets = Number(process.argv[3]);
  if (!Number.isInteger(targets) || targets < 1) {
    process.stderr.write(`bench/memory.ts --child: expected a positive integer, got ${process.argv[3]}\n`);
    process.exit(2);
  }
  const sample = await measureInProcess(targets);
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
