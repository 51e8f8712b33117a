/**
 * Bench part "faults": the manager on a stress workload where the global limit binds, against the simulator with
 * and without server errors. The library's promise is "as fast as Discord's limits physically allow, never a 429";
 * this part shows it holds when Discord is flaky too.
 *
 * Workload: 400 messages in 40 channels, 2,000 edits in 3 s from 20 users (uniform popularity, 5% High priority),
 * 5 edits per 500 ms per channel, 50 requests/s global. Rows: no faults; 3% of edits answered 500 (with rate-limit
 * headers, as Discord's API does); 50% of edits answered 500 for 2 s in the middle of the run (a storm).
 */
import { SeededRandom } from '../src/testing/index.js';
import { computeIdealSchedule, type IdealSchedule } from './ideal-schedule.js';
import {
  buildWorkload,
  idealFor,
  managerStrategy,
  runScenario,
  type ScenarioOptions,
  type ScenarioWorld,
  type Workload,
} from './equipment-scenario.js';
import { formatInt, formatMs, formatRatio, markdownTable } from './table.js';

/** The stress workload of the issue that asked for this bench. */
export const STRESS_SCENARIO: Partial<ScenarioOptions> = {
  bigChannelMessages: 10,
  smallChannels: 39,
  smallChannelMessages: 10,
  updates: 2000,
  users: 20,
  durationMs: 3000,
  zipfExponent: 0,
  highPriorityShare: 0.05,
  seed: 7855,
};

/** The route the faults hit: every edit of the workload. */
export const EDIT_ROUTE = 'PATCH /channels/:channel_id/messages/:message_id' as const;

/** Server errors injected during a run. */
export interface FaultPlan {
  readonly name: string;
  /** Probability that an edit is answered 500 while the plan is active. */
  readonly errorRate: number;
  /** Active from this many ms after the workload start (default: from the start). */
  readonly fromMs?: number;
  /** Active until this many ms after the workload start (default: to the end). */
  readonly toMs?: number;
}

/** The three rows of the bench. */
export const FAULT_PLANS: readonly FaultPlan[] = [
  { name: 'none', errorRate: 0 },
  { name: '3% of edits answered 500 (with rate-limit headers)', errorRate: 0.03 },
  { name: '50% of edits answered 500 for 2 s in the middle', errorRate: 0.5, fromMs: 3500, toMs: 5500 },
];

/** Targets: the 3% row against its own ideal, the storm against the fault-free ideal. */
export const FAULT_TARGETS = { rateTimeRatio: 1.1, rateCallsRatio: 1.1, stormTimeRatio: 1.25 } as const;

/** One run of a plan. */
export interface FaultRun {
  readonly timeMs: number | undefined;
  readonly calls: number;
  readonly total429: number;
  readonly global429: number;
  readonly wrong: number;
  readonly failedUpdates: number;
  readonly errors500: number;
  /** Edits per second in the second before the storm, and from 1 s into the storm to its end. */
  readonly rateBefore: number | undefined;
  readonly rateDuring: number | undefined;
}

function isActive(plan: FaultPlan, elapsedMs: number): boolean {
  return elapsedMs >= (plan.fromMs ?? 0) && elapsedMs < (plan.toMs ?? Infinity);
}

/**
 * The ideal schedule when the plan's failures happen: each failed call costs one call (its slots) and the message
 * is sent again as soon as the limits allow. Failures are drawn with a seeded generator at the plan's rate.
 */
export function idealWithFaults(workload: Workload, plan: FaultPlan, seed: number): IdealSchedule {
  if (plan.errorRate === 0) return idealFor(workload);
  const random = new SeededRandom(seed);
  return computeIdealSchedule({
    updates: workload.updates,
    messageChannel: workload.messages.map((message) => message.channel),
    channelLimit: workload.options.channelLimit,
    globalLimit: workload.options.globalLimit,
    fails: (now) => isActive(plan, now) && random.chance(plan.errorRate),
  });
}

/** Switches the simulator's faults on and off on the plan's schedule; returns the cleanup. */
function scheduleFaults(world: ScenarioWorld, plan: FaultPlan, workload: Workload): () => void {
  const latencyMs = workload.options.latencyMs;
  const on = (): void => world.sim.setFaults(EDIT_ROUTE, { latencyMs, errorRate: plan.errorRate });
  const off = (): void => world.sim.setFaults(EDIT_ROUTE, { latencyMs });
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (plan.errorRate > 0) {
    if ((plan.fromMs ?? 0) <= 0) on();
    else timers.push(setTimeout(on, plan.fromMs));
    if (plan.toMs !== undefined) timers.push(setTimeout(off, plan.toMs));
  }
  return () => timers.forEach((timer) => clearTimeout(timer));
}

/**
 * Runs one plan once on a fresh simulator (real HTTP, `@discordjs/rest` with the README's options, default config).
 *
 * @param workload - the stress workload
 * @param plan - the faults
 * @param seed - the simulator's seed (fault draws)
 */
export async function runFaultPlan(workload: Workload, plan: FaultPlan, seed: number): Promise<FaultRun> {
  const seeded: Workload = { ...workload, options: { ...workload.options, seed } };
  let startedAt = 0;
  const result = await runScenario(seeded, managerStrategy(), {
    capMs: 120_000,
    onStart: (world, at) => {
      startedAt = at;
      return scheduleFaults(world, plan, workload);
    },
  });
  return {
    timeMs: result.capped ? undefined : result.timeMs,
    calls: result.apiCalls,
    total429: result.total429,
    global429: result.rateLimited.global,
    wrong: result.wrong,
    failedUpdates: result.run.failures(),
    errors500: result.errors500,
    ...stormRates(result.editTimes, startedAt, plan),
  };
}

function stormRates(
  editTimes: readonly number[],
  startedAt: number,
  plan: FaultPlan,
): { rateBefore: number | undefined; rateDuring: number | undefined } {
  if (plan.fromMs === undefined || plan.toMs === undefined) return { rateBefore: undefined, rateDuring: undefined };
  const count = (from: number, to: number): number =>
    editTimes.filter((at) => at - startedAt >= from && at - startedAt < to).length;
  const during = plan.toMs - (plan.fromMs + 1000);
  return {
    rateBefore: count(plan.fromMs - 1000, plan.fromMs),
    rateDuring: (count(plan.fromMs + 1000, plan.toMs) * 1000) / during,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function range(values: readonly number[], format: (value: number) => string = formatInt): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

/** Options of {@link runFaultBench}. */
export interface FaultBenchOptions {
  /** One run per row instead of three. */
  readonly quick: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Runs every plan (three seeds each, one with `quick`) and renders the section.
 *
 * @returns the markdown section
 */
export async function runFaultBench(options: FaultBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const workload = buildWorkload(STRESS_SCENARIO);
  const faultFree = idealFor(workload);
  const seeds = options.quick ? [1] : [1, 2, 3];
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const plan of FAULT_PLANS) {
    const runs: FaultRun[] = [];
    const ideals: IdealSchedule[] = [];
    for (const seed of seeds) {
      log(`faults: ${plan.name}, seed ${seed} ...`);
      const run = await runFaultPlan(workload, plan, seed);
      runs.push(run);
      ideals.push(idealWithFaults(workload, plan, seed));
      log(
        `faults: ${plan.name}, seed ${seed}: ${run.timeMs === undefined ? 'never' : formatMs(run.timeMs)}, ` +
          `${run.calls} calls, ${run.errors500} answered 500, ${run.total429} 429s, ${run.wrong} wrong, ${run.failedUpdates} failed` +
          (run.rateBefore === undefined
            ? ''
            : `, edits/s before ${run.rateBefore} during ${run.rateDuring?.toFixed(1)}`),
      );
    }
    const times = runs.map((run) => run.timeMs ?? Infinity);
    const timeRatios = runs.map((run, index) => (run.timeMs ?? Infinity) / ideals[index]!.timeMs);
    const callRatios = runs.map((run, index) => run.calls / ideals[index]!.calls);
    const faultFreeRatios = times.map((time) => time / faultFree.timeMs);
    const storm = plan.fromMs !== undefined;
    rows.push([
      plan.name,
      formatMs(median(times)),
      formatRatio(median(timeRatios)),
      formatRatio(median(faultFreeRatios)),
      formatInt(median(runs.map((run) => run.calls))),
      formatRatio(median(callRatios)),
      range(runs.map((run) => run.total429)),
      range(runs.map((run) => run.wrong + run.failedUpdates)),
      storm
        ? `${range(
            runs.map((run) => run.rateBefore ?? 0),
            (value) => value.toFixed(0),
          )} → ${range(
            runs.map((run) => run.rateDuring ?? 0),
            (value) => value.toFixed(0),
          )}`
        : '',
    ]);
    const pass = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    if (plan.errorRate > 0 && !storm) {
      const worstTime = Math.max(...timeRatios);
      const worstCalls = Math.max(...callRatios);
      const worst429 = Math.max(...runs.map((run) => run.total429));
      verdicts.push(
        `- ${plan.name}: time ≤ ${FAULT_TARGETS.rateTimeRatio}× its ideal ${pass(worstTime <= FAULT_TARGETS.rateTimeRatio)} (worst ${formatRatio(worstTime)}), ` +
          `calls ≤ ${FAULT_TARGETS.rateCallsRatio}× ${pass(worstCalls <= FAULT_TARGETS.rateCallsRatio)} (worst ${formatRatio(worstCalls)}), ` +
          `0 429s ${pass(worst429 === 0)} (worst ${worst429})`,
      );
    }
    if (storm) {
      const worst = Math.max(...faultFreeRatios);
      const dropped = runs.every((run) => (run.rateDuring ?? Infinity) < (run.rateBefore ?? 0));
      const lost = runs.reduce((sum, run) => sum + run.wrong + run.failedUpdates, 0);
      verdicts.push(
        `- ${plan.name}: ends ≤ ${FAULT_TARGETS.stormTimeRatio}× the fault-free ideal ${pass(worst <= FAULT_TARGETS.stormTimeRatio)} (worst ${formatRatio(worst)}), ` +
          `edit rate drops within 1 s ${pass(dropped)}, nothing lost and every message on its newest version ${pass(lost === 0)}`,
      );
    }
  }
  rows.push([
    '(ideal, fault-free)',
    formatMs(faultFree.timeMs),
    formatRatio(1),
    formatRatio(1),
    formatInt(faultFree.calls),
    formatRatio(1),
    '0',
    '0',
    '',
  ]);
  const o = workload.options;
  return [
    '## Faults: the stress workload with server errors',
    '',
    `${workload.messages.length} messages in ${workload.channelCount} channels, ${workload.updates.length} edits from ${o.users} users over ` +
      `${formatMs(o.durationMs)} (uniform, ${Math.round(o.highPriorityShare * 100)}% High priority); limits ${o.channelLimit.limit}/${o.channelLimit.windowMs} ms ` +
      `per channel, ${o.globalLimit.limit}/${o.globalLimit.windowMs} ms global (binding); latency ${o.latencyMs[0]}–${o.latencyMs[1]} ms; ` +
      `manager with default config over REST (retries 0, offset 0). Median of ${seeds.length} run(s) (fault seeds ${seeds.join(', ')}); ` +
      '"× its ideal" divides by the ideal schedule that pays one extra call per failure (same failure draws\' rate), ' +
      '"× fault-free" by the ideal without faults. "lost" = updates failed + messages not on their last version.',
    '',
    markdownTable(
      [
        'faults',
        'time',
        '× its ideal',
        '× fault-free',
        'API calls',
        '× ideal',
        '429s',
        'lost',
        'edits/s before → during storm',
      ],
      rows,
    ),
    '',
    'Targets:',
    '',
    ...verdicts,
  ].join('\n');
}
