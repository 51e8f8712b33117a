import { redactPath } from '../../../errors/message-update-error.js';
import { parseRequestBody, requestHeader } from '../parse-request-body.js';
import type { Answer } from '../simulator-api.js';
import type { SimulatorRequest, SimulatorResponse } from '../simulator-records.js';
import { apiAnswerStage } from './api-answer-stage.js';
import { authStage } from './auth-stage.js';
import { banStage, recordInvalidRequest } from './ban-stage.js';
import { bucketStage } from './bucket-stage.js';
import { chargeStage } from './charge-stage.js';
import { globalLimitStage } from './global-limit-stage.js';
import { idValidationStage } from './id-validation-stage.js';
import { networkFaultStage } from './network-fault-stage.js';
import type { ConnectionReset, PipelineDeps, PipelineStage, RequestContext, RequestLine } from './request-context.js';
import { routeStage } from './route-stage.js';
import { serverErrorStage } from './server-error-stage.js';
import { sharedThrottleStage } from './shared-throttle-stage.js';
import { subLimitStage } from './sub-limit-stage.js';

/** How to answer a request: the response, after how long, or a reset connection instead. */
export interface Outcome {
  readonly response: SimulatorResponse;
  readonly delayMs: number;
  readonly reset: boolean;
}

/**
 * What a routed request goes through, in Discord's order, before the API answers it; the first stage that answers
 * ends the request. (The ban and the route match come before these: see {@link RequestPipeline.run}.)
 */
const ROUTED_STAGES: readonly PipelineStage[] = [
  networkFaultStage,
  authStage,
  globalLimitStage,
  idValidationStage,
  bucketStage,
  sharedThrottleStage,
  subLimitStage,
  chargeStage,
  serverErrorStage,
];

/**
 * Runs API requests (not control requests) through the stages, then turns the answer into a response: bucket
 * headers added, the body serialised, invalid requests counted towards the ban, the request logged.
 */
export class RequestPipeline {
  readonly #deps: PipelineDeps;

  /** @param deps - the parts the stages work with */
  public constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /**
   * Decides how to answer a request. Every limit decision is taken here, at arrival; only the delay is left to the
   * caller.
   *
   * @param request - the request
   * @param line - its method and path, already split
   * @returns the outcome
   */
  public run(request: SimulatorRequest, line: RequestLine): Outcome {
    const deps = this.#deps;
    const ctx: RequestContext = {
      ...line,
      now: deps.clock.now(),
      client: deps.auth.identify(requestHeader(request.headers, 'authorization')),
      body: line.method === 'GET' || line.method === 'DELETE' ? undefined : parseRequestBody(request),
      route: undefined,
      majorLabel: undefined,
      bucket: undefined,
      rateHeaders: undefined,
      scope: undefined,
      subLimit: false,
      banned: false,
      fault: undefined,
      delayMs: 0,
    };
    const banned = banStage(ctx, deps);
    if (banned) return this.#respond(ctx, banned);
    const routed = routeStage(ctx, deps);
    if ('status' in routed) return this.#respond(ctx, routed);
    for (const stage of ROUTED_STAGES) {
      const verdict = stage(routed, deps);
      if (verdict) return this.#respond(routed, verdict);
    }
    return this.#respond(routed, apiAnswerStage(routed, deps));
  }

  #respond(ctx: RequestContext, verdict: Answer | ConnectionReset): Outcome {
    if ('reset' in verdict) {
      this.#record(ctx, 0);
      return { response: { status: 0, headers: {}, body: '' }, delayMs: ctx.delayMs, reset: true };
    }
    const headers: Record<string, string> = { ...ctx.rateHeaders, ...verdict.headers };
    let body = '';
    if (verdict.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(verdict.json);
    } else if (verdict.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      body = verdict.text;
    }
    if (ctx.scope !== undefined) this.#deps.log.countRateLimited(ctx.scope, ctx.subLimit);
    recordInvalidRequest(ctx, verdict, this.#deps);
    this.#record(ctx, verdict.status);
    return { response: { status: verdict.status, headers, body }, delayMs: ctx.delayMs, reset: false };
  }

  #record(ctx: RequestContext, status: number): void {
    this.#deps.log.record({
      at: ctx.now,
      method: ctx.method,
      path: redactPath(ctx.rawPath),
      route: ctx.route,
      majorParameter: ctx.majorLabel,
      bucket: ctx.bucket?.hash,
      status,
      scope: ctx.scope,
      subLimit: ctx.subLimit,
      banned: ctx.banned,
      fault: ctx.fault,
      tokenLabel: ctx.client.label,
    });
  }
}
