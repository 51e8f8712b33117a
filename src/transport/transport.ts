import type { HttpMethod } from '../discord/route.js';

/** One HTTP answer as a transport reports it. Header names are lowercase. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, the raw text when it was not JSON, or `undefined` when empty. */
  readonly body: unknown;
}

/** A request the manager hands to its transport. */
export interface TransportRequest {
  readonly method: HttpMethod;
  /** Path below the API version, e.g. `/channels/123/messages/456`. */
  readonly path: `/${string}`;
  /** JSON body. */
  readonly body?: unknown;
  /**
   * Called for every HTTP answer the transport sees for this request, the final one included, as soon as it arrives
   * (a transport that retries internally, like `@discordjs/rest`, reports each try). A transport that never calls
   * it is fine: the manager then learns from the answer `request` resolves with.
   */
  readonly onResponse?: (response: TransportResponse) => void;
  /**
   * Aborted when the manager stops waiting for this request (`requestTimeoutMs`); a transport should abort the HTTP
   * request then. One that ignores it is fine: its answer, if it comes, is ignored.
   */
  readonly signal?: AbortSignal;
}

/**
 * The swappable function that actually talks to Discord. It resolves with the answer for *any* HTTP status (the
 * manager decides what a 404 or a 429 means) and rejects only when no answer came (timeout, reset, DNS...).
 *
 * @example
 * ```ts
 * const transport: Transport = {
 *   async request({ method, path, body }) {
 *     const res = await fetch(`https://discord.com/api/v10${path}`, {
 *       method, body: body === undefined ? undefined : JSON.stringify(body),
 *       headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
 *     });
 *     const text = await res.text();
 *     return { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : undefined };
 *   },
 * };
 * ```
 */
export interface Transport {
  /**
   * Sends one request to Discord and resolves with its answer, whatever the HTTP status (the manager decides what a
   * 404 or a 429 means); rejects only when no answer came (timeout, connection reset, DNS failure...).
   *
   * @param request - method, path, JSON body, the `onResponse` callback and the abort signal
   * @returns the final HTTP answer: status, lowercase headers and parsed body
   */
  request(request: TransportRequest): Promise<TransportResponse>;
  /**
   * True when the transport itself sends one request at a time per rate-limit bucket (as `@discordjs/rest` does):
   * the manager then hands it at most one request per bucket, so no request ever waits inside the transport's own
   * queue, where it could no longer be merged, fenced or cancelled.
   */
  readonly sequentialPerBucket?: boolean;
  /**
   * The transport may send a request again on its own before answering (`@discordjs/rest` with `retries` above 0
   * retries 5xx and timeouts at once). The manager then keeps one global slot in reserve per request in flight, so
   * such a repeat cannot exceed the global limit, and counts every answer it reports as a request sent.
   */
  readonly repeatsRequests?: boolean;
}

/** Parses a response body: JSON when it looks like JSON, the text otherwise, `undefined` when empty. */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (contentType?.includes('application/json') || text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
