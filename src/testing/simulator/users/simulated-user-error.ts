/**
 * Why a simulated user could not do what a test asked: the command is not registered or not allowed to them, the
 * button does not exist or is disabled, no bot is connected to receive the interaction, or the bot did not answer
 * within Discord's 3 seconds. `code` says which, for tests that expect it.
 *
 * @example
 * ```ts
 * await expect(bob.runCommand('setup')).rejects.toMatchObject({ code: 'COMMAND_NOT_PERMITTED' });
 * ```
 */
export class SimulatedUserError extends Error {
  public override readonly name = 'SimulatedUserError';
  /** What went wrong. */
  public readonly code: SimulatedUserErrorCode;

  /**
   * @param code - what went wrong
   * @param message - a sentence naming the user, the thing and what to do
   */
  public constructor(code: SimulatedUserErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** {@link SimulatedUserError.code} values. */
export type SimulatedUserErrorCode =
  | 'UNKNOWN_COMMAND'
  | 'COMMAND_NOT_PERMITTED'
  | 'INVALID_OPTIONS'
  | 'NO_SUCH_COMPONENT'
  | 'COMPONENT_DISABLED'
  | 'INVALID_SELECTION'
  | 'NO_MODAL'
  | 'INVALID_MODAL_VALUES'
  | 'CANNOT_SEE_CHANNEL'
  | 'CANNOT_SEND'
  | 'NO_BOT_CONNECTED'
  | 'NOT_ANSWERED';
