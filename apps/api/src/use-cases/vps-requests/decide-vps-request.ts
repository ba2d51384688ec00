import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  Role,
  ZApprovalPolicy,
  approvalState,
  hasAnyRole,
  type Actor,
  type ApprovalState,
} from '@betang/core';
import {
  appendAudit,
  countRoleHolders,
  getSetting,
  insertApproval,
  listApprovals,
  lockVpsRequest,
  updateVpsRequestStatus,
  type Tx,
  type VpsRequestRow,
} from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { finalizeApproval } from './finalize-approval';
import { queueEmail } from './notify';

const DECIDABLE = ['submitted', 'partially_approved'];

async function currentState(tx: Tx, request: VpsRequestRow): Promise<{ state: ApprovalState; deciders: Set<string | null> }> {
  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  const decisions = await listApprovals(tx, request.id);
  const holders = new Map<string, number>();
  for (const level of policy.levels.filter((l) => l.mode === 'all')) holders.set(level.roles.join(','), await countRoleHolders(tx, level.roles));
  const state = approvalState(policy, { cores: request.cores, memoryMiB: request.memoryMib, diskGiB: request.diskGib }, decisions, (roles) => holders.get(roles.join(',')) ?? 1);
  return { state, deciders: new Set(decisions.map((d) => d.decidedBy)) };
}

async function lockDecidable(tx: Tx, actor: Actor, requestId: string) {
  const request = await lockVpsRequest(tx, requestId);
  if (!request) throw new AppError(ErrorCode.NotFound);
  if (!DECIDABLE.includes(request.status)) {
    throw new AppError(ErrorCode.InvalidState, { id: `Permintaan berstatus ${request.status} dan tidak menunggu keputusan.`, en: `The request is ${request.status} and not awaiting a decision.` });
  }
  const { state, deciders } = await currentState(tx, request);
  if (state.kind !== 'pending') throw new AppError(ErrorCode.InvalidState);
  const role = state.level.roles.find((r) => actor.roles.includes(r)) ?? (hasAnyRole(actor, [Role.Admin]) ? Role.Admin : undefined);
  if (!role) {
    throw new AppError(ErrorCode.Forbidden, {
      id: `Tingkat ${state.level.level} (${state.level.name.id}) diputuskan oleh peran: ${state.level.roles.join(', ')}.`,
      en: `Level ${state.level.level} (${state.level.name.en}) is decided by role: ${state.level.roles.join(', ')}.`,
    });
  }
  if (deciders.has(actor.userId)) {
    throw new AppError(ErrorCode.Conflict, { id: 'Anda sudah memberi keputusan atas permintaan ini; tingkat berikutnya diputuskan orang lain.', en: 'You have already decided on this request; the next level is decided by someone else.' });
  }
  return { request, state, role };
}

/**
 * Records an approval at the request's current level. When it completes the policy, the request
 * is approved for good (IP reserved, run + job created — finalizeApproval); otherwise it waits for
 * the next level. Serialised per request by a row lock; one decision per person per request.
 */
export async function approveVpsRequest(tx: Tx, actor: Actor, requestId: string, comment: string | undefined, meta: AuditMeta): Promise<VpsRequestRow> {
  const { request, state, role } = await lockDecidable(tx, actor, requestId);
  if (state.kind !== 'pending') throw new AppError(ErrorCode.InvalidState);
  await insertApproval(tx, { requestId, level: state.level.level, decision: 'approved', decidedBy: actor.userId, role, comment: comment ?? null });
  const after = await currentState(tx, request);
  if (after.state.kind === 'approved') return finalizeApproval(tx, request, meta);
  await updateVpsRequestStatus(tx, requestId, 'partially_approved');
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action: 'vps_request.level_approved',
    targetType: 'vps_request',
    targetId: requestId,
    before: { status: request.status },
    after: { status: 'partially_approved', level: state.level.level, comment: comment ?? null },
  });
  return { ...request, status: 'partially_approved' };
}

/** Rejects the request with a reason (required); the requester is told why. */
export async function rejectVpsRequest(tx: Tx, actor: Actor, requestId: string, reason: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const { request, state, role } = await lockDecidable(tx, actor, requestId);
  if (state.kind !== 'pending') throw new AppError(ErrorCode.InvalidState);
  await insertApproval(tx, { requestId, level: state.level.level, decision: 'rejected', decidedBy: actor.userId, role, comment: reason });
  await updateVpsRequestStatus(tx, requestId, 'rejected', reason);
  await appendAudit(tx, { ...meta, institutionId: request.institutionId, action: 'vps_request.rejected', targetType: 'vps_request', targetId: requestId, before: { status: request.status }, after: { status: 'rejected', reason } });
  const requester = await tx.selectFrom('users').select(['email', 'locale']).where('id', '=', request.requestedBy).executeTakeFirst();
  if (requester) {
    await queueEmail(tx, {
      to: [requester.email],
      locale: requester.locale === 'en' ? 'en' : 'id',
      reason: `vps_request:${requestId}:rejected`,
      subject: { id: `Permintaan VPS ${request.hostname} ditolak`, en: `VPS request ${request.hostname} rejected` },
      text: { id: `Permintaan VPS ${request.hostname} ditolak. Alasan: ${reason}`, en: `VPS request ${request.hostname} was rejected. Reason: ${reason}` },
    });
  }
  return { ...request, status: 'rejected', statusReason: reason };
}
