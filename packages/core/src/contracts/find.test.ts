import { dayRangeInOrder, likePattern, plusDaysIso, wibDayBounds } from './find';

describe('find filters', () => {
  it('should escape LIKE metacharacters so free text matches literally', () => {
    expect(likePattern('100%')).toBe('%100\\%%');
    expect(likePattern('a_b')).toBe('%a\\_b%');
    expect(likePattern('c:\\temp')).toBe('%c:\\\\temp%');
    expect(likePattern("x'; DROP")).toBe("%x'; DROP%");
  });

  it('should bound WIB days: from at 00:00 +07:00, to up to the next midnight', () => {
    const { since, before } = wibDayBounds({ from: '2026-12-08', to: '2026-12-08' });
    expect(since?.toISOString()).toBe('2026-12-07T17:00:00.000Z');
    expect(before?.toISOString()).toBe('2026-12-08T17:00:00.000Z');
    expect(wibDayBounds({})).toEqual({});
    expect(wibDayBounds({ to: '2026-12-31' }).before?.toISOString()).toBe('2026-12-31T17:00:00.000Z');
  });

  it('should refuse a range ending before it starts, and add days across months and years', () => {
    expect(dayRangeInOrder({ from: '2026-12-08', to: '2026-12-07' })).toBe(false);
    expect(dayRangeInOrder({ from: '2026-12-08', to: '2026-12-08' })).toBe(true);
    expect(dayRangeInOrder({ from: '2026-12-08' })).toBe(true);
    expect(plusDaysIso('2026-12-25', 10)).toBe('2027-01-04');
    expect(plusDaysIso('2028-03-01', -1)).toBe('2028-02-29');
  });
});
