import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/testing/simulator/discord-errors.js';
import {
  componentInteractionData,
  countComponents,
  findAutocompleteChoicesError,
  findComponent,
  findComponentsError,
  findComponentsV2BodyError,
  findModalError,
  IS_COMPONENTS_V2,
  listInteractiveComponents,
  modalSubmitComponents,
} from '../../src/testing/simulator/interactions/component-rules.js';

type Json = Record<string, unknown>;

function button(customId: string, label = 'Go', extra: Json = {}): Json {
  return { type: 2, style: 1, custom_id: customId, label, ...extra };
}

function link(url: string, extra: Json = {}): Json {
  return { type: 2, style: 5, label: 'Docs', url, ...extra };
}

function select(customId: string, optionCount = 2, extra: Json = {}): Json {
  const options = Array.from({ length: optionCount }, (_, i) => ({ label: `Option ${i}`, value: `v${i}` }));
  return { type: 3, custom_id: customId, options, ...extra };
}

function row(...components: Json[]): Json {
  return { type: 1, components };
}

function buttons(count: number, prefix = 'b'): Json[] {
  return Array.from({ length: count }, (_, i) => button(`${prefix}${i}`));
}

/** The `errors` tree of an answer (fails when there is none, so a missing error fails loudly). */
function errorsOf(answer: ApiError | undefined): unknown {
  expect(answer).toBeDefined();
  expect(answer!.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
  return answer!.body.errors;
}

/** The node at a dotted path of an errors tree, e.g. `components.0.components._errors.0.code`. */
function dig(tree: unknown, path: string): unknown {
  let node = tree;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function leaf(code: string, message: string): { _errors: { code: string; message: string }[] } {
  return { _errors: [{ code, message }] };
}

describe('findComponentsError (legacy message components)', () => {
  it('accepts 5 rows of 5 buttons, a row with one select, an empty list and no components', () => {
    const rows = Array.from({ length: 5 }, (_, r) => row(...buttons(5, `r${r}-`)));
    expect(findComponentsError(rows)).toBeUndefined();
    expect(findComponentsError([row(select('s'))])).toBeUndefined();
    expect(findComponentsError([])).toBeUndefined();
    expect(findComponentsError(undefined)).toBeUndefined();
    expect(findComponentsError(null)).toBeUndefined();
  });

  it('refuses 6 buttons in a row with Discord exact body', () => {
    expect(findComponentsError([row(...buttons(6))])).toEqual({
      status: 400,
      body: {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          components: {
            '0': {
              components: leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.'),
            },
          },
        },
      },
    });
  });

  it('refuses 6 rows and an empty row', () => {
    const rows = Array.from({ length: 6 }, (_, r) => row(button(`r${r}`)));
    expect(errorsOf(findComponentsError(rows))).toEqual({
      components: leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.'),
    });
    expect(dig(errorsOf(findComponentsError([row()])), 'components.0.components._errors.0.code')).toBe(
      'BASE_TYPE_BAD_LENGTH',
    );
  });

  it('refuses a label of 81 characters at components.0.components.2.label, accepts 80', () => {
    const ok = [row(button('a'), button('b'), button('c', 'x'.repeat(80)))];
    expect(findComponentsError(ok)).toBeUndefined();
    const tooLong = [row(button('a'), button('b'), button('c', 'x'.repeat(81)))];
    expect(errorsOf(findComponentsError(tooLong))).toEqual({
      components: {
        '0': { components: { '2': { label: leaf('BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.') } } },
      },
    });
  });

  it('accepts a custom_id of 100 characters, refuses 101 and the empty string', () => {
    expect(findComponentsError([row(button('x'.repeat(100)))])).toBeUndefined();
    for (const customId of ['x'.repeat(101), '']) {
      const errors = errorsOf(findComponentsError([row(button(customId))]));
      expect(dig(errors, 'components.0.components.0.custom_id._errors')).toEqual([
        { code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' },
      ]);
    }
  });

  it('refuses a custom_id used twice in the message, on the later component', () => {
    const errors = errorsOf(findComponentsError([row(button('same'), button('other')), row(select('same'))]));
    expect(errors).toEqual({
      components: {
        '1': {
          components: {
            '0': { custom_id: leaf('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated') },
          },
        },
      },
    });
    const disabled = [row(button('dup', 'A', { disabled: true }), button('dup', 'B', { disabled: true }))];
    expect(dig(errorsOf(findComponentsError(disabled)), 'components.0.components.1.custom_id._errors.0.code')).toBe(
      'COMPONENT_CUSTOM_ID_DUPLICATED',
    );
  });

  it('applies the link button rules', () => {
    expect(findComponentsError([row(link('https://example.com'), button('a'))])).toBeUndefined();
    expect(findComponentsError([row(link(`https://example.com/${'a'.repeat(512 - 20)}`))])).toBeUndefined();
    const longUrl = `https://example.com/${'a'.repeat(513 - 20)}`;
    expect(dig(errorsOf(findComponentsError([row(link(longUrl))])), 'components.0.components.0.url')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 512 or fewer in length.'),
    );
    const noUrl = errorsOf(findComponentsError([row({ type: 2, style: 5, label: 'Docs' })]));
    expect(dig(noUrl, 'components.0.components.0.url._errors.0.code')).toBe('BUTTON_COMPONENT_URL_REQUIRED');
    const withId = errorsOf(findComponentsError([row(link('https://example.com', { custom_id: 'x' }))]));
    expect(dig(withId, 'components.0.components.0.custom_id._errors.0.code')).toBe(
      'BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE',
    );
  });

  it('requires a custom_id and refuses a url on styles 1-4; refuses unknown styles; accepts premium with sku_id', () => {
    const noId = errorsOf(findComponentsError([row({ type: 2, style: 3, label: 'Yes' })]));
    expect(dig(noId, 'components.0.components.0.custom_id')).toEqual(
      leaf('BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required'),
    );
    const withUrl = errorsOf(findComponentsError([row(button('a', 'A', { url: 'https://example.com' }))]));
    expect(dig(withUrl, 'components.0.components.0.url._errors.0.code')).toBe(
      'BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE',
    );
    const badStyle = errorsOf(findComponentsError([row(button('a', 'A', { style: 7 }))]));
    expect(dig(badStyle, 'components.0.components.0.style')).toEqual(
      leaf('BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.'),
    );
    expect(findComponentsError([row({ type: 2, style: 6, sku_id: '1234' })])).toBeUndefined();
    const unlabelled = errorsOf(findComponentsError([row({ type: 2, style: 1, custom_id: 'a' })]));
    expect(dig(unlabelled, 'components.0.components.0._errors.0.code')).toBe(
      'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED',
    );
    expect(findComponentsError([row({ type: 2, style: 1, custom_id: 'a', emoji: { name: '✅' } })])).toBeUndefined();
  });

  it('refuses a select next to a button, in either order, on the component that does not fit', () => {
    const width = leaf('COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    expect(errorsOf(findComponentsError([row(button('a'), select('s'))]))).toEqual({
      components: { '0': { components: { '1': width } } },
    });
    expect(errorsOf(findComponentsError([row(select('s'), button('a'))]))).toEqual({
      components: { '0': { components: { '1': width } } },
    });
    expect(dig(errorsOf(findComponentsError([row(select('s'), select('t'))])), 'components.0.components.1')).toEqual(
      width,
    );
  });

  it('applies the string select limits', () => {
    expect(findComponentsError([row(select('s', 25))])).toBeUndefined();
    const tooMany = errorsOf(findComponentsError([row(select('s', 26))]));
    expect(dig(tooMany, 'components.0.components.0.options')).toEqual(
      leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.'),
    );
    const none = errorsOf(findComponentsError([row(select('s', 0))]));
    expect(dig(none, 'components.0.components.0.options._errors.0.code')).toBe('BASE_TYPE_BAD_LENGTH');
    const longLabel = select('s', 1);
    (longLabel['options'] as Json[])[0]!['label'] = 'x'.repeat(101);
    expect(dig(errorsOf(findComponentsError([row(longLabel)])), 'components.0.components.0.options.0.label')).toEqual(
      leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'),
    );
    expect(findComponentsError([row(select('s', 2, { placeholder: 'p'.repeat(150) }))])).toBeUndefined();
    expect(
      dig(
        errorsOf(findComponentsError([row(select('s', 2, { placeholder: 'p'.repeat(151) }))])),
        'components.0.components.0.placeholder',
      ),
    ).toEqual(leaf('BASE_TYPE_MAX_LENGTH', 'Must be 150 or fewer in length.'));
  });

  it('checks min_values and max_values', () => {
    expect(findComponentsError([row(select('s', 25, { min_values: 0, max_values: 25 }))])).toBeUndefined();
    const at = (extra: Json, options = 25) =>
      dig(errorsOf(findComponentsError([row(select('s', options, extra))])), 'components.0.components.0');
    expect(dig(at({ min_values: 26, max_values: 25 }), 'min_values')).toEqual(
      leaf('NUMBER_TYPE_MAX', 'int value should be less than or equal to 25.'),
    );
    expect(dig(at({ max_values: 0 }), 'max_values')).toEqual(
      leaf('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.'),
    );
    expect(dig(at({ max_values: 26 }), 'max_values._errors.0.code')).toBe('NUMBER_TYPE_MAX');
    expect(dig(at({ min_values: 3, max_values: 2 }), 'max_values')).toEqual(
      leaf('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 3.'),
    );
    expect(dig(at({ max_values: 3 }, 2), 'options')).toEqual(
      leaf('BASE_TYPE_MIN_LENGTH', 'Must be 3 or more in length.'),
    );
  });

  it('refuses duplicated option values and more defaults than max_values', () => {
    const dup = select('s', 2);
    (dup['options'] as Json[])[1]!['value'] = 'v0';
    expect(dig(errorsOf(findComponentsError([row(dup)])), 'components.0.components.0.options.1.value')).toEqual(
      leaf('SELECT_COMPONENT_OPTION_VALUE_DUPLICATED', 'The specified option value is already used'),
    );
    const defaults = select('s', 2);
    for (const option of defaults['options'] as Json[]) option['default'] = true;
    expect(
      dig(errorsOf(findComponentsError([row(defaults)])), 'components.0.components.0.options._errors.0.code'),
    ).toBe('SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES');
  });

  it('checks default_values of user, role, mentionable and channel selects', () => {
    const userSelect = { type: 5, custom_id: 'u', default_values: [{ id: '123', type: 'user' }] };
    expect(findComponentsError([row(userSelect)])).toBeUndefined();
    const mentionable = {
      type: 7,
      custom_id: 'm',
      max_values: 2,
      default_values: [
        { id: '1', type: 'role' },
        { id: '2', type: 'user' },
      ],
    };
    expect(findComponentsError([row(mentionable)])).toBeUndefined();
    const wrongType = { type: 6, custom_id: 'r', default_values: [{ id: '123', type: 'user' }] };
    expect(
      dig(errorsOf(findComponentsError([row(wrongType)])), 'components.0.components.0.default_values.0.type'),
    ).toEqual(leaf('BASE_TYPE_CHOICES', 'Value must be one of {role}.'));
    const tooMany = {
      type: 8,
      custom_id: 'c',
      default_values: [
        { id: '1', type: 'channel' },
        { id: '2', type: 'channel' },
      ],
    };
    expect(
      dig(errorsOf(findComponentsError([row(tooMany)])), 'components.0.components.0.default_values._errors.0.code'),
    ).toBe('SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES');
  });

  it('refuses component types that do not belong where they stand', () => {
    expect(dig(errorsOf(findComponentsError([row({ type: 99 })])), 'components.0.components.0')).toEqual(
      leaf('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).'),
    );
    expect(
      dig(
        errorsOf(findComponentsError([row({ type: 4, custom_id: 't', style: 1, label: 'x' })])),
        'components.0.components.0._errors.0.code',
      ),
    ).toBe('UNION_TYPE_CHOICES');
    expect(dig(errorsOf(findComponentsError([button('a')])), 'components.0')).toEqual(
      leaf('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).'),
    );
    expect(errorsOf(findComponentsError('nope'))).toEqual({
      components: leaf('LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType'),
    });
  });

  it('reports every error of the body at once, under the given path', () => {
    const body = [row(button('a', 'x'.repeat(81)), button('a'))];
    expect(errorsOf(findComponentsError(body, 'data.components'))).toEqual({
      data: {
        components: {
          '0': {
            components: {
              '0': { label: leaf('BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.') },
              '1': { custom_id: leaf('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated') },
            },
          },
        },
      },
    });
  });
});

describe('IS_COMPONENTS_V2', () => {
  const text = (i: number): Json => ({ type: 10, content: `line ${i}` });

  it('counts components recursively and allows 40', () => {
    const container = { type: 17, components: Array.from({ length: 39 }, (_, i) => text(i)) };
    expect(countComponents([container])).toBe(40);
    expect(findComponentsError([container], 'components', IS_COMPONENTS_V2)).toBeUndefined();
    const section = { type: 9, components: [text(0)], accessory: button('a') };
    expect(countComponents([section])).toBe(3);
  });

  it('refuses 41 components', () => {
    const container = { type: 17, components: Array.from({ length: 40 }, (_, i) => text(i)) };
    expect(
      dig(errorsOf(findComponentsError([container], 'components', IS_COMPONENTS_V2)), 'components._errors.0.code'),
    ).toBe('COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED');
  });

  it('refuses content and embeds with the flag, and removing the flag', () => {
    expect(errorsOf(findComponentsV2BodyError({ flags: IS_COMPONENTS_V2, content: 'hi', embeds: [{}] }))).toEqual({
      content: leaf(
        'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      ),
      embeds: leaf(
        'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      ),
    });
    expect(findComponentsV2BodyError({ flags: IS_COMPONENTS_V2, content: '', embeds: [] })).toBeUndefined();
    expect(findComponentsV2BodyError({ content: 'hi', embeds: [{}] })).toBeUndefined();
    expect(dig(errorsOf(findComponentsV2BodyError({ content: 'edit' }, IS_COMPONENTS_V2)), 'content')).toBeDefined();
    expect(dig(errorsOf(findComponentsV2BodyError({ flags: 0 }, IS_COMPONENTS_V2)), 'flags._errors.0.code')).toBe(
      'MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG',
    );
  });
});

function textInput(customId: string, extra: Json = {}): Json {
  return { type: 4, custom_id: customId, style: 1, ...extra };
}

function labelled(label: string, component: Json, extra: Json = {}): Json {
  return { type: 18, label, component, ...extra };
}

function modal(components: Json[], extra: Json = {}): Json {
  return { custom_id: 'order', title: 'Order', components, ...extra };
}

describe('findModalError', () => {
  it('accepts Labels and legacy action rows', () => {
    const data = modal([
      labelled('Quantity', textInput('qty', { min_length: 1, max_length: 3 }), { description: 'How many?' }),
      row(textInput('note', { label: 'Note', style: 2 })),
      labelled('Size', select('size')),
    ]);
    expect(findModalError(data)).toBeUndefined();
  });

  it('accepts 5 components and refuses 6 or none, under data', () => {
    const five = Array.from({ length: 5 }, (_, i) => labelled(`L${i}`, textInput(`t${i}`)));
    expect(findModalError(modal(five))).toBeUndefined();
    const six = Array.from({ length: 6 }, (_, i) => labelled(`L${i}`, textInput(`t${i}`)));
    expect(errorsOf(findModalError(modal(six)))).toEqual({
      data: { components: leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.') },
    });
    expect(dig(errorsOf(findModalError(modal([]))), 'data.components._errors.0.code')).toBe('BASE_TYPE_BAD_LENGTH');
  });

  it('accepts a title of 45 characters and refuses 46 or none', () => {
    const one = [labelled('L', textInput('t'))];
    expect(findModalError(modal(one, { title: 't'.repeat(45) }))).toBeUndefined();
    expect(errorsOf(findModalError(modal(one, { title: 't'.repeat(46) })))).toEqual({
      data: { title: leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.') },
    });
    expect(dig(errorsOf(findModalError(modal(one, { title: undefined }))), 'data.title')).toEqual(
      leaf('BASE_TYPE_REQUIRED', 'This field is required'),
    );
    expect(
      dig(errorsOf(findModalError(modal(one, { custom_id: 'c'.repeat(101) }))), 'data.custom_id._errors.0.code'),
    ).toBe('BASE_TYPE_BAD_LENGTH');
  });

  it('checks text input min_length, max_length, value, placeholder and style', () => {
    const at = (input: Json) =>
      dig(errorsOf(findModalError(modal([labelled('L', textInput('t', input))]))), 'data.components.0.component');
    expect(
      findModalError(modal([labelled('L', textInput('t', { min_length: 4000, max_length: 4000 }))])),
    ).toBeUndefined();
    expect(findModalError(modal([labelled('L', textInput('t', { min_length: 0, max_length: 1 }))]))).toBeUndefined();
    expect(dig(at({ min_length: 4001 }), 'min_length')).toEqual(
      leaf('NUMBER_TYPE_MAX', 'int value should be less than or equal to 4000.'),
    );
    expect(dig(at({ min_length: -1 }), 'min_length')).toEqual(
      leaf('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 0.'),
    );
    expect(dig(at({ max_length: 0 }), 'max_length')).toEqual(
      leaf('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.'),
    );
    expect(dig(at({ max_length: 4001 }), 'max_length._errors.0.code')).toBe('NUMBER_TYPE_MAX');
    expect(dig(at({ min_length: 5, max_length: 4 }), 'min_length._errors.0.code')).toBe('NUMBER_TYPE_MAX');
    expect(dig(at({ value: 'v'.repeat(4001) }), 'value')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 4000 or fewer in length.'),
    );
    expect(dig(at({ placeholder: 'p'.repeat(101) }), 'placeholder')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
    );
    expect(dig(at({ style: 3 }), 'style')).toEqual(leaf('BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.'));
  });

  it('applies the Label rules', () => {
    const at = (component: Json) => dig(errorsOf(findModalError(modal([component]))), 'data.components.0');
    expect(dig(at(labelled('x'.repeat(46), textInput('t'))), 'label')).toEqual(
      leaf('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.'),
    );
    expect(findModalError(modal([labelled('x'.repeat(45), textInput('t'))]))).toBeUndefined();
    expect(dig(at(labelled('L', textInput('t'), { description: 'd'.repeat(101) })), 'description')).toEqual(
      leaf('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
    );
    expect(dig(at(labelled('L', textInput('t', { label: 'Own' }))), 'component.label._errors.0.code')).toBe(
      'TEXT_INPUT_LABEL_NOT_ALLOWED',
    );
    expect(dig(at(labelled('L', select('s', 2, { disabled: true }))), 'component.disabled._errors.0.code')).toBe(
      'COMPONENT_DISABLED_NOT_ALLOWED',
    );
    expect(dig(at(labelled('L', button('b'))), 'component')).toEqual(
      leaf('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4).'),
    );
    expect(dig(at({ type: 18, label: 'L' }), 'component._errors.0.code')).toBe('BASE_TYPE_REQUIRED');
  });

  it('applies the legacy action row rules', () => {
    const at = (component: Json) => dig(errorsOf(findModalError(modal([component]))), 'data.components.0');
    expect(dig(at(row(textInput('t'))), 'components.0.label')).toEqual(
      leaf('BASE_TYPE_REQUIRED', 'This field is required'),
    );
    expect(dig(at(row(button('b'))), 'components.0')).toEqual(
      leaf('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (4,).'),
    );
    expect(
      dig(at(row(textInput('a', { label: 'A' }), textInput('b', { label: 'B' }))), 'components._errors.0.code'),
    ).toBe('BASE_TYPE_BAD_LENGTH');
    expect(at({ type: 2, style: 1, custom_id: 'x', label: 'x' })).toEqual(
      leaf('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 18).'),
    );
  });

  it('refuses a custom_id used twice in the modal', () => {
    const data = modal([labelled('A', textInput('same')), labelled('B', textInput('same'))]);
    expect(dig(errorsOf(findModalError(data)), 'data.components.1.component.custom_id._errors.0.code')).toBe(
      'COMPONENT_CUSTOM_ID_DUPLICATED',
    );
  });
});

describe('findAutocompleteChoicesError', () => {
  const choices = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `n${i}`, value: `v${i}` }));

  it('accepts 25 choices, refuses 26', () => {
    expect(findAutocompleteChoicesError({ choices: choices(25) })).toBeUndefined();
    expect(findAutocompleteChoicesError({ choices: [] })).toBeUndefined();
    expect(errorsOf(findAutocompleteChoicesError({ choices: choices(26) }))).toEqual({
      data: { choices: leaf('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.') },
    });
  });

  it('checks names and values', () => {
    const errors = errorsOf(
      findAutocompleteChoicesError({
        choices: [{ name: 'n'.repeat(101), value: 1 }, { name: 'ok' }, { name: 'x', value: 'v'.repeat(101) }],
      }),
    );
    expect(dig(errors, 'data.choices.0.name._errors.0.code')).toBe('BASE_TYPE_BAD_LENGTH');
    expect(dig(errors, 'data.choices.1.value._errors.0.code')).toBe('BASE_TYPE_REQUIRED');
    expect(dig(errors, 'data.choices.2.value._errors.0.code')).toBe('BASE_TYPE_MAX_LENGTH');
    expect(dig(errorsOf(findAutocompleteChoicesError({})), 'data.choices._errors.0.code')).toBe('BASE_TYPE_REQUIRED');
  });
});

describe('modalSubmitComponents', () => {
  const orderModal = modal([
    labelled('Quantity', textInput('qty', { min_length: 1, max_length: 3 })),
    row(textInput('note', { label: 'Note', style: 2, required: false })),
    labelled('Size', select('size', 3)),
  ]);

  it('answers the shapes a MODAL_SUBMIT interaction carries, with ids numbered depth first', () => {
    const submitted = modalSubmitComponents(orderModal, { qty: '3', note: 'fast', size: ['v1'] });
    expect(submitted).toEqual({
      ok: true,
      components: [
        { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 'qty', value: '3' } },
        { type: 1, components: [{ type: 4, custom_id: 'note', value: 'fast' }] },
        { type: 18, id: 5, component: { type: 3, id: 6, custom_id: 'size', values: ['v1'] } },
      ],
    });
  });

  it('keeps explicit component ids', () => {
    const data = modal([{ ...labelled('Q', textInput('qty', { id: 7 })), id: 2 }, labelled('R', textInput('r'))]);
    const submitted = modalSubmitComponents(data, { qty: '1', r: 'x' });
    expect(submitted.ok && submitted.components).toEqual([
      { type: 18, id: 2, component: { type: 4, id: 7, custom_id: 'qty', value: '1' } },
      { type: 18, id: 1, component: { type: 4, id: 3, custom_id: 'r', value: 'x' } },
    ]);
  });

  it('reports a required text input left empty, in words', () => {
    const submitted = modalSubmitComponents(orderModal, { size: 'v0' });
    expect(submitted).toEqual({
      ok: false,
      errors: ['text input `qty` is required'],
      error: 'text input `qty` is required',
    });
  });

  it('reports lengths outside min_length..max_length, unknown options and unknown custom ids', () => {
    const submitted = modalSubmitComponents(orderModal, { qty: '1234', size: ['nope'], extra: 'x' });
    expect(submitted.ok).toBe(false);
    expect(!submitted.ok && submitted.errors).toEqual([
      'text input `qty` must be 1–3 characters long, got 4',
      'select `size` has no option `nope`',
      'the modal has no text input or select `extra`',
    ]);
    const tooMany = modalSubmitComponents(orderModal, { qty: '1', size: ['v0', 'v1'] });
    expect(!tooMany.ok && tooMany.error).toBe('select `size` takes 1–1 values, got 2');
  });

  it('keeps a prefilled value the user did not touch', () => {
    const data = modal([labelled('Name', textInput('name', { value: 'Ada' }))]);
    const submitted = modalSubmitComponents(data, {});
    expect(submitted.ok && submitted.components).toEqual([
      { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 'name', value: 'Ada' } },
    ]);
  });
});

describe('reading components', () => {
  const message = [
    row(
      button('confirm', 'Confirm'),
      button('cancel', 'Cancel', { style: 4, disabled: true }),
      link('https://example.com'),
    ),
    row(select('color', 3, { placeholder: 'Pick a color', max_values: 2 })),
  ];

  it('lists buttons and selects with their row', () => {
    const list = listInteractiveComponents(message);
    expect(list.map((c) => [c.type, c.customId, c.label, c.row, c.index, c.disabled])).toEqual([
      [2, 'confirm', 'Confirm', 0, 0, false],
      [2, 'cancel', 'Cancel', 0, 1, true],
      [2, undefined, 'Docs', 0, 2, false],
      [3, 'color', 'Pick a color', 1, 0, false],
    ]);
    expect(list[2]!.url).toBe('https://example.com');
    expect(list[3]!.options.map((o) => o.value)).toEqual(['v0', 'v1', 'v2']);
    expect(list[3]!.maxValues).toBe(2);
    expect(listInteractiveComponents(undefined)).toEqual([]);
  });

  it('finds the button labelled Confirm and builds the click', () => {
    const confirm = findComponent(message, (c) => c.label === 'Confirm');
    expect(confirm?.customId).toBe('confirm');
    expect(componentInteractionData(confirm!)).toEqual({ custom_id: 'confirm', component_type: 2 });
    const color = findComponent(message, (c) => c.type === 3)!;
    expect(componentInteractionData(color, ['v2'])).toEqual({ custom_id: 'color', component_type: 3, values: ['v2'] });
    expect(findComponent(message, (c) => c.label === 'Nope')).toBeUndefined();
  });

  it('reads V2 layouts: containers, rows inside them and section accessories', () => {
    const v2 = [
      { type: 10, content: 'Title' },
      {
        type: 17,
        components: [
          { type: 9, components: [{ type: 10, content: 'x' }], accessory: button('more', 'More') },
          row(button('ok', 'OK')),
        ],
      },
    ];
    expect(listInteractiveComponents(v2).map((c) => [c.customId, c.row])).toEqual([
      ['more', 1],
      ['ok', 1],
    ]);
  });
});
