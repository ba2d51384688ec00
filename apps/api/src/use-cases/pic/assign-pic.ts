import { AppError, ErrorCode, picProblem, seesAllInstitutions, type Actor, type AssignPicBody } from '@betang/core';
import { appendAudit, findPicVms, findUserById, lockUserRow, setVmPic, type AuditEntry, type Tx } from '@betang/db';

type AuditContext = Omit<AuditEntry, 'institutionId' | 'action' | 'targetType' | 'targetId' | 'before' | 'after'>;

/**
 * Names `body.picUserId` the PIC of every VM in `body.vmIds`, all or nothing, audited per VM whose
 * PIC changed. Tenancy: an institution user naming any VM that is not a live VM of their own
 * institution gets 404 (as for a missing one). The VMs must belong to one institution and the user
 * must be an active user of it with an institution role, else 422 PIC_NOT_ELIGIBLE and nothing is
 * written (an unknown user answers the same, so other institutions' user ids cannot be probed).
 * The user row is locked first, so a deactivation running at the same time either waits for this
 * assignment (and then flags the VMs again) or is seen by it. Running it twice changes nothing more.
 */
export async function assignPic(tx: Tx, actor: Actor, body: AssignPicBody, audit: AuditContext): Promise<{ changed: number }> {
  const vmIds = [...new Set(body.vmIds)];
  const vms = await findPicVms(tx, vmIds);
  const visible = vms.filter((vm) => seesAllInstitutions(actor) || vm.institutionId === actor.institutionId);
  if (visible.length !== vmIds.length) throw new AppError(ErrorCode.NotFound);

  await lockUserRow(tx, body.picUserId);
  const user = await findUserById(tx, body.picUserId);
  const institutions = new Set(vms.map((vm) => vm.institutionId));
  const refused = vms.filter((vm) => picProblem(user ?? null, vm.institutionId) !== null);
  if (institutions.size > 1 || refused.length > 0) {
    throw new AppError(ErrorCode.PicNotEligible, undefined, [
      ...refused.map((vm) => ({ path: 'body.picUserId', message: vm.id, code: 'pic_not_eligible' })),
      ...(institutions.size > 1 ? [{ path: 'body.vmIds', message: 'several institutions', code: 'pic_mixed_institutions' }] : []),
    ]);
  }

  const changed = new Set(await setVmPic(tx, vmIds, body.picUserId));
  for (const vm of vms) {
    if (!changed.has(vm.id)) continue;
    await appendAudit(tx, {
      ...audit,
      institutionId: vm.institutionId,
      action: 'vm.pic_assigned',
      targetType: 'vm',
      targetId: vm.id,
      before: { picUserId: vm.picUserId, problem: vm.problem },
      after: { picUserId: body.picUserId },
    });
  }
  return { changed: changed.size };
}
