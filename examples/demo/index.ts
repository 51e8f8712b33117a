/**
 * `npm run demo`: the equipment-channel scenario through a MessageUpdateManager (default config) and a
 * `@discordjs/rest` REST pointed at a local DiscordSimulator. No token, no network: everything runs on loopback.
 *
 * 200 equipment embeds in 5 channels, 600 edits from 20 users in 2 seconds, Discord-like limits scaled down
 * (5 edits per 500 ms per channel, 50 requests per second). Shows live progress on stderr, then a summary table.
 * Exit code 0, or 1 if any message did not end on its last version.
 */
import { InMemoryMetricsCollector } from '../../src/index.js';
import {
  buildWorkload,
  countUpToDate,
  idealFor,
  managerStrategy,
  runScenario,
  type ManagerRun,
  type ScenarioProgress,
} from '../../bench/equipment-scenario.js';
import { formatInt, formatMs, formatRatio, markdownTable } from '../../bench/table.js';

const workload = buildWorkload();
const ideal = idealFor(workload);
const total = workload.messages.length;
const tty = process.stderr.isTTY === true;
let lastPlainLine = -Infinity;

function render(progress: ScenarioProgress<ManagerRun>, final = false): void {
  const { world, run, elapsedMs, submitted } = progress;
  const upToDate = countUpToDate(world, workload, submitted);
  const stats = world.sim.getStats();
  const limited = stats.rateLimited.user + stats.rateLimited.global + stats.rateLimited.shared;
  const queue = run.manager.getStats().queueSize;
  const text =
    `${(elapsedMs / 1000).toFixed(1).padStart(5)} s  ${String(upToDate).padStart(3)}/${total} up to date  ` +
    `updates ${String(submitted).padStart(3)}/${workload.updates.length}  requests ${String(stats.requests).padStart(4)}  ` +
    `429s ${limited}  queue ${String(queue).padStart(3)}`;
  if (tty) {
    const width = 24;
    const filled = Math.round((upToDate / total) * width);
    process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}${final ? '\n' : ''}`);
  } else if (final || elapsedMs - lastPlainLine >= 1000) {
    lastPlainLine = elapsedMs;
    process.stderr.write(`${text}\n`);
  }
}

process.stderr.write(
  `Equipment demo: ${total} messages in ${workload.channelCount} channels, ${workload.updates.length} updates from ` +
    `${workload.options.users} users over ${formatMs(workload.options.durationMs)}, against a local Discord simulator.\n` +
    '"up to date" counts the messages Discord shows at the newest version submitted so far: it starts near ' +
    `${total} (nothing has changed yet), falls while the edits arrive faster than Discord's limits let anyone send ` +
    `them, then climbs back to ${total} as the manager catches up.\n`,
);
let finalProgress: ScenarioProgress<ManagerRun> | undefined;
const result = await runScenario(workload, managerStrategy(), {
  capMs: 50_000,
  progressIntervalMs: 100,
  onProgress: (progress) => {
    finalProgress = progress;
    render(progress);
  },
});
if (finalProgress) render(finalProgress, true);

const metrics =
  result.run.manager.metrics instanceof InMemoryMetricsCollector ? result.run.manager.metrics.getMetrics() : undefined;
const time = result.capped || result.timeMs === undefined ? 'not reached' : formatMs(result.timeMs);
const timeRatio = result.capped || result.timeMs === undefined ? '—' : formatRatio(result.timeMs / ideal.timeMs);
const rows = [
  ['time until all messages current', time, `ideal ${formatMs(ideal.timeMs)}`],
  ['× ideal time', timeRatio, ''],
  [
    'API calls',
    formatInt(result.apiCalls),
    `ideal ${formatInt(ideal.calls)} (${formatRatio(result.apiCalls / ideal.calls)})`,
  ],
  [
    'updates coalesced',
    metrics ? formatInt(metrics.coalesced) : 'n/a',
    `of ${formatInt(workload.updates.length)} updates`,
  ],
  [
    '429s',
    formatInt(result.total429),
    `user ${result.rateLimited.user}, global ${result.rateLimited.global}, shared ${result.rateLimited.shared}`,
  ],
  ['p50 update time', metrics ? formatMs(metrics.p50UpdateTimeMs) : 'n/a', 'enqueue → Discord acknowledged'],
  ['p95 update time', metrics ? formatMs(metrics.p95UpdateTimeMs) : 'n/a', ''],
  [
    'wrong final states',
    formatInt(result.wrong),
    result.wrong === 0 ? 'every message shows its last version' : 'FAILED',
  ],
];
process.stdout.write(`\n${markdownTable(['', 'value', 'note'], rows, ['left', 'right', 'left'])}\n`);
process.exitCode = result.wrong === 0 ? 0 : 1;
