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
import type { DiscordSimulator } from '../discord-simulator.js';
import type { FaultConfig, SimulatorResponse } from './simulator-records.js';
import type { SimulatorLimits } from './simulator-limits.js';
import type { SimulatorRouteKey } from './simulator-routes.js';

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
 * Answers one control request.
 *
 * @param sim - the simulator to inspect or drive
 * @param method - upper-case HTTP method
 * @param path - path after `/__sim`, e.g. `/stats`
 * @param query - query parameters
 * @param body - parsed JSON body (or `null`)
 * @returns a JSON answer
 */
export function handleControlRequest(
  sim: DiscordSimulator,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): SimulatorResponse {
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

function dispatch(sim: DiscordSimulator, route: string, query: URLSearchParams, body: unknown): unknown {
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
