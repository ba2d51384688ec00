import { appendAudit, moveVmsToAgreement, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';

/**
 * Once an agreement is in force, the institution's live VMs whose agreement ends before this one
 * move to it (a renewal, or a new agreement after one that lapsed): their leases end — a VM in
 * its grace period is simply covered again, a stopped VM stays stopped until an operator starts
 * it — each move audited. Runs in the signing transaction; a second call moves nothing.
 */
export async function coverVmsByAgreement(
  tx: Tx,
  agreement: { id: string; institutionId: string; termEnd: string },
  audit: AuditMeta,
): Promise<number> {
  const moved = await moveVmsToAgreement(tx, agreement);
  for (const vm of moved) {
    await appendAudit(tx, {
      ...audit,
      institutionId: agreement.institutionId,
      action: 'vm.lease_renewed',
      targetType: 'vm',
      targetId: vm.vmId,
      before: { agreementId: vm.fromAgreementId, leaseState: vm.leaseState, vmState: vm.vmState },
      after: { agreementId: agreement.id, leaseState: null },
    });
  }
  return moved.length;
}
