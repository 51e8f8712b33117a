/**
 * The equipment-channel scenario (used by `npm run bench`, `npm run demo` and the e2e test): equipment embeds spread
 * over a few channels, edited by many users far faster than Discord allows, against a local `DiscordSimulator` over
 * real HTTP. The workload is deterministic (seeded); each strategy runs on a fresh simulator and is judged by the
 * simulator's write log: when did every message show the last version the workload intended, and with how many
 * requests and 429s.
 */
import { setMaxListeners } from 'node:events';
import { REST, type RESTOptions } from '@discordjs/rest';
import {
  MessageUpdateManager,
  systemClock,
  UpdatePriority,
  type RateLimitConfig,
  type UpdateRepository,
} from '../src/index.js';
import { DiscordSimulator, SeededRandom, type SimulatedMessage } from '../src/testing/index.js';
import { computeIdealSchedule, type IdealSchedule, type WindowLimit } from './ideal-schedule.js';
import { SeedMessageUpdateManager } from './seed-algorithm.js';

/** Size, timing and limits of a scenario run. */
export interface ScenarioOptions {
  /** Messages in the first (busy) channel. @defaultValue 100 */
  readonly bigChannelMessages: number;
  /** Number of other channels. @defaultValue 4 */
  readonly smallChannels: number;
  /** Messages in each other channel. @defaultValue 25 */
  readonly smallChannelMessages: number;
  /** Updates in the workload. @defaultValue 600 */
  readonly updates: number;
  /** Simulated users issuing them. @defaultValue 20 */
  readonly users: number;
  /** Span of the workload, milliseconds. @defaultValue 2000 */
  readonly durationMs: number;
  /** Exponent of the Zipf-like popularity of messages. @defaultValue 1.1 */
  readonly zipfExponent: number;
  /** Seed of the workload generator (and the simulator's latency). @defaultValue 7854 */
  readonly seed: number;
  /** Create/edit message bucket, per channel. @defaultValue 5 per 500 ms */
  readonly channelLimit: WindowLimit;
  /** Global limit. @defaultValue 50 per 1000 ms */
  readonly globalLimit: WindowLimit;
  /** Simulator latency, uniform in [min, max] ms. @defaultValue [2, 6] */
  readonly latencyMs: readonly [number, number];
  /** Share of updates sent with `UpdatePriority.High` (0 to 1; 0 draws nothing, keeping older workloads). @defaultValue 0 */
  readonly highPriorityShare: number;
}

/** The full-size scenario of the bench. */
export const DEFAULT_SCENARIO: ScenarioOptions = {
  bigChannelMessages: 100,
  smallChannels: 4,
  smallChannelMessages: 25,
  updates: 600,
  users: 20,
  durationMs: 2000,
  zipfExponent: 1.1,
  seed: 7854,
  channelLimit: { limit: 5, windowMs: 500 },
  globalLimit: { limit: 50, windowMs: 1000 },
  latencyMs: [2, 6],
  highPriorityShare: 0,
};

/** An equipment embed. */
export interface EquipmentBody {
  readonly embeds: [{ readonly title: string; readonly description: string; readonly color: number }];
}

/** A message of the scenario. */
export interface ScenarioMessage {
  readonly index: number;
  readonly channel: number;
  readonly name: string;
  readonly seedBody: EquipmentBody;
}

/** One update of the workload. */
export interface ScenarioUpdate {
  /** Milliseconds from the workload start. */
  readonly at: number;
  readonly message: number;
  readonly user: number;
  /** Per-message version, from 1. */
  readonly version: number;
  readonly body: EquipmentBody;
  /** Sent with `UpdatePriority.High` (else Normal). */
  readonly high: boolean;
}

/** A deterministic workload. */
export interface Workload {
  readonly options: ScenarioOptions;
  readonly channelCount: number;
  readonly messages: readonly ScenarioMessage[];
  /** Sorted by `at`; for one message, a later entry is a newer version. */
  readonly updates: readonly ScenarioUpdate[];
  /** The last body the workload intends for each message (its seed body when it gets no update). */
  readonly finalBody: readonly EquipmentBody[];
}

/** Where a message lives on the simulator. */
export interface MessageTarget {
  readonly channelId: string;
  readonly messageId: string;
}

const COLORS = [0x2ecc71, 0xe67e22, 0x3498db, 0xe74c3c];

function equipmentBody(name: string, version: number, user: number | undefined): EquipmentBody {
  const description = user === undefined ? 'version 0 (initial)' : `version ${version} by user ${user}`;
  return { embeds: [{ title: name, description, color: COLORS[version % COLORS.length]! }] };
}

/** A stable key of an equipment body (title + description; the description carries the version). */
export function bodyKey(body: unknown): string {
  const embeds = (body as { embeds?: unknown } | undefined)?.embeds;
  const first = Array.isArray(embeds)
    ? (embeds[0] as { title?: unknown; description?: unknown } | undefined)
    : undefined;
  return `${String(first?.title)}\u0000${String(first?.description)}`;
}

/**
 * Builds the workload: messages over the channels, then `updates` updates from `users` users at random times, each
 * picking a message with a Zipf-like distribution over a seeded shuffled ranking.
 *
 * @param overrides - scenario options to change
 * @returns the workload (pure, the same for the same options)
 */
export function buildWorkload(overrides: Partial<ScenarioOptions> = {}): Workload {
  const options: ScenarioOptions = { ...DEFAULT_SCENARIO, ...overrides };
  const random = new SeededRandom(options.seed);
  const messages: ScenarioMessage[] = [];
  const addChannel = (channel: number, count: number): void => {
    for (let i = 0; i < count; i++) {
      const index = messages.length;
      const name = `Item ${String(index + 1).padStart(3, '0')} (ch ${channel + 1})`;
      messages.push({ index, channel, name, seedBody: equipmentBody(name, 0, undefined) });
    }
  };
  addChannel(0, options.bigChannelMessages);
  for (let c = 1; c <= options.smallChannels; c++) addChannel(c, options.smallChannelMessages);

  // Popularity: rank r (1-based) has weight 1 / r^s, ranks assigned to messages in a seeded shuffled order.
  const ranking = messages.map((message) => message.index);
  for (let i = ranking.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [ranking[i], ranking[j]] = [ranking[j]!, ranking[i]!];
  }
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= ranking.length; r++) {
    total += 1 / r ** options.zipfExponent;
    cumulative.push(total);
  }
  const pick = (): number => {
    const u = random.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return ranking[lo]!;
  };

  const raw: { at: number; user: number; message: number; order: number; high: boolean }[] = [];
  for (let user = 0; user < options.users; user++) {
    const count = Math.floor(options.updates / options.users) + (user < options.updates % options.users ? 1 : 0);
    for (let k = 0; k < count; k++) {
      const at = Math.round(random.next() * options.durationMs * 100) / 100;
      const message = pick();
      // Drawn only when asked for, so workloads without priorities stay what they were.
      const high = options.highPriorityShare > 0 && random.next() < options.highPriorityShare;
      raw.push({ at, user: user + 1, message, order: raw.length, high });
    }
  }
  raw.sort((a, b) => a.at - b.at || a.order - b.order);

  const versions = new Array<number>(messages.length).fill(0);
  const finalBody = messages.map((message) => message.seedBody);
  const updates = raw.map(({ at, user, message, high }): ScenarioUpdate => {
    const version = ++versions[message]!;
    const body = equipmentBody(messages[message]!.name, version, user);
    finalBody[message] = body;
    return { at, message, user, version, body, high };
  });
  return { options, channelCount: options.smallChannels + 1, messages, updates, finalBody };
}

/**
 * The ideal schedule of a workload (zero latency, exact windows, freshest version, oldest-dirty first).
 *
 * @param workload - the workload
 * @returns ideal time and calls
 */
export function idealFor(workload: Workload): IdealSchedule {
  return computeIdealSchedule({
    updates: workload.updates,
    messageChannel: workload.messages.map((message) => message.channel),
    channelLimit: workload.options.channelLimit,
    globalLimit: workload.options.globalLimit,
  });
}

/** A fresh simulator with the scenario's channels and messages. */
export interface ScenarioWorld {
  readonly sim: DiscordSimulator;
  readonly channelIds: readonly string[];
  /** Target of each message, by message index. */
  readonly targets: readonly MessageTarget[];
  /** A new `REST` pointed at the simulator. */
  /** A REST pointed at the simulator (REST's defaults unless `options` says otherwise). */
  newRest(options?: Partial<RESTOptions>): REST;
  close(): Promise<void>;
}

/** The token the simulator accepts. */
export const SIMULATOR_TOKEN = 'simulator-token';

/**
 * Starts a simulator with the scenario's limits and latency, and seeds its channels and messages (not counted).
 *
 * @param workload - the workload
 * @returns the world; `close()` it when done
 */
export async function createWorld(workload: Workload): Promise<ScenarioWorld> {
  const { options } = workload;
  const sim = new DiscordSimulator({
    clock: systemClock,
    seed: options.seed,
    tokens: [SIMULATOR_TOKEN],
    limits: { messageWrite: options.channelLimit, global: options.globalLimit },
  });
  await sim.start();
  sim.setFaults('*', { latencyMs: options.latencyMs });
  const channelIds: string[] = [];
  for (let c = 0; c < workload.channelCount; c++) {
    channelIds.push(sim.createChannel({ name: c === 0 ? 'equipment' : `equipment-${c + 1}` }).id);
  }
  const targets = workload.messages.map((message): MessageTarget => {
    const channelId = channelIds[message.channel]!;
    return { channelId, messageId: sim.seedMessage(channelId, message.seedBody).id };
  });
  return {
    sim,
    channelIds,
    targets,
    newRest: (options = {}) => new REST({ ...options, api: sim.url }).setToken(SIMULATOR_TOKEN),
    close: () => sim.close(),
  };
}

/** A strategy under test: receives the updates as they happen, then is waited for. */
export interface StrategyRun {
  /** One update, at its time. */
  submit(update: ScenarioUpdate, target: MessageTarget): void;
  /** Resolves when the strategy has nothing left to send (called after the last update was submitted). */
  finished(): Promise<void>;
  /** Stops sending (after `finished`, or when the cap is reached). */
  stop(): Promise<void>;
  /** A one-line account of what happened inside the strategy (errors, retries, coalescing), for logs. */
  describe?(): string;
}

/** A strategy: builds its run on a world. */
export type Strategy<R extends StrategyRun = StrategyRun> = (world: ScenarioWorld) => R | Promise<R>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** (a) `REST`, one worker awaiting each edit in arrival order. */
export const restSequential: Strategy = (world) => {
  const rest = world.newRest();
  const abort = new AbortController();
  setMaxListeners(100_000, abort.signal);
  const queue: { update: ScenarioUpdate; target: MessageTarget }[] = [];
  let busy = false;
  let stopped = false;
  let idle: (() => void) | undefined;
  let errors = 0;
  const work = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    for (let item = queue.shift(); item !== undefined && !stopped; item = queue.shift()) {
      const { target, update } = item;
      await rest
        .patch(`/channels/${target.channelId}/messages/${target.messageId}`, {
          body: update.body,
          signal: abort.signal,
        })
        .catch(() => errors++);
    }
    busy = false;
    idle?.();
  };
  return {
    submit(update, target) {
      queue.push({ update, target });
      void work();
    },
    finished: () =>
      queue.length === 0 && !busy ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve)),
    async stop() {
      stopped = true;
      abort.abort(new Error('stopped'));
    },
    describe: () => `${errors} requests rejected by REST`,
  };
};

/** (b) `REST`, every edit fired without awaiting as it arrives. */
export const restFireAndForget: Strategy = (world) => {
  const rest = world.newRest();
  const abort = new AbortController();
  setMaxListeners(100_000, abort.signal);
  const pending: Promise<unknown>[] = [];
  let errors = 0;
  return {
    submit(update, target) {
      pending.push(
        rest
          .patch(`/channels/${target.channelId}/messages/${target.messageId}`, {
            body: update.body,
            signal: abort.signal,
          })
          .catch(() => errors++),
      );
    },
    finished: async () => {
      await Promise.allSettled(pending);
    },
    async stop() {
      abort.abort(new Error('stopped'));
    },
    describe: () => `${errors} requests rejected by REST`,
  };
};

/** (c) The seed's batched algorithm over `REST`. */
export const seedAlgorithm: Strategy = (world) => {
  const seed = new SeedMessageUpdateManager(world.newRest());
  seed.startProcessor();
  return {
    submit(update, target) {
      seed.queueUpdate({ ...target, body: update.body });
    },
    finished: () => seed.onIdle(),
    async stop() {
      seed.stop();
    },
    describe: () => {
      const m = seed.getMetrics();
      return `${m.messagesUpdated} updates sent, ${m.rateLimitHits} rate limits seen, ${m.retries} retries, ${m.failedUpdates} failed`;
    },
  };
};

/** The run of {@link managerStrategy}: gives access to the manager (for progress and metrics). */
export interface ManagerRun extends StrategyRun {
  readonly manager: MessageUpdateManager;
  /** Updates whose handle rejected. */
  readonly failures: () => number;
}

/**
 * (d) The `MessageUpdateManager` with `rest` = a `REST` pointed at the simulator.
 *
 * @param config - manager config (the bench uses the defaults)
 */
/** REST options the README recommends next to the manager: it retries and paces requests itself. */
export const RECOMMENDED_REST_OPTIONS = { retries: 0, offset: 0 } as const satisfies Partial<RESTOptions>;

/**
 * The manager at `config` (default: the package defaults), over a REST built with `restOptions` (default: the
 * README's recommendation, {@link RECOMMENDED_REST_OPTIONS}), with the repository `repository()` returns (migrated,
 * called before the workload starts; default: none). The caller closes that repository after the run.
 */
export function managerStrategy(
  config: Partial<RateLimitConfig> = {},
  restOptions: Partial<RESTOptions> = RECOMMENDED_REST_OPTIONS,
  repository?: () => Promise<UpdateRepository>,
): Strategy<ManagerRun> {
  return async (world) => {
    const rest = world.newRest(restOptions);
    const manager = repository
      ? new MessageUpdateManager({ rest, config, repository: await repository() })
      : new MessageUpdateManager({ rest, config });
    await manager.start();
    let failures = 0;
    return {
      manager,
      failures: () => failures,
      submit(update, target) {
        manager
          .edit(target.channelId, target.messageId, update.body, {
            priority: update.high ? UpdatePriority.High : UpdatePriority.Normal,
          })
          .then(undefined, () => failures++);
      },
      finished: () => manager.onIdle(),
      stop: () => manager.stop({ drain: false }),
      describe: () => {
        const m = manager.metrics.getMetrics();
        return `${m.messagesUpdated} sent, ${m.coalesced} coalesced, ${m.rateLimitHits} 429s seen, ${m.retries} retries, ${failures} failed`;
      },
    };
  };
}

/** What a run achieved, judged from the simulator. */
export interface Evaluation {
  /** Time from the workload start until every message showed its last intended version (undefined when some never did). */
  readonly timeMs: number | undefined;
  /** Messages not showing their last intended body at the end. */
  readonly wrong: number;
  /** Requests the simulator received for the scenario's messages. */
  readonly apiCalls: number;
  /** 429s by scope (simulator stats). */
  readonly rateLimited: { readonly user: number; readonly global: number; readonly shared: number };
  /** Total 429s. */
  readonly total429: number;
  /** Route 429s of each channel bucket, by channel index. */
  readonly user429ByChannel: readonly number[];
  /** Writes applied. */
  readonly writes: number;
  /** Requests for the scenario's messages answered with a 5xx. */
  readonly errors500: number;
  /** Arrival times (simulator clock) of the edits sent for the scenario's messages, whatever their answer. */
  readonly editTimes: readonly number[];
}

/**
 * Judges a run from the simulator's state and logs.
 *
 * @param world - the world the run used
 * @param workload - its workload
 * @param startedAt - workload start on the simulator's clock (`systemClock.now()`)
 * @returns the evaluation
 */
export function evaluate(world: ScenarioWorld, workload: Workload, startedAt: number): Evaluation {
  const { sim, targets } = world;
  const byId = new Map<string, number>();
  targets.forEach((target, index) => byId.set(target.messageId, index));
  // When each message reached the body it ended with: the first write of that body after any other body.
  const currentKey = workload.messages.map((message) => bodyKey(message.seedBody));
  const since = new Array<number | undefined>(targets.length).fill(undefined);
  let writes = 0;
  for (const write of sim.getWrites()) {
    const index = write.messageId === undefined ? undefined : byId.get(write.messageId);
    if (index === undefined || (write.kind !== 'edit' && write.kind !== 'create')) continue;
    writes++;
    const key = bodyKey(write.body);
    if (key !== currentKey[index]) {
      currentKey[index] = key;
      since[index] = write.at;
    }
  }
  let wrong = 0;
  let end = startedAt;
  const updated = new Set(workload.updates.map((update) => update.message));
  targets.forEach((target, index) => {
    const message: SimulatedMessage | undefined = sim.getMessage(target.channelId, target.messageId);
    const intended = bodyKey(workload.finalBody[index]);
    if (!message || bodyKey({ embeds: message.embeds }) !== intended || currentKey[index] !== intended) {
      wrong++;
      return;
    }
    if (updated.has(index)) end = Math.max(end, since[index] ?? Infinity);
  });

  let apiCalls = 0;
  let errors500 = 0;
  const editTimes: number[] = [];
  const user429ByChannel = new Array<number>(workload.channelCount).fill(0);
  const channelIndex = new Map(world.channelIds.map((id, index) => [id, index]));
  for (const entry of sim.getRequestLog()) {
    const last = entry.path.split('?')[0]!.split('/').at(-1)!;
    if (!byId.has(last)) continue;
    apiCalls++;
    if (entry.status >= 500) errors500++;
    if (entry.method === 'PATCH') editTimes.push(entry.at);
    if (entry.status === 429 && entry.scope === 'user' && entry.majorParameter !== undefined) {
      const channel = channelIndex.get(entry.majorParameter);
      if (channel !== undefined) user429ByChannel[channel]!++;
    }
  }
  const { rateLimited } = sim.getStats();
  return {
    timeMs: wrong > 0 ? undefined : end - startedAt,
    wrong,
    apiCalls,
    rateLimited: { ...rateLimited },
    total429: rateLimited.user + rateLimited.global + rateLimited.shared,
    user429ByChannel,
    writes,
    errors500,
    editTimes,
  };
}

/**
 * How many messages show, right now, the newest body submitted so far.
 *
 * @param world - the world
 * @param workload - the workload
 * @param submitted - updates submitted so far (a prefix of `workload.updates`)
 * @returns the count, out of `workload.messages.length`
 */
export function countUpToDate(world: ScenarioWorld, workload: Workload, submitted: number): number {
  const intended = workload.messages.map((message) => bodyKey(message.seedBody));
  for (let i = 0; i < submitted; i++) {
    const update = workload.updates[i]!;
    intended[update.message] = bodyKey(update.body);
  }
  let count = 0;
  world.targets.forEach((target, index) => {
    const message = world.sim.getMessage(target.channelId, target.messageId);
    if (message && bodyKey({ embeds: message.embeds }) === intended[index]) count++;
  });
  return count;
}

/** Progress of a running scenario. */
export interface ScenarioProgress<R extends StrategyRun> {
  readonly world: ScenarioWorld;
  readonly run: R;
  readonly elapsedMs: number;
  /** Updates submitted so far. */
  readonly submitted: number;
}

/** Options of {@link runScenario}. */
export interface RunOptions<R extends StrategyRun> {
  /** Give up this long after the workload start (the run then counts as capped). @defaultValue 120000 */
  readonly capMs?: number;
  /** Called every `progressIntervalMs` while the run is going, and once at the end. */
  readonly onProgress?: (progress: ScenarioProgress<R>) => void;
  /** @defaultValue 100 */
  readonly progressIntervalMs?: number;
  /**
   * Called once at the workload start (e.g. to schedule faults on the simulator); the function it returns, if any,
   * is called when the run ends.
   */
  readonly onStart?: (world: ScenarioWorld, startedAt: number) => (() => void) | undefined;
}

/** Result of {@link runScenario}. */
export interface ScenarioResult<R extends StrategyRun> extends Evaluation {
  /** The cap was reached before the strategy finished. */
  readonly capped: boolean;
  /** Wall time from the workload start until the strategy said it was done (or the cap). */
  readonly wallMs: number;
  readonly run: R;
}

/**
 * Runs one strategy on a fresh simulator: replays the workload in real time, waits for the strategy to finish (or
 * the cap), and judges the result.
 *
 * @param workload - the workload
 * @param strategy - the strategy
 * @param options - cap and progress reporting
 * @returns the evaluation, plus whether it was capped
 */
export async function runScenario<R extends StrategyRun>(
  workload: Workload,
  strategy: Strategy<R>,
  options: RunOptions<R> = {},
): Promise<ScenarioResult<R>> {
  const capMs = options.capMs ?? 120_000;
  const world = await createWorld(workload);
  try {
    const run = await strategy(world);
    const startedAt = systemClock.now();
    let submitted = 0;
    const report = (): void =>
      options.onProgress?.({ world, run, elapsedMs: systemClock.now() - startedAt, submitted });
    const ticker = options.onProgress ? setInterval(report, options.progressIntervalMs ?? 100) : undefined;
    const cleanup = options.onStart?.(world, startedAt);
    try {
      // Replay: every update at its time, in workload order (all due ones at once when timers run late).
      const { updates } = workload;
      while (submitted < updates.length) {
        const elapsed = systemClock.now() - startedAt;
        while (submitted < updates.length && updates[submitted]!.at <= elapsed) {
          const update = updates[submitted++]!;
          run.submit(update, world.targets[update.message]!);
        }
        if (submitted < updates.length) await sleep(updates[submitted]!.at - (systemClock.now() - startedAt));
      }
      let capTimer: ReturnType<typeof setTimeout> | undefined;
      const capped = await Promise.race([
        run.finished().then(() => false),
        new Promise<boolean>((resolve) => {
          capTimer = setTimeout(() => resolve(true), Math.max(0, startedAt + capMs - systemClock.now()));
        }),
      ]);
      clearTimeout(capTimer);
      const wallMs = systemClock.now() - startedAt;
      await run.stop();
      report();
      return { ...evaluate(world, workload, startedAt), capped, wallMs, run };
    } finally {
      if (ticker) clearInterval(ticker);
      cleanup?.();
    }
  } finally {
    await world.close();
  }
}
