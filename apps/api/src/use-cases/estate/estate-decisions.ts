import { AppError, ErrorCode, type Actor, type EstateDecisionsDto, type EstateVmDto } from '@betang/core';
import { appendAudit, enqueueJob, insertRun, lockEstateVm, lockForTransaction, setEstateDecisions, type Tx } from '@betang/db';
import { lockVm } from '../vms/request-vm-action';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { ADOPTION_LOCK } from './adopt-vm';
import { loadEstateWorld, toEstateVmDto } from './estate-world';
import { refuseWhileBusy } from '../vms/refuse-while-busy';

/**
 * Records an operator's decisions on a census VM's conflicts. Choosing that this VM keeps a shared
 * address also records, on every other census VM reporting it, that it is adopted without it —
 * one decision settles both sides. Audited; replaying the same decisions writes the same rows.
 */
export async function recordDecisions(
  tx: Tx,
  actor: Actor,
  vmid: number,
  decisions: EstateDecisionsDto,
  meta: AuditMeta,
): Promise<EstateVmDto> {
  await lockForTransaction(tx, ADOPTION_LOCK);
  const vm = await lockEstateVm(tx, vmid);
  if (!vm) throw new AppError(ErrorCode.NotFound);
  const before = await loadEstateWorld(tx);
  if (before.adoptions.has(vmid))
    throw new AppError(ErrorCode.InvalidState, { id: `VM ${vmid} sudah diadopsi.`, en: `VM ${vmid} is already adopted.` });
  await setEstateDecisions(tx, vmid, decisions, actor.userId);
  const others: number[] = [];
  for (const [address, choice] of Object.entries(decisions.addresses ?? {})) {
    if (choice !== 'keep') continue;
    for (const other of before.censusHolders.get(address) ?? []) {
      if (other === vmid) continue;
      const row = before.byVmid.get(other);
      if (!row) continue;
      await setEstateDecisions(tx, other, { ...row.decisions, addresses: { ...row.decisions.addresses, [address]: 'drop' } }, actor.userId);
      others.push(other);
    }
  }
  await appendAudit(tx, {
    ...meta,
    institutionId: null,
    action: 'estate.decision_recorded',
    targetType: 'estate_vm',
    targetId: String(vmid),
    before: { decisions: vm.decisions },
    after: { decisions, alsoDropped: others },
  });
  const after = await loadEstateWorld(tx);
  return toEstateVmDto(after, after.byVmid.get(vmid)!);
}

/**
 * Queues the release of an adopted VM: a `release` run that removes Betang's marker from the VM
 * and then ends Betang's record of it (request and VM decommissioned, address back to the pool,
 * adoption closed) — the VM itself keeps running untouched. 404 outside the actor's tenancy or
 * for a VM Betang built (only adopted VMs are released); 409 while another run of the VM is live.
 */
export async function releaseVm(tx: Tx, actor: Actor, vmId: string, reason: string, meta: AuditMeta): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  const adoption = await tx
    .selectFrom('adoptions')
    .select(['id', 'vmid'])
    .where('vmId', '=', vm.id)
    .where('releasedAt', 'is', null)
    .executeTakeFirst();
  if (!adoption)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Hanya VM adopsi yang dapat dilepas; VM yang dibuat Betang dihapus lewat dekomisi.',
      en: 'Only adopted VMs can be released; a VM Betang built is removed by decommissioning.',
    });
  if (!['running', 'stopped', 'missing'].includes(vm.state))
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; tidak dapat dilepas.`,
      en: `The VM is ${vm.state}; it cannot be released.`,
    });
  await refuseWhileBusy(tx, vm.requestId, { awaitingApproval: true });
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind: 'release', requestedBy: actor.userId, params: { reason } });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await tx.updateTable('adoptions').set({ releasedBy: actor.userId, releaseReason: reason }).where('id', '=', adoption.id).execute();
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.release_requested',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state },
    after: { vmid: adoption.vmid, reason, runId: run.id },
  });
  return { runId: run.id };
}
