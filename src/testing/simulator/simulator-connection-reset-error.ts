/**
 * The error {@link DiscordSimulator.handle} rejects with when a connection-reset fault fires (or the simulator is
 * closed while an answer is delayed). Its `code` is `ECONNRESET`, like Node's socket errors.
 *
 * @example
 * ```ts
 * try {
 *   await sim.handle(request);
 * } catch (error) {
 *   if ((error as { code?: string }).code === 'ECONNRESET') retry();
 * }
 * ```
 */
export class SimulatorConnectionResetError extends Error {
  public override name = 'SimulatorConnectionResetError' as const;
  /** Always `ECONNRESET`. */
  public readonly code = 'ECONNRESET' as const;

  /** @param detail - why the connection was reset */
  public constructor(detail = 'the simulator reset the connection (injected fault)') {
    super(`read ECONNRESET: ${detail}`);
  }
}
