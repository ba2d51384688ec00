import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  ZApprovalPolicy,
  institutionCodeProblem,
  isAutoApproved,
  type Actor,
  type Resources,
  type SubmitRequestBody,
  requestSubmittedMessage,
  Role,
} from '@betang/core';
import {
  appendAudit,
  findApplication,
  getQuotaUsage,
  getSetting,
  insertVpsRequest,
  isHostnameTaken,
  listPresets,
  listTemplates,
  lockQuota,
  type Tx,
  type VpsRequestRow,
  notify,
  userIdsWithRole,
} from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { finalizeApproval } from './finalize-approval';
import { assertAgreementCovers, assertCustomSize, assertQuota, assertSshKeysSound, fieldError } from './request-checks';

async function resolveResources(tx: Tx, body: SubmitRequestBody): Promise<Resources> {
  if (body.presetId) {
    const preset = (await listPresets(tx, true)).find((p) => p.id === body.presetId);
    if (!preset) throw fieldError('body.presetId', 'Paket ukuran tidak ada di katalog', 'No such size preset in the catalog');
    return { cores: preset.cores, memoryMiB: preset.memoryMiB, diskGiB: preset.diskGiB };
  }
  const r = body.resources!;
  await assertCustomSize(tx, r, 'body.resources', (key) => `body.resources.${key}`);
  return r;
}

/**
 * Submits a VPS request for the actor's institution. In one transaction that holds the
 * institution's quota row lock (so concurrent submissions serialise and can never overshoot the
 * quota): checks that the guest specification can be met (the institution's admin account is a
 * usable Linux user; duplicate SSH keys are refused by the body contract, keys OpenSSH would
 * refuse by assertSshKeysSound), the application,
 * template, size, hostname, quota (pending and active requests count) and the agreement gate;
 * inserts the request, audits it, notifies operators, and when the policy auto-approves this
 * size, approves it in the same transaction.
 */
export async function submitVpsRequest(tx: Tx, actor: Actor, body: SubmitRequestBody, meta: AuditMeta): Promise<VpsRequestRow> {
  const institutionId = actor.institutionId;
  if (!institutionId) throw new AppError(ErrorCode.Forbidden);
  assertSshKeysSound(body.sshPublicKeys);
  const limits = await lockQuota(tx, institutionId);
  const institution = await tx.selectFrom('institutions').select('code').where('id', '=', institutionId).executeTakeFirstOrThrow();
  const codeProblem = institutionCodeProblem(institution.code);
  if (codeProblem) {
    // The worker would clone the VM and then fail creating this admin account; refuse before anything is reserved.
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: `${codeProblem.id} Hubungi operator Diskominfosantik.`, en: `${codeProblem.en} Contact the data-center operators.` },
      [{ path: 'institution.code', message: codeProblem, code: 'reserved_admin_user' }],
    );
  }

  const application = await findApplication(tx, body.applicationId);
  if (!application || application.institutionId !== institutionId) {
    throw fieldError(
      'body.applicationId',
      'Aplikasi tidak ada di inventaris perangkat daerah Anda',
      "No such application in your institution's inventory",
    );
  }
  const template = (await listTemplates(tx, true)).find((t) => t.id === body.templateId);
  if (!template) {
    throw fieldError('body.templateId', 'Templat OS tidak ada di katalog', 'No such OS template in the catalog');
  }
  const resources = await resolveResources(tx, body);
  if (await isHostnameTaken(tx, institutionId, body.hostname)) {
    throw new AppError(
      ErrorCode.Conflict,
      {
        id: `Nama host ${body.hostname} sudah dipakai VPS lain di perangkat daerah Anda.`,
        en: `Hostname ${body.hostname} is already used by another VPS of your institution.`,
      },
      [{ path: 'body.hostname', message: 'taken', code: 'hostname_taken' }],
    );
  }

  const usage = await getQuotaUsage(tx, institutionId);
  assertQuota(limits, usage, { ...resources, vmCount: 1 });
  const usageAfter = {
    cores: usage.cores + resources.cores,
    memoryMiB: usage.memoryMiB + resources.memoryMiB,
    diskGiB: usage.diskGiB + resources.diskGiB,
    vmCount: usage.vmCount + 1,
  };
  await assertAgreementCovers(tx, institutionId, { ...resources, vmCount: 1 }, usageAfter, {
    application: { id: application.id, name: application.name },
    template: { id: template.id, name: template.name },
  });

  const request = await insertVpsRequest(tx, {
    institutionId,
    applicationId: body.applicationId,
    requestedBy: actor.userId,
    hostname: body.hostname,
    templateId: body.templateId,
    presetId: body.presetId ?? null,
    cores: resources.cores,
    memoryMiB: resources.memoryMiB,
    diskGiB: resources.diskGiB,
    sshPublicKeys: body.sshPublicKeys,
    purpose: body.purpose,
    publicAccess: body.network.publicAccess,
    ports: body.network.ports,
    contact: body.contact,
    status: 'submitted',
  });
  await appendAudit(tx, {
    ...meta,
    institutionId,
    action: 'vps_request.submitted',
    targetType: 'vps_request',
    targetId: request.id,
    after: { hostname: request.hostname, ...resources, templateId: request.templateId },
  });
  await notify(tx, {
    ...requestSubmittedMessage(request, `${resources.cores} vCPU, ${resources.memoryMiB} MiB, ${resources.diskGiB} GiB`),
    recipients: await userIdsWithRole(tx, Role.Operator),
  });

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  if (isAutoApproved(policy, resources))
    return finalizeApproval(tx, request, { ...meta, actorUserId: null, actorLabel: 'system (persetujuan otomatis / auto-approval)' });
  return request;
}
