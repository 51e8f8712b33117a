import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageUpdateError } from '../../../src/errors/message-update-error.js';

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
      await expect(failure).rejects.toThrow(/install better-sqlite3 \(npm install better-sqlite3@12\)/);
      expect(existsSync(file)).toBe(false);
      await repository.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
