import { Role } from '../roles';
import { DEFAULT_APPROVAL_POLICY, approvalState, type ApprovalPolicy } from './approval-policy';

const big = { cores: 8, memoryMiB: 16_384, diskGiB: 200 };
const one = () => 1;

describe('approvalState', () => {
  it('should count an approval only at a level its role decides (admins everywhere)', () => {
    const headFirst: ApprovalPolicy = {
      autoApproveUpTo: null,
      levels: [
        { level: 1, name: { id: 'Kepala', en: 'Head' }, roles: [Role.DcHead], mode: 'any' },
        { level: 2, name: { id: 'Operator', en: 'Operator' }, roles: [Role.Operator], mode: 'any' },
      ],
    };
    const byOperator = [{ level: 1, decision: 'approved' as const, decidedBy: 'op', role: 'operator' }];
    expect(approvalState(headFirst, big, byOperator, one)).toMatchObject({ kind: 'pending', level: { level: 1 }, approvalsAtLevel: 0 });
    expect(approvalState(headFirst, big, [{ ...byOperator[0]!, role: 'admin' }], one)).toMatchObject({
      kind: 'pending',
      level: { level: 2 },
    });
    // Without a recorded role the level number alone counts.
    expect(approvalState(headFirst, big, [{ level: 1, decision: 'approved', decidedBy: 'x' }], one)).toMatchObject({
      kind: 'pending',
      level: { level: 2 },
    });
  });

  it('should approve under a policy that no longer has the level a request waited at', () => {
    const decisions = [{ level: 1, decision: 'approved' as const, decidedBy: 'op', role: 'operator' }];
    expect(approvalState(DEFAULT_APPROVAL_POLICY, big, decisions, one)).toMatchObject({ kind: 'pending', level: { level: 2 } });
    expect(approvalState({ ...DEFAULT_APPROVAL_POLICY, levels: [DEFAULT_APPROVAL_POLICY.levels[0]!] }, big, decisions, one)).toEqual({
      kind: 'approved',
    });
  });
});
