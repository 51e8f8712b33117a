import { InvalidConfigError } from '../../errors/message-update-error.js';
import { isRecord } from '../../util/is-record.js';
import { SeededRandom } from './seeded-random.js';
import type { FaultConfig, InjectedErrorStatus } from './simulator-records.js';
import { assertSimulatorRoute, parentRoute, type SimulatorRouteKey } from './simulator-routes.js';

const FAULT_FIELDS: readonly string[] = [
  'latencyMs',
  'errorRate',
  'errorStatus',
  'errorHeaders',
  'commitThenTimeoutMs',
  'resetRate',
];
const ERROR_STATUSES: readonly number[] = [500, 502, 503, 504] satisfies InjectedErrorStatus[];

function validateRate(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidConfigError(field, value, 'a probability from 0 to 1');
  }
}

function validateDelay(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(field, value, 'a finite number of milliseconds from 0 and up');
  }
}

function validateFaults(faults: unknown): FaultConfig {
  if (!isRecord(faults)) throw new InvalidConfigError('faults', faults, 'an object of fault settings');
  const { latencyMs, errorStatus, errorHeaders, commitThenTimeoutMs } = faults;
  if (latencyMs !== undefined) {
    if (Array.isArray(latencyMs)) {
      const [min, max] = latencyMs as readonly unknown[];
      validateDelay('faults.latencyMs[0]', min);
      validateDelay('faults.latencyMs[1]', max);
      if (latencyMs.length !== 2 || (max as number) < (min as number)) {
        throw new InvalidConfigError('faults.latencyMs', latencyMs, 'a number or a `[min, max]` pair with min <= max');
      }
    } else {
      validateDelay('faults.latencyMs', latencyMs);
    }
  }
  validateRate('faults.errorRate', faults['errorRate']);
  validateRate('faults.resetRate', faults['resetRate']);
  if (errorStatus !== undefined && !ERROR_STATUSES.includes(errorStatus as number)) {
    throw new InvalidConfigError('faults.errorStatus', errorStatus, 'one of 500, 502, 503, 504');
  }
  if (errorHeaders !== undefined && typeof errorHeaders !== 'boolean') {
    throw new InvalidConfigError('faults.errorHeaders', errorHeaders, 'a boolean');
  }
  if (commitThenTimeoutMs !== undefined) validateDelay('faults.commitThenTimeoutMs', commitThenTimeoutMs);
  for (const key of Object.keys(faults)) {
    if (!FAULT_FIELDS.includes(key)) {
      throw new InvalidConfigError(`faults.${key}`, faults[key], `one of ${FAULT_FIELDS.join(', ')}`);
    }
  }
  return { ...faults } as FaultConfig;
}

/** An injected server error, as drawn. */
export interface InjectedServerError {
  readonly status: InjectedErrorStatus;
  /** Whether the answer keeps the bucket's `X-RateLimit-*` headers (see {@link FaultConfig.errorHeaders}). */
  readonly rateLimitHeaders: boolean;
}

/**
 * The faults injected per route, and the draws that decide them. Every draw comes from one seeded generator in
 * request order, so a run replays exactly with the same seed and the same requests; a probability of 0 or 1 draws
 * nothing, so switching a fault fully on or off does not shift the others.
 */
export class FaultInjector {
  readonly #random: SeededRandom;
  readonly #configs = new Map<SimulatorRouteKey | '*', FaultConfig>();

  /** @param seed - seed of the generator (an integer) */
  public constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }

  /**
   * Sets the faults of a route, or of every route with `'*'`, replacing its previous configuration.
   *
   * @param route - a route, or `'*'`
   * @param faults - the configuration (copied)
   * @throws {@link InvalidConfigError} for an unknown route or field, or an out-of-range value
   */
  public set(route: SimulatorRouteKey | '*', faults: FaultConfig): void {
    if (route !== '*') assertSimulatorRoute(route);
    this.#configs.set(route, validateFaults(faults));
  }

  /**
   * Removes configurations.
   *
   * @param route - only this one (or `'*'`); all when omitted
   */
  public clear(route?: SimulatorRouteKey | '*'): void {
    if (route === undefined) this.#configs.clear();
    else this.#configs.delete(route);
  }

  /**
   * Draws the delay before a request on `route` is answered.
   *
   * @param route - the request's route
   * @returns milliseconds (0 without latency configured)
   */
  public drawLatency(route: SimulatorRouteKey): number {
    const latency = this.#configFor(route).latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return this.#random.between(latency[0], latency[1]);
  }

  /**
   * Draws whether a request on `route` has its connection reset before it is processed.
   *
   * @param route - the request's route
   * @returns `true` to reset
   */
  public drawReset(route: SimulatorRouteKey): boolean {
    return this.#random.chance(this.#configFor(route).resetRate ?? 0);
  }

  /**
   * Draws whether a request on `route` gets a server error instead of its answer.
   *
   * @param route - the request's route
   * @returns the error to answer, or `undefined` to do the work
   */
  public drawError(route: SimulatorRouteKey): InjectedServerError | undefined {
    const config = this.#configFor(route);
    if (!this.#random.chance(config.errorRate ?? 0)) return undefined;
    return { status: config.errorStatus ?? 500, rateLimitHeaders: config.errorHeaders ?? true };
  }

  /**
   * How long the answer to a request on `route` is held back after its write is applied.
   *
   * @param route - the request's route
   * @returns milliseconds (0: off)
   */
  public commitThenTimeoutMs(route: SimulatorRouteKey): number {
    return this.#configFor(route).commitThenTimeoutMs ?? 0;
  }

  /** A route's own configuration, else its parent's (the `(old)` delete inherits the delete's), else `'*'`'s. */
  #configFor(route: SimulatorRouteKey): FaultConfig {
    const parent = parentRoute(route);
    return this.#configs.get(route) ?? (parent && this.#configs.get(parent)) ?? this.#configs.get('*') ?? {};
  }
}
