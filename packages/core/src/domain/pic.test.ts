import { Role } from '../roles';
import { picProblem, picReminderWeek } from './pic';

const INST = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

describe('picProblem', () => {
  it('accepts an active institution user of the VM institution', () => {
    expect(picProblem({ isActive: true, institutionId: INST, roles: [Role.InstitutionStaff] }, INST)).toBeNull();
    expect(picProblem({ isActive: true, institutionId: INST, roles: [Role.InstitutionHead] }, INST)).toBeNull();
  });

  it('names the first rule a PIC fails', () => {
    expect(picProblem(null, INST)).toBe('none');
    expect(picProblem({ isActive: false, institutionId: OTHER, roles: [] }, INST)).toBe('inactive');
    expect(picProblem({ isActive: true, institutionId: OTHER, roles: [Role.InstitutionStaff] }, INST)).toBe('moved');
    expect(picProblem({ isActive: true, institutionId: null, roles: [Role.Operator] }, INST)).toBe('moved');
    expect(picProblem({ isActive: true, institutionId: INST, roles: [Role.Auditor] }, INST)).toBe('role_lost');
  });
});

describe('picReminderWeek', () => {
  it('is the same Monday for every moment of one WIB week', () => {
    // Monday 2026-12-07 00:00 WIB is Sunday 17:00 UTC.
    expect(picReminderWeek(new Date('2026-12-06T17:00:00Z'))).toBe('2026-12-07');
    expect(picReminderWeek(new Date('2026-12-13T16:59:59Z'))).toBe('2026-12-07');
    expect(picReminderWeek(new Date('2026-12-06T16:59:59Z'))).toBe('2026-11-30');
    expect(picReminderWeek(new Date('2026-12-13T17:00:00Z'))).toBe('2026-12-14');
  });
});
