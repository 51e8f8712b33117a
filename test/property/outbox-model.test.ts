import { describe, it } from 'vitest';
import { MemoryUpdateRepository } from '../../src/repositories/memory/memory-update-repository.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { assertOutboxModel, ORDER_SENSITIVE_TARGETS, type OutboxHarness } from './outbox-model.js';

/** The memory repository on a FakeClock (its database clock). A crash loses nothing it could keep: it is the same. */
async function memoryHarness(): Promise<OutboxHarness> {
  const clock = new FakeClock(1_700_000_000_000);
  const repository = new MemoryUpdateRepository({ clock });
  await repository.migrate();
  return {
    repository,
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    reopen: async () => {},
    dispose: () => repository.close(),
  };
}

describe('MemoryUpdateRepository (outbox model)', () => {
  it('agrees with the outbox model: nothing accepted lost, leases exclusive, stale acks harmless, newest body claimed', async () => {
    await assertOutboxModel(memoryHarness, { seed: 0x0b0c5, numRuns: 500 });
  });

  it('breaks claim ties on the target key in compareRows order, astral keys included', async () => {
    await assertOutboxModel(memoryHarness, { seed: 0x7e1, numRuns: 200, targets: [...ORDER_SENSITIVE_TARGETS, 2] });
  });
});
