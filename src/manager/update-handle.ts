import type { UpdateResult } from './types.js';

/**
 * What `edit`, `create`, `delete` and `sync` return: await it for the {@link UpdateResult}, or await
 * {@link UpdateHandle.accepted} to know the update is stored (in memory, or committed to the repository when one is
 * configured). A handle that is never awaited never causes an unhandled rejection: failures are also emitted as the
 * manager's `updateFailed` event.
 *
 * @example
 * ```ts
 * const handle = manager.edit(channelId, messageId, { content: 'hi' });
 * await handle.accepted;
 * const { outcome } = await handle; // 'sent' | 'coalesced' | 'skipped' | 'cancelled' | 'expired'
 * ```
 */
export class UpdateHandle implements PromiseLike<UpdateResult> {
  /** Resolves once the update is stored; rejects if it could not be. */
  public readonly accepted: Promise<void>;
  readonly #result: Promise<UpdateResult>;

  /** @internal */
  public constructor(result: Promise<UpdateResult>, accepted: Promise<void>) {
    this.#result = result;
    this.accepted = accepted;
    // Fire-and-forget callers must not crash the process; the error is reported through events as well.
    result.catch(() => undefined);
    accepted.catch(() => undefined);
  }

  public then<TResult1 = UpdateResult, TResult2 = never>(
    onfulfilled?: ((value: UpdateResult) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#result.then(onfulfilled, onrejected);
  }

  public catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<UpdateResult | TResult> {
    return this.#result.catch(onrejected);
  }

  public finally(onfinally?: (() => void) | null): Promise<UpdateResult> {
    return this.#result.finally(onfinally);
  }

  public get [Symbol.toStringTag](): string {
    return 'UpdateHandle';
  }
}
