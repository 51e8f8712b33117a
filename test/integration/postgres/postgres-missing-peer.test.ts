import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageUpdateError } from '../../../src/errors/message-update-error.js';

describe('PostgresUpdateRepository without pg', () => {
  afterEach(() => {
    vi.doUnmock('pg');
    vi.resetModules();
  });

  it('explains how to install the optional peer when it cannot be loaded', async () => {
    vi.doMock('pg', () => {
      throw new Error("Cannot find package 'pg'");
    });
    const { PostgresUpdateRepository } = await import('../../../src/repositories/postgres/index.js');
    // Constructing needs no driver: only the first call loads it.
    const repository = new PostgresUpdateRepository({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    const failure = repository.migrate();
    await expect(failure).rejects.toThrow(MessageUpdateError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(failure).rejects.toThrow(/install pg \(npm install pg\), or pass your own `pool`/);
    await repository.close();
  });
});
