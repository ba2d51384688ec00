import { AppError, ErrorCode, Role, canSeeInstitution, hasAnyRole, quotaShortfalls, type Actor } from '@betang/core';
import { appendAudit, getQuotaUsage, insertOutbox, insertRun, lockQuota, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';

export type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot';

const ACTION_FROM: Record<VmAction | 'resize' | 'decommission', readonly string[]> = {
  start: ['stopped'],
  stop: ['running'],
  shutdown: ['running'],
  reboot: ['running'],
  resize: ['running', 'stopped'],
  decommission: ['running', 'stopped', 'missing'],
};

async function lockVm(tx: Tx, actor: Actor, vmId: string) {
  const vm = await tx.selectFrom('vms').selectAll().where('id', '=', vmId).forUpdate().executeTakeFirst();
  if (!vm || !canSeeInstitution(actor, vm.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (hasAnyRole(actor, [Role.Auditor]) && !hasAnyRole(actor, [Role.Admin, Role.Operator])) throw new AppError(ErrorCode.Forbidden);
  return vm;
}

/**
 * Queues a day-2 run (power action, resize, decommission) for a VM: the run row and its outbox job
 * in one transaction (exactly-once, like provisioning). Refused with 409 when the VM is not in a
 * state the action applies to, or another run of the same request is still queued or running
 * (the database allows one live run per request).
 */
export async function requestVmAction(
  tx: Tx,
  actor: Actor,
  vmId: string,
  kind: VmAction | 'resize' | 'decommission',
  params: { cores?: number; memoryMiB?: number; diskGiB?: number; reason?: string },
  meta: AuditMeta,
): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (!ACTION_FROM[kind].includes(vm.state)) {
    throw new AppError(ErrorCode.InvalidState, { id: `VM berstatus ${vm.state}; tindakan ${kind} tidak dapat dilakukan.`, en: `The VM is ${vm.state}; ${kind} is not possible.` });
  }
  const live = await tx.selectFrom('provisioningRuns').select('id').where('requestId', '=', vm.requestId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  if (live) throw new AppError(ErrorCode.InvalidState, { id: 'Masih ada tindakan lain yang berjalan untuk VM ini. Tunggu sampai selesai.', en: 'Another action is still running for this VM. Wait until it finishes.' });

  if (kind === 'resize') {
    const target = { cores: params.cores ?? vm.cores, memoryMiB: params.memoryMiB ?? vm.memoryMib, diskGiB: params.diskGiB ?? vm.diskGib };
    if (target.cores < vm.cores || target.memoryMiB < vm.memoryMib || target.diskGiB < vm.diskGib) {
      throw new AppError(ErrorCode.ValidationFailed, { id: 'Ukuran hanya dapat diperbesar (disk tidak dapat diperkecil tanpa kehilangan data).', en: 'Sizes can only grow (a disk cannot shrink without losing data).' });
    }
    // The request's resources are what the quota counts: reserve the growth now, under the quota lock.
    const limits = await lockQuota(tx, vm.institutionId);
    const usage = await getQuotaUsage(tx, vm.institutionId);
    const growth = { cores: target.cores - vm.cores, memoryMiB: target.memoryMiB - vm.memoryMib, diskGiB: target.diskGiB - vm.diskGib };
    const short = quotaShortfalls(limits, { ...usage, vmCount: usage.vmCount - 1 }, growth);
    if (short.length > 0) throw new AppError(ErrorCode.QuotaExceeded, undefined, { shortfalls: short });
    await tx.updateTable('vpsRequests').set({ cores: target.cores, memoryMib: target.memoryMiB, diskGib: target.diskGiB }).where('id', '=', vm.requestId).execute();
  }
  if (kind === 'decommission') {
    await tx.updateTable('vpsRequests').set({ status: 'decommissioning', statusReason: params.reason ?? null }).where('id', '=', vm.requestId).execute();
  }
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind, requestedBy: actor.userId, params });
  await insertOutbox(tx, { topic: 'job', dedupKey: `run:${run.id}`, payload: { name: 'vm.action', data: { runId: run.id } } });
  await appendAudit(tx, { ...meta, institutionId: vm.institutionId, action: `vm.${kind}_requested`, targetType: 'vm', targetId: vm.id, before: { state: vm.state }, after: { runId: run.id, params } });
  return { runId: run.id };
}
