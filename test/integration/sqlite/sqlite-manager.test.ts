import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageUpdateManager } from '../../../src/index.js';
import { SqliteUpdateRepository } from '../../../src/repositories/sqlite/index.js';
import { DiscordSimulator, SimulatorTransport } from '../../../src/testing/index.js';
import type { Transport } from '../../../src/transport/transport.js';
import { seedPlan, versionOf } from '../crash/crash-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('MessageUpdateManager with SqliteUpdateRepository', () => {
  it('never has a transaction open while a Discord request is on the wire', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'dum-sqlite-tx-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const database = new Database(join(folder, 'updates.db'));
    cleanups.push(async () => void database.close());
    const repository = new SqliteUpdateRepository({ database });
    await repository.migrate();
    const sim = await new DiscordSimulator({ timeScale: 0.1, seed: 41 }).start();
    cleanups.push(() => sim.close());
    sim.setFaults('*', { latencyMs: [2, 6] });
    const plan = seedPlan(sim, 2, 10);
    const inner = new SimulatorTransport(sim);
    let requests = 0;
    const openDuring: string[] = [];
    const transport: Transport = {
      async request(request) {
        requests++;
        if (database.inTransaction) openDuring.push(`start of ${request.method} ${request.path}`);
        try {
          return await inner.request(request);
        } finally {
          if (database.inTransaction) openDuring.push(`end of ${request.method} ${request.path}`);
        }
      },
    };
    const manager = new MessageUpdateManager({ transport, repository });
    await manager.start();
    const last = new Map<string, number>();
    const handles = [];
    for (let i = 0; i < 100; i++) {
      const target = plan[(i * 3) % plan.length]!;
      const version = (last.get(target.messageId) ?? 0) + 1;
      last.set(target.messageId, version);
      handles.push(manager.edit(target.channelId, target.messageId, { content: `${target.messageId} v${version}` }));
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(handles);
    await manager.stop();
    expect(requests).toBeGreaterThan(20);
    expect(openDuring).toEqual([]);
    for (const { channelId, messageId } of plan) {
      expect(versionOf(sim.getMessage(channelId, messageId)?.content)).toBe(last.get(messageId));
    }
    expect(await repository.listPending()).toEqual([]);
    await repository.close();
  });
});
