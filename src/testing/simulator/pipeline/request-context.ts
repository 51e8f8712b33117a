import type { Clock } from '../../../util/clock.js';
import type { FaultInjector } from '../fault-injector.js';
import type { StoredInteraction, StoredWebhook } from '../message-store.js';
import type { ParsedBody } from '../parse-request-body.js';
import { rateLimitAnswer } from '../rate-limit-answer.js';
import type { RequestLog } from '../request-log.js';
import type { Answer } from '../simulator-api.js';
import type { SimulatorAuth, SimulatorClient } from '../simulator-auth.js';
import type { BucketRef, SimulatorRateLimiter } from '../simulator-rate-limiter.js';
import type { InjectedFault, RateLimitScope } from '../simulator-records.js';
import type { RouteDefinition, RouteParams, SimulatorRouteKey } from '../simulator-routes.js';
import type { SimulatorWorld } from '../simulator-world.js';

/** Method and target of a request, split the way every consumer needs them. */
export interface RequestLine {
  /** Upper-case method. */
  readonly method: string;
  /** Path as requested, query included (logged, tokens redacted). */
  readonly rawPath: string;
  /** Path without the query. */
  readonly pathname: string;
  readonly query: URLSearchParams;
}

/**
 * A request on its way through the pipeline: what was asked, and what the stages found out so far. The bookkeeping
 * fields end up in the response headers and the request log.
 */
export interface RequestContext extends RequestLine {
  /** Arrival time, clock milliseconds: every limit decision is taken at arrival. */
  readonly now: number;
  readonly client: SimulatorClient;
  /** The parsed body; `undefined` for GET and DELETE, which Discord answers without reading one. */
  readonly body: ParsedBody | undefined;
  /** The route, once matched (`undefined` in the log for unknown routes). */
  route: SimulatorRouteKey | undefined;
  /** Major parameter as logged (`webhookId/:token`, never the token). */
  majorLabel: string | undefined;
  /** The bucket the request is charged to. */
  bucket: BucketRef | undefined;
  /** `X-RateLimit-*` headers of that bucket, sent with every answer but global 429s. */
  rateHeaders: Record<string, string> | undefined;
  /** Scope of a 429. */
  scope: RateLimitScope | undefined;
  /** The 429 came from a hidden sub-limit. */
  subLimit: boolean;
  /** The plain-text 429 of an invalid-request ban. */
  banned: boolean;
  fault: InjectedFault | undefined;
  /** How long the answer is held back (latency, commit-then-timeout). */
  delayMs: number;
}

/** A request matched to one of the simulator's routes. */
export interface RoutedContext extends RequestContext {
  route: SimulatorRouteKey;
  readonly params: RouteParams;
  readonly definition: RouteDefinition;
  /** A webhook URL whose id is the application's: an interaction webhook (the token is an interaction's). */
  readonly viaInteractionWebhook: boolean;
  /** Key of the per-route bucket's major parameter, set by authentication; `undefined` when there is none. */
  major: string | undefined;
  /** The webhook of a webhook route, once authenticated. */
  webhook: StoredWebhook | undefined;
  /** The interaction of an interaction route, once authenticated. */
  interaction: StoredInteraction | undefined;
  /** The channel whose name/topic sub-limit the request is charged to. */
  subLimitChannel: string | undefined;
}

/** Drops the connection without an answer (an injected reset). */
export interface ConnectionReset {
  readonly reset: true;
}

/** What a stage decides: answer now, reset the connection, or `undefined` to hand the request on. */
export type StageVerdict = Answer | ConnectionReset | undefined;

/** What the stages work with. */
export interface PipelineDeps {
  readonly clock: Clock;
  readonly auth: SimulatorAuth;
  readonly limiter: SimulatorRateLimiter;
  readonly faults: FaultInjector;
  readonly world: SimulatorWorld;
  readonly log: RequestLog;
  /** Added to clock time in epoch headers. */
  readonly epochShift: number;
}

/** One step of the pipeline, with one job. */
export type PipelineStage<C extends RequestContext = RoutedContext> = (ctx: C, deps: PipelineDeps) => StageVerdict;

/**
 * Splits a request's method and path.
 *
 * @param method - any case
 * @param path - path with optional query
 * @returns the request line
 */
export function readRequestLine(method: string, path: string): RequestLine {
  const rawPath = String(path);
  const queryStart = rawPath.indexOf('?');
  return {
    method: String(method).toUpperCase(),
    rawPath,
    pathname: queryStart < 0 ? rawPath : rawPath.slice(0, queryStart),
    query: new URLSearchParams(queryStart < 0 ? '' : rawPath.slice(queryStart + 1)),
  };
}

/**
 * Rejects a request with a 429 and notes the scope. A global 429 carries no bucket headers.
 *
 * @param ctx - the request
 * @param scope - which limit was hit
 * @param retryAfterMs - milliseconds until it may be retried
 * @returns the 429 answer
 */
export function rateLimited(ctx: RequestContext, scope: RateLimitScope, retryAfterMs: number): Answer {
  ctx.scope = scope;
  if (scope === 'global') ctx.rateHeaders = undefined;
  return rateLimitAnswer(scope, retryAfterMs);
}
