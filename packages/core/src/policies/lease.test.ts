import { plusDays, dueLeaseNotice, leaseDestroyOn, leaseStopOn } from './lease';

describe('lease policy', () => {
  it('should count days across month and year ends', () => {
    expect(plusDays('2026-12-31', 30)).toBe('2027-01-30');
    expect(leaseStopOn('2026-12-31', { graceDays: 30, destroyAfterDays: 30 })).toBe('2027-01-30');
    expect(leaseDestroyOn('2027-02-20', { graceDays: 30, destroyAfterDays: 10 })).toBe('2027-03-02');
  });

  it('should give the tightest notice reached and none on or after the step', () => {
    expect(dueLeaseNotice('2027-01-01', '2027-01-30')).toBeNull();
    expect(dueLeaseNotice('2027-01-23', '2027-01-30')).toBe(7);
    expect(dueLeaseNotice('2027-01-28', '2027-01-30')).toBe(7);
    expect(dueLeaseNotice('2027-01-29', '2027-01-30')).toBe(1);
    expect(dueLeaseNotice('2027-01-30', '2027-01-30')).toBeNull();
    expect(dueLeaseNotice('2027-02-01', '2027-01-30')).toBeNull();
  });
});
