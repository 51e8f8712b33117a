// Every instant here is written in UTC (`...Z`) and every expectation is an exact JST string or epoch value, so the
// results are the same whatever the host TZ (run with TZ=America/Los_Angeles, UTC and Asia/Tokyo).
import { describe, expect, it } from 'vitest';
import {
  formatJst,
  formatJstDate,
  formatJstRange,
  formatJstTime,
  fromJst,
  jstDateParts,
  jstDay,
  jstDayBounds,
  jstDaysOfMonth,
  jstMonthsFrom,
  jstToday,
  RANGE_SEPARATOR,
} from '../../src/domain/time.js';

const utc = (iso: string): number => Date.parse(iso);

describe('formatJst', () => {
  it('shows the JST wall clock, across the UTC/JST date change', () => {
    expect(formatJst(utc('2026-12-31T15:30:00Z'))).toBe('2027/01/01 00:30');
    expect(formatJst(utc('2026-12-31T14:59:00Z'))).toBe('2026/12/31 23:59');
    expect(formatJst(utc('2026-03-08T10:00:00Z'))).toBe('2026/03/08 19:00'); // a US DST switch day
    expect(formatJstDate(utc('2026-12-31T15:30:00Z'))).toBe('2027/01/01');
    expect(formatJstTime(utc('2026-12-31T15:30:00Z'))).toBe('00:30');
  });

  it('refuses an invalid instant', () => {
    expect(() => formatJst(Number.NaN)).toThrow(/Invalid instant/);
  });
});

describe('formatJstRange', () => {
  it('shortens the end on the same JST date', () => {
    expect(RANGE_SEPARATOR).toBe('\u2013');
    expect(formatJstRange(utc('2027-01-01T00:00:00Z'), utc('2027-01-01T01:30:00Z'))).toBe('2027/01/01 09:00–10:30');
    // Same UTC date but different JST dates, and vice versa.
    expect(formatJstRange(utc('2026-12-31T14:00:00Z'), utc('2026-12-31T15:30:00Z'))).toBe(
      '2026/12/31 23:00–2027/01/01 00:30',
    );
    expect(formatJstRange(utc('2026-12-31T15:00:00Z'), utc('2027-01-01T14:30:00Z'))).toBe('2027/01/01 00:00–23:30');
  });

  it('shows both ends in full across dates, including an end at JST midnight', () => {
    expect(formatJstRange(utc('2027-01-01T13:00:00Z'), utc('2027-01-02T01:00:00Z'))).toBe(
      '2027/01/01 22:00–2027/01/02 10:00',
    );
    expect(formatJstRange(utc('2027-01-01T13:00:00Z'), utc('2027-01-01T15:00:00Z'))).toBe(
      '2027/01/01 22:00–2027/01/02 00:00',
    );
  });
});

describe('jstDayBounds / jstToday / jstDay', () => {
  it('gives the JST day [00:00, next 00:00), not the UTC or host day', () => {
    // 2027-01-01 00:30 JST belongs to JST Jan 1, which starts at 2026-12-31T15:00Z.
    expect(jstDayBounds(utc('2026-12-31T15:30:00Z'))).toEqual({
      start: utc('2026-12-31T15:00:00Z'),
      end: utc('2027-01-01T15:00:00Z'),
    });
    // One minute before JST midnight is still Dec 31.
    expect(jstDayBounds(utc('2026-12-31T14:59:59.999Z'))).toEqual({
      start: utc('2026-12-30T15:00:00Z'),
      end: utc('2026-12-31T15:00:00Z'),
    });
  });

  it('puts JST midnight itself in the day it starts', () => {
    const midnight = utc('2026-12-31T15:00:00Z');
    expect(jstDayBounds(midnight).start).toBe(midnight);
    expect(jstDayBounds(midnight - 1).end).toBe(midnight);
  });

  it('is today in JST with its date fields', () => {
    expect(jstToday(utc('2026-12-31T15:30:00Z'))).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      weekday: 5, // Friday
      label: '2027/01/01',
      start: utc('2026-12-31T15:00:00Z'),
      end: utc('2027-01-01T15:00:00Z'),
    });
    expect(jstDay(utc('2026-03-08T09:00:00Z')).label).toBe('2026/03/08');
  });
});

describe('jstDateParts', () => {
  it('reads the JST fields, month 1–12 and weekday 0 = Sunday', () => {
    expect(jstDateParts(utc('2026-12-31T15:30:00Z'))).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      hour: 0,
      minute: 30,
      weekday: 5,
    });
    expect(jstDateParts(utc('2027-01-02T15:00:00Z')).weekday).toBe(0); // Sunday Jan 3 in JST
  });
});

describe('fromJst', () => {
  it('converts a JST wall-clock time to the instant', () => {
    expect(fromJst({ year: 2027, month: 1, day: 1, hour: 0, minute: 30 })).toBe(utc('2026-12-31T15:30:00Z'));
    expect(fromJst({ year: 2026, month: 3, day: 8 })).toBe(utc('2026-03-07T15:00:00Z'));
    expect(fromJst({ year: 2028, month: 2, day: 29, hour: 23, minute: 59 })).toBe(utc('2028-02-29T14:59:00Z'));
  });

  it('round-trips with jstDateParts', () => {
    const ms = utc('2026-07-15T03:45:00Z');
    expect(fromJst(jstDateParts(ms))).toBe(ms);
  });

  it('throws for an impossible date, naming the field and value', () => {
    expect(() => fromJst({ year: 2027, month: 2, day: 29 })).toThrow(
      'Invalid JST date: day must be an integer from 1 to 28, got 29',
    );
    expect(() => fromJst({ year: 2027, month: 4, day: 31 })).toThrow(/day .* 1 to 30, got 31/);
    expect(() => fromJst({ year: 2027, month: 13, day: 1 })).toThrow(/month .* got 13/);
    expect(() => fromJst({ year: 2027, month: 0, day: 1 })).toThrow(/month .* got 0/);
    expect(() => fromJst({ year: 2027, month: 1, day: 0 })).toThrow(/day .* got 0/);
    expect(() => fromJst({ year: 2027, month: 1, day: 1, hour: 24 })).toThrow(/hour .* got 24/);
    expect(() => fromJst({ year: 2027, month: 1, day: 1, minute: 60 })).toThrow(/minute .* got 60/);
    expect(() => fromJst({ year: 2027, month: 1, day: 1.5 })).toThrow(/day .* got 1.5/);
    expect(() => fromJst({ year: Number.NaN, month: 1, day: 1 })).toThrow(/year .* got NaN/);
    expect(() => fromJst({ year: 2027, month: 2, day: 29 })).toThrow(RangeError);
  });
});

describe('jstMonthsFrom', () => {
  it('starts at the JST month of now and crosses the year end', () => {
    // 2026-12-31T15:30Z is already January 2027 in JST.
    expect(jstMonthsFrom(utc('2026-12-31T15:30:00Z'), 2).map((m) => m.label)).toEqual(['2027/01', '2027/02']);
    expect(jstMonthsFrom(utc('2026-11-30T16:00:00Z'), 3)).toEqual([
      { year: 2026, month: 12, label: '2026/12' },
      { year: 2027, month: 1, label: '2027/01' },
      { year: 2027, month: 2, label: '2027/02' },
    ]);
  });

  it('accepts 0 and refuses a negative or fractional count', () => {
    expect(jstMonthsFrom(utc('2026-12-31T15:30:00Z'), 0)).toEqual([]);
    expect(() => jstMonthsFrom(0, -1)).toThrow(/count/);
    expect(() => jstMonthsFrom(0, 1.5)).toThrow(/count/);
  });
});

describe('jstDaysOfMonth', () => {
  it('lists every day of a future month', () => {
    const days = jstDaysOfMonth(2028, 2, utc('2027-12-31T15:30:00Z'));
    expect(days).toHaveLength(29);
    expect(days[0]).toMatchObject({ day: 1, label: '2028/02/01', start: utc('2028-01-31T15:00:00Z') });
    expect(days[28]).toMatchObject({ day: 29, end: utc('2028-02-29T15:00:00Z') });
  });

  it('drops the days entirely in the past and keeps today', () => {
    // 2026-12-31 23:30 JST: only Dec 31 remains.
    const late = jstDaysOfMonth(2026, 12, utc('2026-12-31T14:30:00Z'));
    expect(late.map((d) => d.label)).toEqual(['2026/12/31']);
    // Half an hour later it is January in JST: nothing of December remains.
    expect(jstDaysOfMonth(2026, 12, utc('2026-12-31T15:00:00Z'))).toEqual([]);
    expect(jstDaysOfMonth(2027, 1, utc('2026-12-31T15:00:00Z'))).toHaveLength(31);
  });

  it('throws for an invalid month', () => {
    expect(() => jstDaysOfMonth(2027, 13, 0)).toThrow(/month .* got 13/);
  });
});
