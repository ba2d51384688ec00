import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_CUSTOM_SIZE_BOUNDS,
  ErrorCode,
  ZApprovalPolicy,
  ZCustomSizeBounds,
  agreementCovers,
  ceilingShortfalls,
  isAutoApproved,
  quotaShortfalls,
  todayInJakarta,
  type Actor,
  type Resources,
  type SubmitRequestBody,
} from '@betang/core';
import {
  appendAudit,
  findAgreementInForce,
  findApplication,
  getQuotaUsage,
  getSetting,
  insertVpsRequest,
  isHostnameTaken,
  listPresets,
  listTemplates,
  lockQuota,
  operatorEmails,
  type Tx,
  type VpsRequestRow,
} from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { finalizeApproval } from './finalize-approval';
import { queueEmail } from './notify';

function fieldError(path: string, id: string, en: string): AppError {
  return new AppError(ErrorCode.ValidationFailed, undefined, [{ path, message: `${id} / ${en}`, code: 'invalid_reference' }]);
}

async function resolveResources(tx: Tx, body: SubmitRequestBody): Promise<Resources> {
  if (body.presetId) {
    const preset = (await listPresets(tx, true)).find((p) => p.id === body.presetId);
    if (!preset) throw fieldError('body.presetId', 'Paket ukuran tidak ada di katalog', 'No such size preset in the catalog');
    return { cores: preset.cores, memoryMiB: preset.memoryMiB, diskGiB: preset.diskGiB };
  }
  const bounds = await getSetting(tx, 'custom_size_bounds', ZCustomSizeBounds, DEFAULT_CUSTOM_SIZE_BOUNDS);
  const r = body.resources!;
  if (!bounds.allowCustom) throw fieldError('body.resources', 'Ukuran khusus tidak diizinkan; pilih paket', 'Custom sizes are not allowed; choose a preset');
  for (const key of ['cores', 'memoryMiB', 'diskGiB'] as const) {
    if (r[key] < bounds.min[key] || r[key] > bounds.max[key]) {
      throw fieldError(`body.resources.${key}`, `Harus antara ${bounds.min[key]} dan ${bounds.max[key]}`, `Must be between ${bounds.min[key]} and ${bounds.max[key]}`);
    }
  }
  return r;
}

/**
 * Submits a VPS request for the actor's institution. In one transaction that holds the
 * institution's quota row lock (so concurrent submissions serialise and can never overshoot the
 * quota): checks the application, template, size, hostname, quota (pending and active requests
 * count) and the agreement gate; inserts the request, audits it, notifies operators, and when the
 * policy auto-approves this size, approves it in the same transaction.
 */
export async function submitVpsRequest(tx: Tx, actor: Actor, body: SubmitRequestBody, meta: AuditMeta): Promise<VpsRequestRow> {
  const institutionId = actor.institutionId;
  if (!institutionId) throw new AppError(ErrorCode.Forbidden);
  const limits = await lockQuota(tx, institutionId);

  const application = await findApplication(tx, body.applicationId);
  if (!application || application.institutionId !== institutionId) {
    throw fieldError('body.applicationId', 'Aplikasi tidak ada di inventaris instansi Anda', "No such application in your institution's inventory");
  }
  if (!(await listTemplates(tx, true)).some((t) => t.id === body.templateId)) {
    throw fieldError('body.templateId', 'Templat OS tidak ada di katalog', 'No such OS template in the catalog');
  }
  const resources = await resolveResources(tx, body);
  if (await isHostnameTaken(tx, institutionId, body.hostname)) {
    throw new AppError(ErrorCode.Conflict, { id: `Nama host ${body.hostname} sudah dipakai VPS lain di instansi Anda.`, en: `Hostname ${body.hostname} is already used by another VPS of your institution.` }, [
      { path: 'body.hostname', message: 'taken', code: 'hostname_taken' },
    ]);
  }

  const usage = await getQuotaUsage(tx, institutionId);
  const shortfalls = quotaShortfalls(limits, usage, resources);
  if (shortfalls.length > 0) {
    throw new AppError(
      ErrorCode.QuotaExceeded,
      {
        id: `Kuota instansi tidak cukup untuk: ${shortfalls.map((s) => s.dimension).join(', ')}. Kecilkan ukuran atau minta operator menaikkan kuota.`,
        en: `The institution's quota is not enough for: ${shortfalls.map((s) => s.dimension).join(', ')}. Choose a smaller size or ask the operators to raise the quota.`,
      },
      { shortfalls },
    );
  }

  const today = todayInJakarta();
  const agreement = await findAgreementInForce(tx, institutionId, today);
  const usageAfter = { cores: usage.cores + resources.cores, memoryMiB: usage.memoryMiB + resources.memoryMiB, diskGiB: usage.diskGiB + resources.diskGiB, vmCount: usage.vmCount + 1 };
  if (!agreementCovers(agreement, { requested: { ...resources, vmCount: 1 }, usageAfter, today })) {
    const missing = agreement ? ceilingShortfalls(agreement.ceiling, usageAfter) : [];
    throw new AppError(
      ErrorCode.NoAgreementInForce,
      agreement
        ? {
            id: `Perjanjian ${agreement.number} tidak mencakup permintaan ini (melebihi plafon: ${missing.map((m) => m.dimension).join(', ')}). Perbarui perjanjian bersama Diskominfosantik.`,
            en: `Agreement ${agreement.number} does not cover this request (ceiling exceeded: ${missing.map((m) => m.dimension).join(', ')}). Renew the agreement with the data-center office.`,
          }
        : {
            id: 'Instansi belum memiliki perjanjian pemanfaatan server yang berlaku. Minta Kepala Instansi menandatangani perjanjian terlebih dahulu.',
            en: 'The institution has no server-utilization agreement in force. Ask the head of the institution to sign the agreement first.',
          },
      { agreementId: agreement?.id ?? null, shortfalls: missing },
    );
  }

  const request = await insertVpsRequest(tx, {
    institutionId,
    applicationId: body.applicationId,
    requestedBy: actor.userId,
    hostname: body.hostname,
    templateId: body.templateId,
    presetId: body.presetId ?? null,
    cores: resources.cores,
    memoryMib: resources.memoryMiB,
    diskGib: resources.diskGiB,
    sshPublicKeys: body.sshPublicKeys,
    purpose: body.purpose,
    publicAccess: body.network.publicAccess,
    ports: body.network.ports,
    contact: body.contact,
    status: 'submitted',
  });
  await appendAudit(tx, { ...meta, institutionId, action: 'vps_request.submitted', targetType: 'vps_request', targetId: request.id, after: { hostname: request.hostname, ...resources, templateId: request.templateId } });
  await queueEmail(tx, {
    to: await operatorEmails(tx),
    locale: 'id',
    reason: `vps_request:${request.id}:submitted`,
    subject: { id: `Permintaan VPS baru: ${request.hostname}`, en: `New VPS request: ${request.hostname}` },
    text: {
      id: `Permintaan VPS ${request.hostname} (${resources.cores} vCPU, ${resources.memoryMiB} MiB, ${resources.diskGiB} GiB) menunggu tinjauan di antrean persetujuan Betang.`,
      en: `VPS request ${request.hostname} (${resources.cores} vCPU, ${resources.memoryMiB} MiB, ${resources.diskGiB} GiB) is waiting for review in Betang's approval queue.`,
    },
  });

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  if (isAutoApproved(policy, resources)) return finalizeApproval(tx, request, { ...meta, actorUserId: null, actorLabel: 'system (persetujuan otomatis / auto-approval)' });
  return request;
}
