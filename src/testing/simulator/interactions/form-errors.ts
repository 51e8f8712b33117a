/**
 * Building blocks for Discord's `Invalid Form Body` (50035) answers with several errors at once, and the field
 * checks the component, modal and command rules share.
 *
 * Discord reports every error of a body in one answer: `errors` mirrors the body (object keys, array indices as
 * `"0"`), and each faulty field carries `{"_errors":[{"code":"BASE_TYPE_…","message":"…"}]}`. The checks push
 * {@link FieldError}s into a caller-owned list and {@link formBodyErrors} folds the list into that tree.
 *
 * @module
 */
import { isRecord } from '../../../util/is-record.js';
import type { ApiError } from '../discord-errors.js';

/** Path of a field inside a body: object keys and array indices, e.g. `['components', 0, 'components']`. */
export type FieldPath = readonly (string | number)[];

/** One error of a 50035 answer. */
export interface FieldError {
  /** Where the error sits; `[]` for the body itself (`errors._errors`). */
  readonly path: FieldPath;
  /** Discord's error code string, e.g. `BASE_TYPE_MAX_LENGTH`. */
  readonly code: string;
  /** Discord's wording, e.g. `Must be 80 or fewer in length.`. */
  readonly message: string;
}

/** A Discord field error without its path: what {@link FieldMessages} builds. */
export interface FieldProblem {
  readonly code: string;
  readonly message: string;
}

/** Discord's codes and wording for the generic field errors. */
export const FieldMessages = {
  /** A missing required field. */
  required: (): FieldProblem => ({ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }),
  /** A string or list outside `min..max`. */
  badLength: (min: number, max: number): FieldProblem => ({
    code: 'BASE_TYPE_BAD_LENGTH',
    message: `Must be between ${min} and ${max} in length.`,
  }),
  /** A string or list longer than `max`. */
  maxLength: (max: number): FieldProblem => ({
    code: 'BASE_TYPE_MAX_LENGTH',
    message: `Must be ${max} or fewer in length.`,
  }),
  /** A string or list shorter than `min`. */
  minLength: (min: number): FieldProblem => ({
    code: 'BASE_TYPE_MIN_LENGTH',
    message: `Must be ${min} or more in length.`,
  }),
  /** A value outside an enumeration. */
  choices: (choices: readonly (string | number)[]): FieldProblem => ({
    code: 'BASE_TYPE_CHOICES',
    message: `Value must be one of {${choices.join(', ')}}.`,
  }),
  /** A number below `min`. */
  numberMin: (min: number): FieldProblem => ({
    code: 'NUMBER_TYPE_MIN',
    message: `int value should be greater than or equal to ${min}.`,
  }),
  /** A number above `max`. */
  numberMax: (max: number): FieldProblem => ({
    code: 'NUMBER_TYPE_MAX',
    message: `int value should be less than or equal to ${max}.`,
  }),
  /** A value that is not an integer. */
  notInteger: (value: unknown): FieldProblem => ({
    code: 'NUMBER_TYPE_COERCE',
    message: `Value "${shown(value)}" is not int.`,
  }),
  /** A value that is not a number. */
  notNumber: (value: unknown): FieldProblem => ({
    code: 'NUMBER_TYPE_COERCE',
    message: `Value "${shown(value)}" is not a valid number.`,
  }),
  /** A value that is not a string. */
  notString: (value: unknown): FieldProblem => ({
    code: 'STRING_TYPE_CONVERT',
    message: `Could not interpret "${shown(value)}" as string.`,
  }),
  /** A value that is not a boolean. */
  notBoolean: (): FieldProblem => ({ code: 'BOOLEAN_TYPE_CONVERT', message: 'Must be either true or false.' }),
  /** A value that is not a list. */
  notList: (): FieldProblem => ({ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }),
  /** A value that is not an object. */
  notObject: (): FieldProblem => ({
    code: 'DICT_TYPE_CONVERT',
    message: 'Only dictionaries may be used in a DictType',
  }),
} as const;

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Splits a dotted path prefix such as `data.components` into its segments.
 *
 * @param path - dotted/bracketed path; `''` is the body itself
 * @returns the segments, e.g. `['data', 'components']`
 */
export function pathSegments(path: string): string[] {
  return path.split(/[.[\]]+/).filter((segment) => segment.length > 0);
}

/**
 * Adds one error to a list.
 *
 * @param errors - the list the checks fill
 * @param path - where the error sits
 * @param problem - code and message (from {@link FieldMessages} or a rule-specific one)
 */
export function addError(errors: FieldError[], path: FieldPath, problem: FieldProblem): void {
  errors.push({ path, code: problem.code, message: problem.message });
}

/**
 * Folds a list of errors into Discord's 50035 answer; several errors on one field share its `_errors` list.
 *
 * @param errors - the errors, in the order found
 * @returns `undefined` for an empty list, else the 400 answer
 * @example
 * ```ts
 * formBodyErrors([{ path: ['components', 0, 'components'], ...FieldMessages.badLength(1, 5) }]);
 * // body.errors = { components: { '0': { components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', ... }] } } } }
 * ```
 */
export function formBodyErrors(errors: readonly FieldError[]): ApiError | undefined {
  if (errors.length === 0) return undefined;
  const tree: Record<string, unknown> = {};
  for (const error of errors) {
    let node = tree;
    for (const segment of error.path) {
      const key = String(segment);
      const child = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
      if (isRecord(child)) {
        node = child;
      } else {
        const created: Record<string, unknown> = {};
        Object.defineProperty(node, key, { value: created, enumerable: true, writable: true, configurable: true });
        node = created;
      }
    }
    const list = Object.prototype.hasOwnProperty.call(node, '_errors') ? node['_errors'] : undefined;
    const entry = { code: error.code, message: error.message };
    if (Array.isArray(list)) list.push(entry);
    else node['_errors'] = [entry];
  }
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: tree } };
}

/** Bounds of a string or list check. */
export interface LengthRule {
  /** Smallest length; when set (even to 1), the message is `Must be between min and max in length.`. */
  readonly min?: number;
  /** Largest length. */
  readonly max: number;
  /** Whether an absent (`undefined` or `null`) value is an error. */
  readonly required?: boolean;
}

function lengthProblem(length: number, rule: LengthRule): FieldProblem | undefined {
  if (rule.min !== undefined && rule.min > 0) {
    return length < rule.min || length > rule.max ? FieldMessages.badLength(rule.min, rule.max) : undefined;
  }
  return length > rule.max ? FieldMessages.maxLength(rule.max) : undefined;
}

/**
 * Checks a string field (length counted in UTF-16 code units, as elsewhere in this package).
 *
 * @param errors - the list to fill
 * @param path - the field's path
 * @param value - the field's value
 * @param rule - bounds and whether the field is required
 * @returns the string when it is one (even if too long), else `undefined`
 */
export function checkString(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
  rule: LengthRule,
): string | undefined {
  if (value === undefined || value === null) {
    if (rule.required === true) addError(errors, path, FieldMessages.required());
    return undefined;
  }
  if (typeof value !== 'string') {
    addError(errors, path, FieldMessages.notString(value));
    return undefined;
  }
  const problem = lengthProblem(value.length, rule);
  if (problem) addError(errors, path, problem);
  return value;
}

/**
 * Checks a list field.
 *
 * @param errors - the list to fill
 * @param path - the field's path
 * @param value - the field's value
 * @param rule - bounds and whether the field is required
 * @returns the array when it is one (even if too long), else `undefined`
 */
export function checkList(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
  rule: LengthRule,
): readonly unknown[] | undefined {
  if (value === undefined || value === null) {
    if (rule.required === true) addError(errors, path, FieldMessages.required());
    return undefined;
  }
  if (!Array.isArray(value)) {
    addError(errors, path, FieldMessages.notList());
    return undefined;
  }
  const problem = lengthProblem(value.length, rule);
  if (problem) addError(errors, path, problem);
  return value;
}

/**
 * Checks an optional integer field.
 *
 * @param errors - the list to fill
 * @param path - the field's path
 * @param value - the field's value; `undefined` and `null` are accepted as absent
 * @param min - smallest accepted value
 * @param max - largest accepted value
 * @returns the integer when it is one and in range, else `undefined`
 */
export function checkInteger(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    addError(errors, path, FieldMessages.notInteger(value));
    return undefined;
  }
  if (value < min) addError(errors, path, FieldMessages.numberMin(min));
  else if (value > max) addError(errors, path, FieldMessages.numberMax(max));
  else return value;
  return undefined;
}

/**
 * Checks that a field is a JSON object.
 *
 * @param errors - the list to fill
 * @param path - the field's path
 * @param value - the field's value
 * @returns the object, or `undefined` (with `DICT_TYPE_CONVERT` recorded) for anything else
 */
export function checkObject(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  addError(errors, path, FieldMessages.notObject());
  return undefined;
}

/**
 * Checks an enumerated field (`type`, `style`).
 *
 * @param errors - the list to fill
 * @param path - the field's path
 * @param value - the field's value
 * @param choices - accepted values
 * @param required - whether an absent value is an error
 * @returns the value when it is one of `choices`, else `undefined`
 */
export function checkChoice<T extends string | number>(
  errors: FieldError[],
  path: FieldPath,
  value: unknown,
  choices: readonly T[],
  required: boolean,
): T | undefined {
  if (value === undefined || value === null) {
    if (required) addError(errors, path, FieldMessages.required());
    return undefined;
  }
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  addError(errors, path, FieldMessages.choices(choices));
  return undefined;
}
