import { EventEmitter, getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/testing/index.js';

const TOKEN = 'simulator-token';
/** Node's default `maxListeners`: past it, an emitter whose limit was not raised prints MaxListenersExceededWarning. */
const NODE_DEFAULT_MAX_LISTENERS = 10;
/** Answers delayed at once: far more than ten, so one listener per request on any shared emitter shows. */
const CONCURRENT_REQUESTS = 200;

const running: DiscordSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

interface ListenerPeak {
  readonly target: string;
  readonly event: string;
  readonly count: number;
}

/**
 * Records, for every listener added to any `EventTarget` (an `AbortSignal`...) or `EventEmitter` (a socket, the
 * server...) while it runs, how many listeners of that event its target then held: the largest count is what
 * MaxListenersExceededWarning would report, even on a target whose limit was raised so that it stays quiet.
 */
function trackListenerPeaks(): { readonly peak: () => ListenerPeak; readonly restore: () => void } {
  let peak: ListenerPeak = { target: 'none', event: '', count: 0 };
  const note = (target: object, event: string | symbol, count: number): void => {
    if (count > peak.count) peak = { target: target.constructor.name, event: String(event), count };
  };
  const target = EventTarget.prototype;
  const { addEventListener } = target;
  target.addEventListener = function (this: EventTarget, type, ...rest) {
    addEventListener.call(this, type, ...rest);
    note(this, type, getEventListeners(this, type).length);
  };
  const emitter = EventEmitter.prototype;
  const { on, addListener, prependListener } = emitter;
  const wrap = (add: EventEmitter['on']) =>
    function (this: EventEmitter, event: string | symbol, listener: (...args: unknown[]) => void) {
      add.call(this, event, listener);
      note(this, event, this.listenerCount(event));
      return this;
    };
  // `once` goes through `on`.
  emitter.on = wrap(on);
  emitter.addListener = wrap(addListener);
  emitter.prependListener = wrap(prependListener);
  return {
    peak: () => peak,
    restore: () => {
      target.addEventListener = addEventListener;
      Object.assign(emitter, { on, addListener, prependListener });
    },
  };
}

/** Collects the MaxListenersExceededWarning messages the process emits until `stop()`. */
function collectListenerWarnings(): { readonly messages: string[]; readonly stop: () => void } {
  const messages: string[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'MaxListenersExceededWarning') messages.push(warning.message);
  };
  process.on('warning', onWarning);
  return { messages, stop: () => process.off('warning', onWarning) };
}

/** Lets the process emit the warnings raised so far (Node emits them on a later tick). */
const warningsFlushed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function loadedSimulator(): Promise<{ sim: DiscordSimulator; channelIds: string[] }> {
  const sim = await new DiscordSimulator({
    limits: {
      global: { limit: 100_000, windowMs: 1000 },
      messageWrite: { limit: 1000, windowMs: 1000 },
    },
  }).start();
  running.push(sim);
  // Every answer waits, so all of them are pending at once.
  sim.setFaults('*', { latencyMs: 100 });
  const channelIds = Array.from({ length: 10 }, () => sim.createChannel().id);
  return { sim, channelIds };
}

describe('DiscordSimulator', () => {
  describe('under load', () => {
    it('adds no listener per delayed answer to a shared emitter (over HTTP)', async () => {
      const { sim, channelIds } = await loadedSimulator();
      const warnings = collectListenerWarnings();
      const listeners = trackListenerPeaks();
      let statuses: number[];
      try {
        statuses = await Promise.all(
          Array.from({ length: CONCURRENT_REQUESTS }, async (_, i) => {
            const response = await fetch(`${sim.url}/v10/channels/${channelIds[i % channelIds.length]}/messages`, {
              method: 'POST',
              headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
              body: JSON.stringify({ content: `message ${i}` }),
            });
            await response.arrayBuffer();
            return response.status;
          }),
        );
      } finally {
        listeners.restore();
      }
      await warningsFlushed();
      warnings.stop();
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(warnings.messages).toEqual([]);
      expect(listeners.peak().count, JSON.stringify(listeners.peak())).toBeLessThanOrEqual(NODE_DEFAULT_MAX_LISTENERS);
    });

    it('adds no listener per delayed answer to a shared emitter (in process), and close() still fails them', async () => {
      const { sim, channelIds } = await loadedSimulator();
      const warnings = collectListenerWarnings();
      const listeners = trackListenerPeaks();
      const handle = (i: number) =>
        sim.handle({
          method: 'POST',
          path: `/api/v10/channels/${channelIds[i % channelIds.length]}/messages`,
          headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ content: `message ${i}` }),
        });
      let answered: number[];
      let closed: PromiseSettledResult<unknown>[];
      try {
        answered = (await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => handle(i)))).map(
          (response) => response.status,
        );
        // A second burst, cut short by close(): every pending answer is failed with a connection reset.
        const pending = Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => handle(i));
        await sim.close();
        closed = await Promise.allSettled(pending);
      } finally {
        listeners.restore();
      }
      await warningsFlushed();
      warnings.stop();
      expect(answered.filter((status) => status !== 200)).toEqual([]);
      expect(
        closed.map((result) => (result.status === 'rejected' ? (result.reason as { code?: string }).code : 'ok')),
      ).toEqual(Array.from({ length: CONCURRENT_REQUESTS }, () => 'ECONNRESET'));
      expect(warnings.messages).toEqual([]);
      expect(listeners.peak().count, JSON.stringify(listeners.peak())).toBeLessThanOrEqual(NODE_DEFAULT_MAX_LISTENERS);
    });
  });
});
