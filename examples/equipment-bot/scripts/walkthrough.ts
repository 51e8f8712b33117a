/**
 * `npm run bot:walkthrough`: plays the walkthrough on a fresh sample world and writes
 * `examples/equipment-bot/WALKTHROUGH.md` (or the path given as the first argument).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startSampleWorld } from '../src/console/sample-world.js';
import { playWalkthrough, walkthroughMarkdown } from '../src/console/walkthrough.js';
import { silentLogger } from '../src/logger.js';

const target = process.argv[2] ?? fileURLToPath(new URL('../WALKTHROUGH.md', import.meta.url));
const world = await startSampleWorld({ databaseUrl: 'sqlite::memory:', logger: silentLogger });
try {
  const played = await playWalkthrough(world);
  const failed = played.flatMap(({ commands }) => commands).filter(({ output }) => output.startsWith('✗'));
  await writeFile(target, walkthroughMarkdown(played));
  process.stdout.write(`Wrote ${target}\n`);
  for (const { command, output } of failed) process.stderr.write(`step failed: ${command}: ${output}\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  await world.close();
}
