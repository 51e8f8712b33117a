import { describe, expect, it } from 'vitest';
import { formatJst, jstDayBounds } from '../../src/domain/time.js';

// Run by the `bot-tz` project only (TZ=America/Los_Angeles): proves the zone took effect, so the time and display
// tests that run beside it really run on a host whose local day is not Japan's.
describe('on a host in Los Angeles', () => {
  it('the process runs in America/Los_Angeles', () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('America/Los_Angeles');
    expect(new Date(Date.UTC(2027, 0, 1)).getTimezoneOffset()).toBe(480);
  });

  it('still shows JST, and JST days (scenario 16)', () => {
    const instant = Date.UTC(2026, 11, 31, 15, 30); // 07:30 on Dec 31 in Los Angeles
    expect(formatJst(instant)).toBe('2027/01/01 00:30');
    expect(jstDayBounds(instant)).toEqual({ start: Date.UTC(2026, 11, 31, 15), end: Date.UTC(2027, 0, 1, 15) });
  });
});
