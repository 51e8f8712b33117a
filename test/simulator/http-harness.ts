/**
 * What the simulator's HTTP tests share: simulators started for a test and closed after it, `@discordjs/rest`
 * clients pointed at them (their sweepers cleared after the test), and the simulator's origin.
 */
import { REST } from '@discordjs/rest';
import { afterEach } from 'vitest';
import { DiscordSimulator, type DiscordSimulatorOptions } from '../../src/testing/index.js';

/** The token the tests' clients send (the simulator accepts any by default). */
export const TOKEN = 'simulator-token';

/**
 * Registers the clean-up of a test file's simulators and clients.
 *
 * @returns `started` (a listening simulator), `adopt` (close one the test started itself) and `restFor` (a client)
 */
export function useSimulators(): {
  started(options?: DiscordSimulatorOptions): Promise<DiscordSimulator>;
  adopt(sim: DiscordSimulator): DiscordSimulator;
  restFor(sim: DiscordSimulator, options?: { timeout?: number }): REST;
} {
  const running: DiscordSimulator[] = [];
  const clients: REST[] = [];
  afterEach(async () => {
    for (const rest of clients.splice(0)) {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    }
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return {
    async started(options = {}) {
      const sim = await new DiscordSimulator(options).start();
      running.push(sim);
      return sim;
    },
    adopt(sim) {
      running.push(sim);
      return sim;
    },
    restFor(sim, options = {}) {
      const rest = new REST({ api: sim.url, retries: 0, offset: 0, ...options }).setToken(TOKEN);
      clients.push(rest);
      return rest;
    },
  };
}

/**
 * The simulator's origin (its URL without `/api`).
 *
 * @param sim - a listening simulator
 * @returns `http://host:port`
 */
export function origin(sim: DiscordSimulator): string {
  return sim.url.slice(0, -'/api'.length);
}
