import { afterEach, describe, expect, it } from 'vitest';
import { startSampleWorld, type SampleWorld } from '../../src/console/sample-world.js';
import { playWalkthrough, walkthroughMarkdown, WALKTHROUGH } from '../../src/console/walkthrough.js';
import { silentLogger } from '../../src/logger.js';

describe('the walkthrough (npm run bot:walkthrough)', () => {
  let world: SampleWorld | undefined;

  afterEach(async () => {
    await world?.close();
  });

  it('plays every step of the main flows on the sample world, each one answered', async () => {
    world = await startSampleWorld({ databaseUrl: 'sqlite::memory:', logger: silentLogger, settleMs: 50 });
    const played = await playWalkthrough(world);
    const outputs = played.flatMap(({ commands }) => commands);
    expect(outputs).toHaveLength(WALKTHROUGH.reduce((sum, section) => sum + section.commands.length, 0));
    expect(outputs.filter(({ output }) => output.startsWith('✗') || output.startsWith('Unknown command'))).toEqual([]);
    const text = outputs.map(({ output }) => output).join('\n');
    for (const expected of [
      'Setup complete. #reservations is now the reservation channel.',
      '┌ **[PCs] Laptop 1**',
      'Reserved: [PCs] Laptop 1',
      'You are now the owner of the reservation of Laptop 1',
      'Status: Loaned (Lab) - User: @bob',
      'Laptop 1 was returned to Club room.',
      '**Log: Laptop 1**',
      '📎 reservations-',
    ]) {
      expect(text).toContain(expected);
    }
    const markdown = walkthroughMarkdown(played);
    expect(markdown).toContain('## 1. An administrator sets up the reservation channel');
    expect(markdown).toContain('admin> /setup #reservations');
  });
});
