/**
 * Typed component builders (discord-api-types objects) for the flows' screens, with Discord's limits checked when
 * a screen is built — 5 action rows, 5 buttons a row, 25 select options, labels of 80 characters, 100 for an
 * option — so that a flow that would break one fails in its tests, not in front of a member.
 *
 * @module
 */
import {
  ButtonStyle,
  ComponentType,
  SelectMenuDefaultValueType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
  type APIStringSelectComponent,
  type APITextInputComponent,
  type APIRoleSelectComponent,
  type APIUserSelectComponent,
  type APIModalSubmitInteraction,
} from 'discord-api-types/v10';

/** Discord's limits on message components. */
export const ComponentLimits = {
  rows: 5,
  buttonsPerRow: 5,
  selectOptions: 25,
  buttonLabel: 80,
  optionLabel: 100,
  modalInputs: 5,
} as const;

/** ← Back: the label of every step's way back. */
export const BACK_LABEL = '← Back';

/** A message action row. */
export type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

/**
 * A button.
 *
 * @param label - its text (≤ 80 characters)
 * @param customId - its `custom_id`
 * @param style - Primary, Secondary (default), Success or Danger
 * @param disabled - greyed out
 * @returns the button
 */
export function button(
  label: string,
  customId: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger = ButtonStyle.Secondary,
  disabled = false,
): APIButtonComponentWithCustomId {
  if (label.length === 0 || label.length > ComponentLimits.buttonLabel) {
    throw new Error(`Button label "${label}" must be 1 to ${ComponentLimits.buttonLabel} characters.`);
  }
  return { type: ComponentType.Button, style, label, custom_id: customId, ...(disabled ? { disabled } : {}) };
}

/**
 * A row of buttons (1 to 5).
 *
 * @param buttons - the buttons
 * @returns the row
 */
export function buttonRow(...buttons: APIButtonComponentWithCustomId[]): Row {
  if (buttons.length === 0 || buttons.length > ComponentLimits.buttonsPerRow) {
    throw new Error(`A row holds 1 to ${ComponentLimits.buttonsPerRow} buttons, got ${buttons.length}.`);
  }
  return { type: ComponentType.ActionRow, components: buttons };
}

/** The labels of the page buttons most lists use. */
export const PAGE_LABELS = { previous: '◀ Previous', next: 'Next ▶' } as const;

/** Where a paginated list is (`paginate`'s `Page` is one): the page shown, 0-based, of how many. */
export interface PagePosition {
  readonly page: number;
  readonly pages: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

/** How {@link pageButtons} shows. */
export interface PageButtonsOptions {
  /** The two labels. @defaultValue {@link PAGE_LABELS} */
  readonly labels?: { readonly previous: string; readonly next: string };
  /** Whether a single page shows them too (both disabled). @defaultValue false */
  readonly evenForOnePage?: boolean;
}

/**
 * ◀ Previous / Next ▶ for a paginated list: each asks for its page by its `custom_id`, and the one with no page to
 * go to is disabled. A single page has none, unless {@link PageButtonsOptions.evenForOnePage}.
 *
 * @param page - the page shown
 * @param pageId - the `custom_id` that asks for a page (read it back with {@link pageArg})
 * @param options - labels, and whether a single page shows them
 * @returns the buttons, for a row of their own or after others
 */
export function pageButtons(
  page: PagePosition,
  pageId: (page: number) => string,
  options: PageButtonsOptions = {},
): APIButtonComponentWithCustomId[] {
  if (page.pages <= 1 && options.evenForOnePage !== true) return [];
  const labels = options.labels ?? PAGE_LABELS;
  return [
    button(labels.previous, pageId(page.page - 1), ButtonStyle.Secondary, !page.hasPrevious),
    button(labels.next, pageId(page.page + 1), ButtonStyle.Secondary, !page.hasNext),
  ];
}

/**
 * The page a page button asks for.
 *
 * @param arg - the button's `custom_id` argument
 * @returns the page (0 when it is not a whole number; `paginate` clamps the rest)
 */
export function pageArg(arg: string | undefined): number {
  const page = Number(arg);
  return Number.isSafeInteger(page) ? page : 0;
}

/**
 * A row with one string select.
 *
 * @param customId - its `custom_id`
 * @param placeholder - the text shown before a choice
 * @param options - 1 to 25 options
 * @param range - how many may be chosen (default exactly 1)
 * @returns the row
 */
export function selectRow(
  customId: string,
  placeholder: string,
  options: readonly APISelectMenuOption[],
  range: { readonly min?: number; readonly max?: number } = {},
): Row {
  if (options.length === 0 || options.length > ComponentLimits.selectOptions) {
    throw new Error(
      `Select "${placeholder}" needs 1 to ${ComponentLimits.selectOptions} options, got ${options.length}.`,
    );
  }
  for (const option of options) {
    if (option.label.length === 0 || option.label.length > ComponentLimits.optionLabel) {
      throw new Error(`Option label "${option.label}" must be 1 to ${ComponentLimits.optionLabel} characters.`);
    }
  }
  const select: APIStringSelectComponent = {
    type: ComponentType.StringSelect,
    custom_id: customId,
    placeholder,
    options: [...options],
    min_values: range.min ?? 1,
    max_values: Math.min(range.max ?? 1, options.length),
  };
  return { type: ComponentType.ActionRow, components: [select] };
}

/**
 * A row with one role select.
 *
 * @param customId - its `custom_id`
 * @param placeholder - the text shown before a choice
 * @param chosen - roles shown as chosen
 * @param max - most roles (default 25)
 * @returns the row
 */
export function roleSelectRow(customId: string, placeholder: string, chosen: readonly string[], max = 25): Row {
  const select: APIRoleSelectComponent = {
    type: ComponentType.RoleSelect,
    custom_id: customId,
    placeholder,
    min_values: 0,
    max_values: max,
    ...(chosen.length === 0
      ? {}
      : { default_values: chosen.map((id) => ({ id, type: SelectMenuDefaultValueType.Role as const })) }),
  };
  return { type: ComponentType.ActionRow, components: [select] };
}

/**
 * A row with one user select (exactly one user).
 *
 * @param customId - its `custom_id`
 * @param placeholder - the text shown before a choice
 * @returns the row
 */
export function userSelectRow(customId: string, placeholder: string): Row {
  const select: APIUserSelectComponent = {
    type: ComponentType.UserSelect,
    custom_id: customId,
    placeholder,
    min_values: 1,
    max_values: 1,
  };
  return { type: ComponentType.ActionRow, components: [select] };
}

/**
 * Checks a screen's rows against Discord's limit.
 *
 * @param rows - the rows
 * @returns the rows
 */
export function rows(...all: (Row | undefined | false)[]): Row[] {
  const kept = all.filter((row): row is Row => row !== undefined && row !== false);
  if (kept.length > ComponentLimits.rows) {
    throw new Error(`A message holds ${ComponentLimits.rows} action rows, this screen has ${kept.length}.`);
  }
  return kept;
}

/** One text field of a modal: built and parsed from this one definition. */
export interface ModalField {
  readonly id: string;
  readonly label: string;
  readonly style?: 'short' | 'paragraph';
  readonly required?: boolean;
  readonly minLength?: number;
  readonly maxLength: number;
  readonly placeholder?: string;
}

/**
 * A modal from its field definitions.
 *
 * @param customId - the modal's `custom_id`
 * @param title - its title (≤ 45 characters)
 * @param fields - 1 to 5 fields
 * @param values - pre-filled values by field id
 * @returns the modal
 */
export function modal(
  customId: string,
  title: string,
  fields: readonly ModalField[],
  values: Readonly<Record<string, string>> = {},
): APIModalInteractionResponseCallbackData {
  if (fields.length === 0 || fields.length > ComponentLimits.modalInputs) {
    throw new Error(`A modal holds 1 to ${ComponentLimits.modalInputs} fields, got ${fields.length}.`);
  }
  return {
    custom_id: customId,
    title,
    components: fields.map((field) => {
      const input: APITextInputComponent = {
        type: ComponentType.TextInput,
        custom_id: field.id,
        label: field.label,
        style: field.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
        required: field.required ?? true,
        max_length: field.maxLength,
        ...(field.minLength === undefined ? {} : { min_length: field.minLength }),
        ...(field.placeholder === undefined ? {} : { placeholder: field.placeholder }),
        ...(values[field.id] === undefined ? {} : { value: values[field.id] }),
      };
      return { type: ComponentType.ActionRow, components: [input] };
    }),
  };
}

/**
 * Reads a submitted modal's fields by their definitions (trimmed; a missing optional field is `''`).
 *
 * @param interaction - the submission
 * @param fields - the definitions the modal was built from
 * @returns the values by field id
 */
export function readModal<F extends readonly ModalField[]>(
  interaction: APIModalSubmitInteraction,
  fields: F,
): Record<F[number]['id'], string> {
  const submitted = new Map<string, string>();
  // Text inputs come in action rows, or (newer modals) one per label.
  for (const top of interaction.data.components as readonly unknown[]) {
    const record = top as { components?: unknown[]; component?: unknown };
    for (const child of record.components ?? (record.component === undefined ? [] : [record.component])) {
      const input = child as { custom_id?: unknown; value?: unknown };
      if (typeof input.custom_id === 'string' && typeof input.value === 'string') {
        submitted.set(input.custom_id, input.value);
      }
    }
  }
  const values = {} as Record<string, string>;
  for (const field of fields) values[field.id] = (submitted.get(field.id) ?? '').trim();
  return values as Record<F[number]['id'], string>;
}

/**
 * The values of a select.
 *
 * @param interaction - a component or modal interaction
 * @returns the values chosen (none for a button or a modal)
 */
export function selectedValues(interaction: { readonly data: unknown }): readonly string[] {
  const data = interaction.data as { values?: unknown };
  return Array.isArray(data.values) ? data.values.filter((value): value is string => typeof value === 'string') : [];
}
