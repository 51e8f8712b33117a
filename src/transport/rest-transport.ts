import { parseBody, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** What {@link RestTransport} passes to `REST.request` (a subset of `@discordjs/rest`'s `InternalRequest`). */
export interface RestRequestLike {
  /** The path, from `/` (e.g. `/channels/1/messages/2`). */
  readonly fullRoute: `/${string}`;
  /** `GET`, `POST`, `PATCH`, `PUT` or `DELETE` (the values of `@discordjs/rest`'s `RequestMethod`). */
  readonly method: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The part of an `@discordjs/rest` `REST` instance the transport uses, typed by its shape: the package never loads
 * `@discordjs/rest` and its types never name it, so a project with a custom `transport` type-checks without it (it
 * is your instance, an optional peer dependency). A `REST` of `@discordjs/rest` 2.x is one.
 */
export interface RestLike {
  /** Sends one request (REST's own queue and retries apply) and resolves with the parsed body. */
  request(options: RestRequestLike): Promise<unknown>;
  /** Listens to REST's `response` event (every answer, with its headers). */
  on(event: 'response', listener: (request: RestResponseRequest, response: RestResponseLike) => void): unknown;
  /** Stops listening. */
  off(event: 'response', listener: (request: RestResponseRequest, response: RestResponseLike) => void): unknown;
  /** REST's options; `retries` tells whether it repeats requests on its own (REST's default is 3). */
  readonly options?: { readonly retries?: number };
}

/** The request data `REST` passes with its `response` event. */
export interface RestResponseRequest {
  readonly data?: { readonly signal?: AbortSignal | undefined };
}

/** The response `REST` passes with its `response` event (an undici `Response` clone or a plain object). */
export interface RestResponseLike {
  readonly status: number;
  readonly headers: { forEach(callback: (value: string, key: string) => void): void };
  /** The body (a clone's: reading it takes nothing from REST). */
  text?(): Promise<string>;
}

interface PendingRequest {
  readonly request: TransportRequest;
  last: TransportResponse | undefined;
  /** Answers are reported in order, after the body of a 429 is read. */
  reported: Promise<void>;
}

function headersOf(response: RestResponseLike): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  return headers;
}

/**
 * A {@link Transport} over the user's own `@discordjs/rest` `REST`. The manager hands it a request only when the
 * bucket has room, so `REST`'s internal queue never holds a backlog; `REST`'s `response` event tells the manager the
 * rate-limit headers of every answer. Recommended: `new REST({ retries: 0, offset: 0 })`, since the manager retries
 * 5xx itself with backoff (with `REST`'s default of 3 it retries at once, before the manager's backoff applies) and
 * paces requests by the headers (REST's default `offset` of 50 ms only adds a wait to each bucket reset).
 *
 * @example
 * ```ts
 * const rest = new REST({ retries: 0, offset: 0 }).setToken(process.env.DISCORD_TOKEN!);
 * const manager = new MessageUpdateManager({ rest }); // wraps it in a RestTransport
 * ```
 */
export class RestTransport implements Transport {
  /** REST's SequentialHandler sends one request at a time per bucket; more would only queue inside REST. */
  public readonly sequentialPerBucket = true;
  /** True unless the REST instance was built with `retries: 0` (recommended: the manager retries itself). */
  public readonly repeatsRequests: boolean;
  readonly #rest: RestLike;
  readonly #pending = new Map<AbortSignal, PendingRequest>();
  readonly #listener = (request: RestResponseRequest, response: RestResponseLike): void => {
    const signal = request.data?.signal;
    const pending = signal ? this.#pending.get(signal) : undefined;
    if (!pending) return;
    const headers = headersOf(response);
    // A 429's body carries `retry_after` to the millisecond (Retry-After is whole seconds), and its scope: read it
    // (from REST's clone) before reporting, keeping answers in order.
    const body =
      response.status === 429 && typeof response.text === 'function'
        ? response.text().then(
            (text) => parseBody(text, headers['content-type']),
            () => undefined,
          )
        : Promise.resolve(undefined);
    pending.reported = pending.reported.then(async () => {
      const seen: TransportResponse = { status: response.status, headers, body: await body };
      pending.last = seen;
      pending.request.onResponse?.(seen);
    });
  };

  /** @param rest - an `@discordjs/rest` `REST` with its token set */
  public constructor(rest: RestLike) {
    this.#rest = rest;
    // REST's default is 3 retries; an instance without readable options is assumed to have it.
    this.repeatsRequests = (rest.options?.retries ?? 3) > 0;
    rest.on('response', this.#listener);
  }

  /** {@inheritDoc Transport.request} */
  public async request(request: TransportRequest): Promise<TransportResponse> {
    // The signal identifies this request in REST's `response` events (REST passes it through as `data.signal`).
    const controller = new AbortController();
    const pending: PendingRequest = { request, last: undefined, reported: Promise.resolve() };
    this.#pending.set(controller.signal, pending);
    // The manager gave up waiting (requestTimeoutMs): REST aborts the request.
    const abort = (): void => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', abort, { once: true });
    try {
      const body = await this.#rest.request({
        fullRoute: request.path,
        // REST's RequestMethod is a string enum whose values are exactly our method names.
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      });
      await pending.reported;
      return { status: pending.last?.status ?? 200, headers: pending.last?.headers ?? {}, body };
    } catch (error) {
      await pending.reported;
      const answered = answerFromRestError(error, pending.last);
      if (answered) return answered;
      throw error;
    } finally {
      request.signal?.removeEventListener('abort', abort);
      this.#pending.delete(controller.signal);
    }
  }

  /** Stops listening to the REST instance's events (the REST instance itself is the caller's). */
  public close(): void {
    this.#rest.off('response', this.#listener);
  }
}

/** Turns REST's DiscordAPIError / HTTPError / RateLimitError back into the HTTP answer it stands for. */
function answerFromRestError(error: unknown, last: TransportResponse | undefined): TransportResponse | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const candidate = error as {
    name?: unknown;
    status?: unknown;
    rawError?: unknown;
    retryAfter?: unknown;
    global?: unknown;
  };
  if (typeof candidate.status === 'number' && candidate.status >= 400) {
    return { status: candidate.status, headers: last?.headers ?? {}, body: candidate.rawError };
  }
  if (candidate.name === 'RateLimitError' && typeof candidate.retryAfter === 'number') {
    // Only when the user's REST was built with `rejectOnRateLimit`.
    return {
      status: 429,
      headers: last?.headers ?? {},
      body: { retry_after: candidate.retryAfter / 1000, global: candidate.global === true },
    };
  }
  return undefined;
}
