import { canSeeInstitution, pickLocale, quotaShortfalls, canTransition, canTransitionAgreement, Role, AppError, ErrorCode } from './index';

describe('pickLocale', () => {
  it.each([
    [undefined, 'id'],
    ['', 'id'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR,en;q=0.5', 'en'],
    ['fr, de', 'id'],
    ['en;q=0.2, id;q=0.8', 'id'],
    ['en;q=0', 'id'],
  ])('should read %p as %p', (header, expected) => {
    expect(pickLocale(header)).toBe(expected);
  });
});

describe('canSeeInstitution', () => {
  const staff = { userId: 'u', institutionId: 'a', roles: [Role.InstitutionStaff] };
  it('should let institution users see only their own institution', () => {
    expect(canSeeInstitution(staff, 'a')).toBe(true);
    expect(canSeeInstitution(staff, 'b')).toBe(false);
    expect(canSeeInstitution(staff, null)).toBe(false);
  });
  it('should let data-center roles see all', () => {
    expect(canSeeInstitution({ userId: 'o', institutionId: null, roles: [Role.Operator] }, 'b')).toBe(true);
  });
});

describe('quotaShortfalls', () => {
  const limits = { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2 };
  it('should report nothing when the request fits exactly', () => {
    expect(
      quotaShortfalls(limits, { cores: 2, memoryMiB: 4096, diskGiB: 60, vmCount: 1 }, { cores: 2, memoryMiB: 4096, diskGiB: 40 }),
    ).toEqual([]);
  });
  it('should report every exceeded dimension', () => {
    expect(
      quotaShortfalls(limits, { cores: 4, memoryMiB: 0, diskGiB: 90, vmCount: 2 }, { cores: 1, memoryMiB: 1024, diskGiB: 20 }).map(
        (s) => s.dimension,
      ),
    ).toEqual(['cores', 'diskGiB', 'vmCount']);
  });
});

describe('request lifecycle', () => {
  it('should allow the happy path and refuse skipping or leaving final states', () => {
    const path = ['submitted', 'approved', 'queued', 'provisioning', 'active'] as const;
    for (let i = 1; i < path.length; i += 1) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('submitted', 'active')).toBe(false);
    expect(canTransition('rejected', 'submitted')).toBe(false);
    expect(canTransition('provisioning', 'cancelled')).toBe(false);
  });
});

describe('agreement lifecycle', () => {
  it('should sign in order, let a fully signed external document complete it early, and never reopen an ended one', () => {
    expect(canTransitionAgreement('awaiting_institution_head', 'awaiting_dc_head')).toBe(true);
    expect(canTransitionAgreement('awaiting_institution_head', 'in_force')).toBe(true);
    expect(canTransitionAgreement('draft', 'in_force')).toBe(false);
    expect(canTransitionAgreement('in_force', 'awaiting_dc_head')).toBe(false);
    expect(canTransitionAgreement('revoked', 'in_force')).toBe(false);
    expect(canTransitionAgreement('expired', 'in_force')).toBe(false);
  });
});

describe('AppError', () => {
  it('should carry a bilingual default message and allow overriding one language', () => {
    const error = new AppError(ErrorCode.QuotaExceeded, { en: 'Not enough cores.' });
    expect(error.messageIn('id')).toBe('Kuota perangkat daerah tidak mencukupi.');
    expect(error.messageIn('en')).toBe('Not enough cores.');
  });
});
