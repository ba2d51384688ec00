import { AppError, ErrorCode, Role, canSeeInstitution, hasAnyRole, vmActionAllowed, type Actor, type RequestStatus } from '@betang/core';
import { appendAudit, enqueueJob, insertRun, lockPendingChange, transitionRequest, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { endChange } from './pending-change';

type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot';

/** The request states a decommission starts from (its VM is built; a failed decommission may be tried again). */
const DECOMMISSIONABLE: readonly RequestStatus[] = ['active', 'stopped', 'expiring', 'failed'];

/** The VM row locked for this transaction; 404 outside the actor's tenancy, 403 for auditors. */
export async function lockVm(tx: Tx, actor: Actor, vmId: string) {
  const vm = await tx.selectFrom('vms').selectAll().where('id', '=', vmId).forUpdate().executeTakeFirst();
  if (!vm || !canSeeInstitution(actor, vm.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (hasAnyRole(actor, [Role.Auditor]) && !hasAnyRole(actor, [Role.Admin, Role.Operator])) throw new AppError(ErrorCode.Forbidden);
  return vm;
}

/**
 * Queues a day-2 run (power action, decommission) for a VM: the run row and its outbox job in one
 * transaction (exactly-once, like provisioning). Refused with 409 when the VM is not in a state
 * the action applies to, or another run of the same request is still queued or running (the
 * database allows one live run per request). A decommission ends a resize still awaiting
 * approval. Resizes go through approval (resize-vm.ts).
 */
export async function requestVmAction(
  tx: Tx,
  actor: Actor,
  vmId: string,
  kind: VmAction | 'decommission',
  params: { reason?: string },
  meta: AuditMeta,
): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (!vmActionAllowed(vm.state, kind)) {
    throw new AppError(ErrorCode.InvalidState, { id: `VM berstatus ${vm.state}; tindakan ${kind} tidak dapat dilakukan.`, en: `The VM is ${vm.state}; ${kind} is not possible.` });
  }
  const live = await tx.selectFrom('provisioningRuns').select('id').where('requestId', '=', vm.requestId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  if (live) throw new AppError(ErrorCode.InvalidState, { id: 'Masih ada tindakan lain yang berjalan untuk VM ini. Tunggu sampai selesai.', en: 'Another action is still running for this VM. Wait until it finishes.' });

  if (kind === 'decommission') {
    const pending = await lockPendingChange(tx, vm.requestId);
    if (pending) {
      await endChange(tx, pending, { code: 'CHANGE_CANCELLED', reason: 'VM dihapus / the VM is being decommissioned' });
      await appendAudit(tx, { ...meta, institutionId: vm.institutionId, action: 'vm.resize_cancelled', targetType: 'vm', targetId: vm.id, after: { runId: pending.id, reason: 'decommission' } });
    }
    await transitionRequest(tx, vm.requestId, DECOMMISSIONABLE, 'decommissioning', { reason: params.reason ?? null });
  }
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind, requestedBy: actor.userId, params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, { ...meta, institutionId: vm.institutionId, action: `vm.${kind}_requested`, targetType: 'vm', targetId: vm.id, before: { state: vm.state }, after: { runId: run.id, params } });
  return { runId: run.id };
}
