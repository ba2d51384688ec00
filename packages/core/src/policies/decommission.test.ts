import { DEFAULT_DECOMMISSION_POLICY } from '../contracts/vms';
import { Role } from '../roles';
import { canApproveDecommission, decommissionNeedsHeadApproval, decommissionReminderAt, graceEndsAt } from './decommission';

const staff = { userId: 'u1', institutionId: 'i1', roles: [Role.InstitutionStaff] };
const head = { userId: 'u2', institutionId: 'i1', roles: [Role.InstitutionHead] };
const otherHead = { userId: 'u3', institutionId: 'i2', roles: [Role.InstitutionHead] };
const operator = { userId: 'u4', institutionId: null, roles: [Role.Operator] };

describe('decommission policy', () => {
  it('should ask the head only when staff decommission a VM of a protected class', () => {
    expect(decommissionNeedsHeadApproval(staff, 'strategis', DEFAULT_DECOMMISSION_POLICY)).toBe(true);
    expect(decommissionNeedsHeadApproval(staff, 'tinggi', DEFAULT_DECOMMISSION_POLICY)).toBe(false);
    expect(
      decommissionNeedsHeadApproval(staff, 'tinggi', { ...DEFAULT_DECOMMISSION_POLICY, headApprovalClasses: ['strategis', 'tinggi'] }),
    ).toBe(true);
    expect(decommissionNeedsHeadApproval(operator, 'strategis', DEFAULT_DECOMMISSION_POLICY)).toBe(false);
    expect(decommissionNeedsHeadApproval(head, 'strategis', DEFAULT_DECOMMISSION_POLICY)).toBe(false);
  });

  it('should let only the own institution head approve', () => {
    expect(canApproveDecommission(head, 'i1')).toBe(true);
    expect(canApproveDecommission(otherHead, 'i1')).toBe(false);
    expect(canApproveDecommission(staff, 'i1')).toBe(false);
    expect(canApproveDecommission(operator, 'i1')).toBe(false);
  });

  it('should end the grace period after the configured days and remind the configured hours before', () => {
    const at = new Date('2026-12-07T03:00:00Z');
    const until = graceEndsAt(at, { ...DEFAULT_DECOMMISSION_POLICY, graceDays: 7 });
    expect(until.toISOString()).toBe('2026-12-14T03:00:00.000Z');
    expect(decommissionReminderAt(until, DEFAULT_DECOMMISSION_POLICY).toISOString()).toBe('2026-12-13T03:00:00.000Z');
  });
});
