/**
 * The bot's `custom_id` scheme: `v1:<flow>:<action>:<session>[:<arg>]`, at most 100 characters (Discord's limit),
 * checked when built. A router matches flow and action exactly (never a chain of `startsWith`); `session` is a short
 * wizard session id, or `-` for the buttons under the channel's messages, which belong to no session.
 */

/** The version prefix: a later scheme can route old buttons differently. */
export const CUSTOM_ID_VERSION = 'v1';
/** Discord's limit on `custom_id`. */
export const CUSTOM_ID_MAX_LENGTH = 100;

/** The flows of the bot. */
export type Flow = 'admin' | 'reserve' | 'return' | 'mine' | 'item' | 'setup' | 'transfer';

/** A parsed `custom_id`. */
export interface ParsedCustomId {
  readonly flow: Flow;
  readonly action: string;
  readonly session: string;
  readonly arg: string | undefined;
}

const FLOWS: ReadonlySet<string> = new Set<Flow>(['admin', 'reserve', 'return', 'mine', 'item', 'setup', 'transfer']);
const PART = /^[A-Za-z0-9_-]+$/;

/**
 * Builds a `custom_id`.
 *
 * @param flow - the flow
 * @param action - the step or button (letters, digits, `-`, `_`)
 * @param session - the wizard session id, or `-`
 * @param arg - an argument (an item id, a page, a value), without `:`
 * @returns `v1:flow:action:session[:arg]`
 * @throws Error naming the part that is not allowed, or the id when it is longer than 100 characters
 */
export function customId(flow: Flow, action: string, session: string, arg?: string): string {
  for (const [name, part] of [
    ['action', action],
    ['session', session],
  ] as const) {
    if (!PART.test(part)) throw new Error(`custom_id ${name} "${part}" must be letters, digits, "-" or "_".`);
  }
  if (arg !== undefined && (arg.length === 0 || arg.includes(':'))) {
    throw new Error(`custom_id arg "${arg}" must be non-empty and contain no ":".`);
  }
  const id = [CUSTOM_ID_VERSION, flow, action, session, ...(arg === undefined ? [] : [arg])].join(':');
  if (id.length > CUSTOM_ID_MAX_LENGTH) {
    throw new Error(`custom_id "${id}" is ${id.length} characters; Discord allows ${CUSTOM_ID_MAX_LENGTH}.`);
  }
  return id;
}

/**
 * Reads a `custom_id` of this bot.
 *
 * @param id - the component's `custom_id`
 * @returns its parts, or `undefined` for an id of another scheme or version
 */
export function parseCustomId(id: string): ParsedCustomId | undefined {
  const parts = id.split(':');
  if (parts.length < 4 || parts.length > 5 || parts[0] !== CUSTOM_ID_VERSION) return undefined;
  const [, flow, action, session, arg] = parts as [string, string, string, string, string | undefined];
  if (!FLOWS.has(flow)) return undefined;
  return { flow: flow as Flow, action, session, arg };
}
