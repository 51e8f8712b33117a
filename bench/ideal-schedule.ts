/**
 * The IDEAL schedule of a workload under fixed-window rate limits: a discrete-event computation with zero latency
 * that always sends the freshest version of a message and dispatches as early as the limits allow, oldest-dirty
 * message first. It is the yardstick the bench divides every strategy's time and call count by.
 *
 * Windows behave exactly as the simulator applies them: a window of `limit` requests opens at the first request
 * after the previous window ended (`at >= resetAt`), per channel bucket, plus one global window per token.
 */

/** A fixed-window limit: `limit` requests per window of `windowMs` milliseconds. */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** One update of the workload, as the ideal schedule needs it. */
export interface IdealUpdate {
  /** Arrival time, milliseconds from the workload start. */
  readonly at: number;
  /** Index of the message the update targets. */
  readonly message: number;
}

/** Input of {@link computeIdealSchedule}. */
export interface IdealScheduleInput {
  /** Updates sorted by `at` (ties keep their order: the later one is the newer version). */
  readonly updates: readonly IdealUpdate[];
  /** Channel index of each message (`messageChannel[message]`). */
  readonly messageChannel: readonly number[];
  /** Per-channel bucket (create/edit message). */
  readonly channelLimit: WindowLimit;
  /** Global limit of the token. */
  readonly globalLimit: WindowLimit;
  /**
   * Whether the call sent at `now` fails (a 5xx): it still uses its slots, and its message stays dirty and is sent
   * again as soon as the limits allow (a failure costs exactly one call, no backoff). @defaultValue none fail
   */
  readonly fails?: (now: number) => boolean;
}

/** Output of {@link computeIdealSchedule}. */
export interface IdealSchedule {
  /** Time from the workload start until every updated message shows its final version (ms). */
  readonly timeMs: number;
  /** Requests sent. */
  readonly calls: number;
  /** For each message, the time its final version was sent, or `undefined` when it was never updated. */
  readonly doneAt: readonly (number | undefined)[];
}

interface Window {
  remaining: number;
  resetAt: number;
}

function hasRoom(window: Window | undefined, now: number): boolean {
  return window === undefined || now >= window.resetAt || window.remaining > 0;
}

function take(window: Window | undefined, limit: WindowLimit, now: number): Window {
  const open =
    window !== undefined && now < window.resetAt ? window : { remaining: limit.limit, resetAt: now + limit.windowMs };
  open.remaining--;
  return open;
}

/**
 * Computes the ideal schedule.
 *
 * @param input - updates, message → channel map and the limits
 * @returns the ideal completion time and number of calls
 * @example
 * ```ts
 * const ideal = computeIdealSchedule({
 *   updates: [{ at: 0, message: 0 }, { at: 1, message: 0 }],
 *   messageChannel: [0],
 *   channelLimit: { limit: 5, windowMs: 500 },
 *   globalLimit: { limit: 50, windowMs: 1000 },
 * });
 * // ideal.calls === 2, ideal.timeMs === 1
 * ```
 */
export function computeIdealSchedule(input: IdealScheduleInput): IdealSchedule {
  const { updates, messageChannel, channelLimit, globalLimit } = input;
  const messageCount = messageChannel.length;
  const channelCount = messageChannel.reduce((max, channel) => Math.max(max, channel + 1), 0);
  const channelWindows: (Window | undefined)[] = new Array<Window | undefined>(channelCount).fill(undefined);
  let globalWindow: Window | undefined;

  // Per message: how many updates it has received, how many the last send carried, when it became dirty.
  const received = new Array<number>(messageCount).fill(0);
  const total = new Array<number>(messageCount).fill(0);
  for (const update of updates) total[update.message]!++;
  const sentUpTo = new Array<number>(messageCount).fill(0);
  const dirtySince = new Array<number>(messageCount).fill(Infinity);
  const doneAt = new Array<number | undefined>(messageCount).fill(undefined);
  // Dirty messages per channel, kept in order of `dirtySince` (then arrival order): a message enters when it turns
  // dirty and leaves when sent, so each list is already sorted by the time it became dirty.
  const dirty: number[][] = Array.from({ length: channelCount }, () => []);
  let dirtyCount = 0;

  let calls = 0;
  let next = 0;
  let now = updates.length > 0 ? updates[0]!.at : 0;

  for (;;) {
    // 1. Arrivals up to now (all of them before dispatching, so the freshest version goes out).
    while (next < updates.length && updates[next]!.at <= now) {
      const { at, message } = updates[next++]!;
      received[message]!++;
      if (dirtySince[message] === Infinity) {
        dirtySince[message] = at;
        dirty[messageChannel[message]!]!.push(message);
        dirtyCount++;
      }
    }
    // 2. Dispatch as much as the limits allow now, oldest-dirty message first across channels.
    while (dirtyCount > 0 && hasRoom(globalWindow, now)) {
      let bestChannel = -1;
      for (let channel = 0; channel < channelCount; channel++) {
        const head = dirty[channel]![0];
        if (head === undefined || !hasRoom(channelWindows[channel], now)) continue;
        if (bestChannel < 0) {
          bestChannel = channel;
          continue;
        }
        const best = dirty[bestChannel]![0]!;
        if (dirtySince[head]! < dirtySince[best]! || (dirtySince[head] === dirtySince[best] && head < best)) {
          bestChannel = channel;
        }
      }
      if (bestChannel < 0) break;
      const message = dirty[bestChannel]![0]!;
      channelWindows[bestChannel] = take(channelWindows[bestChannel], channelLimit, now);
      globalWindow = take(globalWindow, globalLimit, now);
      calls++;
      if (input.fails?.(now) === true) continue; // still the oldest dirty message of its channel
      dirty[bestChannel]!.shift();
      dirtyCount--;
      sentUpTo[message] = received[message]!;
      dirtySince[message] = Infinity;
      if (sentUpTo[message] === total[message]) doneAt[message] = now;
    }
    // 3. Next instant something can change: an arrival, or a window reset that unblocks dirty work.
    let wake = next < updates.length ? updates[next]!.at : Infinity;
    if (dirtyCount > 0) {
      if (!hasRoom(globalWindow, now)) wake = Math.min(wake, globalWindow!.resetAt);
      else {
        for (let channel = 0; channel < channelCount; channel++) {
          if (dirty[channel]!.length > 0 && !hasRoom(channelWindows[channel], now)) {
            wake = Math.min(wake, channelWindows[channel]!.resetAt);
          }
        }
      }
    }
    if (wake === Infinity) break;
    now = wake;
  }

  let end = 0;
  for (const at of doneAt) if (at !== undefined) end = Math.max(end, at);
  return { timeMs: end, calls, doneAt };
}
