import type { UnauthorizedError } from '../errors/message-update-error.js';

/** Where the manager is in its life. */
export type ManagerPhase = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * The manager's lifecycle flags, shared by its parts (they read it; the façade and the delivery results change it).
 *
 * @internal
 */
export class ManagerState {
  public phase: ManagerPhase = 'created';
  /** `stop({ drain: false })` is cancelling the queue: nothing more is retried. */
  public cancelling = false;
  /** Set once Discord answered 401: the token is bad, nothing more is sent. */
  public unauthorized: UnauthorizedError | undefined;

  /** Running, or stopping with a drain: passes run. */
  public get active(): boolean {
    return this.phase === 'running' || this.phase === 'stopping';
  }
}
