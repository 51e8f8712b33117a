// Instants are written in UTC (`...Z`) and labels are exact JST strings, so results do not depend on the host TZ.
import { describe, expect, it } from 'vitest';
import {
  correctionWindowEnd,
  durationOptions,
  formatDuration,
  isCorrectionAllowed,
  MAX_SELECT_OPTIONS,
  overlaps,
  overlapsAny,
  paginate,
  reminderTime,
  SLOT_STEP_MINUTES,
  SLOT_STEP_MS,
  startTimeOptions,
} from '../../src/domain/slots.js';
import { fromJst } from '../../src/domain/time.js';

const utc = (iso: string): number => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2027/01/10 (JST) at hh:mm. */
const at = (hour: number, minute = 0): number => fromJst({ year: 2027, month: 1, day: 10, hour, minute });
const DAY = at(0);
const LONG_AGO = utc('2020-01-01T00:00:00Z');

describe('overlaps', () => {
  it('follows a.start < b.end && a.end > b.start', () => {
    const a = { startAt: at(10), endAt: at(12) };
    expect(overlaps(a, { startAt: at(11), endAt: at(13) })).toBe(true);
    expect(overlaps(a, { startAt: at(9), endAt: at(10, 1) })).toBe(true);
    expect(overlaps(a, { startAt: at(10, 30), endAt: at(11) })).toBe(true); // inside
    expect(overlaps({ startAt: at(10, 30), endAt: at(11) }, a)).toBe(true);
    expect(overlaps(a, { startAt: at(12), endAt: at(13) })).toBe(false); // back-to-back after
    expect(overlaps(a, { startAt: at(8), endAt: at(10) })).toBe(false); // back-to-back before
    expect(overlapsAny(a, [])).toBe(false);
    expect(
      overlapsAny(a, [
        { startAt: at(8), endAt: at(10) },
        { startAt: at(11), endAt: at(11, 30) },
      ]),
    ).toBe(true);
  });
});

describe('startTimeOptions', () => {
  it('offers the whole JST day every 30 minutes, labelled in JST', () => {
    expect(SLOT_STEP_MINUTES).toBe(30);
    const options = startTimeOptions(DAY, LONG_AGO, []);
    expect(options).toHaveLength(48);
    expect(options[0]).toEqual({ startAt: utc('2027-01-09T15:00:00Z'), label: '00:00', free: true });
    expect(options[47]).toEqual({ startAt: utc('2027-01-10T14:30:00Z'), label: '23:30', free: true });
  });

  it('normalises any instant of the day to its JST start', () => {
    expect(startTimeOptions(at(13, 17), LONG_AGO, [])[0]?.startAt).toBe(DAY);
  });

  it('never offers a start before now; a start equal to now is offered', () => {
    const labels = (now: number): string[] => startTimeOptions(DAY, now, []).map((o) => o.label);
    expect(labels(at(10, 10))[0]).toBe('10:30');
    expect(labels(at(10, 30))[0]).toBe('10:30');
    expect(labels(at(23, 31))).toEqual([]);
    expect(startTimeOptions(DAY, DAY + 24 * HOUR, [])).toEqual([]); // the day is over
  });

  it('marks the times inside a reservation as not free, and back-to-back starts as free', () => {
    const taken = [{ startAt: at(10), endAt: at(12) }];
    const byLabel = new Map(startTimeOptions(DAY, LONG_AGO, taken).map((o) => [o.label, o.free]));
    expect(byLabel.get('09:30')).toBe(true);
    expect(byLabel.get('10:00')).toBe(false);
    expect(byLabel.get('11:30')).toBe(false);
    expect(byLabel.get('12:00')).toBe(true); // starts when the other ends
  });

  it('marks a start too close before a reservation to book one step as not free', () => {
    const byLabel = new Map(
      startTimeOptions(DAY, LONG_AGO, [{ startAt: at(10, 15), endAt: at(11) }]).map((o) => [o.label, o.free]),
    );
    expect(byLabel.get('09:30')).toBe(true);
    expect(byLabel.get('10:00')).toBe(false);
    expect(byLabel.get('11:00')).toBe(true);
  });

  it('sees a reservation that began the day before', () => {
    const options = startTimeOptions(DAY, LONG_AGO, [{ startAt: at(0) - 5 * HOUR, endAt: at(1) }]);
    expect(options.slice(0, 3).map((o) => o.free)).toEqual([false, false, true]);
  });
});

describe('durationOptions', () => {
  it('offers 30-minute steps up to 72 h by default with readable labels', () => {
    const options = durationOptions(at(10), []);
    expect(options).toHaveLength(144);
    expect(options.slice(0, 4).map((o) => o.label)).toEqual(['30 min', '1 h', '1 h 30 min', '2 h']);
    expect(options[0]).toEqual({ endAt: at(10, 30), minutes: 30, label: '30 min' });
    expect(options[143]).toEqual({ endAt: at(10) + 72 * HOUR, minutes: 72 * 60, label: '72 h' });
  });

  it('allows ending exactly when the next reservation starts, not later', () => {
    const options = durationOptions(at(10), [{ startAt: at(12), endAt: at(14) }]);
    expect(options.map((o) => o.label)).toEqual(['30 min', '1 h', '1 h 30 min', '2 h']);
    expect(options.at(-1)?.endAt).toBe(at(12));
  });

  it('ignores reservations before the start and stops at the soonest later one', () => {
    const taken = [
      { startAt: at(20), endAt: at(21) },
      { startAt: at(8), endAt: at(10) }, // ends when ours starts
      { startAt: at(11), endAt: at(12) },
    ];
    expect(durationOptions(at(10), taken).map((o) => o.minutes)).toEqual([30, 60]);
  });

  it('is empty when the start is taken or too close to the next reservation', () => {
    expect(durationOptions(at(10), [{ startAt: at(9), endAt: at(11) }])).toEqual([]);
    expect(durationOptions(at(10), [{ startAt: at(10, 15), endAt: at(11) }])).toEqual([]);
  });

  it('honours maxHours and refuses a non-positive one', () => {
    expect(durationOptions(at(10), [], 1).map((o) => o.label)).toEqual(['30 min', '1 h']);
    expect(durationOptions(at(10), [], 1.75)).toHaveLength(3);
    expect(() => durationOptions(at(10), [], 0)).toThrow(/maxHours/);
    expect(() => durationOptions(at(10), [], Number.NaN)).toThrow(/maxHours/);
  });

  it('formats durations', () => {
    expect(formatDuration(30)).toBe('30 min');
    expect(formatDuration(90)).toBe('1 h 30 min');
    expect(formatDuration(1440)).toBe('24 h');
    expect(() => formatDuration(0)).toThrow(/minutes/);
    expect(SLOT_STEP_MS).toBe(30 * MIN);
  });
});

describe('paginate', () => {
  const list = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('fits 25 items on one page', () => {
    expect(MAX_SELECT_OPTIONS).toBe(25);
    const page = paginate(list(25), 0);
    expect(page).toMatchObject({ page: 0, pages: 1, hasPrevious: false, hasNext: false });
    expect(page.items).toHaveLength(25);
  });

  it('splits 26 items into 25 + 1', () => {
    const first = paginate(list(26), 0);
    expect(first).toMatchObject({ page: 0, pages: 2, hasPrevious: false, hasNext: true });
    expect(first.items).toHaveLength(25);
    expect(paginate(list(26), 1)).toEqual({ items: [25], page: 1, pages: 2, hasPrevious: true, hasNext: false });
  });

  it('clamps the page number', () => {
    expect(paginate(list(26), 5).page).toBe(1);
    expect(paginate(list(26), -3).page).toBe(0);
    expect(paginate(list(26), Number.NaN).page).toBe(0);
    expect(paginate(list(26), 0.9).page).toBe(0);
    expect(paginate(list(60), Number.POSITIVE_INFINITY).page).toBe(2);
  });

  it('gives one empty page for an empty list', () => {
    expect(paginate([], 3)).toEqual({ items: [], page: 0, pages: 1, hasPrevious: false, hasNext: false });
  });

  it('takes another page size and refuses a bad one', () => {
    expect(paginate(list(10), 1, 4)).toEqual({
      items: [4, 5, 6, 7],
      page: 1,
      pages: 3,
      hasPrevious: true,
      hasNext: true,
    });
    expect(() => paginate(list(3), 0, 0)).toThrow(/pageSize/);
    expect(() => paginate(list(3), 0, 2.5)).toThrow(/pageSize/);
  });
});

describe('correctionWindowEnd / isCorrectionAllowed', () => {
  const returnedAt = at(10);

  it('is one hour after the return with no next reservation', () => {
    expect(correctionWindowEnd(returnedAt, null)).toBe(at(11));
    expect(correctionWindowEnd(returnedAt, at(18))).toBe(at(11)); // next one far away
    expect(isCorrectionAllowed(at(10, 59), returnedAt, null)).toBe(true);
    expect(isCorrectionAllowed(at(11), returnedAt, null)).toBe(false);
  });

  it('closes 15 minutes before an imminent next reservation', () => {
    expect(correctionWindowEnd(returnedAt, at(10, 30))).toBe(at(10, 15));
    expect(isCorrectionAllowed(at(10, 14), returnedAt, at(10, 30))).toBe(true);
    expect(isCorrectionAllowed(at(10, 15), returnedAt, at(10, 30))).toBe(false);
    // Next reservation starting within 15 minutes of the return: closed from the start.
    expect(correctionWindowEnd(returnedAt, at(10, 10))).toBe(at(9, 55));
    expect(isCorrectionAllowed(returnedAt, returnedAt, at(10, 10))).toBe(false);
  });
});

describe('reminderTime', () => {
  it('is 15 minutes before the end', () => {
    expect(reminderTime(at(12))).toBe(at(11, 45));
  });
});
