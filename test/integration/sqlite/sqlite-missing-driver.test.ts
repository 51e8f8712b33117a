import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidConfigError,
  MessageUpdateError,
  MissingPeerDependencyError,
} from '../../../src/errors/message-update-error.js';

describe('SqliteUpdateRepository without better-sqlite3', () => {
  afterEach(() => {
    vi.doUnmock('better-sqlite3');
    vi.resetModules();
  });

  it('explains how to install the optional peer when it cannot be loaded, and creates no file', async () => {
    vi.doMock('better-sqlite3', () => {
      throw new Error("Cannot find package 'better-sqlite3'");
    });
    const { SqliteUpdateRepository } = await import('../../../src/repositories/sqlite/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'dum-sqlite-'));
    try {
      // Constructing needs no driver: only the first call loads it.
      const file = join(dir, 'updates.db');
      const repository = new SqliteUpdateRepository({ filename: file });
      const failure = repository.migrate();
      await expect(failure).rejects.toThrow(MessageUpdateError);
      await expect(failure).rejects.toThrow(MissingPeerDependencyError);
      await expect(failure).rejects.not.toThrow(InvalidConfigError);
      await expect(failure).rejects.toMatchObject({
        name: 'MissingPeerDependencyError',
        code: 'MISSING_PEER_DEPENDENCY',
        packageName: 'better-sqlite3',
        feature: 'SqliteUpdateRepository with a `filename`',
        installCommand: 'npm install better-sqlite3@12',
      });
      await expect(failure).rejects.toThrow(
        /^SqliteUpdateRepository with a `filename` could not load better-sqlite3, .*: install better-sqlite3 \(npm install better-sqlite3@12\), or pass a `driver` or an opened `database`\. Loading failed with: /,
      );
      expect(((await failure.catch((error: unknown) => error)) as Error).cause).toBeInstanceOf(Error);
      // The next call tries again, and reports it again.
      await expect(repository.listPending()).rejects.toThrow(MissingPeerDependencyError);
      expect(existsSync(file)).toBe(false);
      await repository.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the package when the installed better-sqlite3 exports no Database constructor', async () => {
    vi.doMock('better-sqlite3', () => ({ default: 'not a constructor' }));
    const { SqliteUpdateRepository } = await import('../../../src/repositories/sqlite/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'dum-sqlite-'));
    try {
      const repository = new SqliteUpdateRepository({ filename: join(dir, 'updates.db') });
      const failure = repository.migrate();
      await expect(failure).rejects.toMatchObject({
        name: 'MissingPeerDependencyError',
        code: 'MISSING_PEER_DEPENDENCY',
        packageName: 'better-sqlite3',
      });
      await expect(failure).rejects.toThrow(
        /could not use better-sqlite3, .*\(it did not export a Database constructor\): install better-sqlite3 \(npm install better-sqlite3@12\)/,
      );
      await repository.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
