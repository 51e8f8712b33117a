import { parseBody, type Transport, type TransportRequest, type TransportResponse } from '../transport/transport.js';

/** The part of a `DiscordSimulator` that {@link SimulatorTransport} needs. */
export interface SimulatorHandler {
  handle(request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string | undefined;
  }): Promise<{ status: number; headers: Record<string, string>; body: string }>;
}

/**
 * A {@link Transport} that calls a `DiscordSimulator` in-process, without HTTP. With a `FakeClock` shared by the
 * simulator and the manager, tests of timing logic are fully deterministic.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const sim = new DiscordSimulator({ clock });
 * const manager = new MessageUpdateManager({ transport: new SimulatorTransport(sim), clock });
 * ```
 */
export class SimulatorTransport implements Transport {
  readonly #simulator: SimulatorHandler;
  readonly #authorization: string;

  /**
   * @param simulator - the simulator to call
   * @param token - the bot token to send (one the simulator accepts)
   * @defaultValue token `'simulator-token'`, the simulator's default
   */
  public constructor(simulator: SimulatorHandler, token = 'simulator-token') {
    this.#simulator = simulator;
    this.#authorization = `Bot ${token}`;
  }

  /** {@inheritDoc discord-update-manager!Transport.request} */
  public async request(request: TransportRequest): Promise<TransportResponse> {
    const answer = await this.#simulator.handle({
      method: request.method,
      path: `/api/v10${request.path}`,
      headers: { authorization: this.#authorization, 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    return {
      status: answer.status,
      headers: answer.headers,
      body: parseBody(answer.body, answer.headers['content-type']),
    };
  }
}
