import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  ZApprovalPolicy,
  isAutoApproved,
  requestSubmittedMessage,
  Role,
  seesAllInstitutions,
  type Actor,
  type BackupRestoreAnswer,
} from '@betang/core';
import {
  appendAudit,
  findApplication,
  getQuotaUsage,
  getSetting,
  insertVpsRequest,
  isHostnameTaken,
  listTemplates,
  lockQuota,
  notify,
  userIdsWithRole,
  type Tx,
} from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { finalizeApproval } from '../vps-requests/finalize-approval';
import { assertAgreementCovers, assertQuota } from '../vps-requests/request-checks';

/** The VM a backup is restored from, as lockVm returns it (only what a new request copies). */
type SourceVm = {
  id: string;
  requestId: string;
  institutionId: string;
  name: string;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
};

/** The new VM's default hostname: the source's with `-pulih`, cut to the 63 characters a hostname may have. */
export function restoredHostname(source: string): string {
  const suffix = '-pulih';
  return `${source.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * Asks for a restore of `backup` into a NEW VM: a new VPS request of the same institution and
 * application (the source VM's template, sizes, SSH keys, ports and contact; its own hostname,
 * vmid, address and MAC address; no public address) whose provisioning restores the backup
 * instead of cloning the template. Checked like a new request, under the institution's quota
 * lock: hostname free, quota and the agreement's ceiling and scope. An institution's request goes
 * through the approval queue like any new VPS (it consumes quota) unless the policy auto-approves
 * its size; an operator's (or admin's) is approved at once. Everything — request, run and its
 * job, audit — is written in the caller's transaction, so it is queued exactly once; any refusal
 * writes nothing.
 */
export async function requestRestoreIntoNewVm(
  tx: Tx,
  actor: Actor,
  vm: SourceVm,
  backup: { id: string; backupDate: string },
  hostnameAsked: string | undefined,
  meta: AuditMeta,
): Promise<BackupRestoreAnswer> {
  const source = await tx
    .selectFrom('vpsRequests')
    .select(['applicationId', 'templateId', 'presetId', 'sshPublicKeys', 'ports', 'contact'])
    .where('id', '=', vm.requestId)
    .executeTakeFirstOrThrow();
  if (!source.templateId)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'VM ini diadopsi (tidak dibuat dari templat katalog); cadangannya hanya dapat dipulihkan ke VM ini sendiri.',
      en: 'This VM was adopted (not built from a catalog template); its backups can only be restored over the VM itself.',
    });
  const template = (await listTemplates(tx, true)).find((t) => t.id === source.templateId);
  if (!template)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Templat OS VM ini tidak aktif lagi di katalog; VM baru tidak dapat ditempatkan. Minta operator mengaktifkannya.',
      en: "This VM's OS template is no longer active in the catalog; a new VM cannot be placed. Ask the operators to activate it.",
    });
  const limits = await lockQuota(tx, vm.institutionId);
  const application = await findApplication(tx, source.applicationId);
  if (!application)
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Aplikasi VM ini tidak ada lagi di inventaris perangkat daerah.',
      en: "This VM's application is no longer in the institution's inventory.",
    });
  const hostname = hostnameAsked ?? restoredHostname(vm.name);
  if (await isHostnameTaken(tx, vm.institutionId, hostname))
    throw new AppError(
      ErrorCode.Conflict,
      {
        id: `Nama host ${hostname} sudah dipakai VPS lain di perangkat daerah ini. Pilih nama host lain untuk VM baru.`,
        en: `Hostname ${hostname} is already used by another VPS of this institution. Choose another hostname for the new VM.`,
      },
      [{ path: 'body.hostname', message: 'taken', code: 'hostname_taken' }],
    );
  const resources = { cores: vm.cores, memoryMiB: vm.memoryMiB, diskGiB: vm.diskGiB };
  const usage = await getQuotaUsage(tx, vm.institutionId);
  assertQuota(limits, usage, { ...resources, vmCount: 1 });
  await assertAgreementCovers(
    tx,
    vm.institutionId,
    { ...resources, vmCount: 1 },
    {
      cores: usage.cores + resources.cores,
      memoryMiB: usage.memoryMiB + resources.memoryMiB,
      diskGiB: usage.diskGiB + resources.diskGiB,
      vmCount: usage.vmCount + 1,
    },
    { application: { id: application.id, name: application.name }, template: { id: template.id, name: template.name } },
  );

  const request = await insertVpsRequest(tx, {
    institutionId: vm.institutionId,
    applicationId: source.applicationId,
    requestedBy: actor.userId,
    hostname,
    templateId: template.id,
    presetId: source.presetId,
    ...resources,
    sshPublicKeys: source.sshPublicKeys,
    purpose: `Pemulihan cadangan ${backup.backupDate} VM ${vm.name} ke VM baru. / Restore of the ${backup.backupDate} backup of VM ${vm.name} into a new VM.`,
    publicAccess: false,
    ports: source.ports ?? [],
    contact: source.contact,
    status: 'submitted',
    restoreFromBackupId: backup.id,
  });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vps_request.submitted',
    targetType: 'vps_request',
    targetId: request.id,
    after: { hostname, ...resources, templateId: template.id, restoreFromBackupId: backup.id, sourceVmId: vm.id },
  });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.restore_requested',
    targetType: 'vm',
    targetId: vm.id,
    after: { mode: 'new_vm', backupId: backup.id, backupDate: backup.backupDate, requestId: request.id, hostname },
  });

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  const direct = seesAllInstitutions(actor) || isAutoApproved(policy, resources);
  if (!direct) {
    await notify(tx, {
      ...requestSubmittedMessage(request, `${resources.cores} vCPU, ${resources.memoryMiB} MiB, ${resources.diskGiB} GiB`),
      recipients: await userIdsWithRole(tx, Role.Operator),
    });
    return { runId: null, status: 'awaiting_approval', requestId: request.id };
  }
  await finalizeApproval(
    tx,
    request,
    seesAllInstitutions(actor) ? meta : { ...meta, actorUserId: null, actorLabel: 'system (persetujuan otomatis / auto-approval)' },
  );
  const run = await tx
    .selectFrom('provisioningRuns')
    .select('id')
    .where('requestId', '=', request.id)
    .where('kind', '=', 'provision')
    .executeTakeFirstOrThrow();
  return { runId: run.id, status: 'queued', requestId: request.id };
}
