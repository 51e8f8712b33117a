import { findPayloadViolation } from '../../src/discord/payload-limits.js';
import type { FakeClock } from '../../src/testing/fake-clock.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/transport/transport.js';
import { snowflake } from './scripted-transport.js';

/**
 * What goes wrong with one request:
 * - `500`: Discord answers 500 with its rate-limit headers (a slot used, nothing applied);
 * - `502`: a proxy answers 502 without headers (Discord never saw it);
 * - `reset`: the connection resets before Discord gets the request (thrown, nothing applied);
 * - `lost`: Discord applies it and the answer is lost (thrown after applying: the one fault that changes Discord);
 * - `hang`: no answer ever (until the manager aborts it through `signal`); nothing applied.
 */
export type Fault = 'none' | '500' | '502' | 'reset' | 'lost' | 'hang';

/** A message as the scripted Discord keeps it. */
export interface ModelMessage {
  readonly id: string;
  readonly channelId: string;
  body: Record<string, unknown>;
}

/** One change Discord made, in order: what the final state is made of. */
export interface DiscordEvent {
  readonly at: number;
  readonly kind: 'create' | 'edit' | 'delete' | 'externalDelete';
  readonly id: string;
  readonly channelId: string;
  /** `content` of the body applied (creates and edits). */
  readonly content?: string;
  /** Whether the manager heard Discord's answer (false for a `lost` fault and for external deletes). */
  readonly answered: boolean;
}

/** One request the manager made, as Discord saw it. */
export interface ModelRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly fault: Fault;
  /** The status answered (0: none: thrown, or aborted). */
  status: number;
}

/** Options of {@link ModelDiscord}. */
export interface ModelDiscordOptions {
  /** Requests per window in each bucket (one per method and channel). */
  readonly limit: number;
  readonly windowMs: number;
  /** Time between Discord applying a request and the manager hearing the answer. */
  readonly latencyMs: number;
  /** The fault of the n-th request (`none` past the end). */
  readonly faults: readonly Fault[];
  /**
   * `true`: any 429 on a bucket whose headers the manager has heard is a violation. `false` (default): two known
   * src/ bugs are excused — a bucket counts as learned only from an answer to a request sent once its route's hash
   * was known (a request in flight under the provisional key when the hash is learned elsewhere is not counted in
   * the hashed bucket), and a window that holds a request whose answer was lost is not held against the manager (the
   * window it assumes is the longest Reset-After seen, shorter than the window). Excused 429s go to
   * {@link ModelDiscord.excused}.
   */
  readonly strictRateLimits?: boolean;
}

/**
 * An in-process Discord for model tests, on the fake clock: message create / edit / delete with `enforce_nonce`,
 * a fixed window per method and channel with Discord's headers (429 when exhausted), scripted faults, and a record
 * of every request and every change. It also checks, as requests arrive, what must hold whatever the timing — into
 * {@link ModelDiscord.violations}:
 * - no 429 on a bucket whose headers the manager had already been given (it learned the bucket);
 * - no edit of a message after the manager sent its delete;
 * - at most one create in flight per channel (creates go one at a time, in order);
 * - every body is one Discord accepts (`findPayloadViolation`), a create carries a nonce and `enforce_nonce`;
 * - per content tag (`<tag> #<n>`), the versions applied never go back.
 */
export class ModelDiscord implements Transport {
  public readonly messages = new Map<string, ModelMessage>();
  public readonly events: DiscordEvent[] = [];
  public readonly requests: ModelRequest[] = [];
  public readonly violations: string[] = [];
  public rateLimited = 0;
  /** 429s not counted as violations (see {@link ModelDiscordOptions.strictRateLimits}), with the reason. */
  public readonly excused: string[] = [];
  readonly #clock: FakeClock;
  readonly #options: ModelDiscordOptions;
  readonly #windows = new Map<string, { start: number; count: number; unheard: boolean }>();
  /** When the manager first heard headers of each bucket. */
  readonly #learnedAt = new Map<string, number>();
  /** When the manager first heard headers of each bucket, from a request sent once its route's hash was known. */
  readonly #learnedHashedAt = new Map<string, number>();
  /** When the manager first heard a bucket hash per method (the route's hash). */
  readonly #routeLearnedAt = new Map<string, number>();
  readonly #nonces = new Map<string, ModelMessage>();
  readonly #deleteSent = new Set<string>();
  readonly #postsInFlight = new Map<string, number>();
  readonly #lastVersion = new Map<string, number>();

  public constructor(clock: FakeClock, options: ModelDiscordOptions) {
    this.#clock = clock;
    this.#options = options;
  }

  /** A message that exists before the run (not made by the manager). */
  public seed(channelId: string, id: string, content: string): void {
    this.messages.set(id, { id, channelId, body: { content } });
  }

  /** Someone deletes a message on Discord, behind the manager's back. */
  public externalDelete(id: string): void {
    const message = this.messages.get(id);
    if (!message) return;
    this.messages.delete(id);
    this.events.push({
      at: this.#clock.now(),
      kind: 'externalDelete',
      id,
      channelId: message.channelId,
      answered: false,
    });
  }

  /** Live messages whose content starts with `<tag> #`. */
  public liveWithTag(tag: string): ModelMessage[] {
    return [...this.messages.values()].filter((message) => tagOf(message.body['content']) === tag);
  }

  public async request(request: TransportRequest): Promise<TransportResponse> {
    const now = this.#clock.now();
    const fault = this.#options.faults[this.requests.length] ?? 'none';
    const recorded: ModelRequest = {
      at: now,
      method: request.method,
      path: request.path,
      body: request.body,
      fault,
      status: 0,
    };
    this.requests.push(recorded);
    const [, , channelId = '', , messageId] = request.path.split('/');
    this.#checkRequest(request, channelId, messageId);
    const postKey = request.method === 'POST' ? channelId : undefined;
    if (postKey !== undefined) {
      const inFlight = this.#postsInFlight.get(postKey) ?? 0;
      if (inFlight > 0) this.violations.push(`two creates in flight at once in channel ${channelId} (at ${now})`);
      this.#postsInFlight.set(postKey, inFlight + 1);
    }
    try {
      if (fault === 'hang') return await this.#hang(request.signal);
      if (fault === 'reset') {
        await this.#wait();
        throw new Error('ECONNRESET (scripted: before Discord got it)');
      }
      if (fault === '502') {
        await this.#wait();
        recorded.status = 502;
        return { status: 502, headers: {}, body: '<html>502 Bad Gateway</html>' };
      }
      const bucket = `${request.method}:${channelId}`;
      const window = this.#window(bucket, now);
      const resetAfter = (window.start + this.#options.windowMs - now) / 1000;
      if (window.count >= this.#options.limit) {
        this.rateLimited++;
        const learned = this.#learnedAt.get(bucket);
        if (learned !== undefined && learned <= now) {
          const hashed = this.#learnedHashedAt.get(bucket);
          const message = `429 on ${bucket} at ${now}, a bucket learned at ${learned}`;
          if (this.#options.strictRateLimits === true) this.violations.push(message);
          else if (window.unheard) this.excused.push(`${message} (its window holds a lost answer)`);
          else if (hashed === undefined || hashed > now)
            this.excused.push(`${message} (only under its provisional key)`);
          else this.violations.push(message);
        }
        const headers = this.#headers(request.method, 0, resetAfter, { 'x-ratelimit-scope': 'user' });
        await this.#wait();
        this.#learn(bucket, request.method, now);
        recorded.status = 429;
        return {
          status: 429,
          headers,
          body: { message: 'You are being rate limited.', retry_after: resetAfter, global: false },
        };
      }
      window.count++;
      if (fault === 'lost') window.unheard = true;
      const headers = this.#headers(request.method, this.#options.limit - window.count, resetAfter);
      if (fault === '500') {
        await this.#wait();
        this.#learn(bucket, request.method, now);
        recorded.status = 500;
        return { status: 500, headers, body: { message: 'Internal Server Error', code: 0 } };
      }
      const answer = this.#apply(request, channelId, messageId, fault !== 'lost');
      await this.#wait();
      if (fault === 'lost') throw new Error('ECONNRESET (scripted: after Discord applied it)');
      this.#learn(bucket, request.method, now);
      recorded.status = answer.status;
      return { ...answer, headers };
    } finally {
      if (postKey !== undefined) this.#postsInFlight.set(postKey, (this.#postsInFlight.get(postKey) ?? 1) - 1);
    }
  }

  #apply(
    request: TransportRequest,
    channelId: string,
    messageId: string | undefined,
    answered: boolean,
  ): Omit<TransportResponse, 'headers'> {
    const now = this.#clock.now();
    const unknown = { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (request.method === 'POST') {
      const { nonce, enforce_nonce: _enforce, ...body } = request.body as Record<string, unknown>;
      const nonceKey = `${channelId}:${String(nonce)}`;
      const earlier = this.#nonces.get(nonceKey);
      if (earlier) return { status: 200, body: { ...earlier.body, id: earlier.id, channel_id: channelId } };
      const message: ModelMessage = { id: snowflake(), channelId, body };
      this.#nonces.set(nonceKey, message);
      this.messages.set(message.id, message);
      this.#noteVersion(body['content']);
      this.events.push({
        at: now,
        kind: 'create',
        id: message.id,
        channelId,
        content: String(body['content']),
        answered,
      });
      return { status: 200, body: { ...body, id: message.id, channel_id: channelId } };
    }
    const message = messageId === undefined ? undefined : this.messages.get(messageId);
    if (!message || message.channelId !== channelId) return unknown;
    if (request.method === 'DELETE') {
      this.messages.delete(message.id);
      this.events.push({ at: now, kind: 'delete', id: message.id, channelId, answered });
      return { status: 204, body: undefined };
    }
    const body = request.body as Record<string, unknown>;
    message.body = { ...message.body, ...body };
    this.#noteVersion(body['content']);
    this.events.push({ at: now, kind: 'edit', id: message.id, channelId, content: String(body['content']), answered });
    return { status: 200, body: { ...message.body, id: message.id, channel_id: channelId } };
  }

  #checkRequest(request: TransportRequest, channelId: string, messageId: string | undefined): void {
    if (request.method === 'PATCH' && messageId !== undefined && this.#deleteSent.has(messageId)) {
      this.violations.push(`edit of message ${messageId} after its delete was sent`);
    }
    if (request.method === 'DELETE' && messageId !== undefined) this.#deleteSent.add(messageId);
    if (request.method === 'DELETE') return;
    const violation = findPayloadViolation(request.body, request.method === 'POST' ? 'create' : 'edit');
    if (violation) this.violations.push(`a body Discord refuses: ${JSON.stringify(violation)}`);
    if (request.method === 'POST') {
      const { nonce, enforce_nonce } = request.body as { nonce?: unknown; enforce_nonce?: unknown };
      if (typeof nonce !== 'string' || enforce_nonce !== true) {
        this.violations.push(`a create in ${channelId} without nonce + enforce_nonce`);
      }
    }
  }

  /** The version counter of `<tag> #<n>` content never goes back for its tag. */
  #noteVersion(content: unknown): void {
    const tag = tagOf(content);
    const version = versionOf(content);
    if (tag === undefined || version === undefined) return;
    const last = this.#lastVersion.get(tag) ?? -1;
    if (version < last) this.violations.push(`${tag} went back from #${last} to #${version}`);
    this.#lastVersion.set(tag, Math.max(last, version));
  }

  #window(bucket: string, now: number): { start: number; count: number; unheard: boolean } {
    let window = this.#windows.get(bucket);
    if (!window || now >= window.start + this.#options.windowMs) {
      window = { start: now, count: 0, unheard: false };
      this.#windows.set(bucket, window);
    }
    return window;
  }

  #headers(method: string, remaining: number, resetAfter: number, extra: Record<string, string> = {}) {
    return {
      'x-ratelimit-bucket': `${method.toLowerCase()}-messages`,
      'x-ratelimit-limit': String(this.#options.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      ...extra,
    };
  }

  /** The manager hears the headers of `bucket` once the answer arrives (now: `#wait` has passed). */
  #learn(bucket: string, method: string, sentAt: number): void {
    const now = this.#clock.now();
    const routeKnownAt = this.#routeLearnedAt.get(method);
    if (routeKnownAt !== undefined && routeKnownAt < sentAt && !this.#learnedHashedAt.has(bucket)) {
      this.#learnedHashedAt.set(bucket, now);
    }
    if (routeKnownAt === undefined) this.#routeLearnedAt.set(method, now);
    if (!this.#learnedAt.has(bucket)) this.#learnedAt.set(bucket, now);
  }

  async #wait(): Promise<void> {
    if (this.#options.latencyMs > 0) {
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.#options.latencyMs));
    }
  }

  #hang(signal: AbortSignal | undefined): Promise<never> {
    return new Promise<never>((_, reject) => {
      const abort = (): void => reject(new Error('aborted (scripted hang)'));
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  }
}

/** `M1` of `M1 #7`. */
export function tagOf(content: unknown): string | undefined {
  if (typeof content !== 'string') return undefined;
  const at = content.lastIndexOf(' #');
  return at < 0 ? undefined : content.slice(0, at);
}

/** `7` of `M1 #7`. */
export function versionOf(content: unknown): number | undefined {
  if (typeof content !== 'string') return undefined;
  const at = content.lastIndexOf(' #');
  const n = at < 0 ? NaN : Number(content.slice(at + 2));
  return Number.isInteger(n) ? n : undefined;
}
