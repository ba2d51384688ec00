import { AGREEMENT_STATUSES } from '@betang/core';
import { AGREEMENT_STATUS, currentFiscalYear } from './agreement-status';

describe('currentFiscalYear', () => {
  it('should use the year in WIB, which starts 7 hours before UTC', () => {
    expect(currentFiscalYear(new Date('2026-12-31T16:59:59Z'))).toBe(2026);
    expect(currentFiscalYear(new Date('2026-12-31T17:00:00Z'))).toBe(2027);
  });
});

describe('AGREEMENT_STATUS', () => {
  it('should have a label for every agreement status', () => {
    expect(Object.keys(AGREEMENT_STATUS).sort()).toEqual([...AGREEMENT_STATUSES].sort());
  });
});
