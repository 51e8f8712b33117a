import { MemoryUpdateRepository } from '../../../../src/repositories/memory/memory-update-repository.js';
import { FakeClock } from '../../../../src/testing/fake-clock.js';
import { describeUpdateRepositoryContract } from '../../../contract/update-repository.contract.js';

describeUpdateRepositoryContract('memory', async () => {
  const clock = new FakeClock();
  const repository = new MemoryUpdateRepository({ clock });
  await repository.migrate();
  return { repository, wait: (ms) => clock.advance(ms), shortLeaseMs: 100, cleanup: () => repository.close() };
});
