/**
 * The simulator's HTTP control API under `/__sim/`, for tests and tools running in other processes. Requests and
 * answers are JSON; they are neither rate limited nor logged. Errors answer 400 (bad input) or 404 (unknown
 * control route) with `{ "error": "<message>", "code": "<code>" }`.
 *
 * | method + path | body / query | answer |
 * |---|---|---|
 * | `GET /__sim/stats` | | `getStats()` |
 * | `GET /__sim/messages` | `?channel_id=` | `listMessages()` |
 * | `GET /__sim/writes` | `?channel_id=&message_id=` | `getWrites()` |
 * | `GET /__sim/requests` | | `getRequestLog()` |
 * | `GET /__sim/bucket` | `?route=&major=` (route or hash) | `getBucket()` or `null` |
 * | `GET /__sim/limits` | | `getLimits()` |
 * | `POST /__sim/limits` | `{ route, limit, windowMs }` or `{ limits: {...} }` | `{ ok: true }` |
 * | `POST /__sim/hashes` | `{ route, hash }` | `{ ok: true }` |
 * | `POST /__sim/faults` | `{ route, latencyMs?, errorRate?, ... }` | `{ ok: true }` |
 * | `DELETE /__sim/faults` | `?route=` (optional) | `{ ok: true }` |
 * | `POST /__sim/channels` | `{ name?, guild_id?, topic? }` | `{ id, name, guild_id, topic }` |
 * | `POST /__sim/messages` | `{ channel_id, body }` | the message |
 * | `POST /__sim/tokens` | `{ token }` | `{ label }` |
 * | `POST /__sim/webhooks` | `{ channel_id, name? }` | `{ id, token }` |
 * | `POST /__sim/interactions` | `{ channel_id, message_id? }` | `{ id, token, application_id }` |
 * | `POST /__sim/throttle` | `{ channel_id, duration_ms }` | `{ ok: true }` |
 * | `POST /__sim/reset-stats` | | `{ ok: true }` |
 *
 * @module
 */
import { MessageUpdateError } from '../../errors/message-update-error.js';
import { parseRequestBody } from './parse-request-body.js';
import type { RequestLine } from './pipeline/request-context.js';
import type {
  BucketState,
  ChannelInit,
  FaultConfig,
  InteractionCredentials,
  InteractionInit,
  RequestRecord,
  SeedMessageOptions,
  SimulatedChannel,
  SimulatedMessage,
  SimulatorRequest,
  SimulatorResponse,
  SimulatorStats,
  WebhookCredentials,
  WriteFilter,
  WriteRecord,
} from './simulator-records.js';
import type { RouteLimit, SimulatorLimits } from './simulator-limits.js';
import type { SimulatorRouteKey } from './simulator-routes.js';

/**
 * What the control API drives: the simulator's public methods it maps to routes. The control API depends on this
 * shape, not on the `DiscordSimulator` class (which satisfies it structurally).
 */
export interface SimulatorControl {
  getStats(): SimulatorStats;
  listMessages(channelId: string): SimulatedMessage[];
  getWrites(filter?: WriteFilter): WriteRecord[];
  getRequestLog(): RequestRecord[];
  getBucket(routeOrHash: SimulatorRouteKey | string, majorParameter: string): BucketState | undefined;
  getLimits(): SimulatorLimits;
  setLimits(limits: Partial<SimulatorLimits>): void;
  setRouteLimit(route: SimulatorRouteKey, limit: RouteLimit): void;
  setRouteHash(route: SimulatorRouteKey, hash: string): void;
  setFaults(route: SimulatorRouteKey | '*', faults: FaultConfig): void;
  clearFaults(route?: SimulatorRouteKey | '*'): void;
  createChannel(init?: ChannelInit): SimulatedChannel;
  seedMessage(channelId: string, body: unknown, options?: SeedMessageOptions): SimulatedMessage;
  addToken(token: string): string;
  createWebhook(channelId: string, options?: { readonly name?: string }): WebhookCredentials;
  createInteraction(channelId: string, init?: InteractionInit): InteractionCredentials;
  throttleResource(channelId: string, durationMs: number): void;
  resetStats(): void;
}

const CONTROL_PREFIX = '/__sim';

/**
 * Whether a path belongs to the control API rather than to Discord's.
 *
 * @param pathname - a request path without query
 * @returns `true` for `/__sim` and paths under `/__sim/`
 */
export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

function json(status: number, body: unknown): SimulatorResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? null) };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Thrown for a malformed control request; answered with 400. */
class ControlRequestError extends Error {
  public readonly code = 'INVALID_CONTROL_REQUEST';
}

function requireString(body: unknown, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value.length === 0) {
    throw new ControlRequestError(`Expected \`${name}\` to be a non-empty string in the JSON body`);
  }
  return value;
}

const OK = { ok: true } as const;

/**
 * Answers one control request (a JSON body that does not parse counts as none).
 *
 * @param sim - the simulator to inspect or drive
 * @param request - the request, for its body
 * @param line - its method and a path for which {@link isControlPath} holds
 * @returns a JSON answer
 */
export function handleControlRequest(
  sim: SimulatorControl,
  request: SimulatorRequest,
  line: RequestLine,
): SimulatorResponse {
  const { method, query } = line;
  const path = line.pathname.slice(CONTROL_PREFIX.length);
  const parsed = parseRequestBody(request);
  const body = parsed.ok ? parsed.json : null;
  try {
    return json(200, dispatch(sim, `${method} ${path}`, query, body));
  } catch (error) {
    if (error instanceof NotFound) {
      return json(404, { error: `Unknown control route ${method} /__sim${path}`, code: 'NOT_FOUND' });
    }
    if (error instanceof MessageUpdateError || error instanceof ControlRequestError) {
      return json(400, { error: error.message, code: error.code });
    }
    return json(500, { error: error instanceof Error ? error.message : String(error), code: 'INTERNAL' });
  }
}

class NotFound extends Error {}

function dispatch(sim: SimulatorControl, route: string, query: URLSearchParams, body: unknown): unknown {
  switch (route) {
    case 'GET /stats':
      return sim.getStats();
    case 'GET /messages':
      return sim.listMessages(query.get('channel_id') ?? '');
    case 'GET /writes': {
      const channelId = query.get('channel_id');
      const messageId = query.get('message_id');
      return sim.getWrites({
        ...(channelId === null ? {} : { channelId }),
        ...(messageId === null ? {} : { messageId }),
      });
    }
    case 'GET /requests':
      return sim.getRequestLog();
    case 'GET /bucket':
      return sim.getBucket(query.get('route') ?? '', query.get('major') ?? '') ?? null;
    case 'GET /limits':
      return sim.getLimits();
    case 'POST /limits': {
      const limits = field(body, 'limits');
      if (limits !== undefined) {
        sim.setLimits(limits as Partial<SimulatorLimits>);
      } else {
        sim.setRouteLimit(requireString(body, 'route') as SimulatorRouteKey, {
          limit: field(body, 'limit') as number,
          windowMs: field(body, 'windowMs') as number,
        });
      }
      return OK;
    }
    case 'POST /hashes':
      sim.setRouteHash(requireString(body, 'route') as SimulatorRouteKey, requireString(body, 'hash'));
      return OK;
    case 'POST /faults': {
      const { route, ...faults } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      if (typeof route !== 'string') throw new ControlRequestError('Expected `route` to be a route name or `*`');
      sim.setFaults(route as SimulatorRouteKey | '*', faults as FaultConfig);
      return OK;
    }
    case 'DELETE /faults': {
      const route = query.get('route');
      sim.clearFaults(route === null ? undefined : (route as SimulatorRouteKey | '*'));
      return OK;
    }
    case 'POST /channels': {
      const name = optionalString(field(body, 'name'));
      const guildId = optionalString(field(body, 'guild_id'));
      const topic = optionalString(field(body, 'topic'));
      const channel = sim.createChannel({
        ...(name === undefined ? {} : { name }),
        ...(guildId === undefined ? {} : { guildId }),
        ...(topic === undefined ? {} : { topic }),
      });
      return { id: channel.id, name: channel.name, guild_id: channel.guildId ?? null, topic: channel.topic ?? null };
    }
    case 'POST /messages':
      return sim.seedMessage(requireString(body, 'channel_id'), field(body, 'body'));
    case 'POST /tokens':
      return { label: sim.addToken(requireString(body, 'token')) };
    case 'POST /webhooks': {
      const name = optionalString(field(body, 'name'));
      return sim.createWebhook(requireString(body, 'channel_id'), name === undefined ? {} : { name });
    }
    case 'POST /interactions': {
      const messageId = optionalString(field(body, 'message_id'));
      const interaction = sim.createInteraction(
        requireString(body, 'channel_id'),
        messageId === undefined ? {} : { messageId },
      );
      return { id: interaction.id, token: interaction.token, application_id: interaction.applicationId };
    }
    case 'POST /throttle':
      sim.throttleResource(requireString(body, 'channel_id'), field(body, 'duration_ms') as number);
      return OK;
    case 'POST /reset-stats':
      sim.resetStats();
      return OK;
    default:
      throw new NotFound();
  }
}
