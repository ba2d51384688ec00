import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  ZApprovalPolicy,
  applicableLevels,
  isAutoApproved,
  seesAllInstitutions,
  type Actor,
  type BackupRestoreAnswer,
  type RestoreBackupBody,
} from '@betang/core';
import { appendAudit, enqueueJob, getSetting, insertRun, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { lockVm } from './request-vm-action';
import { refuseWhileBusy } from './refuse-while-busy';
import { requestRestoreIntoNewVm } from './restore-into-new-vm';

/**
 * Asks for a restore of one of the VM's backups: into a new VM (requestRestoreIntoNewVm) or over the VM itself. The run (and, unless it
 * waits for approval, its job) and the audit entry are written in one transaction, so it is
 * queued exactly once. The owning institution's request goes through the change approval (the
 * `approval_policy` levels that apply to the VM's sizes, as a resize); operators and admins
 * restore any VM at once. Refused with nothing written: a VM or backup outside the actor's
 * tenancy, or a backup of another VM (404); no confirmation (422); a backup that did not finish OK, a VM neither running
 * nor stopped, or one with a live run (409 naming it).
 */
export async function requestRestore(
  tx: Tx,
  actor: Actor,
  vmId: string,
  backupId: string,
  body: RestoreBackupBody,
  meta: AuditMeta,
): Promise<BackupRestoreAnswer> {
  const vm = await lockVm(tx, actor, vmId);
  const intoNew = body.mode === 'new_vm';
  if (body.hostname !== undefined && !intoNew)
    throw new AppError(ErrorCode.ValidationFailed, undefined, [
      {
        path: 'body.hostname',
        code: 'hostname_new_vm_only',
        message: { id: 'Nama host hanya untuk pemulihan ke VM baru.', en: 'A hostname applies only to a restore into a new VM.' },
      },
    ]);
  if (body.confirm !== true)
    throw new AppError(
      ErrorCode.PreconditionFailed,
      intoNew
        ? {
            id: 'Konfirmasi pemulihan: VM baru dibuat dengan alamat IP baru dan dihitung dalam kuota.',
            en: 'Confirm the restore: a new VM is made with a new IP address and counts against the quota.',
          }
        : {
            id: 'Konfirmasi pemulihan: semua yang ditulis di VM sejak cadangan ini akan hilang.',
            en: 'Confirm the restore: everything written on the VM since this backup will be lost.',
          },
      [{ path: 'body.confirm', code: 'confirmation_required', message: { id: 'Konfirmasi diperlukan.', en: 'Confirmation required.' } }],
    );
  const backup = await tx
    .selectFrom('vmBackups')
    .select(['id', 'outcome', 'volid', 'backupDate', 'storage'])
    .where('id', '=', backupId)
    .where('vmId', '=', vm.id)
    .executeTakeFirst();
  if (!backup) throw new AppError(ErrorCode.NotFound);
  if (backup.outcome !== 'ok' || !backup.volid)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Cadangan ini tidak selesai dengan baik dan tidak dapat dipulihkan. Pilih cadangan lain.',
      en: 'This backup did not finish successfully and cannot be restored. Choose another backup.',
    });
  // The source VM is only read: its state and runs do not matter to a copy of its backup.
  if (intoNew) return requestRestoreIntoNewVm(tx, actor, vm, { id: backup.id, backupDate: String(backup.backupDate) }, body.hostname, meta);
  if (vm.state !== 'running' && vm.state !== 'stopped')
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; pemulihan hanya untuk VM yang menyala atau mati.`,
      en: `The VM is ${vm.state}; a restore applies only to a running or stopped VM.`,
    });
  await refuseWhileBusy(tx, vm.requestId, { awaitingApproval: true });

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  const sizes = { cores: vm.cores, memoryMiB: vm.memoryMiB, diskGiB: vm.diskGiB };
  const first = applicableLevels(policy, sizes)[0];
  const direct = seesAllInstitutions(actor) || isAutoApproved(policy, sizes) || first === undefined;
  const run = await insertRun(tx, {
    requestId: vm.requestId,
    vmId: vm.id,
    kind: 'restore',
    requestedBy: actor.userId,
    params: { backupId: backup.id, mode: body.mode },
    status: direct ? 'queued' : 'awaiting_approval',
  });
  if (direct) await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.restore_requested',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state },
    after: {
      runId: run.id,
      runStatus: run.status,
      backupId: backup.id,
      backupDate: String(backup.backupDate),
      mode: body.mode,
      pendingLevel: direct ? null : (first?.level ?? null),
    },
  });
  return { runId: run.id, status: direct ? 'queued' : 'awaiting_approval' };
}
