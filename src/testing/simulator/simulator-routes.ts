import { InvalidConfigError } from '../../errors/message-update-error.js';
import type { SimulatorLimitName } from './simulator-limits.js';

/** The guild model's routes (users, guilds, DMs, application commands) and the gateway's discovery. */
const GUILD_ROUTES = [
  'GET /gateway',
  'GET /gateway/bot',
  'GET /users/@me',
  'GET /users/:user_id',
  'POST /users/@me/channels',
  'GET /applications/@me',
  'GET /guilds/:guild_id',
  'GET /guilds/:guild_id/channels',
  'GET /guilds/:guild_id/roles',
  'GET /guilds/:guild_id/members',
  'GET /guilds/:guild_id/members/:user_id',
  'GET /applications/:application_id/commands',
  'PUT /applications/:application_id/commands',
  'POST /applications/:application_id/commands',
  'GET /applications/:application_id/guilds/:guild_id/commands',
  'PUT /applications/:application_id/guilds/:guild_id/commands',
  'POST /applications/:application_id/guilds/:guild_id/commands',
] as const;

/**
 * Every route the simulator serves, as `METHOD /template`. These are the names accepted by
 * {@link DiscordSimulator.setRouteLimit}, {@link DiscordSimulator.setRouteHash} and
 * {@link DiscordSimulator.setFaults}, and shown in the request log.
 *
 * `DELETE /channels/:channel_id/messages/:message_id (old)` is the delete of a message older than
 * `oldMessageAgeMs`, which Discord limits under a separate hash. Interaction webhooks share their URL shape with
 * webhooks but have their own names (they are exempt from the global limit).
 *
 * @example
 * ```ts
 * for (const route of SIMULATOR_ROUTE_KEYS) sim.setFaults(route, { latencyMs: 5 });
 * ```
 */
export const SIMULATOR_ROUTE_KEYS = [
  'GET /channels/:channel_id',
  'PATCH /channels/:channel_id',
  'GET /channels/:channel_id/messages',
  'POST /channels/:channel_id/messages',
  'POST /channels/:channel_id/messages/bulk-delete',
  'GET /channels/:channel_id/messages/:message_id',
  'PATCH /channels/:channel_id/messages/:message_id',
  'DELETE /channels/:channel_id/messages/:message_id',
  'DELETE /channels/:channel_id/messages/:message_id (old)',
  'PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
  'DELETE /channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
  'POST /webhooks/:webhook_id/:webhook_token',
  'GET /webhooks/:webhook_id/:webhook_token/messages/:message_id',
  'PATCH /webhooks/:webhook_id/:webhook_token/messages/:message_id',
  'DELETE /webhooks/:webhook_id/:webhook_token/messages/:message_id',
  'POST /interactions/:interaction_id/:interaction_token/callback',
  'POST /webhooks/:application_id/:interaction_token',
  'GET /webhooks/:application_id/:interaction_token/messages/:message_id',
  'PATCH /webhooks/:application_id/:interaction_token/messages/:message_id',
  'DELETE /webhooks/:application_id/:interaction_token/messages/:message_id',
  ...GUILD_ROUTES,
] as const;

/** The routes of the guild model (users, guilds, DMs, application commands) and the gateway's discovery. */
export const GUILD_ROUTE_KEYS: ReadonlySet<SimulatorRouteKey> = new Set<SimulatorRouteKey>(GUILD_ROUTES);

/** One of {@link SIMULATOR_ROUTE_KEYS}. */
export type SimulatorRouteKey = (typeof SIMULATOR_ROUTE_KEYS)[number];

/** What a route needs to be called, which limit preset it starts with, and how it is keyed. */
export interface RouteDefinition {
  /** The preset limit of the route, or `undefined` when only the global limit applies. */
  readonly preset: SimulatorLimitName | undefined;
  /** Exempt from the global limit (interaction routes). */
  readonly exemptFromGlobal: boolean;
  /**
   * `bot`: an `Authorization` header is required; `webhook` / `interaction`: the token is in the URL; `none`: no
   * token needed (`GET /gateway`).
   */
  readonly auth: 'bot' | 'webhook' | 'interaction' | 'none';
}

function def(preset: SimulatorLimitName | undefined, auth: RouteDefinition['auth']): RouteDefinition {
  return { preset, auth, exemptFromGlobal: auth === 'interaction' };
}

/** Route metadata, keyed by route key. */
export const ROUTE_DEFINITIONS: Readonly<Record<SimulatorRouteKey, RouteDefinition>> = {
  'GET /channels/:channel_id': def(undefined, 'bot'),
  'PATCH /channels/:channel_id': def('channelEdit', 'bot'),
  'GET /channels/:channel_id/messages': def(undefined, 'bot'),
  'POST /channels/:channel_id/messages': def('messageWrite', 'bot'),
  'POST /channels/:channel_id/messages/bulk-delete': def('bulkDelete', 'bot'),
  'GET /channels/:channel_id/messages/:message_id': def(undefined, 'bot'),
  'PATCH /channels/:channel_id/messages/:message_id': def('messageWrite', 'bot'),
  'DELETE /channels/:channel_id/messages/:message_id': def('messageDelete', 'bot'),
  'DELETE /channels/:channel_id/messages/:message_id (old)': def('oldMessageDelete', 'bot'),
  'PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me': def('reactions', 'bot'),
  'DELETE /channels/:channel_id/messages/:message_id/reactions/:emoji/@me': def('reactions', 'bot'),
  'POST /webhooks/:webhook_id/:webhook_token': def('webhookExecute', 'webhook'),
  'GET /webhooks/:webhook_id/:webhook_token/messages/:message_id': def(undefined, 'webhook'),
  'PATCH /webhooks/:webhook_id/:webhook_token/messages/:message_id': def('webhookMessage', 'webhook'),
  'DELETE /webhooks/:webhook_id/:webhook_token/messages/:message_id': def('webhookMessage', 'webhook'),
  'POST /interactions/:interaction_id/:interaction_token/callback': def(undefined, 'interaction'),
  'POST /webhooks/:application_id/:interaction_token': def('webhookExecute', 'interaction'),
  'GET /webhooks/:application_id/:interaction_token/messages/:message_id': def(undefined, 'interaction'),
  'PATCH /webhooks/:application_id/:interaction_token/messages/:message_id': def('webhookMessage', 'interaction'),
  'DELETE /webhooks/:application_id/:interaction_token/messages/:message_id': def('webhookMessage', 'interaction'),
  'GET /gateway': def(undefined, 'none'),
  'GET /gateway/bot': def(undefined, 'bot'),
  'GET /users/@me': def(undefined, 'bot'),
  'GET /users/:user_id': def(undefined, 'bot'),
  'POST /users/@me/channels': def(undefined, 'bot'),
  'GET /applications/@me': def(undefined, 'bot'),
  'GET /guilds/:guild_id': def(undefined, 'bot'),
  'GET /guilds/:guild_id/channels': def(undefined, 'bot'),
  'GET /guilds/:guild_id/roles': def(undefined, 'bot'),
  'GET /guilds/:guild_id/members': def(undefined, 'bot'),
  'GET /guilds/:guild_id/members/:user_id': def(undefined, 'bot'),
  'GET /applications/:application_id/commands': def(undefined, 'bot'),
  'PUT /applications/:application_id/commands': def(undefined, 'bot'),
  'POST /applications/:application_id/commands': def(undefined, 'bot'),
  'GET /applications/:application_id/guilds/:guild_id/commands': def(undefined, 'bot'),
  'PUT /applications/:application_id/guilds/:guild_id/commands': def(undefined, 'bot'),
  'POST /applications/:application_id/guilds/:guild_id/commands': def(undefined, 'bot'),
};

/**
 * Tells whether a string names a simulator route.
 *
 * @param value - anything
 * @returns `true` for one of {@link SIMULATOR_ROUTE_KEYS}
 */
export function isSimulatorRouteKey(value: unknown): value is SimulatorRouteKey {
  return typeof value === 'string' && Object.hasOwn(ROUTE_DEFINITIONS, value);
}

/**
 * Checks a route name given by a caller.
 *
 * @param route - the value to check
 * @returns the route, typed
 * @throws {@link InvalidConfigError} naming `route` when it is not one of {@link SIMULATOR_ROUTE_KEYS}
 */
export function assertSimulatorRoute(route: unknown): SimulatorRouteKey {
  if (!isSimulatorRouteKey(route)) {
    throw new InvalidConfigError(
      'route',
      route,
      'one of DiscordSimulator.routes (e.g. `PATCH /channels/:channel_id/messages/:message_id`)',
    );
  }
  return route;
}

/** Ids and tokens taken from the path. Tokens stay in memory only; they are never logged. */
export interface RouteParams {
  readonly channelId?: string;
  readonly messageId?: string;
  readonly emoji?: string;
  /** Webhook id, or application id for interaction webhooks. */
  readonly webhookId?: string;
  /** Webhook token, or interaction token for interaction webhooks. */
  readonly webhookToken?: string;
  readonly interactionId?: string;
  readonly interactionToken?: string;
  readonly guildId?: string;
  readonly userId?: string;
  readonly applicationId?: string;
}

/** Result of {@link matchRoute}. */
export type RouteMatch =
  | { readonly kind: 'route'; readonly key: SimulatorRouteKey; readonly params: RouteParams }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'methodNotAllowed' };

function pick(method: string, params: RouteParams, table: Readonly<Record<string, SimulatorRouteKey>>): RouteMatch {
  const key = table[method];
  return key === undefined ? { kind: 'methodNotAllowed' } : { kind: 'route', key, params };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Maps a method and an API path (without `/api` and version, without query) to a route. Webhook URLs always map to
 * the plain webhook routes here; the simulator swaps in the interaction-webhook route when the id is its
 * application's, and the `(old)` delete when the message is old.
 *
 * @param method - upper-case HTTP method
 * @param path - e.g. `/channels/1180000000000000000/messages`
 * @returns the route and its parameters, or why none matched
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.split('/');
  // A leading slash gives an empty first segment; a trailing slash an empty last one (Discord ignores neither).
  if (parts[0] !== '') return { kind: 'notFound' };
  // Clients percent-encode segments (`%40me`, `%40original`, emoji); the routes match the decoded ones.
  const decoded = parts.slice(1).map(decodeSegment);
  if (decoded.some((segment) => segment === undefined)) return { kind: 'notFound' };
  const s = decoded as string[];
  const [root, a, b, c, d, e, f] = s;
  if (s.some((segment) => segment === '')) return { kind: 'notFound' };

  if (root === 'channels' && a !== undefined) {
    if (s.length === 2) {
      return pick(method, { channelId: a }, { GET: 'GET /channels/:channel_id', PATCH: 'PATCH /channels/:channel_id' });
    }
    if (b !== 'messages') return { kind: 'notFound' };
    if (s.length === 3) {
      return pick(
        method,
        { channelId: a },
        { GET: 'GET /channels/:channel_id/messages', POST: 'POST /channels/:channel_id/messages' },
      );
    }
    if (s.length === 4 && c === 'bulk-delete') {
      return pick(method, { channelId: a }, { POST: 'POST /channels/:channel_id/messages/bulk-delete' });
    }
    if (s.length === 4 && c !== undefined) {
      return pick(
        method,
        { channelId: a, messageId: c },
        {
          GET: 'GET /channels/:channel_id/messages/:message_id',
          PATCH: 'PATCH /channels/:channel_id/messages/:message_id',
          DELETE: 'DELETE /channels/:channel_id/messages/:message_id',
        },
      );
    }
    if (s.length === 7 && c !== undefined && d === 'reactions' && e !== undefined && f === '@me') {
      const emoji = e;
      return pick(
        method,
        { channelId: a, messageId: c, emoji },
        {
          PUT: 'PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
          DELETE: 'DELETE /channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
        },
      );
    }
    return { kind: 'notFound' };
  }

  if (root === 'webhooks' && a !== undefined && b !== undefined) {
    const params = { webhookId: a, webhookToken: b };
    if (s.length === 3) return pick(method, params, { POST: 'POST /webhooks/:webhook_id/:webhook_token' });
    if (s.length === 5 && c === 'messages' && d !== undefined) {
      return pick(
        method,
        { ...params, messageId: d },
        {
          GET: 'GET /webhooks/:webhook_id/:webhook_token/messages/:message_id',
          PATCH: 'PATCH /webhooks/:webhook_id/:webhook_token/messages/:message_id',
          DELETE: 'DELETE /webhooks/:webhook_id/:webhook_token/messages/:message_id',
        },
      );
    }
    return { kind: 'notFound' };
  }

  if (root === 'gateway') {
    if (s.length === 1) return pick(method, {}, { GET: 'GET /gateway' });
    if (s.length === 2 && a === 'bot') return pick(method, {}, { GET: 'GET /gateway/bot' });
    return { kind: 'notFound' };
  }

  if (root === 'users' && a !== undefined) {
    if (s.length === 2 && a === '@me') return pick(method, {}, { GET: 'GET /users/@me' });
    if (s.length === 2) return pick(method, { userId: a }, { GET: 'GET /users/:user_id' });
    if (s.length === 3 && a === '@me' && b === 'channels') {
      return pick(method, {}, { POST: 'POST /users/@me/channels' });
    }
    return { kind: 'notFound' };
  }

  if (root === 'guilds' && a !== undefined) {
    const params = { guildId: a };
    if (s.length === 2) return pick(method, params, { GET: 'GET /guilds/:guild_id' });
    if (s.length === 3 && b === 'channels') return pick(method, params, { GET: 'GET /guilds/:guild_id/channels' });
    if (s.length === 3 && b === 'roles') return pick(method, params, { GET: 'GET /guilds/:guild_id/roles' });
    if (s.length === 3 && b === 'members') return pick(method, params, { GET: 'GET /guilds/:guild_id/members' });
    if (s.length === 4 && b === 'members' && c !== undefined) {
      return pick(method, { ...params, userId: c }, { GET: 'GET /guilds/:guild_id/members/:user_id' });
    }
    return { kind: 'notFound' };
  }

  if (root === 'applications' && a !== undefined) {
    if (s.length === 2 && a === '@me') return pick(method, {}, { GET: 'GET /applications/@me' });
    if (s.length === 3 && b === 'commands') {
      return pick(
        method,
        { applicationId: a },
        {
          GET: 'GET /applications/:application_id/commands',
          PUT: 'PUT /applications/:application_id/commands',
          POST: 'POST /applications/:application_id/commands',
        },
      );
    }
    if (s.length === 5 && b === 'guilds' && c !== undefined && d === 'commands') {
      return pick(
        method,
        { applicationId: a, guildId: c },
        {
          GET: 'GET /applications/:application_id/guilds/:guild_id/commands',
          PUT: 'PUT /applications/:application_id/guilds/:guild_id/commands',
          POST: 'POST /applications/:application_id/guilds/:guild_id/commands',
        },
      );
    }
    return { kind: 'notFound' };
  }

  if (root === 'interactions' && s.length === 4 && a !== undefined && b !== undefined && c === 'callback') {
    return pick(
      method,
      { interactionId: a, interactionToken: b },
      { POST: 'POST /interactions/:interaction_id/:interaction_token/callback' },
    );
  }
  return { kind: 'notFound' };
}

const INTERACTION_VARIANTS: Partial<Record<SimulatorRouteKey, SimulatorRouteKey>> = {
  'POST /webhooks/:webhook_id/:webhook_token': 'POST /webhooks/:application_id/:interaction_token',
  'GET /webhooks/:webhook_id/:webhook_token/messages/:message_id':
    'GET /webhooks/:application_id/:interaction_token/messages/:message_id',
  'PATCH /webhooks/:webhook_id/:webhook_token/messages/:message_id':
    'PATCH /webhooks/:application_id/:interaction_token/messages/:message_id',
  'DELETE /webhooks/:webhook_id/:webhook_token/messages/:message_id':
    'DELETE /webhooks/:application_id/:interaction_token/messages/:message_id',
};

/**
 * The interaction-webhook route with the same URL shape as a webhook route.
 *
 * @param key - a webhook route
 * @returns the interaction-webhook route, or `key` itself when it has none
 */
export function interactionVariant(key: SimulatorRouteKey): SimulatorRouteKey {
  return INTERACTION_VARIANTS[key] ?? key;
}

/**
 * The route a fault configuration falls back to: the `(old)` delete inherits the delete's faults.
 *
 * @param key - a route
 * @returns the parent route, or `undefined`
 */
export function parentRoute(key: SimulatorRouteKey): SimulatorRouteKey | undefined {
  return key === 'DELETE /channels/:channel_id/messages/:message_id (old)'
    ? 'DELETE /channels/:channel_id/messages/:message_id'
    : undefined;
}
