/**
 * Discord's rules for message components, modals and autocomplete answers, with Discord's `Invalid Form Body`
 * (50035) answers, plus the helpers a simulated user needs to read components (find "the button labelled Confirm")
 * and to fill a modal in.
 *
 * Every check collects all the errors of a body, as Discord does, and answers with one 50035 whose `errors` tree
 * mirrors the body (array indices as `"0"`).
 *
 * @see https://discord.com/developers/docs/components/reference
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-modal
 * @module
 */
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
  pathSegments,
  type FieldError,
  type FieldPath,
  type FieldProblem,
} from './form-errors.js';

/** Discord's component types. */
export const ComponentType = {
  ActionRow: 1,
  Button: 2,
  StringSelect: 3,
  TextInput: 4,
  UserSelect: 5,
  RoleSelect: 6,
  MentionableSelect: 7,
  ChannelSelect: 8,
  Section: 9,
  TextDisplay: 10,
  Thumbnail: 11,
  MediaGallery: 12,
  File: 13,
  Separator: 14,
  Container: 17,
  Label: 18,
  FileUpload: 19,
} as const;

/** Button styles: 1 primary, 2 secondary, 3 success, 4 danger, 5 link, 6 premium. */
export const ButtonStyle = { Primary: 1, Secondary: 2, Success: 3, Danger: 4, Link: 5, Premium: 6 } as const;

/** `MessageFlags.IsComponentsV2` (1 << 15): layout components instead of content and embeds. */
export const IS_COMPONENTS_V2 = 1 << 15;

/** Discord's limits on components and modals. */
export const COMPONENT_LIMITS = {
  /** Top-level action rows of a legacy message. */
  actionRows: 5,
  /** Width of an action row: a button takes 1, a select takes all 5. */
  rowWidth: 5,
  /** Components of an IS_COMPONENTS_V2 message, nested ones included. */
  componentsV2Total: 40,
  /** `custom_id`, in characters (at least 1). */
  customId: 100,
  /** Button `label`, in characters. */
  buttonLabel: 80,
  /** Link button `url`, in characters. */
  buttonUrl: 512,
  /** String select `options` (at least 1). */
  selectOptions: 25,
  /** Select option `label`, `value` and `description`, in characters. */
  selectOptionText: 100,
  /** Select `placeholder`, in characters. */
  selectPlaceholder: 150,
  /** Select `min_values` / `max_values` upper bound. */
  selectValues: 25,
  /** Modal `title`, in characters (at least 1). */
  modalTitle: 45,
  /** Modal top-level components (at least 1). */
  modalComponents: 5,
  /** Label `label` and legacy text input `label`, in characters. */
  label: 45,
  /** Label `description`, in characters. */
  labelDescription: 100,
  /** Text input `min_length` / `max_length` / `value` upper bound. */
  textInputLength: 4000,
  /** Text input `placeholder`, in characters. */
  textInputPlaceholder: 100,
  /** Autocomplete choices. */
  autocompleteChoices: 25,
  /** Autocomplete choice `name` and string `value`, in characters. */
  choiceText: 100,
} as const;

/**
 * Discord's codes and wording for the component-specific errors. The ones marked "choice" are not documented and
 * were not seen in a Discord answer; they are this simulator's best guess and may differ from Discord's text.
 */
export const ComponentProblems = {
  /** A `custom_id` used twice in one message or modal (on the later one). */
  customIdDuplicated: { code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' },
  /** A non-link, non-premium button without `custom_id`. */
  customIdRequired: { code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', message: 'A custom id is required' },
  /** A button with both `custom_id` and `url`. */
  customIdUrlExclusive: {
    code: 'BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE',
    message: 'A custom id and url cannot both be specified',
  },
  /** Choice: a link button without `url`. */
  urlRequired: { code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required' },
  /** Choice: a premium button without `sku_id`. */
  skuIdRequired: { code: 'BUTTON_COMPONENT_SKU_ID_REQUIRED', message: 'A sku id is required' },
  /** Choice: a premium button with `custom_id`, `url`, `label` or `emoji`. */
  premiumFields: {
    code: 'BUTTON_COMPONENT_PREMIUM_INVALID_FIELDS',
    message: 'Premium buttons cannot have a custom id, url, label or emoji',
  },
  /** Choice: a button with neither `label` nor `emoji`. */
  labelOrEmojiRequired: {
    code: 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED',
    message: 'A label or an emoji is required',
  },
  /** A component that does not fit in its action row (a select next to anything else). */
  widthExceeded: {
    code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
    message: 'The specified component exceeds the maximum width',
  },
  /** Two options of one select with the same `value`. */
  optionValueDuplicated: {
    code: 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED',
    message: 'The specified option value is already used',
  },
  /** More defaults than `max_values`. */
  tooManyDefaults: {
    code: 'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES',
    message: 'The specified number of default values exceeds the specified maximum values',
  },
  /** Choice: a select with `disabled` inside a modal. */
  disabledInModal: { code: 'COMPONENT_DISABLED_NOT_ALLOWED', message: 'Disabled components are not allowed in modals' },
  /** Choice: a text input inside a Label that has its own `label`. */
  labelInsideLabel: {
    code: 'TEXT_INPUT_LABEL_NOT_ALLOWED',
    message: 'A text input inside a label component cannot have a label',
  },
  /** Choice: more than 40 components in an IS_COMPONENTS_V2 message. */
  tooManyComponents: {
    code: 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED',
    message: `The specified number of components exceeds the maximum of ${COMPONENT_LIMITS.componentsV2Total}.`,
  },
  /** Choice: an edit that clears IS_COMPONENTS_V2 from a message that has it. */
  componentsV2FlagRemoved: {
    code: 'MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG',
    message: 'The IS_COMPONENTS_V2 flag cannot be removed from a message',
  },
  /** A component `type` not allowed where it stands; `choices` as Discord prints them, e.g. `(4,)`. */
  typeChoices: (choices: readonly number[]): FieldProblem => ({
    code: 'UNION_TYPE_CHOICES',
    message: `Value of field "type" must be one of (${choices.length === 1 ? `${choices[0]},` : choices.join(', ')}).`,
  }),
  /** `content`, `embeds`, `poll` or `sticker_ids` in an IS_COMPONENTS_V2 message. */
  legacyFieldWithV2: (field: string): FieldProblem => ({
    code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
    message: `The '${field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`,
  }),
} as const;

const MESSAGE_ROW_CHILDREN = [2, 3, 5, 6, 7, 8] as const;
const AUTO_SELECTS: ReadonlySet<number> = new Set([5, 6, 7, 8]);
const DEFAULT_VALUE_TYPES: Readonly<Record<number, readonly string[]>> = {
  5: ['user'],
  6: ['role'],
  7: ['user', 'role'],
  8: ['channel'],
};

/** State of one walk: the error list and the `custom_id`s seen so far (unique per message or modal). */
interface Walk {
  readonly errors: FieldError[];
  readonly customIds: Set<string>;
  readonly inModal: boolean;
}

function newWalk(inModal: boolean): Walk {
  return { errors: [], customIds: new Set(), inModal };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A `custom_id`: required, 1–100 characters, unique in the message or modal. */
function checkCustomId(walk: Walk, path: FieldPath, value: unknown, missing: FieldProblem): void {
  if (!present(value)) {
    addError(walk.errors, [...path, 'custom_id'], missing);
    return;
  }
  const id = checkString(walk.errors, [...path, 'custom_id'], value, { min: 1, max: COMPONENT_LIMITS.customId });
  if (id === undefined) return;
  if (walk.customIds.has(id)) addError(walk.errors, [...path, 'custom_id'], ComponentProblems.customIdDuplicated);
  else walk.customIds.add(id);
}

function checkButton(walk: Walk, path: FieldPath, button: Record<string, unknown>): void {
  const style = checkChoice(walk.errors, [...path, 'style'], button['style'], [1, 2, 3, 4, 5, 6], true);
  const label = checkString(walk.errors, [...path, 'label'], button['label'], { max: COMPONENT_LIMITS.buttonLabel });
  if (style === undefined) return;
  if (style === ButtonStyle.Premium) {
    if (!present(button['sku_id'])) addError(walk.errors, [...path, 'sku_id'], ComponentProblems.skuIdRequired);
    if (['custom_id', 'url', 'label', 'emoji'].some((field) => present(button[field]))) {
      addError(walk.errors, path, ComponentProblems.premiumFields);
    }
    return;
  }
  if ((label === undefined || label.length === 0) && !present(button['emoji'])) {
    addError(walk.errors, path, ComponentProblems.labelOrEmojiRequired);
  }
  if (style === ButtonStyle.Link) {
    if (present(button['url'])) {
      checkString(walk.errors, [...path, 'url'], button['url'], { max: COMPONENT_LIMITS.buttonUrl });
    } else {
      addError(walk.errors, [...path, 'url'], ComponentProblems.urlRequired);
    }
    if (present(button['custom_id'])) {
      addError(walk.errors, [...path, 'custom_id'], ComponentProblems.customIdUrlExclusive);
    }
    return;
  }
  checkCustomId(walk, path, button['custom_id'], ComponentProblems.customIdRequired);
  if (present(button['url'])) addError(walk.errors, [...path, 'url'], ComponentProblems.customIdUrlExclusive);
}

/** `min_values` 0–25, `max_values` 1–25 and ≥ `min_values`; returns the effective `max_values` (default 1). */
function checkValueCounts(walk: Walk, path: FieldPath, select: Record<string, unknown>): number | undefined {
  const max = COMPONENT_LIMITS.selectValues;
  const minValues = checkInteger(walk.errors, [...path, 'min_values'], select['min_values'], 0, max);
  const maxValues = checkInteger(walk.errors, [...path, 'max_values'], select['max_values'], 1, max);
  if (present(select['min_values']) && minValues === undefined) return undefined;
  if (present(select['max_values']) && maxValues === undefined) return undefined;
  const effectiveMin = minValues ?? 1;
  const effectiveMax = maxValues ?? 1;
  if (effectiveMax < effectiveMin) {
    addError(walk.errors, [...path, 'max_values'], FieldMessages.numberMin(effectiveMin));
    return undefined;
  }
  return effectiveMax;
}

function checkSelectCommon(walk: Walk, path: FieldPath, select: Record<string, unknown>): number | undefined {
  checkCustomId(walk, path, select['custom_id'], FieldMessages.required());
  checkString(walk.errors, [...path, 'placeholder'], select['placeholder'], {
    max: COMPONENT_LIMITS.selectPlaceholder,
  });
  if (walk.inModal && select['disabled'] === true) {
    addError(walk.errors, [...path, 'disabled'], ComponentProblems.disabledInModal);
  }
  return checkValueCounts(walk, path, select);
}

function checkStringSelect(walk: Walk, path: FieldPath, select: Record<string, unknown>): void {
  const maxValues = checkSelectCommon(walk, path, select);
  const optionsPath = [...path, 'options'];
  const options = checkList(walk.errors, optionsPath, select['options'], {
    min: 1,
    max: COMPONENT_LIMITS.selectOptions,
    required: true,
  });
  if (options === undefined) return;
  const values = new Set<string>();
  let defaults = 0;
  options.forEach((raw, index) => {
    const optionPath = [...optionsPath, index];
    const option = checkObject(walk.errors, optionPath, raw);
    if (!option) return;
    const text = { min: 1, max: COMPONENT_LIMITS.selectOptionText, required: true };
    checkString(walk.errors, [...optionPath, 'label'], option['label'], text);
    const value = checkString(walk.errors, [...optionPath, 'value'], option['value'], text);
    checkString(walk.errors, [...optionPath, 'description'], option['description'], {
      max: COMPONENT_LIMITS.selectOptionText,
    });
    if (value !== undefined) {
      if (values.has(value)) addError(walk.errors, [...optionPath, 'value'], ComponentProblems.optionValueDuplicated);
      values.add(value);
    }
    if (option['default'] === true) defaults++;
  });
  if (maxValues === undefined || options.length > COMPONENT_LIMITS.selectOptions) return;
  if (options.length < maxValues) addError(walk.errors, optionsPath, FieldMessages.minLength(maxValues));
  if (defaults > maxValues) addError(walk.errors, optionsPath, ComponentProblems.tooManyDefaults);
}

function checkAutoSelect(walk: Walk, path: FieldPath, select: Record<string, unknown>, type: number): void {
  const maxValues = checkSelectCommon(walk, path, select);
  const defaultsPath = [...path, 'default_values'];
  const defaults = checkList(walk.errors, defaultsPath, select['default_values'], {
    max: COMPONENT_LIMITS.selectValues,
  });
  if (defaults === undefined) return;
  const allowed = DEFAULT_VALUE_TYPES[type] ?? [];
  defaults.forEach((raw, index) => {
    const valuePath = [...defaultsPath, index];
    const entry = checkObject(walk.errors, valuePath, raw);
    if (!entry) return;
    const id = entry['id'];
    if (!present(id)) addError(walk.errors, [...valuePath, 'id'], FieldMessages.required());
    else if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) {
      addError(walk.errors, [...valuePath, 'id'], {
        code: 'NUMBER_TYPE_COERCE',
        message: `Value "${String(id)}" is not snowflake.`,
      });
    }
    checkChoice(walk.errors, [...valuePath, 'type'], entry['type'], allowed, true);
  });
  if (maxValues !== undefined && defaults.length > maxValues) {
    addError(walk.errors, defaultsPath, ComponentProblems.tooManyDefaults);
  }
}

/** Checks one button or select of a message action row; returns its width (1 for a button, 5 for a select). */
function checkRowChild(walk: Walk, path: FieldPath, raw: unknown): number {
  const component = checkObject(walk.errors, path, raw);
  if (!component) return 1;
  const type = component['type'];
  if (!(MESSAGE_ROW_CHILDREN as readonly unknown[]).includes(type)) {
    addError(walk.errors, path, ComponentProblems.typeChoices(MESSAGE_ROW_CHILDREN));
    return 1;
  }
  if (type === ComponentType.Button) {
    checkButton(walk, path, component);
    return 1;
  }
  if (type === ComponentType.StringSelect) checkStringSelect(walk, path, component);
  else checkAutoSelect(walk, path, component, type as number);
  return COMPONENT_LIMITS.rowWidth;
}

function checkMessageRow(walk: Walk, path: FieldPath, raw: unknown): void {
  const row = checkObject(walk.errors, path, raw);
  if (!row) return;
  if (row['type'] !== ComponentType.ActionRow) {
    addError(walk.errors, path, ComponentProblems.typeChoices([ComponentType.ActionRow]));
    return;
  }
  const childrenPath = [...path, 'components'];
  const children = checkList(walk.errors, childrenPath, row['components'], {
    min: 1,
    max: COMPONENT_LIMITS.rowWidth,
    required: true,
  });
  if (children === undefined) return;
  const measured = children.length <= COMPONENT_LIMITS.rowWidth;
  let width = 0;
  children.forEach((child, index) => {
    width += checkRowChild(walk, [...childrenPath, index], child);
    if (measured && width > COMPONENT_LIMITS.rowWidth) {
      addError(walk.errors, [...childrenPath, index], ComponentProblems.widthExceeded);
    }
  });
}

/** The nested components of one component: `components`, `accessory` (sections) and `component` (labels). */
function children(component: Record<string, unknown>): unknown[] {
  const nested: unknown[] = [];
  const list = component['components'];
  if (Array.isArray(list)) nested.push(...(list as unknown[]));
  if (isRecord(component['accessory'])) nested.push(component['accessory']);
  if (isRecord(component['component'])) nested.push(component['component']);
  return nested;
}

/**
 * Counts components the way Discord's 40-component limit does: every component, nested ones included.
 *
 * @param components - a `components` array
 * @returns the number of components in the tree
 */
export function countComponents(components: readonly unknown[]): number {
  let count = 0;
  for (const component of components) {
    if (!isRecord(component)) continue;
    count += 1 + countComponents(children(component));
  }
  return count;
}

/**
 * Discord's answer to a message's `components` that break a component rule.
 *
 * Without IS_COMPONENTS_V2: at most 5 action rows (type 1) at the top; a row holds 1–5 buttons or exactly one select
 * (a select next to anything else → `COMPONENT_LAYOUT_WIDTH_EXCEEDED`); buttons need a `style` 1–6, `label` ≤ 80,
 * styles 1–4 a `custom_id` and no `url`, style 5 a `url` (≤ 512) and no `custom_id`, style 6 a `sku_id`; string
 * selects 1–25 `options` (label/value 1–100, description ≤ 100, values unique), `placeholder` ≤ 150, `min_values`
 * 0–25, `max_values` 1–25, ≥ `min_values` and ≤ the number of options; user/role/mentionable/channel selects take
 * `default_values` `[{id, type}]`; every `custom_id` is 1–100 characters and unique in the message.
 * With IS_COMPONENTS_V2: at most 40 components counted recursively (the other V2 rules are not simulated; see
 * {@link findComponentsV2BodyError} for the body-level ones).
 *
 * @param components - the body's `components` (`undefined` / `null` = none, accepted; `[]` clears them, accepted)
 * @param path - where `components` sits in the body: `components` for a message, `data.components` for an
 *   interaction callback
 * @param flags - the message's flags (IS_COMPONENTS_V2 switches the rules)
 * @returns `undefined` when Discord accepts them, else a 400 `Invalid Form Body` (50035) with every error found
 * @example
 * ```ts
 * findComponentsError([{ type: 1, components: sixButtons }]);
 * // errors: { components: { '0': { components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', ... }] } } } }
 * ```
 */
export function findComponentsError(components: unknown, path = 'components', flags = 0): ApiError | undefined {
  if (!present(components)) return undefined;
  const base = pathSegments(path);
  const walk = newWalk(false);
  const list = checkList(walk.errors, base, components, { max: Number.MAX_SAFE_INTEGER });
  if (list === undefined) return formBodyErrors(walk.errors);
  if ((flags & IS_COMPONENTS_V2) !== 0) {
    if (countComponents(list) > COMPONENT_LIMITS.componentsV2Total) {
      addError(walk.errors, base, ComponentProblems.tooManyComponents);
    }
    return formBodyErrors(walk.errors);
  }
  if (list.length > COMPONENT_LIMITS.actionRows) {
    addError(walk.errors, base, FieldMessages.badLength(1, COMPONENT_LIMITS.actionRows));
  }
  list.forEach((row, index) => checkMessageRow(walk, [...base, index], row));
  return formBodyErrors(walk.errors);
}

function usesField(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * Discord's answer to a message body flagged IS_COMPONENTS_V2 that uses legacy fields, or to an edit that drops the
 * flag from a message that has it.
 *
 * @param body - the create or edit body
 * @param previousFlags - for an edit, the stored message's flags (0 for a create)
 * @returns `undefined` when accepted, else a 400 `Invalid Form Body` (50035): `content` (non-empty), `embeds`
 *   (non-empty), `poll` or `sticker_ids` (non-empty) with the flag, each at its own field; a cleared flag at `flags`
 */
export function findComponentsV2BodyError(body: unknown, previousFlags = 0): ApiError | undefined {
  if (!isRecord(body)) return undefined;
  const errors: FieldError[] = [];
  const rawFlags = body['flags'];
  const flags = typeof rawFlags === 'number' ? rawFlags : undefined;
  const wasV2 = (previousFlags & IS_COMPONENTS_V2) !== 0;
  if (wasV2 && flags !== undefined && (flags & IS_COMPONENTS_V2) === 0) {
    addError(errors, ['flags'], ComponentProblems.componentsV2FlagRemoved);
  }
  const isV2 = flags !== undefined ? (flags & IS_COMPONENTS_V2) !== 0 : wasV2;
  if (isV2) {
    for (const field of ['content', 'embeds', 'poll', 'sticker_ids']) {
      if (usesField(body[field])) addError(errors, [field], ComponentProblems.legacyFieldWithV2(field));
    }
  }
  return formBodyErrors(errors);
}

/** A Text Input: legacy ones (in an action row) need a `label`; ones inside a Label must not have one. */
function checkTextInput(walk: Walk, path: FieldPath, input: Record<string, unknown>, legacy: boolean): void {
  const limit = COMPONENT_LIMITS.textInputLength;
  checkCustomId(walk, path, input['custom_id'], FieldMessages.required());
  checkChoice(walk.errors, [...path, 'style'], input['style'], [1, 2], true);
  if (legacy) {
    checkString(walk.errors, [...path, 'label'], input['label'], {
      min: 1,
      max: COMPONENT_LIMITS.label,
      required: true,
    });
  } else if (present(input['label'])) {
    addError(walk.errors, [...path, 'label'], ComponentProblems.labelInsideLabel);
  }
  const minLength = checkInteger(walk.errors, [...path, 'min_length'], input['min_length'], 0, limit);
  const maxLength = checkInteger(walk.errors, [...path, 'max_length'], input['max_length'], 1, limit);
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) {
    addError(walk.errors, [...path, 'min_length'], FieldMessages.numberMax(maxLength));
  }
  checkString(walk.errors, [...path, 'value'], input['value'], { max: maxLength ?? limit });
  checkString(walk.errors, [...path, 'placeholder'], input['placeholder'], {
    max: COMPONENT_LIMITS.textInputPlaceholder,
  });
}

const MODAL_TOP_LEVEL = [ComponentType.ActionRow, ComponentType.Label] as const;
const LABEL_CHILDREN = [ComponentType.StringSelect, ComponentType.TextInput] as const;

function checkModalRow(walk: Walk, path: FieldPath, row: Record<string, unknown>): void {
  const childrenPath = [...path, 'components'];
  const list = checkList(walk.errors, childrenPath, row['components'], { min: 1, max: 1, required: true });
  list?.forEach((raw, index) => {
    const childPath = [...childrenPath, index];
    const child = checkObject(walk.errors, childPath, raw);
    if (!child) return;
    if (child['type'] !== ComponentType.TextInput) {
      addError(walk.errors, childPath, ComponentProblems.typeChoices([ComponentType.TextInput]));
      return;
    }
    checkTextInput(walk, childPath, child, true);
  });
}

function checkLabel(walk: Walk, path: FieldPath, label: Record<string, unknown>): void {
  checkString(walk.errors, [...path, 'label'], label['label'], { min: 1, max: COMPONENT_LIMITS.label, required: true });
  checkString(walk.errors, [...path, 'description'], label['description'], {
    max: COMPONENT_LIMITS.labelDescription,
  });
  const childPath = [...path, 'component'];
  if (!present(label['component'])) {
    addError(walk.errors, childPath, FieldMessages.required());
    return;
  }
  const child = checkObject(walk.errors, childPath, label['component']);
  if (!child) return;
  if (child['type'] === ComponentType.TextInput) checkTextInput(walk, childPath, child, false);
  else if (child['type'] === ComponentType.StringSelect) checkStringSelect(walk, childPath, child);
  else addError(walk.errors, childPath, ComponentProblems.typeChoices(LABEL_CHILDREN));
}

/**
 * Discord's answer to the `data` of a MODAL (type 9) interaction callback that breaks a modal rule. Errors sit under
 * `data`, e.g. `errors.data.components['0'].component.label`.
 *
 * Rules: `custom_id` 1–100, `title` 1–45, 1–5 `components`, each an Action Row (type 1) holding exactly one Text
 * Input (type 4, with a `label` ≤ 45), or a Label (type 18: `label` 1–45, `description` ≤ 100, `component` a Text
 * Input without its own `label` or a string select that is not `disabled`). Text Input: `custom_id` 1–100, `style`
 * 1 or 2, `min_length` 0–4000, `max_length` 1–4000 (≥ `min_length`), `value` ≤ `max_length`, `placeholder` ≤ 100.
 * Every `custom_id` is unique in the modal.
 *
 * @param data - the callback's `data`
 * @returns `undefined` when Discord accepts it, else a 400 `Invalid Form Body` (50035) with every error found
 */
export function findModalError(data: unknown): ApiError | undefined {
  const walk = newWalk(true);
  const base = ['data'];
  if (!present(data)) {
    addError(walk.errors, base, FieldMessages.required());
    return formBodyErrors(walk.errors);
  }
  const modal = checkObject(walk.errors, base, data);
  if (!modal) return formBodyErrors(walk.errors);
  checkString(walk.errors, [...base, 'custom_id'], modal['custom_id'], {
    min: 1,
    max: COMPONENT_LIMITS.customId,
    required: true,
  });
  checkString(walk.errors, [...base, 'title'], modal['title'], {
    min: 1,
    max: COMPONENT_LIMITS.modalTitle,
    required: true,
  });
  const componentsPath = [...base, 'components'];
  const list = checkList(walk.errors, componentsPath, modal['components'], {
    min: 1,
    max: COMPONENT_LIMITS.modalComponents,
    required: true,
  });
  list?.forEach((raw, index) => {
    const path = [...componentsPath, index];
    const component = checkObject(walk.errors, path, raw);
    if (!component) return;
    if (component['type'] === ComponentType.ActionRow) checkModalRow(walk, path, component);
    else if (component['type'] === ComponentType.Label) checkLabel(walk, path, component);
    else addError(walk.errors, path, ComponentProblems.typeChoices(MODAL_TOP_LEVEL));
  });
  return formBodyErrors(walk.errors);
}

/**
 * Discord's answer to the `data` of an AUTOCOMPLETE_RESULT (type 8) callback: `choices` required, at most 25, each
 * with a `name` of 1–100 characters and a `value` (string ≤ 100 characters, or a number). Errors sit under `data`.
 *
 * @param data - the callback's `data`
 * @returns `undefined` when accepted, else a 400 `Invalid Form Body` (50035)
 */
export function findAutocompleteChoicesError(data: unknown): ApiError | undefined {
  const errors: FieldError[] = [];
  const base = ['data'];
  const record = checkObject(errors, base, data);
  if (!record) return formBodyErrors(errors);
  const choicesPath = [...base, 'choices'];
  const choices = checkList(errors, choicesPath, record['choices'], {
    max: COMPONENT_LIMITS.autocompleteChoices,
    required: true,
  });
  choices?.forEach((raw, index) => {
    const path = [...choicesPath, index];
    const choice = checkObject(errors, path, raw);
    if (!choice) return;
    checkString(errors, [...path, 'name'], choice['name'], {
      min: 1,
      max: COMPONENT_LIMITS.choiceText,
      required: true,
    });
    const value = choice['value'];
    if (!present(value)) addError(errors, [...path, 'value'], FieldMessages.required());
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) addError(errors, [...path, 'value'], FieldMessages.notNumber(value));
    } else {
      checkString(errors, [...path, 'value'], value, { max: COMPONENT_LIMITS.choiceText });
    }
  });
  return formBodyErrors(errors);
}

// ---------------------------------------------------------------------------------------------------------------
// Modal submission: what a simulated user filling the modal in sends back.

/** A Text Input as a MODAL_SUBMIT interaction reports it. */
export interface SubmittedTextInput {
  readonly type: 4;
  readonly id?: number;
  readonly custom_id: string;
  readonly value: string;
}

/** A string select as a MODAL_SUBMIT interaction reports it (`type`, not `component_type`). */
export interface SubmittedSelect {
  readonly type: 3;
  readonly id?: number;
  readonly custom_id: string;
  readonly values: readonly string[];
}

/** One top-level entry of a MODAL_SUBMIT interaction's `data.components`. */
export type SubmittedModalComponent =
  | { readonly type: 18; readonly id: number; readonly component: SubmittedTextInput | SubmittedSelect }
  | { readonly type: 1; readonly id?: number; readonly components: readonly SubmittedTextInput[] };

/** What {@link modalSubmitComponents} answers: the submitted components, or why the user could not submit. */
export type ModalSubmission =
  | { readonly ok: true; readonly components: readonly SubmittedModalComponent[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly error: string };

/** The user's answers, by `custom_id`: a string for a text input, the chosen option values for a select. */
export type ModalValues = Readonly<Record<string, string | readonly string[]>>;

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Numeric component ids as Discord fills them in: explicit ones are kept, missing ones get the next free number
 * counting from 1 in depth-first order.
 */
function componentIds(components: readonly unknown[]): Map<Record<string, unknown>, number> {
  const used = new Set<number>();
  const order: Record<string, unknown>[] = [];
  const visit = (list: readonly unknown[]): void => {
    for (const component of list) {
      if (!isRecord(component)) continue;
      order.push(component);
      const explicit = positiveInteger(component['id']);
      if (explicit !== undefined) used.add(explicit);
      visit(children(component));
    }
  };
  visit(components);
  const ids = new Map<Record<string, unknown>, number>();
  let next = 1;
  for (const component of order) {
    let id = positiveInteger(component['id']);
    if (id === undefined) {
      while (used.has(next)) next++;
      id = next;
      used.add(id);
    }
    ids.set(component, id);
  }
  return ids;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function submitTextInput(
  input: Record<string, unknown>,
  answer: string | readonly string[] | undefined,
  errors: string[],
): string {
  const customId = textOf(input['custom_id']) ?? '';
  if (answer !== undefined && typeof answer !== 'string') {
    errors.push(`text input \`${customId}\` takes a string, got a list`);
    return '';
  }
  const value = answer ?? textOf(input['value']) ?? '';
  const required = input['required'] !== false;
  if (value.length === 0) {
    if (required) errors.push(`text input \`${customId}\` is required`);
    return value;
  }
  const min = positiveInteger(input['min_length']) ?? 0;
  const max = positiveInteger(input['max_length']) ?? COMPONENT_LIMITS.textInputLength;
  if (value.length < min || value.length > max) {
    errors.push(`text input \`${customId}\` must be ${min}–${max} characters long, got ${value.length}`);
  }
  return value;
}

function submitSelect(
  select: Record<string, unknown>,
  answer: string | readonly string[] | undefined,
  errors: string[],
): readonly string[] {
  const customId = textOf(select['custom_id']) ?? '';
  const options = Array.isArray(select['options']) ? (select['options'] as unknown[]).filter(isRecord) : [];
  const offered = options.map((option) => textOf(option['value'])).filter((value) => value !== undefined);
  const defaults = options.filter((option) => option['default'] === true).map((option) => textOf(option['value']));
  const values: readonly string[] =
    answer === undefined
      ? defaults.filter((value) => value !== undefined)
      : typeof answer === 'string'
        ? [answer]
        : answer;
  for (const value of values) {
    if (!offered.includes(value)) errors.push(`select \`${customId}\` has no option \`${value}\``);
  }
  const required = select['required'] !== false;
  if (values.length === 0 && !required) return values;
  const min = typeof select['min_values'] === 'number' ? select['min_values'] : 1;
  const max = typeof select['max_values'] === 'number' ? select['max_values'] : 1;
  if (values.length === 0 && min > 0) errors.push(`select \`${customId}\` is required`);
  else if (values.length < min || values.length > max) {
    errors.push(`select \`${customId}\` takes ${min}–${max} values, got ${values.length}`);
  }
  return values;
}

/**
 * What a MODAL_SUBMIT interaction carries in `data.components` once a simulated user filled the modal in, with the
 * checks Discord's client makes before it lets the user submit.
 *
 * Shapes: a Label → `{type:18, id, component:{type:4, id, custom_id, value}}` (or `{type:3, id, custom_id, values}`
 * for a select); a legacy action row → `{type:1, components:[{type:4, custom_id, value}]}`. Component ids are the
 * modal's, or numbered from 1 in depth-first order where the modal gave none.
 *
 * @param modal - the modal's `data` as the bot sent it (`{custom_id, title, components}`)
 * @param values - the user's answers by `custom_id`; a text input left out keeps its prefilled `value` (or `''`), a
 *   select left out keeps its `default` options
 * @returns the components, or readable errors, e.g. ``text input `qty` is required`` (required inputs left empty,
 *   lengths outside `min_length`–`max_length`, options that do not exist, value counts outside
 *   `min_values`–`max_values`, answers for a `custom_id` the modal does not have)
 * @example
 * ```ts
 * const submitted = modalSubmitComponents(modal, { qty: '3' });
 * if (!submitted.ok) throw new Error(submitted.error);
 * ```
 */
export function modalSubmitComponents(modal: unknown, values: ModalValues): ModalSubmission {
  const top = isRecord(modal) && Array.isArray(modal['components']) ? (modal['components'] as unknown[]) : [];
  const ids = componentIds(top);
  const errors: string[] = [];
  const answered = new Set<string>();
  const answer = (customId: string): string | readonly string[] | undefined => {
    answered.add(customId);
    return Object.prototype.hasOwnProperty.call(values, customId) ? values[customId] : undefined;
  };
  const components: SubmittedModalComponent[] = [];
  for (const component of top) {
    if (!isRecord(component)) continue;
    if (component['type'] === ComponentType.Label && isRecord(component['component'])) {
      const child = component['component'];
      const customId = textOf(child['custom_id']) ?? '';
      const childId = ids.get(child)!;
      if (child['type'] === ComponentType.StringSelect) {
        const chosen = submitSelect(child, answer(customId), errors);
        components.push({
          type: 18,
          id: ids.get(component)!,
          component: { type: 3, id: childId, custom_id: customId, values: chosen },
        });
      } else {
        const value = submitTextInput(child, answer(customId), errors);
        components.push({
          type: 18,
          id: ids.get(component)!,
          component: { type: 4, id: childId, custom_id: customId, value },
        });
      }
    } else if (component['type'] === ComponentType.ActionRow && Array.isArray(component['components'])) {
      const inputs: SubmittedTextInput[] = [];
      for (const input of (component['components'] as unknown[]).filter(isRecord)) {
        const customId = textOf(input['custom_id']) ?? '';
        const value = submitTextInput(input, answer(customId), errors);
        const id = positiveInteger(input['id']);
        inputs.push({ type: 4, ...(id === undefined ? {} : { id }), custom_id: customId, value });
      }
      const rowId = positiveInteger(component['id']);
      components.push({ type: 1, ...(rowId === undefined ? {} : { id: rowId }), components: inputs });
    }
  }
  for (const customId of Object.keys(values)) {
    if (!answered.has(customId)) errors.push(`the modal has no text input or select \`${customId}\``);
  }
  return errors.length === 0 ? { ok: true, components } : { ok: false, errors, error: errors.join('; ') };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading components: what a simulated user sees and clicks.

/** One option of a string select, as a simulated user sees it. */
export interface VisibleSelectOption {
  readonly label: string;
  readonly value: string;
  readonly description: string | undefined;
  readonly default: boolean;
}

/** A button or select of a message, flattened for a simulated user. */
export interface InteractiveComponent {
  /** 2 button, 3 string select, 5 user, 6 role, 7 mentionable, 8 channel select. */
  readonly type: number;
  /** The component's numeric `id`, when the message has one. */
  readonly id: number | undefined;
  /** `custom_id` (absent for link and premium buttons). */
  readonly customId: string | undefined;
  /** Button label, or a select's placeholder. */
  readonly label: string | undefined;
  /** Button style (undefined for selects). */
  readonly style: number | undefined;
  /** Link button URL. */
  readonly url: string | undefined;
  readonly disabled: boolean;
  /** String select options (empty for other components). */
  readonly options: readonly VisibleSelectOption[];
  /** Select `min_values` / `max_values` (defaults 1 / 1; both 1 for buttons). */
  readonly minValues: number;
  readonly maxValues: number;
  /** Index of the top-level component (action row, container, section) that holds it. */
  readonly row: number;
  /** Index inside its parent's `components` (0 for an accessory). */
  readonly index: number;
  /** The raw component as the message carries it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const INTERACTIVE: ReadonlySet<unknown> = new Set([2, 3, 5, 6, 7, 8]);

function visibleOptions(component: Record<string, unknown>): VisibleSelectOption[] {
  const options = component['options'];
  if (!Array.isArray(options)) return [];
  return (options as unknown[]).filter(isRecord).map((option) => ({
    label: textOf(option['label']) ?? '',
    value: textOf(option['value']) ?? '',
    description: textOf(option['description']),
    default: option['default'] === true,
  }));
}

function interactive(component: Record<string, unknown>, row: number, index: number): InteractiveComponent {
  const isButton = component['type'] === ComponentType.Button;
  return {
    type: component['type'] as number,
    id: positiveInteger(component['id']),
    customId: textOf(component['custom_id']),
    label: textOf(isButton ? component['label'] : component['placeholder']),
    style: isButton && typeof component['style'] === 'number' ? component['style'] : undefined,
    url: textOf(component['url']),
    disabled: component['disabled'] === true,
    options: visibleOptions(component),
    minValues: !isButton && typeof component['min_values'] === 'number' ? component['min_values'] : 1,
    maxValues: !isButton && typeof component['max_values'] === 'number' ? component['max_values'] : 1,
    row,
    index,
    raw: component,
  };
}

/**
 * Every button and select of a message, in reading order, with legacy action rows and V2 layouts (containers,
 * sections and their accessories) flattened.
 *
 * @param components - a message's `components`
 * @returns the interactive components; `[]` for anything that is not a list
 */
export function listInteractiveComponents(components: unknown): InteractiveComponent[] {
  if (!Array.isArray(components)) return [];
  const found: InteractiveComponent[] = [];
  const visit = (list: readonly unknown[], row: number | undefined): void => {
    list.forEach((component, index) => {
      if (!isRecord(component)) return;
      const top = row ?? index;
      if (INTERACTIVE.has(component['type'])) found.push(interactive(component, top, index));
      const nested = component['components'];
      if (Array.isArray(nested)) visit(nested as unknown[], top);
      const accessory = component['accessory'];
      if (isRecord(accessory) && INTERACTIVE.has(accessory['type'])) found.push(interactive(accessory, top, 0));
    });
  };
  visit(components as unknown[], undefined);
  return found;
}

/**
 * The first button or select of a message that matches.
 *
 * @param components - a message's `components`
 * @param predicate - e.g. `(c) => c.type === 2 && c.label === 'Confirm'`
 * @returns the component, or `undefined`
 * @example
 * ```ts
 * const confirm = findComponent(message.components, (c) => c.label === 'Confirm' && !c.disabled);
 * ```
 */
export function findComponent(
  components: unknown,
  predicate: (component: InteractiveComponent) => boolean,
): InteractiveComponent | undefined {
  return listInteractiveComponents(components).find(predicate);
}

/**
 * The `data` of the MESSAGE_COMPONENT interaction a click or a selection produces: `{custom_id, component_type}`
 * for a button, plus `values` for a select.
 *
 * @param component - the clicked component (from {@link findComponent})
 * @param values - for a select, the chosen values (option values, or ids for user/role/mentionable/channel selects)
 * @returns the interaction's `data` (without `resolved`, which the caller builds for id selects)
 */
export function componentInteractionData(
  component: InteractiveComponent,
  values: readonly string[] = [],
): { readonly custom_id: string; readonly component_type: number; readonly values?: readonly string[] } {
  const customId = component.customId ?? '';
  if (component.type === ComponentType.Button) return { custom_id: customId, component_type: component.type };
  return { custom_id: customId, component_type: component.type, values: [...values] };
}

/** Whether a component type is a user, role, mentionable or channel select. */
export function isAutoPopulatedSelect(type: unknown): boolean {
  return AUTO_SELECTS.has(type as number);
}
