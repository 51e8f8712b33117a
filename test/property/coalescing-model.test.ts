/**
 * Model test of the coalescing state machine (issue 8): random sequences of edit / create (with and without a key) /
 * delete / sync / deleteManaged / external deletes / time passing / start, ended by stop({ drain }), on a
 * `MessageUpdateManager` with a FakeClock and a scripted in-process Discord (test/helpers/model-discord.ts), some
 * runs with transport faults (5xx, proxy 502s, resets before and after Discord applied the request, requests that
 * never answer).
 *
 * Why a hand-driven sequence and not `fc.commands`: the outcome of each step depends on timing the model cannot
 * follow step by step (which edit is in flight when the next arrives, when a bucket frees up), so a per-command
 * `check`/`run` pair would have to accept almost anything. The properties that are exact hold for the whole run —
 * what Discord finally shows, which outcomes each handle may have, what must never be seen on the wire — so the run
 * is a plain array of actions (which shrinks well and reads as a regression case) interpreted once, and checked
 * against a reference model of what Discord should finally show. What Discord saw at each request (429s, edits
 * after deletes, two creates in flight in a channel, versions going back) is checked as it happens by the scripted
 * Discord.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DiscordAPIError,
  ManagerClosedError,
  MessageDeletedError,
  MessageUpdateError,
  MessageUpdateManager,
  RetriesExhaustedError,
  UpdatePriority,
  type UpdateHandle,
  type UpdateResult,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { settleOnFakeTime } from '../helpers/clock-drive.js';
import { ModelDiscord, tagOf, type Fault, type ModelRequest } from '../helpers/model-discord.js';

const CHANNELS = ['100000000000000001', '100000000000000002'] as const;
/** Messages that exist on Discord before the run (the last one, `G`, does not: a ghost id). */
const MESSAGES = [
  { tag: 'M1', id: '300000000000000001', channel: 0, seeded: true },
  { tag: 'M2', id: '300000000000000002', channel: 0, seeded: true },
  { tag: 'M3', id: '300000000000000003', channel: 1, seeded: true },
  { tag: 'G', id: '300000000000000009', channel: 0, seeded: false },
] as const;
/** Managed keys, each in its own channel for good. */
const KEYS = [
  { tag: 'k1', key: 'board', channel: 0 },
  { tag: 'k2', key: 'team', channel: 1 },
] as const;
const MAX_RETRIES = 2;

// ------------------------------------------------------------------------------------------------ actions

type Priority = (typeof UpdatePriority)[keyof typeof UpdatePriority];
interface Common {
  readonly priority: Priority;
  readonly deadlineMs: number | null;
}
type Action =
  | ({ readonly t: 'edit'; readonly msg: number; readonly same: boolean } & Common)
  | ({ readonly t: 'delete'; readonly msg: number } & Common)
  | ({ readonly t: 'create'; readonly channel: number; readonly key: number | null } & Common)
  | ({ readonly t: 'sync'; readonly key: number; readonly same: boolean } & Common)
  | ({ readonly t: 'deleteManaged'; readonly key: number } & Common)
  | { readonly t: 'externalDelete'; readonly msg: number | null; readonly key: number | null }
  | { readonly t: 'advance'; readonly ms: number };

const common = {
  priority: fc.constantFrom<Priority>(0, 1, 1, 1, 2, 3),
  deadlineMs: fc.option(fc.constantFrom(1, 50, 800, 3000), { freq: 6 }),
};
const msgArb = fc.nat({ max: MESSAGES.length - 1 });
const keyIndexArb = fc.nat({ max: KEYS.length - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ t: fc.constant('edit' as const), msg: msgArb, same: fc.boolean(), ...common }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), msg: msgArb, ...common }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('create' as const),
      channel: fc.nat({ max: 1 }),
      key: fc.option(keyIndexArb, { freq: 2 }),
      ...common,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant('sync' as const), key: keyIndexArb, same: fc.boolean(), ...common }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deleteManaged' as const), key: keyIndexArb, ...common }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ t: fc.constant('externalDelete' as const), msg: msgArb, key: fc.constant(null) }),
      fc.record({ t: fc.constant('externalDelete' as const), msg: fc.constant(null), key: keyIndexArb }),
    ),
  },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 10, 100, 1000, 5000) }),
  },
);

const faultArb = fc.constantFrom<Fault>('none', 'none', 'none', '500', '502', 'reset', 'lost', 'hang');

interface Run {
  readonly limit: number;
  readonly windowMs: number;
  readonly latencyMs: number;
  readonly maxConcurrentUpdates: number;
  /** Index of the action before which `start()` is called (past the end: never started). */
  readonly startAt: number;
  readonly drain: boolean;
  readonly faults: readonly Fault[];
  readonly actions: readonly Action[];
}

const runArb = (withFaults: boolean): fc.Arbitrary<Run> =>
  fc.record({
    limit: fc.constantFrom(1, 2, 5),
    windowMs: fc.constantFrom(500, 1000, 5000),
    latencyMs: fc.constantFrom(0, 0, 5, 40),
    maxConcurrentUpdates: fc.constantFrom(1, 3),
    startAt: fc.constantFrom(0, 0, 0, 0, 2, 6, 99),
    drain: fc.constantFrom(true, true, true, false),
    faults: withFaults ? fc.array(faultArb, { minLength: 1, maxLength: 24 }) : fc.constant([]),
    actions: fc.array(actionArb, { minLength: 1, maxLength: 30 }),
  });

// ------------------------------------------------------------------------------------------------ the run

/** One accepted update (a call that returned a handle) and how its handle ended. */
interface Update {
  readonly seq: number;
  /** The message tag: `M1`..`G`, `k1`/`k2`, or `c<seq>` for a create without a key. */
  readonly tag: string;
  readonly kind: 'edit' | 'delete' | 'create' | 'sync' | 'deleteManaged';
  /** Content of its body (none for deletes). */
  readonly content: string | undefined;
  readonly deadlineMs: number | null;
  readonly channel: string;
  settled?: { readonly ok: true; readonly result: UpdateResult } | { readonly ok: false; readonly error: unknown };
  settleCount: number;
}

interface Outcome {
  readonly discord: ModelDiscord;
  readonly updates: readonly Update[];
  /** Problems found while running (thrown errors of the wrong type, handles still pending...). */
  readonly problems: string[];
  readonly sentEvents: number;
  readonly failedUpdates: number;
  readonly started: boolean;
}

async function execute(run: Run, strictRateLimits = false): Promise<Outcome> {
  const clock = new FakeClock(1_700_000_000_000);
  const discord = new ModelDiscord(clock, {
    limit: run.limit,
    windowMs: run.windowMs,
    latencyMs: run.latencyMs,
    faults: run.faults,
    strictRateLimits,
  });
  for (const message of MESSAGES) {
    if (message.seeded) discord.seed(CHANNELS[message.channel], message.id, `${message.tag} #0`);
  }
  let randomState = 0x2545f491;
  const manager = new MessageUpdateManager({
    transport: discord,
    clock,
    // A fixed sequence: the runs stay deterministic with jitter.
    random: () => (randomState = (Math.imul(randomState, 1103515245) + 12345) >>> 0) / 2 ** 32,
    requestTimeoutMs: 1000,
    config: {
      maxRetries: MAX_RETRIES,
      baseBackoffMs: 50,
      maxBackoffMs: 500,
      maxConcurrentUpdates: run.maxConcurrentUpdates,
    },
  });
  let sentEvents = 0;
  let failedUpdates = 0;
  manager.on('updateSent', () => sentEvents++);
  manager.on('updateFailed', (event) => (failedUpdates += event.updates));
  const problems: string[] = [];
  const updates: Update[] = [];
  const lastContent = new Map<string, string>();
  let counter = 0;
  let started = false;

  const body = (tag: string, same: boolean): { content: string } => {
    const previous = lastContent.get(tag);
    const content = same && previous !== undefined ? previous : `${tag} #${++counter}`;
    lastContent.set(tag, content);
    return { content };
  };
  const track = (update: Omit<Update, 'seq' | 'settleCount'>, call: () => UpdateHandle): void => {
    let handle: UpdateHandle;
    try {
      handle = call();
    } catch (error) {
      // A create with a key already bound to a sent message is refused (InvalidArgumentError); nothing else throws.
      const allowed = update.kind === 'create' && update.tag.startsWith('k') && error instanceof MessageUpdateError;
      if (!allowed) problems.push(`${update.kind} ${update.tag} threw ${String(error)}`);
      return;
    }
    const entry: Update = { ...update, seq: updates.length, settleCount: 0 };
    updates.push(entry);
    handle.then(
      (result) => {
        entry.settleCount++;
        entry.settled = { ok: true, result };
      },
      (error: unknown) => {
        entry.settleCount++;
        entry.settled = { ok: false, error };
      },
    );
  };
  const options = (action: Common) => ({
    priority: action.priority,
    ...(action.deadlineMs === null ? {} : { deadlineMs: action.deadlineMs }),
  });

  for (const [index, action] of run.actions.entries()) {
    if (index === run.startAt) {
      started = true;
      await manager.start();
    }
    switch (action.t) {
      case 'edit': {
        const message = MESSAGES[action.msg]!;
        const content = body(message.tag, action.same);
        track(
          {
            tag: message.tag,
            kind: 'edit',
            content: content.content,
            deadlineMs: action.deadlineMs,
            channel: CHANNELS[message.channel],
          },
          () => manager.edit(CHANNELS[message.channel], message.id, content, options(action)),
        );
        break;
      }
      case 'delete': {
        const message = MESSAGES[action.msg]!;
        track(
          {
            tag: message.tag,
            kind: 'delete',
            content: undefined,
            deadlineMs: action.deadlineMs,
            channel: CHANNELS[message.channel],
          },
          () => manager.delete(CHANNELS[message.channel], message.id, options(action)),
        );
        break;
      }
      case 'create': {
        const key = action.key === null ? undefined : KEYS[action.key]!;
        const channel = CHANNELS[key?.channel ?? action.channel]!;
        const tag = key?.tag ?? `c${updates.length}`;
        const content = body(tag, false);
        track({ tag, kind: 'create', content: content.content, deadlineMs: action.deadlineMs, channel }, () =>
          manager.create(channel, content, { ...options(action), ...(key ? { key: key.key } : {}) }),
        );
        break;
      }
      case 'sync': {
        const key = KEYS[action.key]!;
        const content = body(key.tag, action.same);
        track(
          {
            tag: key.tag,
            kind: 'sync',
            content: content.content,
            deadlineMs: action.deadlineMs,
            channel: CHANNELS[key.channel],
          },
          () => manager.sync(key.key, CHANNELS[key.channel], content, options(action)),
        );
        break;
      }
      case 'deleteManaged': {
        const key = KEYS[action.key]!;
        track(
          {
            tag: key.tag,
            kind: 'deleteManaged',
            content: undefined,
            deadlineMs: action.deadlineMs,
            channel: CHANNELS[key.channel],
          },
          () => manager.deleteManaged(key.key, options(action)),
        );
        break;
      }
      case 'externalDelete': {
        if (action.msg !== null) discord.externalDelete(MESSAGES[action.msg]!.id);
        else for (const message of discord.liveWithTag(KEYS[action.key!]!.tag)) discord.externalDelete(message.id);
        break;
      }
      case 'advance':
        await clock.advance(action.ms);
        break;
    }
  }
  if (run.startAt < run.actions.length && !started) {
    started = true;
    await manager.start();
  }
  try {
    await settleOnFakeTime(clock, manager.stop({ drain: run.drain }), { maxMs: 30 * 60_000 });
  } catch (error) {
    problems.push(`stop({ drain: ${run.drain} }) never resolved: ${String(error)}`);
  }
  await clock.advance(0);
  for (const update of updates) {
    if (update.settleCount !== 1)
      problems.push(`${update.kind} #${update.seq} ${update.tag} settled ${update.settleCount} times`);
  }
  if (clock.pendingTimers > 0) problems.push(`${clock.pendingTimers} timer(s) left after stop()`);
  try {
    manager.edit(CHANNELS[0], MESSAGES[0].id, { content: 'after stop' });
    problems.push('edit after stop() was accepted');
  } catch (error) {
    if (!(error instanceof ManagerClosedError)) problems.push(`edit after stop() threw ${String(error)}`);
  }
  return { discord, updates, problems, sentEvents, failedUpdates, started };
}

// ------------------------------------------------------------------------------------------------ the model

/** `ABSENT`, or the content shown: the states Discord may end in for one tag. */
const ABSENT = '(absent)';
type Expected = ReadonlySet<string>;

function isDelete(update: Update): boolean {
  return update.kind === 'delete' || update.kind === 'deleteManaged';
}

function outcomeOf(update: Update): string {
  if (!update.settled) return 'pending';
  return update.settled.ok ? update.settled.result.outcome : `rejected ${(update.settled.error as Error).name}`;
}

/**
 * Checks one run against the model; returns every violation found (empty when the run is right).
 *
 * Exact where the run allows it: without a `lost` fault (the one that changes Discord without the manager hearing
 * it) the final state of each message is exactly the newest update acknowledged; with one, any later update of the
 * same message may have reached Discord too, so the model allows the set of them.
 */
function check(run: Run, outcome: Outcome, _seen: Set<string>): string[] {
  const { discord, updates } = outcome;
  const violations = [...outcome.problems, ...discord.violations];
  const byTag = new Map<string, Update[]>();
  for (const update of updates) byTag.set(update.tag, [...(byTag.get(update.tag) ?? []), update]);
  const tagOfRequest = (request: ModelRequest): string | undefined =>
    tagOf((request.body as { content?: unknown } | undefined)?.content) ??
    tagOfEvent({ id: request.path.split('/')[4] ?? '' }, discord);
  const lostTags = new Set(discord.requests.filter((r) => r.fault === 'lost').map(tagOfRequest));
  const faultedTags = new Map<string, number>();
  for (const request of discord.requests) {
    if (request.fault === 'none' && request.status < 500) continue;
    if (request.status === 429) continue;
    const tag = tagOfRequest(request);
    if (tag !== undefined) faultedTags.set(tag, (faultedTags.get(tag) ?? 0) + 1);
  }

  // Each handle's outcome is one the README allows for what happened around it.
  for (const [tag, list] of byTag) {
    list.forEach((update, i) => {
      const later = list.slice(i + 1);
      const earlier = list.slice(0, i);
      const name = `${update.kind} #${update.seq} of ${tag}`;
      const settled = update.settled;
      if (!settled) return; // reported as a problem already
      if (!settled.ok) {
        const error = settled.error;
        if (!(error instanceof MessageUpdateError))
          violations.push(`${name} rejected with an untyped ${String(error)}`);
        else if (error instanceof MessageDeletedError) {
          if (!earlier.some(isDelete)) violations.push(`${name}: MessageDeletedError without an earlier delete`);
        } else if (error instanceof RetriesExhaustedError) {
          const faults = faultedTags.get(tag) ?? 0;
          if (faults < MAX_RETRIES + 1) {
            violations.push(
              `${name}: RetriesExhaustedError after ${faults} failed request(s) (maxRetries ${MAX_RETRIES})`,
            );
          }
        } else if (error instanceof DiscordAPIError) {
          const gone = tag === 'G' || discord.events.some((e) => e.kind === 'externalDelete' && e.id === idOfTag(tag));
          if (!(error.status === 404 && update.kind === 'edit' && gone)) {
            violations.push(`${name}: unexpected ${error.status} (${error.message})`);
          }
        } else violations.push(`${name}: unexpected ${error.name}: ${error.message}`);
        return;
      }
      const { result } = settled;
      switch (result.outcome) {
        case 'coalesced':
          if (later.length === 0) violations.push(`${name}: coalesced, but nothing newer was enqueued`);
          break;
        case 'cancelled':
          if (!later.some(isDelete) && run.drain && outcome.started) {
            violations.push(`${name}: cancelled without a later delete or a stop without draining`);
          }
          break;
        case 'expired':
          if (update.deadlineMs === null) violations.push(`${name}: expired without a deadline`);
          else if (result.latencyMs < update.deadlineMs) {
            violations.push(
              `${name}: expired after ${result.latencyMs} ms, before its ${update.deadlineMs} ms deadline`,
            );
          }
          break;
        case 'skipped':
          if (isDelete(update)) {
            const created = earlier.some((u) => !isDelete(u) && outcomeOf(u) === 'sent');
            if (update.kind === 'deleteManaged' ? created && !earlier.some(isDelete) : !earlier.some(isDelete)) {
              violations.push(`${name}: skipped, but the message exists and was never deleted`);
            }
          } else if (!earlier.some((u) => u.content === update.content)) {
            violations.push(`${name}: skipped, but its body was never enqueued before`);
          }
          break;
        case 'sent': {
          // Discord acknowledged a request carrying this body (or, for a delete, removing the message).
          const acked = isDelete(update)
            ? discord.requests.some(
                (r) => r.method === 'DELETE' && (r.status === 204 || r.status === 404) && tagOfRequest(r) === tag,
              )
            : discord.events.some((e) => e.answered && e.content === update.content) ||
              discord.requests.some(
                (r) => r.status === 200 && (r.body as { content?: unknown } | undefined)?.content === update.content,
              );
          if (!acked)
            violations.push(`${name}: sent, but Discord never acknowledged ${update.content ?? 'its delete'}`);
          break;
        }
      }
    });
  }

  // What Discord finally shows, per message.
  for (const [tag, list] of byTag) {
    const expected = expectedState(tag, list, lostTags.has(tag));
    const live = discord.liveWithTag(tag);
    const lastEvent = [...discord.events].reverse().find((e) => tagOfEvent(e, discord) === tag);
    const externallyGone = lastEvent?.kind === 'externalDelete';
    const shown = live.map((m) => String(m.body['content']));
    const name = `${tag} (updates: ${list.map((u) => `${u.kind}:${u.content ?? ''}→${outcomeOf(u)}`).join(', ')})`;
    const wanted = [...expected].join(' | ');
    // After a lost answer, a message the manager never heard of may remain: allowed when it shows the body of an
    // update whose handle did not say `sent` (that handle rejected, or was cancelled or replaced).
    const orphan = (content: string): boolean =>
      lostTags.has(tag) && list.some((u) => u.content === content && outcomeOf(u) !== 'sent');
    const matching = shown.filter((content) => expected.has(content));
    const unexplained = shown.filter((content) => !expected.has(content) && !orphan(content));
    if (matching.length === 0 && !expected.has(ABSENT) && !externallyGone) {
      violations.push(`${name}: Discord shows ${shown.join(', ') || 'nothing'}, expected ${wanted}`);
    }
    if (unexplained.length > 0) violations.push(`${name}: Discord shows ${unexplained.join(', ')}, expected ${wanted}`);
    if (matching.length > 1 && !lostTags.has(tag)) {
      violations.push(`${name}: ${matching.length} messages on Discord (${shown.join(', ')})`);
    }
  }

  // Seeded messages nobody touched stay as they were.
  for (const message of MESSAGES) {
    if (message.seeded && !byTag.has(message.tag) && !discord.events.some((e) => e.id === message.id)) {
      const shown = discord.messages.get(message.id)?.body['content'];
      if (shown !== `${message.tag} #0`) violations.push(`${message.tag} changed without an update: ${String(shown)}`);
    }
  }

  // Creates without a key reach Discord in the order they were enqueued, per channel.
  for (const channel of CHANNELS) {
    const order = discord.events
      .filter((e) => e.kind === 'create' && e.channelId === channel && /^c\d+$/.test(tagOf(e.content) ?? ''))
      .map((e) => Number(tagOf(e.content)!.slice(1)));
    if (order.some((seq, i) => i > 0 && seq < order[i - 1]!))
      violations.push(`creates in ${channel} out of order: ${order.join(', ')}`);
  }

  // Every handle that says `sent` was counted once by an updateSent event, every failed update once by updateFailed.
  const sentHandles = updates.filter((u) => outcomeOf(u) === 'sent').length;
  if (sentHandles !== outcome.sentEvents)
    violations.push(`${sentHandles} handles sent, ${outcome.sentEvents} updateSent events`);
  const failedHandles = updates.filter(
    (u) => u.settled && !u.settled.ok && !(u.settled.error instanceof MessageDeletedError),
  ).length;
  if (failedHandles !== outcome.failedUpdates)
    violations.push(`${failedHandles} handles failed, updateFailed counted ${outcome.failedUpdates}`);
  return violations;
}

/**
 * The model: Discord shows the desired state of the newest update acknowledged (`sent`, or `skipped`: already so);
 * before any, the message as it was. With a `lost` answer on the way, any later update may have landed instead.
 */
function expectedState(tag: string, list: readonly Update[], lost: boolean): Expected {
  const message = MESSAGES.find((m) => m.tag === tag);
  let state = message?.seeded ? `${tag} #0` : ABSENT;
  let acknowledged = -1;
  list.forEach((update, i) => {
    const o = outcomeOf(update);
    if (o !== 'sent' && o !== 'skipped') return;
    acknowledged = i;
    state = stateOf(update);
  });
  const states = new Set([state]);
  if (lost) for (const update of list.slice(acknowledged + 1)) states.add(stateOf(update));
  return states;
}

function stateOf(update: Update): string {
  return isDelete(update) ? ABSENT : update.content!;
}

function idOfTag(tag: string): string | undefined {
  return MESSAGES.find((m) => m.tag === tag)?.id;
}

/** The tag an event concerns (deletes carry no content: the message's own tag). */
function tagOfEvent(
  event: { readonly id: string; readonly content?: string },
  discord: ModelDiscord,
): string | undefined {
  if (event.content !== undefined) return tagOf(event.content);
  const seeded = MESSAGES.find((m) => m.id === event.id)?.tag;
  if (seeded) return seeded;
  const created = discord.events.find((e) => e.kind === 'create' && e.id === event.id);
  return created ? tagOf(created.content) : undefined;
}

/** Known src/ bugs the model tolerates (each reached is recorded here), with their regression tests below. */
const seenKnown = new Set<string>();

async function property(run: Run): Promise<void> {
  const outcome = await execute(run);
  if (outcome.discord.excused.length > 0) seenKnown.add('excused429');
  expect(check(run, outcome, seenKnown)).toEqual([]);
}

// ------------------------------------------------------------------------------------------------ the suite

describe('MessageUpdateManager (coalescing model)', () => {
  it('without faults: Discord ends on the newest acknowledged body of every message, outcomes as documented', async () => {
    await fc.assert(fc.asyncProperty(runArb(false), property), { seed: 0xc0a1e5ce, numRuns: 700 });
  });

  it('with transport faults: nothing accepted is lost unless its handle rejected, no 429 once a bucket is known', async () => {
    await fc.assert(fc.asyncProperty(runArb(true), property), { seed: 0xfa017, numRuns: 700 });
  });

  describe('regressions found by the model (src/ bugs, reported; `it.fails` until fixed)', () => {
    // seed 0xc0a1e5ce -> seed -1063131698, path "8:0:0:0:0:0:1:1:1", and seed 0xfa017 -> seed 1024023, path
    // "1:0:0:0:1:1:1:1:1" (before the generator left these runs out), both shrunk to one anonymous create.
    const oneAnonymousCreate = (startAt: number, drain: boolean): Run => ({
      limit: 1,
      windowMs: 500,
      latencyMs: 0,
      maxConcurrentUpdates: 1,
      startAt,
      drain,
      faults: [],
      actions: [{ t: 'create', channel: 0, key: null, priority: 0, deadlineMs: null }],
    });

    it('settles a queued create without a key as cancelled on stop({ drain: false }) (stop never resolved)', async () => {
      await property(oneAnonymousCreate(0, false));
    });

    it('cancels a create without a key queued on a manager never started (stop never resolved)', async () => {
      await property(oneAnonymousCreate(99, true));
    });

    // seed 0xc0a1e5ce -> seed -1063131698, path "112:0:0:3:1:2:7:0:5:6:6:6:8:11:11:8:8", shrunk: a delete that
    // expired leaves the message marked deleted, so the next delete of it is `skipped` and the message stays.
    const staleDelete = (faults: readonly Fault[], first: Common): Run => ({
      limit: 1,
      windowMs: 500,
      latencyMs: 0,
      maxConcurrentUpdates: 1,
      startAt: 0,
      drain: true,
      faults,
      actions: [
        { t: 'delete', msg: 0, ...first },
        { t: 'delete', msg: 0, priority: 0, deadlineMs: null },
        { t: 'delete', msg: 3, priority: 1, deadlineMs: null },
        { t: 'advance', ms: 0 },
      ],
    });
    const strict = async (run: Run): Promise<void> => {
      const known = new Set<string>();
      expect(check(run, await execute(run, true), known)).toEqual([]);
      expect(known, 'no known issue tolerated').toEqual(new Set());
    };

    it('sends a second delete when the first one expired (it was skipped; the message stayed)', async () => {
      await strict(staleDelete([], { priority: 0, deadlineMs: 1 }));
    });

    // seed 0xfa017 -> seed 1024023, path "363:0:0:0:0:2:2:1:5:4:4:6:6:6:6:9:9:10:9:8:8:8:8:8:8:8", shrunk: a second
    // deleteManaged while the first is pending resolves `skipped` at once; stop({ drain: false }) then cancels the
    // first, and the message stays.
    it('does not report a second deleteManaged as skipped while the first is only queued', async () => {
      await strict({
        limit: 1,
        windowMs: 500,
        latencyMs: 0,
        maxConcurrentUpdates: 1,
        startAt: 0,
        drain: false,
        faults: [],
        actions: [
          { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null },
          { t: 'advance', ms: 0 },
          { t: 'deleteManaged', key: 0, priority: 0, deadlineMs: null },
          { t: 'deleteManaged', key: 0, priority: 0, deadlineMs: null },
          { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null },
        ],
      });
    });

    // seed 0xc0a1e5ce (400 runs) -> seed -1063131698, path "393:1:0:0:0:4:3:4:4:4:4:4:4:6:6:6:6", shrunk: a
    // create with a key while that key's create is on the wire makes a second message.
    it('makes one message for a key when create({ key }) comes while its create is in flight', async () => {
      await strict({
        limit: 1,
        windowMs: 500,
        latencyMs: 0,
        maxConcurrentUpdates: 1,
        startAt: 2,
        drain: true,
        faults: [],
        actions: [
          { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null },
          { t: 'edit', msg: 0, same: false, priority: 0, deadlineMs: null },
          { t: 'create', channel: 0, key: 0, priority: 0, deadlineMs: null },
          { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null },
        ],
      });
    });

    // Exploratory seed 3 (1,500 runs), shrunk: the PATCH route's hash is learned from channel 2 while a PATCH of
    // channel 1 is in flight under its provisional key; the next PATCH of channel 1 is sent at once: 429.
    it('never gets a 429 once a bucket is known (a request in flight under the provisional key)', async () => {
      const edit = (msg: number): Action => ({ t: 'edit', msg, same: false, priority: 0, deadlineMs: null });
      await strict({
        limit: 1,
        windowMs: 500,
        latencyMs: 0,
        maxConcurrentUpdates: 1,
        startAt: 2,
        drain: true,
        faults: [],
        actions: [edit(2), { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null }, edit(3), edit(0)],
      });
    });

    // Exploratory seed 3 (1,500 runs, with faults), shrunk: after a request whose answer was lost at 500 ms, the
    // manager assumed its slot used for the longest Reset-After seen (454 ms, from a 429) instead of the window
    // (500 ms) and sent again at 954 ms: 429. The assumed window is now 1.25× the longest Reset-After (568 ms).
    it('never gets a 429 after a lost answer (the assumed window is longer than the longest Reset-After)', async () => {
      await strict({
        limit: 1,
        windowMs: 500,
        latencyMs: 0,
        maxConcurrentUpdates: 1,
        startAt: 0,
        drain: true,
        faults: ['lost', '502', 'lost', 'none', 'none', 'none', 'lost', 'none'],
        actions: [
          { t: 'delete', msg: 0, priority: 0, deadlineMs: null },
          { t: 'sync', key: 0, same: false, priority: 0, deadlineMs: null },
          { t: 'edit', msg: 1, same: false, priority: 0, deadlineMs: null },
        ],
      });
    });

    it('sends a second delete when the first one failed (it was skipped; the message stayed)', async () => {
      // The first delete fails for good (three 500s, maxRetries 2) before the second is enqueued.
      await strict({
        ...staleDelete(['500', '500', '500'], { priority: 0, deadlineMs: null }),
        actions: [
          { t: 'delete', msg: 0, priority: 0, deadlineMs: null },
          { t: 'advance', ms: 5000 },
          { t: 'delete', msg: 0, priority: 0, deadlineMs: null },
        ],
      });
    });
  });
});
