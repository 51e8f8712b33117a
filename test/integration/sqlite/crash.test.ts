import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteUpdateRepository } from '../../../src/repositories/sqlite/index.js';
import { runCrashScenario, runSyncCrashScenario } from '../crash/crash-harness.js';

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

describe('MessageUpdateManager with SqliteUpdateRepository, killed with SIGKILL', () => {
  it.each([
    [1, 300],
    [2, 700],
    [3, 1300],
  ])(
    'loses no accepted update and never goes back to an older version (seed %i, killed after %i ms)',
    async (seed, killAfterMs) => {
      const folder = await mkdtemp(join(tmpdir(), 'dum-crash-'));
      folders.push(folder);
      const filename = join(folder, 'updates.db');
      const result = await runCrashScenario({
        seed,
        killAfterMs,
        databaseEnv: { CRASH_DIALECT: 'sqlite', CRASH_SQLITE_FILE: filename },
        openRepository: async () => new SqliteUpdateRepository({ filename }),
      });
      // The kill really interrupted work: accepted updates were still in the outbox, and the new process sent them.
      expect(result.accepted).toBeGreaterThan(0);
      expect(result.pendingAtKill).toBeGreaterThan(0);
      expect(result.writesAfterKill).toBeGreaterThan(0);
      console.log(
        `seed ${seed}: killed after ${result.killedAfterMs} ms, ${result.accepted} accepted, ${result.pendingAtKill} rows pending, ${result.writesAfterKill} writes by the new process`,
      );
    },
    90_000,
  );
  it.each([
    [7, 500],
    [8, 1200],
  ])(
    'never duplicates a message whose create was cut by the kill: the nonce makes the retry idempotent (seed %i, killed after %i ms)',
    async (seed, killAfterMs) => {
      const folder = await mkdtemp(join(tmpdir(), 'dum-crash-'));
      folders.push(folder);
      const filename = join(folder, 'updates.db');
      const result = await runSyncCrashScenario({
        seed,
        killAfterMs,
        databaseEnv: { CRASH_DIALECT: 'sqlite', CRASH_SQLITE_FILE: filename },
        openRepository: async () => new SqliteUpdateRepository({ filename }),
      });
      expect(result.pendingAtKill).toBeGreaterThan(0);
      console.log(
        `seed ${seed}: ${result.accepted} accepted, ${result.pendingAtKill} rows pending at the kill, ${result.duplicatesPrevented} duplicate creates prevented by nonce`,
      );
    },
    90_000,
  );
});
