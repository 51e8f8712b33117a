import { InvalidConfigError } from '../errors/message-update-error.js';

/** `an integer from 1,000 to 3,600,000`: the allowed range, as error messages say it. */
export function integerRangeText(min: number, max: number): string {
  return `an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
}

/**
 * Checks one integer option against its bounds: the one validator of every numeric option (the manager's, the rate-limit
 * config's).
 *
 * @param field - the option's name, as the error names it
 * @param value - the value given
 * @param bounds - inclusive `[min, max]`
 * @returns the value
 * @throws InvalidConfigError naming the field, the value and the allowed range
 */
export function checkIntegerOption(field: string, value: unknown, bounds: readonly [min: number, max: number]): number {
  const [min, max] = bounds;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(field, value, integerRangeText(min, max));
  }
  return value;
}
