import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { UpdateRepository } from '../../../src/repositories/update-repository.js';
import { DiscordSimulator } from '../../../src/testing/index.js';

const WORKER = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));

/** A worker process started by {@link startWorker}. */
export interface WorkerRun {
  /** Every line it printed so far. */
  readonly lines: string[];
  readonly exit: Promise<number | null>;
  /** Resolves once it printed `started` (or exited). */
  readonly started: Promise<void>;
  kill(): void;
  /** Sends a signal (SIGSTOP / SIGCONT for the zombie test). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts test/integration/crash/crash-worker.ts in a new Node process with `env` added. */
export function startWorker(env: Record<string, string>): WorkerRun {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (line === 'started') onStarted();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`crash worker exited ${code}: ${stderr}\n`);
      onStarted();
      resolve(code);
    }),
  );
  return { lines, exit, started, kill: () => child.kill('SIGKILL'), signal: (name) => child.kill(name) };
}

/** The version in a test message body (`<messageId> v<version>`), 0 for the seed body. */
export function versionOf(content: unknown): number {
  return typeof content === 'string' && content.includes(' v') ? Number(content.split(' v')[1]) : 0;
}

/** Versions each message's edits carried, in arrival order (must never decrease). */
export function editHistory(sim: DiscordSimulator, messageId: string): number[] {
  return sim
    .getWrites({ messageId })
    .filter((write) => write.kind === 'edit')
    .map((write) => versionOf((write.body as { content?: unknown }).content));
}

/** Seeds `channels` × `perChannel` messages; returns the plan the workers use. */
export function seedPlan(
  sim: DiscordSimulator,
  channels: number,
  perChannel: number,
): { channelId: string; messageId: string }[] {
  const plan: { channelId: string; messageId: string }[] = [];
  for (let c = 0; c < channels; c++) {
    const channelId = sim.createChannel({ name: `crash-${c}` }).id;
    for (let m = 0; m < perChannel; m++)
      plan.push({ channelId, messageId: sim.seedMessage(channelId, { content: 'seed' }).id });
  }
  return plan;
}

/** What a dialect's test provides. */
export interface CrashScenarioOptions {
  readonly seed: number;
  /** When to kill the producer, in ms after it started (during production, or after it while it still sends). */
  readonly killAfterMs: number;
  /** Env naming the database for the workers (dialect, file or URL + schema). */
  readonly databaseEnv: Record<string, string>;
  /** Opens the same database in the test process, to check the outbox at the end. */
  readonly openRepository: () => Promise<UpdateRepository>;
}

/**
 * Kill -9 scenario: a worker enqueues 500 updates over 100 messages and is SIGKILLed at a random moment; a fresh
 * worker on the same database drains what was accepted. Checks: every accepted update reached the simulator (final
 * version ≥ last accepted), no message ever went back to an older version, the outbox ends empty.
 */
export async function runCrashScenario(
  options: CrashScenarioOptions,
): Promise<{ accepted: number; killedAfterMs: number; pendingAtKill: number; writesAfterKill: number }> {
  const sim = await new DiscordSimulator({ timeScale: 0.1, seed: options.seed }).start();
  try {
    const plan = seedPlan(sim, 4, 25);
    const env = {
      ...options.databaseEnv,
      CRASH_SIM_URL: sim.url,
      CRASH_PLAN: JSON.stringify(plan),
      CRASH_SEED: String(options.seed),
      CRASH_UPDATES: '500',
      CRASH_LEASE_MS: '2000',
    };
    const killedAfterMs = options.killAfterMs;
    const producer = startWorker({ ...env, CRASH_MODE: 'produce' });
    await producer.started;
    await new Promise((resolve) => setTimeout(resolve, killedAfterMs));
    producer.kill();
    await producer.exit;
    const atKill = await options.openRepository();
    const pendingAtKill = (await atKill.listPending()).length;
    await atKill.close();

    const writesBeforeDrain = sim.getWrites().length;
    const drainer = startWorker({ ...env, CRASH_MODE: 'drain' });
    expect(await drainer.exit).toBe(0);

    const lastAccepted = new Map<string, number>();
    for (const line of producer.lines) {
      const [word, messageId, version] = line.split(' ');
      if (word === 'accepted')
        lastAccepted.set(messageId!, Math.max(lastAccepted.get(messageId!) ?? 0, Number(version)));
    }
    for (const { channelId, messageId } of plan) {
      const final = versionOf(sim.getMessage(channelId, messageId)?.content);
      expect(final, `message ${messageId}`).toBeGreaterThanOrEqual(lastAccepted.get(messageId) ?? 0);
      const history = editHistory(sim, messageId);
      expect(history, `writes of ${messageId} never go back`).toEqual([...history].sort((a, b) => a - b));
    }
    const repository = await options.openRepository();
    try {
      expect(await repository.listPending()).toEqual([]);
      expect(await repository.listDeadLetters()).toEqual([]);
    } finally {
      await repository.close();
    }
    return {
      accepted: producer.lines.filter((line) => line.startsWith('accepted ')).length,
      killedAfterMs,
      pendingAtKill,
      writesAfterKill: sim.getWrites().length - writesBeforeDrain,
    };
  } finally {
    await sim.close();
  }
}

/**
 * Kill -9 while managed messages are being *created*: creates carry a nonce kept in the outbox, so the new process
 * re-sends an interrupted create with the same nonce and Discord (the simulator) answers with the message it already
 * made. Checks: exactly one message per key, showing at least its last accepted version; the outbox ends empty.
 */
export async function runSyncCrashScenario(
  options: CrashScenarioOptions,
): Promise<{ accepted: number; duplicatesPrevented: number; pendingAtKill: number }> {
  const sim = await new DiscordSimulator({ timeScale: 0.1, seed: options.seed }).start();
  try {
    // Slow creates, so several are on the wire when the worker dies.
    sim.setFaults('POST /channels/:channel_id/messages', { latencyMs: 150 });
    const channels = [sim.createChannel({ name: 'items-1' }).id, sim.createChannel({ name: 'items-2' }).id];
    const plan = Array.from({ length: 40 }, (_, index) => ({ channelId: channels[index % 2]!, messageId: '0' }));
    const env = {
      ...options.databaseEnv,
      CRASH_SIM_URL: sim.url,
      CRASH_PLAN: JSON.stringify(plan),
      CRASH_SEED: String(options.seed),
      CRASH_UPDATES: '120',
      CRASH_EVERY: '1',
      CRASH_KIND: 'sync',
      CRASH_LEASE_MS: '2000',
    };
    const producer = startWorker({ ...env, CRASH_MODE: 'produce' });
    await producer.started;
    await new Promise((resolve) => setTimeout(resolve, options.killAfterMs));
    producer.kill();
    await producer.exit;
    const atKill = await options.openRepository();
    const pendingAtKill = (await atKill.listPending()).length;
    await atKill.close();
    const drainer = startWorker({ ...env, CRASH_MODE: 'drain' });
    expect(await drainer.exit).toBe(0);

    const lastAccepted = new Map<string, number>();
    for (const line of producer.lines) {
      const [word, key, version] = line.split(' ');
      if (word === 'accepted') lastAccepted.set(key!, Math.max(lastAccepted.get(key!) ?? 0, Number(version)));
    }
    const messages = channels.flatMap((channelId) => sim.listMessages(channelId));
    for (const [key, version] of lastAccepted) {
      const mine = messages.filter((message) => String(message.content).startsWith(`${key} v`));
      expect(mine, `messages of ${key}`).toHaveLength(1);
      expect(versionOf(mine[0]!.content), key).toBeGreaterThanOrEqual(version);
    }
    const repository = await options.openRepository();
    try {
      expect(await repository.listPending()).toEqual([]);
      expect(await repository.listDeadLetters()).toEqual([]);
    } finally {
      await repository.close();
    }
    return {
      accepted: producer.lines.filter((line) => line.startsWith('accepted ')).length,
      duplicatesPrevented: sim.getStats().duplicateCreatesPrevented,
      pendingAtKill,
    };
  } finally {
    await sim.close();
  }
}
