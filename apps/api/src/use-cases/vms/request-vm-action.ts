import { AppError, ErrorCode, Role, canSeeInstitution, hasAnyRole, vmActionAllowed, type Actor } from '@betang/core';
import { appendAudit, enqueueJob, insertRun, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { refuseWhileBusy } from './refuse-while-busy';

type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot';

/** The VM row locked for this transaction; 404 outside the actor's tenancy, 403 for auditors. */
export async function lockVm(tx: Tx, actor: Actor, vmId: string) {
  const vm = await tx.selectFrom('vms').selectAll().where('id', '=', vmId).forUpdate().executeTakeFirst();
  if (!vm || !canSeeInstitution(actor, vm.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (hasAnyRole(actor, [Role.Auditor]) && !hasAnyRole(actor, [Role.Admin, Role.Operator])) throw new AppError(ErrorCode.Forbidden);
  return vm;
}

/**
 * Queues a power action for a VM: the run row and its outbox job in one transaction
 * (exactly-once, like provisioning). Refused with 409 when the VM is not in a state the action
 * applies to, or another run of the same request is still queued or running (the database allows
 * one live run per request), and a start of a VM its lease stopped (its reversal is the lease's
 * restart). Resizes go through approval (resize-vm.ts), decommissions through
 * the grace period (decommission-vm.ts).
 */
export async function requestVmAction(
  tx: Tx,
  actor: Actor,
  vmId: string,
  kind: VmAction,
  params: Record<string, never>,
  meta: AuditMeta,
): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (!vmActionAllowed(vm.state, kind)) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; tindakan ${kind} tidak dapat dilakukan.`,
      en: `The VM is ${vm.state}; ${kind} is not possible.`,
    });
  }
  // a VM its lease stopped comes back only through the lease's own restart (operators, audited)
  if (kind === 'start') {
    const lease = await tx.selectFrom('vmLeases').select('state').where('vmId', '=', vm.id).executeTakeFirst();
    if (lease && (lease.state === 'stopped' || lease.state === 'destroying')) {
      throw new AppError(ErrorCode.InvalidState, {
        id: 'VM ini dimatikan karena perjanjiannya berakhir tanpa perpanjangan. VM dapat dinyalakan lagi setelah perjanjian diperpanjang, atau oleh operator dari halaman perjanjian.',
        en: 'This VM was stopped because its agreement ended without a renewal. It can be started again once the agreement is renewed, or by an operator from the agreement page.',
      });
    }
  }
  await refuseWhileBusy(tx, vm.requestId);

  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind, requestedBy: actor.userId, params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: `vm.${kind}_requested`,
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state },
    after: { runId: run.id, params },
  });
  return { runId: run.id };
}
