import {
  AppError,
  DEFAULT_DECOMMISSION_POLICY,
  ErrorCode,
  ZDecommissionPolicy,
  ZEmailMessage,
  canApproveDecommission,
  decommissionNeedsHeadApproval,
  graceEndsAt,
  vmActionAllowed,
  type Actor,
  type DecommissionAnswer,
  type RequestStatus,
} from '@betang/core';
import {
  appendAudit,
  decideDecommission,
  enqueueEmail,
  enqueueJob,
  getSetting,
  insertDecommission,
  insertRun,
  listInstitutionHeadEmails,
  lockAwaitingDecommission,
  lockPendingChange,
  transitionRequest,
  transitionVm,
  type DecommissionRow,
  type Tx,
} from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { fieldError } from '../vps-requests/request-checks';
import { endChange } from './pending-change';
import { lockVm } from './request-vm-action';
import { refuseWhileBusy } from './refuse-while-busy';

type LockedVm = Awaited<ReturnType<typeof lockVm>>;

/** The request states a decommission starts from (its VM is built; a failed request may be decommissioned). */
const DECOMMISSIONABLE: readonly RequestStatus[] = ['active', 'stopped', 'expiring', 'failed'];

function assertDecommissionable(vm: LockedVm): void {
  if (!vmActionAllowed(vm.state, 'decommission')) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; VM tidak dapat dihapus.`,
      en: `The VM is ${vm.state}; it cannot be decommissioned.`,
    });
  }
}

/**
 * Starts the grace period of an approved decommission, in the caller's transaction: a resize
 * awaiting approval ends, the VM and its request become `retained` until the policy's grace
 * period ends, and a `stop` run (with its outbox job) powers the VM off — none for a VM missing
 * from the cluster. The VM keeps its vmid and address until the grace sweep destroys it.
 */
async function retain(tx: Tx, vm: LockedVm, decommission: DecommissionRow, meta: AuditMeta): Promise<DecommissionAnswer> {
  const pending = await lockPendingChange(tx, vm.requestId);
  if (pending) {
    await endChange(tx, pending, { code: 'CHANGE_CANCELLED', reason: 'VM sedang dihapus.\n\nThe VM is being decommissioned.' });
    await appendAudit(tx, {
      ...meta,
      institutionId: vm.institutionId,
      action: 'vm.resize_cancelled',
      targetType: 'vm',
      targetId: vm.id,
      after: { runId: pending.id, reason: 'decommission' },
    });
  }
  const policy = await getSetting(tx, 'decommission_policy', ZDecommissionPolicy, DEFAULT_DECOMMISSION_POLICY);
  const until = graceEndsAt(new Date(), policy);
  await transitionVm(tx, vm.id, ['running', 'stopped', 'missing'], 'retained', { fields: { retainedUntil: until } });
  await transitionRequest(tx, vm.requestId, DECOMMISSIONABLE, 'retained', { reason: decommission.reason });
  let runId: string | null = null;
  if (vm.state !== 'missing') {
    const run = await insertRun(tx, {
      requestId: vm.requestId,
      vmId: vm.id,
      kind: 'stop',
      requestedBy: decommission.requestedBy,
      params: { reason: decommission.reason },
    });
    await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
    runId = run.id;
  }
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.retained',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state },
    after: { state: 'retained', decommissionId: decommission.id, retainedUntil: until.toISOString(), runId, reason: decommission.reason },
  });
  return { runId, status: 'retained', decommissionId: decommission.id, retainedUntil: until.toISOString() };
}

/**
 * `POST /vms/:id/decommission`. The host name must be typed again (`confirmHostname`, exactly
 * the request's host name, else 400). A VM of an application in a class the policy protects,
 * asked for by institution staff, waits for the institution head (a `vm_decommissions` row
 * `awaiting_approval`, the heads e-mailed once); otherwise the VM is retained at once (see
 * `retain`). Refused with 409 when the VM state does not allow it, a run is live, or a
 * decommission already awaits the head. Nothing is written unless everything passes.
 */
export async function decommissionVm(
  tx: Tx,
  actor: Actor,
  vmId: string,
  body: { reason: string; confirmHostname: string },
  meta: AuditMeta,
): Promise<DecommissionAnswer> {
  const vm = await lockVm(tx, actor, vmId);
  const request = await tx
    .selectFrom('vpsRequests as r')
    .innerJoin('applications as a', 'a.id', 'r.applicationId')
    .select(['r.hostname', 'a.dataClassification', 'a.name as applicationName'])
    .where('r.id', '=', vm.requestId)
    .executeTakeFirstOrThrow();
  if (body.confirmHostname.trim() !== request.hostname) {
    throw fieldError(
      'body.confirmHostname',
      `Ketik nama host VM (${request.hostname}) persis untuk mengonfirmasi penghapusan.`,
      `Type the VM's host name (${request.hostname}) exactly to confirm the decommission.`,
    );
  }
  assertDecommissionable(vm);
  await refuseWhileBusy(tx, vm.requestId);
  if (await lockAwaitingDecommission(tx, vm.id)) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Penghapusan VM ini sudah menunggu persetujuan kepala perangkat daerah.',
      en: 'A decommission of this VM is already awaiting the institution head.',
    });
  }
  const policy = await getSetting(tx, 'decommission_policy', ZDecommissionPolicy, DEFAULT_DECOMMISSION_POLICY);
  const needsHead = decommissionNeedsHeadApproval(actor, request.dataClassification, policy);
  const decommission = await insertDecommission(tx, {
    vmId: vm.id,
    requestId: vm.requestId,
    institutionId: vm.institutionId,
    requestedBy: actor.userId,
    reason: body.reason,
    status: needsHead ? 'awaiting_approval' : 'approved',
  });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.decommission_requested',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state },
    after: { decommissionId: decommission.id, reason: body.reason, awaitingHead: needsHead },
  });
  if (!needsHead) return retain(tx, vm, decommission, meta);

  const heads = await listInstitutionHeadEmails(tx, vm.institutionId);
  if (heads.length > 0) {
    const message = ZEmailMessage.parse({
      to: heads.slice(0, 20),
      locale: 'id',
      subject: { id: `Persetujuan penghapusan VM ${request.hostname}`, en: `Approve the decommission of VM ${request.hostname}` },
      text: {
        id: `Staf meminta penghapusan VM ${request.hostname} (aplikasi ${request.applicationName}, klasifikasi ${request.dataClassification}) dengan alasan: ${body.reason}\nVM baru dihentikan setelah Anda menyetujuinya di Betang.`,
        en: `Staff asked to decommission VM ${request.hostname} (application ${request.applicationName}, classification ${request.dataClassification}) because: ${body.reason}\nThe VM is stopped only once you approve it in Betang.`,
      },
      reason: `decommission:${decommission.id}:approval`,
    });
    await enqueueEmail(tx, message, `decommission-approval:${decommission.id}`);
  }
  return { runId: null, status: 'awaiting_approval', decommissionId: decommission.id, retainedUntil: null };
}

/**
 * `POST /vms/:id/decommission/approve|reject`. Approve: only the head of the VM's institution
 * (403 otherwise), and the VM must still allow it with no live run (409, nothing recorded);
 * the VM is then retained. Reject: the head, or the one who asked (withdrawing it). 409 when
 * nothing awaits a decision. Tenancy first: another institution's VM answers 404.
 */
export async function decideVmDecommission(
  tx: Tx,
  actor: Actor,
  vmId: string,
  decision: 'approve' | 'reject',
  note: string | undefined,
  meta: AuditMeta,
): Promise<DecommissionAnswer> {
  const vm = await lockVm(tx, actor, vmId);
  const pending = await lockAwaitingDecommission(tx, vm.id);
  if (!pending)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Tidak ada penghapusan VM ini yang menunggu persetujuan.',
      en: 'No decommission of this VM is awaiting a decision.',
    });
  const isHead = canApproveDecommission(actor, vm.institutionId);
  if (decision === 'reject') {
    if (!isHead && actor.userId !== pending.requestedBy) throw new AppError(ErrorCode.Forbidden);
    await decideDecommission(tx, pending.id, 'rejected', actor.userId, note ?? null);
    await appendAudit(tx, {
      ...meta,
      institutionId: vm.institutionId,
      action: 'vm.decommission_rejected',
      targetType: 'vm',
      targetId: vm.id,
      after: { decommissionId: pending.id, note: note ?? null },
    });
    return { runId: null, status: 'awaiting_approval', decommissionId: pending.id, retainedUntil: null };
  }
  if (!isHead)
    throw new AppError(ErrorCode.Forbidden, {
      id: 'Hanya kepala perangkat daerah pemilik VM yang dapat menyetujui penghapusan ini.',
      en: 'Only the head of the institution owning the VM can approve this decommission.',
    });
  assertDecommissionable(vm);
  await refuseWhileBusy(tx, vm.requestId);
  await decideDecommission(tx, pending.id, 'approved', actor.userId, note ?? null);
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.decommission_approved',
    targetType: 'vm',
    targetId: vm.id,
    after: { decommissionId: pending.id, note: note ?? null },
  });
  return retain(tx, vm, pending, meta);
}

/**
 * `POST /vms/:id/restore`: gives a retained VM back within its grace period — the VM and its
 * request become `stopped` (the grace deadline cleared) and a `start` run brings it up, after
 * which it is `running`/`active` as before. Only a `retained` VM (409 once the grace sweep has
 * begun destroying it, or after), only without a live run (the stop of the decommission must
 * have finished). Owner institution, operators and admins; another institution gets 404.
 */
export async function restoreVm(tx: Tx, actor: Actor, vmId: string, meta: AuditMeta): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (!vmActionAllowed(vm.state, 'restore')) {
    const gone = vm.state === 'decommissioning' || vm.state === 'decommissioned';
    throw new AppError(
      ErrorCode.InvalidState,
      gone
        ? {
            id: 'Masa tenggang VM ini sudah berakhir dan VM sudah (atau sedang) dihapus; VM tidak dapat dipulihkan.',
            en: 'The grace period of this VM has ended and it is (being) destroyed; it cannot be restored.',
          }
        : {
            id: `VM berstatus ${vm.state}; hanya VM yang sedang ditahan yang dapat dipulihkan.`,
            en: `The VM is ${vm.state}; only a retained VM can be restored.`,
          },
    );
  }
  await refuseWhileBusy(tx, vm.requestId);
  await transitionVm(tx, vm.id, ['retained'], 'stopped', { fields: { retainedUntil: null } });
  await transitionRequest(tx, vm.requestId, ['retained'], 'stopped', { reason: null });
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind: 'start', requestedBy: actor.userId, params: {} });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.restored',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: 'retained', retainedUntil: vm.retainedUntil?.toISOString() ?? null },
    after: { state: 'stopped', runId: run.id },
  });
  return { runId: run.id };
}
