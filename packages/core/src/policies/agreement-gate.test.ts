import {
  agreementCovers,
  ceilingShortfalls,
  daysBetween,
  dueReminderThreshold,
  fiscalYearTerm,
  nextSignerRole,
  todayInJakarta,
  type AgreementForGate,
} from './agreement-gate';

const ceiling = { cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4, ipCount: 2 };
const agreement: AgreementForGate = { status: 'in_force', termStart: '2026-01-01', termEnd: '2026-12-31', ceiling };
const within = { cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4, ipCount: 2 };

describe('agreementCovers', () => {
  it('should accept usage exactly at the ceiling on the first and last day of the term', () => {
    expect(agreementCovers(agreement, { requested: { cores: 2 }, usageAfter: within, today: '2026-01-01' })).toBe(true);
    expect(agreementCovers(agreement, { requested: { cores: 2 }, usageAfter: within, today: '2026-12-31' })).toBe(true);
  });

  it('should refuse outside the term', () => {
    expect(agreementCovers(agreement, { requested: {}, usageAfter: within, today: '2025-12-31' })).toBe(false);
    expect(agreementCovers(agreement, { requested: {}, usageAfter: within, today: '2027-01-01' })).toBe(false);
  });

  it.each(['draft', 'awaiting_institution_head', 'awaiting_dc_head', 'expired', 'revoked'] as const)(
    'should refuse an agreement in status %s',
    (status) => {
      expect(agreementCovers({ ...agreement, status }, { requested: {}, usageAfter: within, today: '2026-06-01' })).toBe(false);
    },
  );

  it('should refuse a missing agreement', () => {
    expect(agreementCovers(undefined, { requested: {}, usageAfter: within, today: '2026-06-01' })).toBe(false);
    expect(agreementCovers(null, { requested: {}, usageAfter: within, today: '2026-06-01' })).toBe(false);
  });

  it.each(['cores', 'memoryMiB', 'diskGiB', 'vmCount', 'ipCount'] as const)(
    'should refuse when %s would exceed the ceiling',
    (dimension) => {
      const usageAfter = { ...within, [dimension]: within[dimension] + 1 };
      expect(agreementCovers(agreement, { requested: {}, usageAfter, today: '2026-06-01' })).toBe(false);
      expect(ceilingShortfalls(ceiling, usageAfter)).toEqual([
        { dimension, ceiling: ceiling[dimension], usageAfter: within[dimension] + 1 },
      ]);
    },
  );

  it('should not check IP addresses when the usage omits them', () => {
    const { ipCount: _ip, ...rest } = within;
    expect(agreementCovers(agreement, { requested: {}, usageAfter: rest, today: '2026-06-01' })).toBe(true);
  });
});

describe('dates and reminders', () => {
  it('should compute the WIB date, which is ahead of UTC in the evening', () => {
    expect(todayInJakarta(new Date('2026-12-31T16:59:59Z'))).toBe('2026-12-31');
    expect(todayInJakarta(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });

  it('should count days and align the term with the fiscal year', () => {
    expect(daysBetween('2026-11-01', '2026-12-31')).toBe(60);
    expect(daysBetween('2027-01-01', '2026-12-31')).toBe(-1);
    expect(fiscalYearTerm(2027)).toEqual({ termStart: '2027-01-01', termEnd: '2027-12-31' });
  });

  it.each([
    [61, null],
    [60, 60],
    [31, 60],
    [30, 30],
    [8, 30],
    [7, 7],
    [0, 7],
    [-1, null],
  ])('should pick the reminder for %p days left as %p', (days, expected) => {
    expect(dueReminderThreshold(days)).toBe(expected);
  });

  it('should name the next signer in order', () => {
    expect(nextSignerRole('awaiting_institution_head')).toBe('institution_head');
    expect(nextSignerRole('awaiting_dc_head')).toBe('dc_head');
    expect(nextSignerRole('in_force')).toBeNull();
  });
});
