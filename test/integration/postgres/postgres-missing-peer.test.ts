import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidConfigError,
  MessageUpdateError,
  MissingPeerDependencyError,
} from '../../../src/errors/message-update-error.js';
import type { OutboxUpsert } from '../../../src/repositories/update-repository.js';

const upsert: OutboxUpsert = {
  targetKey: 'k:a',
  desired: 'present',
  channelId: '100000000000000001',
  messageId: null,
  managedKey: 'a',
  body: { content: 'a' },
  priority: 1,
  enqueuedAt: 1000,
  deadlineAt: null,
};

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
    const repository = new PostgresUpdateRepository({
      connectionString: 'postgres://postgres:s3cret-pw@127.0.0.1:5432/test',
    });
    const failure = repository.migrate();
    await expect(failure).rejects.toThrow(MessageUpdateError);
    await expect(failure).rejects.toThrow(MissingPeerDependencyError);
    await expect(failure).rejects.not.toThrow(InvalidConfigError);
    await expect(failure).rejects.toMatchObject({
      name: 'MissingPeerDependencyError',
      code: 'MISSING_PEER_DEPENDENCY',
      packageName: 'pg',
      feature: 'PostgresUpdateRepository with a `connectionString`',
      installCommand: 'npm install pg',
    });
    // The loader's error is kept as the cause (vitest wraps the mock's error in its own).
    const error = (await failure.catch((caught: unknown) => caught)) as Error;
    expect(error.cause).toBeInstanceOf(Error);
    await expect(failure).rejects.toThrow(
      /^PostgresUpdateRepository with a `connectionString` could not load pg, .*: install pg \(npm install pg\), or pass your own `pool`\. Loading failed with: /,
    );
    await expect(failure).rejects.not.toThrow(/s3cret-pw/);
    // Every call reports it (the load is tried again at each), not only migrate().
    await expect(repository.enqueue(upsert)).rejects.toThrow(MissingPeerDependencyError);
    await repository.close();
  });

  it('names the package when the installed pg has no Pool constructor', async () => {
    vi.doMock('pg', () => ({ Pool: 'not a constructor', default: {} }));
    const { PostgresUpdateRepository } = await import('../../../src/repositories/postgres/index.js');
    const repository = new PostgresUpdateRepository({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    const failure = repository.migrate();
    await expect(failure).rejects.toMatchObject({
      name: 'MissingPeerDependencyError',
      code: 'MISSING_PEER_DEPENDENCY',
      packageName: 'pg',
    });
    await expect(failure).rejects.toThrow(/could not use pg, .*\(it did not export a Pool constructor\): install pg/);
    await repository.close();
  });
});
