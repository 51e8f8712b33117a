/**
 * Discord's application command rules for the simulator: validation of `PUT /applications/{app}/commands` bodies
 * (with Discord's 50035 answers), the command object Discord stores and returns, and the `data.options` a slash
 * command interaction carries once a simulated user typed `/setup channel:#general`.
 *
 * @see https://discord.com/developers/docs/interactions/application-commands
 * @module
 */
import { describeValue } from '../../../errors/message-update-error.js';
import { isRecord } from '../../../util/is-record.js';
import type { ApiError } from '../discord-errors.js';
import {
  addError,
  checkChoice,
  checkInteger,
  checkList,
  checkObject,
  checkString,
  FieldMessages,
  formBodyErrors,
  type FieldError,
  type FieldPath,
  type FieldProblem,
} from './form-errors.js';

/** Application command types. */
export const CommandType = { ChatInput: 1, User: 2, Message: 3, PrimaryEntryPoint: 4 } as const;

/** Application command option types. */
export const OptionType = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/** Discord's limits on application commands. */
export const COMMAND_LIMITS = {
  /** CHAT_INPUT commands per application (global) or per guild. */
  chatInputCommands: 100,
  /** USER commands, and separately MESSAGE commands, per application or guild. */
  contextMenuCommands: 15,
  /** Command and option `name`, in characters (at least 1). */
  name: 32,
  /** Command and option `description`, in characters (at least 1 for CHAT_INPUT). */
  description: 100,
  /** Options of a command, sub-command or group. */
  options: 25,
  /** Choices of an option. */
  choices: 25,
  /** Choice `name` and string `value`, in characters. */
  choiceText: 100,
  /** STRING option `min_length` / `max_length` upper bound. */
  stringLength: 6000,
  /** Characters of one command: names, descriptions, choice names and values, recursively. */
  totalCharacters: 8000,
} as const;

/** Discord's pattern for CHAT_INPUT command names and all option names (they must also be lowercase). */
export const COMMAND_NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * Discord's codes and wording for command-specific errors. The ones marked "choice" are this simulator's guess:
 * Discord's wording for them was neither documented nor seen.
 */
export const CommandProblems = {
  /** A name that does not match {@link COMMAND_NAME_PATTERN} or is not lowercase. */
  invalidName: { code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' },
  /** Two commands of the same type with the same name (on the later one). */
  duplicateName: { code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' },
  /** Choice: two sibling options with the same name (on the later one). */
  duplicateOptionName: { code: 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME', message: 'Option names must be unique' },
  /** A required option after an optional one. */
  optionsOrder: {
    code: 'APPLICATION_COMMAND_OPTIONS_ORDER_INVALID',
    message: 'Required options must be placed before non-required options',
  },
  /** Sub-commands or groups mixed with other option types in one list. */
  optionsTypeMix: {
    code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
  },
  /** Choice: `autocomplete: true` together with `choices`. */
  autocompleteWithChoices: {
    code: 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE_EXCLUSIVE',
    message: 'Autocomplete and choices are mutually exclusive',
  },
  /** A command over the 8000-character budget. */
  tooLarge: {
    code: 'APPLICATION_COMMAND_TOO_LARGE',
    message: `Command exceeds maximum size (${COMMAND_LIMITS.totalCharacters})`,
  },
} as const satisfies Record<string, FieldProblem>;

const OPTION_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const LEAF_OPTION_TYPES = [3, 4, 5, 6, 7, 8, 9, 10, 11] as const;

/** Where an options list sits: directly on the command, inside a sub-command, inside a group. */
type OptionLevel = 'command' | 'subcommand' | 'group';

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isSubCommandType(type: unknown): boolean {
  return type === OptionType.SubCommand || type === OptionType.SubCommandGroup;
}

/** A CHAT_INPUT command or option name: 1–32 characters, Discord's pattern, lowercase. */
function checkStrictName(errors: FieldError[], path: FieldPath, value: unknown): string | undefined {
  const name = checkString(errors, path, value, { min: 1, max: COMMAND_LIMITS.name, required: true });
  if (name === undefined || name.length === 0 || name.length > COMMAND_LIMITS.name) return name;
  if (!COMMAND_NAME_PATTERN.test(name) || name.toLowerCase() !== name)
    addError(errors, path, CommandProblems.invalidName);
  return name;
}

function checkChoiceValue(errors: FieldError[], path: FieldPath, value: unknown, optionType: unknown): void {
  if (!present(value)) {
    addError(errors, path, FieldMessages.required());
    return;
  }
  if (optionType === OptionType.Integer) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      addError(errors, path, FieldMessages.notInteger(value));
  } else if (optionType === OptionType.Number) {
    if (typeof value !== 'number' || !Number.isFinite(value)) addError(errors, path, FieldMessages.notNumber(value));
  } else {
    checkString(errors, path, value, { max: COMMAND_LIMITS.choiceText });
  }
}

function checkChoices(errors: FieldError[], path: FieldPath, option: Record<string, unknown>): void {
  const choicesPath = [...path, 'choices'];
  const choices = checkList(errors, choicesPath, option['choices'], { max: COMMAND_LIMITS.choices });
  if (choices === undefined) return;
  if (choices.length > 0 && option['autocomplete'] === true) {
    addError(errors, [...path, 'autocomplete'], CommandProblems.autocompleteWithChoices);
  }
  choices.forEach((raw, index) => {
    const choicePath = [...choicesPath, index];
    const choice = checkObject(errors, choicePath, raw);
    if (!choice) return;
    checkString(errors, [...choicePath, 'name'], choice['name'], {
      min: 1,
      max: COMMAND_LIMITS.choiceText,
      required: true,
    });
    checkChoiceValue(errors, [...choicePath, 'value'], choice['value'], option['type']);
  });
}

function checkBounds(errors: FieldError[], path: FieldPath, option: Record<string, unknown>): void {
  checkInteger(errors, [...path, 'min_length'], option['min_length'], 0, COMMAND_LIMITS.stringLength);
  checkInteger(errors, [...path, 'max_length'], option['max_length'], 1, COMMAND_LIMITS.stringLength);
  for (const field of ['min_value', 'max_value']) {
    const value = option[field];
    if (present(value) && (typeof value !== 'number' || !Number.isFinite(value))) {
      addError(errors, [...path, field], FieldMessages.notNumber(value));
    }
  }
}

function checkOption(errors: FieldError[], path: FieldPath, option: Record<string, unknown>, level: OptionLevel): void {
  const type = checkChoice(errors, [...path, 'type'], option['type'], OPTION_TYPES, true);
  checkStrictName(errors, [...path, 'name'], option['name']);
  checkString(errors, [...path, 'description'], option['description'], {
    min: 1,
    max: COMMAND_LIMITS.description,
    required: true,
  });
  if (type === undefined) return;
  if (level === 'group' && type !== OptionType.SubCommand) {
    addError(errors, [...path, 'type'], FieldMessages.choices([OptionType.SubCommand]));
    return;
  }
  if (level === 'subcommand' && isSubCommandType(type)) {
    addError(errors, [...path, 'type'], FieldMessages.choices(LEAF_OPTION_TYPES));
    return;
  }
  if (type === OptionType.SubCommandGroup) {
    checkOptions(errors, [...path, 'options'], option['options'], 'group', true);
  } else if (type === OptionType.SubCommand) {
    checkOptions(errors, [...path, 'options'], option['options'], 'subcommand', false);
  } else {
    checkChoices(errors, path, option);
    checkBounds(errors, path, option);
  }
}

/**
 * An options list: ≤ 25 options, unique names, required before optional, sub-commands not mixed with other types,
 * a group holding sub-commands only, a sub-command holding no sub-commands.
 */
function checkOptions(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
  level: OptionLevel,
  required: boolean,
): void {
  const options = checkList(errors, path, value, {
    ...(required ? { min: 1 } : {}),
    max: COMMAND_LIMITS.options,
    required,
  });
  if (options === undefined) return;
  const names = new Set<string>();
  let optionalSeen = false;
  let orderReported = false;
  let subCommands = 0;
  let others = 0;
  options.forEach((raw, index) => {
    const optionPath = [...path, index];
    const option = checkObject(errors, optionPath, raw);
    if (!option) return;
    checkOption(errors, optionPath, option, level);
    const name = option['name'];
    if (typeof name === 'string') {
      if (names.has(name)) addError(errors, [...optionPath, 'name'], CommandProblems.duplicateOptionName);
      names.add(name);
    }
    if (isSubCommandType(option['type'])) subCommands++;
    else others++;
    if (option['required'] === true) {
      if (optionalSeen && !orderReported) {
        addError(errors, path, CommandProblems.optionsOrder);
        orderReported = true;
      }
    } else if (!isSubCommandType(option['type'])) {
      optionalSeen = true;
    }
  });
  if (level === 'command' && subCommands > 0 && others > 0) addError(errors, path, CommandProblems.optionsTypeMix);
}

function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return String(value).length;
  return 0;
}

/**
 * Characters a command counts towards Discord's 8000 budget: its name and description, and recursively every
 * option's name and description and every choice's name and value. (Localizations are not counted.)
 *
 * @param command - one command of the body
 * @returns the character count
 */
export function commandCharacterCount(command: Readonly<Record<string, unknown>>): number {
  let count = textLength(command['name']) + textLength(command['description']);
  const options = command['options'];
  if (Array.isArray(options)) {
    for (const option of options as unknown[]) {
      if (!isRecord(option)) continue;
      count += commandCharacterCount(option);
      const choices = option['choices'];
      if (!Array.isArray(choices)) continue;
      for (const choice of choices as unknown[]) {
        if (isRecord(choice)) count += textLength(choice['name']) + textLength(choice['value']);
      }
    }
  }
  return count;
}

function checkPermissionsField(errors: FieldError[], path: FieldPath, value: unknown): void {
  if (!present(value)) return;
  if (typeof value !== 'string') addError(errors, path, FieldMessages.notString(value));
  else if (!/^\d+$/.test(value)) addError(errors, path, FieldMessages.notInteger(value));
}

function checkBoolean(errors: FieldError[], path: FieldPath, value: unknown): void {
  if (present(value) && typeof value !== 'boolean') addError(errors, path, FieldMessages.notBoolean());
}

function checkEnumList(errors: FieldError[], path: FieldPath, value: unknown, choices: readonly number[]): void {
  const list = checkList(errors, path, value, { max: choices.length });
  list?.forEach((entry, index) => checkChoice(errors, [...path, index], entry, choices, true));
}

/** Checks one command; returns its type (default 1) and name for the per-type checks. */
function checkCommand(errors: FieldError[], index: number, command: Record<string, unknown>): number | undefined {
  const path = [index];
  const type = present(command['type'])
    ? checkChoice(errors, [...path, 'type'], command['type'], [1, 2, 3, 4], true)
    : CommandType.ChatInput;
  const contextMenu = type === CommandType.User || type === CommandType.Message;
  if (contextMenu) {
    checkString(errors, [...path, 'name'], command['name'], { min: 1, max: COMMAND_LIMITS.name, required: true });
    checkString(errors, [...path, 'description'], command['description'], { max: 0 });
    checkList(errors, [...path, 'options'], command['options'], { max: 0 });
  } else {
    checkStrictName(errors, [...path, 'name'], command['name']);
    checkString(errors, [...path, 'description'], command['description'], {
      min: 1,
      max: COMMAND_LIMITS.description,
      required: type === CommandType.ChatInput,
    });
    checkOptions(errors, [...path, 'options'], command['options'], 'command', false);
  }
  checkPermissionsField(errors, [...path, 'default_member_permissions'], command['default_member_permissions']);
  checkBoolean(errors, [...path, 'dm_permission'], command['dm_permission']);
  checkBoolean(errors, [...path, 'nsfw'], command['nsfw']);
  checkEnumList(errors, [...path, 'contexts'], command['contexts'], [0, 1, 2]);
  checkEnumList(errors, [...path, 'integration_types'], command['integration_types'], [0, 1]);
  if (commandCharacterCount(command) > COMMAND_LIMITS.totalCharacters) addError(errors, path, CommandProblems.tooLarge);
  return type;
}

/** Discord's answer when a body holds more commands of one type than allowed. */
function tooManyCommands(limit: number): ApiError {
  return { status: 400, body: { message: `Maximum number of application commands reached (${limit})`, code: 30032 } };
}

/**
 * Discord's answer to a `PUT /applications/{app}/commands` (or guild commands) body that breaks a command rule.
 *
 * Rules: the body is a list of commands; names unique per type; CHAT_INPUT (type 1, the default) names match
 * {@link COMMAND_NAME_PATTERN} and are lowercase, descriptions 1–100; USER / MESSAGE (2 / 3) names 1–32 with an
 * empty description and no options; ≤ 25 options, required ones first, option types 1–11, option names as command
 * names and unique among siblings, descriptions 1–100, ≤ 25 choices (name 1–100, value of the option's type, strings
 * ≤ 100), `min_length` 0–6000, `max_length` 1–6000; a SUB_COMMAND_GROUP holds SUB_COMMANDs only, a SUB_COMMAND holds
 * no sub-command, sub-commands are not mixed with other options; `default_member_permissions` null or a decimal
 * string; ≤ 8000 characters per command ({@link commandCharacterCount}); ≤ 100 CHAT_INPUT and ≤ 15 USER and 15
 * MESSAGE commands.
 *
 * @param body - the request body
 * @returns `undefined` when Discord accepts it; a 400 `Invalid Form Body` (50035) with every error found (paths
 *   such as `errors['0'].name._errors`); or, for a valid body with too many commands, 400 code 30032
 */
export function findCommandsError(body: unknown): ApiError | undefined {
  const errors: FieldError[] = [];
  const commands = checkList(errors, [], body, { max: Number.MAX_SAFE_INTEGER, required: true });
  if (commands === undefined) return formBodyErrors(errors);
  const seen = new Set<string>();
  const counts = new Map<number, number>();
  commands.forEach((raw, index) => {
    const command = checkObject(errors, [index], raw);
    if (!command) return;
    const type = checkCommand(errors, index, command);
    if (type === undefined) return;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const name = command['name'];
    if (typeof name !== 'string') return;
    const key = `${type}:${name}`;
    if (seen.has(key)) addError(errors, [index], CommandProblems.duplicateName);
    seen.add(key);
  });
  const invalid = formBodyErrors(errors);
  if (invalid) return invalid;
  if ((counts.get(CommandType.ChatInput) ?? 0) > COMMAND_LIMITS.chatInputCommands) {
    return tooManyCommands(COMMAND_LIMITS.chatInputCommands);
  }
  for (const type of [CommandType.User, CommandType.Message]) {
    if ((counts.get(type) ?? 0) > COMMAND_LIMITS.contextMenuCommands) {
      return tooManyCommands(COMMAND_LIMITS.contextMenuCommands);
    }
  }
  return undefined;
}

/** An application command object as Discord stores and returns it. */
export type ApplicationCommandObject = {
  readonly id: string;
  readonly type: number;
  readonly application_id: string;
  /** Only on guild commands. */
  readonly guild_id?: string;
  readonly name: string;
  readonly name_localizations: Readonly<Record<string, string>> | null;
  readonly description: string;
  readonly description_localizations: Readonly<Record<string, string>> | null;
  /** Only when the command has options. */
  readonly options?: readonly unknown[];
  readonly default_member_permissions: string | null;
  /** Only on global commands (deprecated by `contexts`). */
  readonly dm_permission?: boolean;
  readonly contexts: readonly number[] | null;
  readonly integration_types: readonly number[];
  readonly nsfw: boolean;
  /** Snowflake that changes on every update of the command. */
  readonly version: string;
};

/** Ids Discord assigns to a stored command. */
export interface CommandIds {
  readonly id: string;
  readonly applicationId: string;
  /** Set for a guild command. */
  readonly guildId?: string;
  readonly version: string;
}

function localizations(value: unknown): Readonly<Record<string, string>> | null {
  if (!isRecord(value)) return null;
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function numberList(value: unknown): number[] | undefined {
  return Array.isArray(value)
    ? (value as unknown[]).filter((entry): entry is number => typeof entry === 'number')
    : undefined;
}

/**
 * The command object Discord returns for one (valid) command of a PUT or POST body.
 *
 * @param command - one command of the body, already accepted by {@link findCommandsError}
 * @param ids - the ids Discord assigns (keep `id` across updates of the same name and type; new `version` each time)
 * @returns the stored command: `type` defaults to 1, `description` is `''` for USER / MESSAGE commands, localizations
 *   are echoed or `null`, `options` copied when present and non-empty, `default_member_permissions` a string or
 *   `null`, `dm_permission` (default `true`) only on global commands, `contexts` echoed or `null`,
 *   `integration_types` echoed or `[0]`, `nsfw` default `false`
 */
export function normalizeCommand(
  command: Readonly<Record<string, unknown>>,
  ids: CommandIds,
): ApplicationCommandObject {
  const type = typeof command['type'] === 'number' ? command['type'] : CommandType.ChatInput;
  const contextMenu = type === CommandType.User || type === CommandType.Message;
  const options = command['options'];
  const permissions = command['default_member_permissions'];
  const dmPermission = command['dm_permission'];
  return {
    id: ids.id,
    type,
    application_id: ids.applicationId,
    ...(ids.guildId === undefined ? {} : { guild_id: ids.guildId }),
    name: typeof command['name'] === 'string' ? command['name'] : '',
    name_localizations: localizations(command['name_localizations']),
    description: !contextMenu && typeof command['description'] === 'string' ? command['description'] : '',
    description_localizations: localizations(command['description_localizations']),
    ...(Array.isArray(options) && options.length > 0 ? { options: structuredClone(options as unknown[]) } : {}),
    default_member_permissions: typeof permissions === 'string' ? permissions : null,
    ...(ids.guildId === undefined ? { dm_permission: typeof dmPermission === 'boolean' ? dmPermission : true } : {}),
    contexts: numberList(command['contexts']) ?? null,
    integration_types: numberList(command['integration_types']) ?? [0],
    nsfw: command['nsfw'] === true,
    version: ids.version,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Invoking a command: what a simulated user's `/setup channel:#general` becomes.

/** One entry of a slash command interaction's `data.options`. */
export type InteractionOption =
  | { readonly name: string; readonly type: number; readonly value: string | number | boolean }
  | { readonly name: string; readonly type: 1 | 2; readonly options: readonly InteractionOption[] };

/** What {@link resolveCommandOptions} answers: the options, or why Discord's client would not send the command. */
export type ResolvedCommandOptions =
  | { readonly ok: true; readonly options: readonly InteractionOption[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly error: string };

/**
 * Turns what a user typed for a USER, CHANNEL, ROLE, MENTIONABLE or ATTACHMENT option (e.g. `'#general'`) into the
 * id the interaction carries; `undefined` when nothing matches.
 */
export type OptionValueResolver = (type: number, value: unknown) => unknown;

const ENTITY_NAMES: Readonly<Record<number, string>> = {
  6: 'a user',
  7: 'a channel',
  8: 'a role',
  9: 'a user or role',
  11: 'an attachment',
};

function declaredOptions(holder: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const options = holder['options'];
  return Array.isArray(options) ? (options as unknown[]).filter(isRecord) : [];
}

function nameOf(option: Record<string, unknown>): string {
  return typeof option['name'] === 'string' ? option['name'] : '';
}

function toNumber(value: unknown, integer: boolean): number | undefined {
  const pattern = integer ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
  const number = typeof value === 'string' && pattern.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return undefined;
  if (integer && !Number.isSafeInteger(number)) return undefined;
  return number;
}

/** Picks a choice by its value or by its name (what the user clicked in the list). */
function pickChoice(option: Record<string, unknown>, value: unknown): { found: boolean; value: unknown } {
  const choices = Array.isArray(option['choices']) ? (option['choices'] as unknown[]).filter(isRecord) : [];
  if (choices.length === 0) return { found: true, value };
  const match =
    choices.find((choice) => choice['value'] === value) ?? choices.find((choice) => choice['name'] === value);
  return match ? { found: true, value: match['value'] } : { found: false, value };
}

function choiceList(option: Record<string, unknown>): string {
  const choices = Array.isArray(option['choices']) ? (option['choices'] as unknown[]).filter(isRecord) : [];
  return choices.map((choice) => `\`${String(choice['value'])}\``).join(', ');
}

function checkRange(option: Record<string, unknown>, value: number, label: string, errors: string[]): void {
  const min = option['min_value'];
  const max = option['max_value'];
  if (typeof min === 'number' && value < min) errors.push(`${label} must be at least ${min}, got ${value}`);
  if (typeof max === 'number' && value > max) errors.push(`${label} must be at most ${max}, got ${value}`);
}

/** Converts and checks one typed value; `undefined` after recording an error. */
function optionValue(
  option: Record<string, unknown>,
  raw: unknown,
  resolve: OptionValueResolver,
  errors: string[],
): string | number | boolean | undefined {
  const type = typeof option['type'] === 'number' ? option['type'] : 0;
  const label = `option \`${nameOf(option)}\``;
  const picked = pickChoice(option, raw);
  if (!picked.found) {
    errors.push(`${label} must be one of ${choiceList(option)}, got ${describeValue(raw)}`);
    return undefined;
  }
  const given = picked.value;
  switch (type) {
    case OptionType.String: {
      if (typeof given !== 'string') {
        errors.push(`${label} takes a string, got ${describeValue(given)}`);
        return undefined;
      }
      const min = typeof option['min_length'] === 'number' ? option['min_length'] : 0;
      const max = typeof option['max_length'] === 'number' ? option['max_length'] : COMMAND_LIMITS.stringLength;
      if (given.length < min || given.length > max) {
        errors.push(`${label} must be ${min}–${max} characters long, got ${given.length}`);
        return undefined;
      }
      return given;
    }
    case OptionType.Integer:
    case OptionType.Number: {
      const number = toNumber(given, type === OptionType.Integer);
      if (number === undefined) {
        const kind = type === OptionType.Integer ? 'an integer' : 'a number';
        errors.push(`${label} takes ${kind}, got ${describeValue(given)}`);
        return undefined;
      }
      const before = errors.length;
      checkRange(option, number, label, errors);
      return errors.length === before ? number : undefined;
    }
    case OptionType.Boolean: {
      if (typeof given === 'boolean') return given;
      if (given === 'true' || given === 'false') return given === 'true';
      errors.push(`${label} takes true or false, got ${describeValue(given)}`);
      return undefined;
    }
    default: {
      const resolved = resolve(type, given);
      if (typeof resolved === 'string') return resolved;
      errors.push(`${label} takes ${ENTITY_NAMES[type] ?? 'a value'}; ${describeValue(given)} does not name one`);
      return undefined;
    }
  }
}

/** Resolves the leaf options of a command or sub-command, in the declared order. */
function resolveLeaf(
  declared: readonly Record<string, unknown>[],
  input: Readonly<Record<string, unknown>>,
  resolve: OptionValueResolver,
  errors: string[],
): InteractionOption[] {
  const known = new Set(declared.map(nameOf));
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      errors.push(`unknown option \`${key}\`${known.size > 0 ? ` (options: ${[...known].join(', ')})` : ''}`);
  }
  const options: InteractionOption[] = [];
  for (const option of declared) {
    const name = nameOf(option);
    const raw = Object.prototype.hasOwnProperty.call(input, name) ? input[name] : undefined;
    if (raw === undefined || raw === null) {
      if (option['required'] === true) errors.push(`option \`${name}\` is required`);
      continue;
    }
    const value = optionValue(option, raw, resolve, errors);
    if (value !== undefined) options.push({ name, type: option['type'] as number, value });
  }
  return options;
}

/** Every sub-command path of a command, e.g. `['ping', 'config set', 'config get']`. */
function subCommandPaths(declared: readonly Record<string, unknown>[]): string[] {
  const paths: string[] = [];
  for (const option of declared) {
    if (option['type'] === OptionType.SubCommand) paths.push(nameOf(option));
    else if (option['type'] === OptionType.SubCommandGroup) {
      for (const sub of declaredOptions(option)) paths.push(`${nameOf(option)} ${nameOf(sub)}`);
    }
  }
  return paths;
}

function leafInput(value: unknown, path: string, errors: string[]): Readonly<Record<string, unknown>> {
  if (value === undefined || value === null || value === true) return {};
  if (isRecord(value)) return value;
  errors.push(`sub-command \`${path}\` takes an object of options, got ${describeValue(value)}`);
  return {};
}

function resolveSubCommand(
  declared: readonly Record<string, unknown>[],
  input: Readonly<Record<string, unknown>>,
  resolve: OptionValueResolver,
  errors: string[],
): InteractionOption[] {
  const paths = subCommandPaths(declared);
  const keys = Object.keys(input);
  if (keys.length !== 1) {
    errors.push(
      keys.length === 0
        ? `choose a sub-command: ${paths.map((path) => `\`${path}\``).join(', ')}`
        : `give exactly one sub-command, got ${keys.map((key) => `\`${key}\``).join(', ')}`,
    );
    return [];
  }
  const key = keys[0]!;
  const words = key.trim().split(/\s+/);
  const first = declared.find((option) => nameOf(option) === words[0]);
  const sub =
    first?.['type'] === OptionType.SubCommandGroup && words.length === 2
      ? declaredOptions(first).find((option) => nameOf(option) === words[1])
      : first?.['type'] === OptionType.SubCommand && words.length === 1
        ? first
        : undefined;
  if (!first || !sub) {
    errors.push(`unknown sub-command \`${key}\` (choose one of ${paths.map((path) => `\`${path}\``).join(', ')})`);
    return [];
  }
  const leaf = {
    name: nameOf(sub),
    type: 1 as const,
    options: resolveLeaf(declaredOptions(sub), leafInput(input[key], key, errors), resolve, errors),
  };
  return sub === first ? [leaf] : [{ name: nameOf(first), type: 2, options: [leaf] }];
}

/**
 * The `data.options` of the slash command interaction a simulated user's invocation produces, with the checks
 * Discord's client makes before it sends the command.
 *
 * Input addressing: for a command without sub-commands, `input` maps option names to what the user typed
 * (`{ channel: '#general', count: 3 }`). For a command with sub-commands, `input` has exactly one key, the
 * sub-command's path — `'sub'` or `'group sub'` (words separated by a space, as the user reads it in the client) —
 * whose value is that sub-command's options (`{ 'config set': { key: 'lang', value: 'fr' } }`; `{}` or `true` for
 * none). Options come out in the command's declared order; a sub-command always carries `options` (possibly `[]`).
 *
 * Values: STRING takes a string (checked against `min_length` / `max_length`); INTEGER and NUMBER a number or a
 * numeric string (checked against `min_value` / `max_value`); BOOLEAN a boolean or `'true'` / `'false'`; an option
 * with `choices` takes a choice's value or its name (the value is sent); USER, CHANNEL, ROLE, MENTIONABLE and
 * ATTACHMENT values go through `resolve`, which must return the id as a string.
 *
 * @param command - the registered command (its `options` declare what it takes)
 * @param input - what the user typed, addressed as above
 * @param resolve - turns a typed entity (e.g. `'#general'`) into its id; return `undefined` when nothing matches
 * @returns the options, or readable errors (missing required option, wrong type, not one of the choices, out of
 *   range, unknown option or sub-command)
 * @example
 * ```ts
 * const result = resolveCommandOptions(setup, { channel: '#general' }, (type, value) => channelIdsByName.get(value));
 * if (!result.ok) throw new Error(result.error); // e.g. "option `channel` is required"
 * ```
 */
export function resolveCommandOptions(
  command: Readonly<Record<string, unknown>>,
  input: Readonly<Record<string, unknown>>,
  resolve: OptionValueResolver,
): ResolvedCommandOptions {
  const declared = declaredOptions(command);
  const errors: string[] = [];
  const options = declared.some((option) => isSubCommandType(option['type']))
    ? resolveSubCommand(declared, input, resolve, errors)
    : resolveLeaf(declared, input, resolve, errors);
  return errors.length === 0 ? { ok: true, options } : { ok: false, errors, error: errors.join('; ') };
}
