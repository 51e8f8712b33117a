/**
 * The low-cardinality name under which `PrometheusMetricsCollector` counts a request: one of a fixed set, whatever
 * the route, so the `route_family` label never grows with channels, messages or emoji.
 *
 * | family | route keys (`METHOD /template`) |
 * |---|---|
 * | `interactions` | `/interactions/:interaction_id/:token/...` (interaction callbacks) |
 * | `webhooks` | `/webhooks/:webhook_id/...` (webhook and interaction follow-up messages) |
 * | `reactions` | any route with a `reactions` segment, e.g. `/channels/:channel_id/messages/:id/reactions/:emoji/@me` |
 * | `messages` | any other route with a `messages` segment, e.g. `/channels/:channel_id/messages/:id` |
 * | `other` | everything else (`/channels/:channel_id`, `/guilds/...`, `/users/@me`, ...) |
 */
export type RouteFamily = 'messages' | 'reactions' | 'webhooks' | 'interactions' | 'other';

/** Every {@link RouteFamily}, in the order the table of {@link RouteFamily} checks them. */
export const ROUTE_FAMILIES = [
  'interactions',
  'webhooks',
  'reactions',
  'messages',
  'other',
] as const satisfies readonly RouteFamily[];

/**
 * Maps a route key (as the manager reports it in `RequestMetric.route`) to its {@link RouteFamily}.
 *
 * @param route - a route key such as `PATCH /channels/:channel_id/messages/:id`, or a bare path
 * @returns the family; `other` for anything not recognised
 * @example
 * ```ts
 * routeFamilyOf('PATCH /channels/:channel_id/messages/:id'); // 'messages'
 * routeFamilyOf('PUT /channels/:channel_id/messages/:id/reactions/:emoji/@me'); // 'reactions'
 * routeFamilyOf('POST /interactions/:interaction_id/:token/callback'); // 'interactions'
 * ```
 */
export function routeFamilyOf(route: string): RouteFamily {
  // `METHOD /path` or `METHOD /path (old)`: the path is the token that starts with a slash.
  const path = route.split(' ').find((part) => part.startsWith('/')) ?? '';
  const segments = path.split('/');
  if (segments[1] === 'interactions') return 'interactions';
  if (segments[1] === 'webhooks') return 'webhooks';
  if (segments.includes('reactions')) return 'reactions';
  if (segments.includes('messages')) return 'messages';
  return 'other';
}
