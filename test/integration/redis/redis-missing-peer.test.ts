import { afterEach, describe, expect, it, vi } from 'vitest';

const limits = {
  globalLimit: 50,
  globalWindowMs: 1000,
  maxInFlightPerBucket: 3,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 600_000,
  reservationTtlMs: 30_000,
};
const request = {
  routeKey: 'PATCH /channels/:channel_id/messages/:id',
  majorParameter: '1',
  exemptFromGlobal: false,
};

describe('RedisRateLimitStore without ioredis', () => {
  afterEach(() => {
    vi.doUnmock('ioredis');
    vi.resetModules();
  });

  /** The store and the error classes, loaded fresh (modules are reset after each test) with ioredis missing. */
  async function loadWithoutIoredis() {
    vi.doMock('ioredis', () => {
      throw new Error("Cannot find package 'ioredis'");
    });
    return {
      ...(await import('../../../src/redis/index.js')),
      ...(await import('../../../src/errors/message-update-error.js')),
    };
  }

  it('explains how to install the optional peer, and grants nothing meanwhile', async () => {
    const { RedisRateLimitStore, InvalidConfigError, MessageUpdateError, MissingPeerDependencyError } =
      await loadWithoutIoredis();
    const warnings: string[] = [];
    // Constructing needs no driver: only the first call loads it.
    const store = new RedisRateLimitStore({
      url: 'redis://:s3cret-pw@127.0.0.1:6379',
      onWarning: (m) => warnings.push(m),
    });
    // `acquire` never throws: it warns, once, and answers `unavailable`.
    expect(await store.acquire(request, limits)).toMatchObject({ granted: false, reason: 'unavailable' });
    expect(await store.acquire(request, limits)).toMatchObject({ granted: false, reason: 'unavailable' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/install ioredis \(npm install ioredis@5\)/);
    const failure = store.connect();
    await expect(failure).rejects.toThrow(MessageUpdateError);
    await expect(failure).rejects.toThrow(MissingPeerDependencyError);
    await expect(failure).rejects.not.toThrow(InvalidConfigError);
    await expect(failure).rejects.toMatchObject({
      name: 'MissingPeerDependencyError',
      code: 'MISSING_PEER_DEPENDENCY',
      packageName: 'ioredis',
      feature: 'RedisRateLimitStore with a `url`',
      installCommand: 'npm install ioredis@5',
    });
    await expect(failure).rejects.toThrow(
      /^RedisRateLimitStore with a `url` could not load ioredis, .*: install ioredis \(npm install ioredis@5\), or pass your own `client`\. Loading failed with: /,
    );
    await expect(failure).rejects.not.toThrow(/s3cret-pw/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/s3cret-pw/);
    await store.close();
  });

  it('reports it once when connect() meets it: the thrown error, and no warning besides', async () => {
    const { RedisRateLimitStore, MissingPeerDependencyError } = await loadWithoutIoredis();
    const warnings: string[] = [];
    const store = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', onWarning: (m) => warnings.push(m) });
    await expect(store.connect()).rejects.toThrow(MissingPeerDependencyError);
    expect(warnings).toEqual([]);
    // Already reported: later calls stay quiet (and still grant nothing).
    expect(await store.acquire(request, limits)).toMatchObject({ granted: false, reason: 'unavailable' });
    await expect(store.connect()).rejects.toThrow(MissingPeerDependencyError);
    expect(warnings).toEqual([]);
    await store.close();
  });
});
