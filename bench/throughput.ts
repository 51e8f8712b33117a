/**
 * Bench part 2: how fast the manager accepts updates, with a transport that answers 200 at once and sends no
 * rate-limit headers, so only the manager's own cost is measured.
 */
import { MessageUpdateManager, type Transport } from '../src/index.js';
import { formatInt, formatMs, markdownTable } from './table.js';

/** Options of {@link runThroughputBench}. */
export interface ThroughputOptions {
  /** Edits to enqueue. @defaultValue 200000 */
  readonly updates?: number;
  /** Distinct messages. @defaultValue 1000 */
  readonly messages?: number;
  /** Channels the messages are spread over. @defaultValue 10 */
  readonly channels?: number;
}

/** Enqueue throughput target, updates per second. */
export const ENQUEUE_TARGET_PER_SECOND = 100_000;

/** A transport that answers every request with 200 and an empty message, at once. */
export function noopTransport(): Transport & { readonly requests: () => number } {
  let requests = 0;
  return {
    requests: () => requests,
    async request() {
      requests++;
      return { status: 200, headers: {}, body: {} };
    },
  };
}

interface Measurement {
  readonly mode: string;
  readonly enqueueMs: number;
  readonly drainMs: number;
  readonly requests: number;
  readonly coalesced: number;
}

async function measure(mode: 'burst' | 'chunked', options: Required<ThroughputOptions>): Promise<Measurement> {
  const transport = noopTransport();
  const manager = new MessageUpdateManager({ transport, config: { globalRequestsPerSecond: 100_000 } });
  await manager.start();
  const channelIds = Array.from({ length: options.channels }, (_, c) => `${100_000_000_000_000_000n + BigInt(c)}`);
  const messageIds = Array.from({ length: options.messages }, (_, m) => `${300_000_000_000_000_000n + BigInt(m)}`);
  // Only the time spent inside edit() loops counts as enqueue time (not the pauses of the chunked mode).
  let enqueueMs = 0;
  let segment = performance.now();
  for (let i = 0; i < options.updates; i++) {
    const m = i % options.messages;
    manager.edit(channelIds[m % options.channels]!, messageIds[m]!, { content: `update ${i}` });
    if (mode === 'chunked' && i % 1000 === 999) {
      // Yield to the event loop, as a bot receiving events would: sending interleaves with enqueueing.
      enqueueMs += performance.now() - segment;
      await new Promise<void>((resolve) => setImmediate(resolve));
      segment = performance.now();
    }
  }
  const enqueued = performance.now();
  enqueueMs += enqueued - segment;
  await manager.onIdle();
  const drained = performance.now();
  const metrics = manager.metrics.getMetrics();
  await manager.stop();
  return {
    mode,
    enqueueMs,
    drainMs: drained - enqueued,
    requests: transport.requests(),
    coalesced: metrics.coalesced,
  };
}

/**
 * Runs the throughput bench.
 *
 * @param options - sizes
 * @returns the markdown section
 */
export async function runThroughputBench(options: ThroughputOptions = {}): Promise<string> {
  const resolved: Required<ThroughputOptions> = { updates: 200_000, messages: 1000, channels: 10, ...options };
  // Warm-up (JIT), not reported.
  await measure('burst', { ...resolved, updates: Math.min(20_000, resolved.updates) });
  const results = [await measure('burst', resolved), await measure('chunked', resolved)];
  const rows = results.map((r) => {
    const rate = resolved.updates / (r.enqueueMs / 1000);
    return [
      r.mode === 'burst' ? 'one synchronous loop' : 'yield every 1,000',
      formatInt(rate),
      rate >= ENQUEUE_TARGET_PER_SECOND ? 'PASS' : 'FAIL',
      formatMs(r.enqueueMs),
      formatMs(r.drainMs),
      formatInt(r.requests),
      formatInt(r.coalesced),
    ];
  });
  return [
    '## Enqueue throughput (no-op transport)',
    '',
    `${formatInt(resolved.updates)} edits over ${formatInt(resolved.messages)} messages in ${resolved.channels} channels; ` +
      `transport answers 200 at once without rate-limit headers; \`globalRequestsPerSecond: 100000\`. ` +
      `Target ≥ ${formatInt(ENQUEUE_TARGET_PER_SECOND)} updates/s.`,
    '',
    markdownTable(
      ['enqueue pattern', 'updates/s', 'target', 'enqueue time', 'drain (onIdle)', 'requests', 'coalesced'],
      rows,
    ),
  ].join('\n');
}
