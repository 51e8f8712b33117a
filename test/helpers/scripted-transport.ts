import type { Transport, TransportRequest, TransportResponse } from '../../src/transport/transport.js';
import type { FakeClock } from '../../src/testing/fake-clock.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly at: number;
}

type Handler = (request: TransportRequest, index: number) => TransportResponse | Promise<TransportResponse>;

let nextId = 200_000_000_000_000_000n;
/** A fresh snowflake-looking id. */
export function snowflake(): string {
  nextId += 1n;
  return nextId.toString();
}

export const CHANNEL = '100000000000000001';
export const CHANNEL_2 = '100000000000000002';
export const MESSAGE = '300000000000000001';
export const MESSAGE_2 = '300000000000000002';

/**
 * A transport for unit tests: records every request and answers through `handler`. The default handler behaves like
 * Discord's message routes with a per-channel bucket of `limit` requests per `windowMs`, on the fake clock.
 */
export class ScriptedTransport implements Transport {
  public readonly requests: RecordedRequest[] = [];
  public handler: Handler;
  readonly #clock: FakeClock;
  readonly #windows = new Map<string, { start: number; count: number }>();
  public limit = 5;
  public windowMs = 5000;
  public latencyMs = 0;
  public rateLimited429s = 0;

  public constructor(clock: FakeClock, handler?: Handler) {
    this.#clock = clock;
    this.handler = handler ?? ((request) => this.discord(request));
  }

  public async request(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push({ method: request.method, path: request.path, body: request.body, at: this.#clock.now() });
    const answer = await this.handler(request, this.requests.length - 1);
    if (this.latencyMs > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.latencyMs));
    return answer;
  }

  /** Discord-like answer with a per-channel bucket. */
  public discord(request: TransportRequest): TransportResponse {
    const now = this.#clock.now();
    const channel = request.path.split('/')[2]!;
    let window = this.#windows.get(channel);
    if (!window || now >= window.start + this.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(channel, window);
    }
    const resetAfter = (window.start + this.windowMs - now) / 1000;
    if (window.count >= this.limit) {
      this.rateLimited429s++;
      return {
        status: 429,
        headers: this.headers(0, resetAfter, { 'x-ratelimit-scope': 'user' }),
        body: { message: 'You are being rate limited.', retry_after: resetAfter, global: false },
      };
    }
    window.count++;
    const headers = this.headers(this.limit - window.count, resetAfter);
    if (request.method === 'DELETE') return { status: 204, headers, body: undefined };
    const id = request.method === 'POST' ? snowflake() : request.path.split('/')[4]!;
    return { status: 200, headers, body: { id, channel_id: channel, ...(request.body as object) } };
  }

  public headers(remaining: number, resetAfter: number, extra: Record<string, string> = {}): Record<string, string> {
    return {
      'x-ratelimit-bucket': 'msgbucket',
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      ...extra,
    };
  }

  public paths(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path}`);
  }
}

/** A promise with its resolver, for holding a request in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}
