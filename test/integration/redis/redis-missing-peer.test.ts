import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageUpdateError } from '../../../src/errors/message-update-error.js';

describe('RedisRateLimitStore without ioredis', () => {
  afterEach(() => {
    vi.doUnmock('ioredis');
    vi.resetModules();
  });

  it('explains how to install the optional peer, and grants nothing meanwhile', async () => {
    vi.doMock('ioredis', () => {
      throw new Error("Cannot find package 'ioredis'");
    });
    const { RedisRateLimitStore } = await import('../../../src/redis/index.js');
    const warnings: string[] = [];
    // Constructing needs no driver: only the first call loads it.
    const store = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', onWarning: (m) => warnings.push(m) });
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
    expect(await store.acquire(request, limits)).toMatchObject({ granted: false, reason: 'unavailable' });
    expect(await store.acquire(request, limits)).toMatchObject({ granted: false, reason: 'unavailable' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/install ioredis \(npm install ioredis@5\)/);
    const failure = store.connect();
    await expect(failure).rejects.toThrow(MessageUpdateError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(failure).rejects.toThrow(/install ioredis \(npm install ioredis@5\), or pass your own `client`/);
    await store.close();
  });
});
