import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  ZApprovalPolicy,
  applicableLevels,
  isAutoApproved,
  vmActionAllowed,
  type Actor,
  type ApprovalLevel,
  type Resources,
} from '@betang/core';
import { appendAudit, getQuotaUsage, getSetting, enqueueJob, insertRun, lockPendingChange, lockQuota, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { assertAgreementCovers, assertQuota, assertSizeAllowed } from '../vps-requests/request-checks';
import { lockVm } from './request-vm-action';
import type { ResizeParams } from './pending-change';

type ResizeOutcome = { runId: string; status: 'awaiting_approval' | 'queued'; pendingLevel: Pick<ApprovalLevel, 'level' | 'name' | 'roles'> | null };

/**
 * Asks to grow a VM. The change gets every check a new request gets — the custom-size rules
 * (or a catalog preset), the quota and the agreement's ceiling for the institution's usage after
 * the growth — and then the approval policy for the new size: auto-approved sizes are queued for
 * the worker at once; otherwise the change waits (its run `awaiting_approval`) in the approval
 * queue until POST /vps-requests/:id/approve satisfies the policy. The growth is reserved on the
 * request under the quota lock, so pending changes count like pending requests. One pending
 * change per VM; refused with 409 while another is pending or a run is live.
 */
export async function resizeVm(tx: Tx, actor: Actor, vmId: string, wanted: Partial<Resources>, meta: AuditMeta): Promise<ResizeOutcome> {
  const vm = await lockVm(tx, actor, vmId);
  if (!vmActionAllowed(vm.state, 'resize')) {
    throw new AppError(ErrorCode.InvalidState, { id: `VM berstatus ${vm.state}; tindakan resize tidak dapat dilakukan.`, en: `The VM is ${vm.state}; resize is not possible.` });
  }
  const live = await tx.selectFrom('provisioningRuns').select('id').where('requestId', '=', vm.requestId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  if (live) throw new AppError(ErrorCode.InvalidState, { id: 'Masih ada tindakan lain yang berjalan untuk VM ini. Tunggu sampai selesai.', en: 'Another action is still running for this VM. Wait until it finishes.' });
  if (await lockPendingChange(tx, vm.requestId)) {
    throw new AppError(ErrorCode.InvalidState, { id: 'Perubahan ukuran sebelumnya masih menunggu persetujuan.', en: 'An earlier resize of this VM is still awaiting approval.' });
  }

  const current: Resources = { cores: vm.cores, memoryMiB: vm.memoryMiB, diskGiB: vm.diskGiB };
  const target: Resources = { cores: wanted.cores ?? current.cores, memoryMiB: wanted.memoryMiB ?? current.memoryMiB, diskGiB: wanted.diskGiB ?? current.diskGiB };
  if (target.cores < current.cores || target.memoryMiB < current.memoryMiB || target.diskGiB < current.diskGiB) {
    throw new AppError(ErrorCode.ValidationFailed, { id: 'Ukuran hanya dapat diperbesar (disk tidak dapat diperkecil tanpa kehilangan data).', en: 'Sizes can only grow (a disk cannot shrink without losing data).' });
  }
  await assertSizeAllowed(tx, target, 'body', (key) => `body.${key}`);

  // The request's resources are what the quota and the ceiling count: reserve the growth under the quota lock.
  const limits = await lockQuota(tx, vm.institutionId);
  const request = await tx.selectFrom('vpsRequests').select(['cores', 'memoryMiB', 'diskGiB']).where('id', '=', vm.requestId).executeTakeFirstOrThrow();
  const held: Resources = { cores: request.cores, memoryMiB: request.memoryMiB, diskGiB: request.diskGiB };
  const growth = { cores: Math.max(0, target.cores - held.cores), memoryMiB: Math.max(0, target.memoryMiB - held.memoryMiB), diskGiB: Math.max(0, target.diskGiB - held.diskGiB) };
  const usage = await getQuotaUsage(tx, vm.institutionId);
  assertQuota(limits, usage, { ...growth, vmCount: 0 });
  const usageAfter = { cores: usage.cores + growth.cores, memoryMiB: usage.memoryMiB + growth.memoryMiB, diskGiB: usage.diskGiB + growth.diskGiB, vmCount: usage.vmCount };
  await assertAgreementCovers(tx, vm.institutionId, growth, usageAfter);
  await tx.updateTable('vpsRequests').set({ cores: target.cores, memoryMiB: target.memoryMiB, diskGiB: target.diskGiB }).where('id', '=', vm.requestId).execute();

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  const first = applicableLevels(policy, target)[0];
  const autoApproved = isAutoApproved(policy, target) || first === undefined;
  const params: ResizeParams = { ...target, from: held };
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind: 'resize', requestedBy: actor.userId, params, status: autoApproved ? 'queued' : 'awaiting_approval' });
  if (autoApproved) await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.resize_requested',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state, ...current },
    after: { runId: run.id, runStatus: run.status, ...target, pendingLevel: autoApproved ? null : (first?.level ?? null) },
  });
  return { runId: run.id, status: autoApproved ? 'queued' : 'awaiting_approval', pendingLevel: !autoApproved && first ? { level: first.level, name: first.name, roles: first.roles } : null };
}
