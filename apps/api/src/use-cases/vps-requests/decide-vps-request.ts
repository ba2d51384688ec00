import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  Role,
  ZApprovalPolicy,
  approvalState,
  hasAnyRole,
  type Actor,
  type ApprovalPolicy,
  type ApprovalState,
  type RequestStatus,
  requestRejectedMessage,
} from '@betang/core';
import {
  appendAudit,
  countRoleHolders,
  getSetting,
  insertApproval,
  listApprovals,
  lockPendingChange,
  lockVpsRequest,
  transitionRequest,
  type RunRow,
  type Tx,
  type VpsRequestRow,
  notify,
} from '@betang/db';
import { endChange, queueChange } from '../vms/pending-change';
import type { AuditMeta } from './audit-meta';
import { finalizeApproval } from './finalize-approval';
import { assertApprovalCovered } from './review-checks';

const DECIDABLE: readonly RequestStatus[] = ['submitted', 'partially_approved'];

/** What a decision on a request is about: the request itself, or its pending change (a resize run). */
export type DecisionSubject = { kind: 'request' } | { kind: 'change'; run: RunRow };

/**
 * Where the subject stands under `policy` (the stored one unless given): the request's own
 * decisions for the request, the change's decisions for a change — both against the request's
 * sizes, which for a pending change are the target sizes it reserved.
 */
export async function currentState(
  tx: Tx,
  request: VpsRequestRow,
  subject: DecisionSubject,
  policy?: ApprovalPolicy,
): Promise<{ state: ApprovalState; deciders: Set<string | null> }> {
  const effective = policy ?? (await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY));
  const decisions = await listApprovals(tx, request.id, subject.kind === 'change' ? subject.run.id : undefined);
  const holders = new Map<string, number>();
  for (const level of effective.levels.filter((l) => l.mode === 'all'))
    holders.set(level.roles.join(','), await countRoleHolders(tx, level.roles));
  const state = approvalState(
    effective,
    { cores: request.cores, memoryMiB: request.memoryMiB, diskGiB: request.diskGiB },
    decisions,
    (roles) => holders.get(roles.join(',')) ?? 1,
  );
  return { state, deciders: new Set(decisions.map((d) => d.decidedBy)) };
}

/**
 * Carries out a satisfied policy: a request is approved for good (IP reserved, run + job —
 * finalizeApproval); a change is handed to the worker (queueChange).
 */
export async function completeApproval(tx: Tx, request: VpsRequestRow, subject: DecisionSubject, meta: AuditMeta): Promise<VpsRequestRow> {
  if (subject.kind === 'request') return finalizeApproval(tx, request, meta);
  await queueChange(tx, subject.run, request.institutionId, meta);
  return request;
}

async function lockDecidable(tx: Tx, actor: Actor, requestId: string, decision: 'approve' | 'reject') {
  const request = await lockVpsRequest(tx, requestId);
  if (!request) throw new AppError(ErrorCode.NotFound);
  const change = DECIDABLE.includes(request.status) ? undefined : await lockPendingChange(tx, requestId);
  if (!DECIDABLE.includes(request.status) && !change) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `Permintaan berstatus ${request.status} dan tidak menunggu keputusan.`,
      en: `The request is ${request.status} and not awaiting a decision.`,
    });
  }
  const subject: DecisionSubject = change ? { kind: 'change', run: change } : { kind: 'request' };
  const { state, deciders } = await currentState(tx, request, subject);
  if (state.kind === 'rejected') throw new AppError(ErrorCode.InvalidState);
  // Four eyes: whoever asked for a change may withdraw it (reject) at any level, but never approve it.
  const asker = subject.kind === 'change' && subject.run.requestedBy === actor.userId;
  if (asker && decision === 'reject') return { request, subject, state, role: undefined };
  if (state.kind === 'approved') return { request, subject, state, role: undefined };
  const role = state.level.roles.find((r) => actor.roles.includes(r)) ?? (hasAnyRole(actor, [Role.Admin]) ? Role.Admin : undefined);
  if (!role) {
    throw new AppError(ErrorCode.Forbidden, {
      id: `Tingkat ${state.level.level} (${state.level.name.id}) diputuskan oleh peran: ${state.level.roles.join(', ')}.`,
      en: `Level ${state.level.level} (${state.level.name.en}) is decided by role: ${state.level.roles.join(', ')}.`,
    });
  }
  if (asker) {
    throw new AppError(ErrorCode.Forbidden, {
      id: 'Perubahan ukuran harus disetujui orang lain, bukan pengajunya.',
      en: 'A resize must be approved by someone other than the person who asked for it.',
    });
  }
  if (deciders.has(actor.userId)) {
    throw new AppError(ErrorCode.Conflict, {
      id: 'Anda sudah memberi keputusan atas permintaan ini; tingkat berikutnya diputuskan orang lain.',
      en: 'You have already decided on this request; the next level is decided by someone else.',
    });
  }
  return { request, subject, state, role };
}

/**
 * Records an approval at the current level of the request, or of its pending change (a resize)
 * when the request is live. When it completes the policy, the request is approved for good or
 * the change queued (completeApproval); otherwise it waits for the next level. A subject whose
 * policy is already satisfied (after a policy change) is completed without a new decision.
 * Serialised per request by a row lock; one decision per person per subject; the person who
 * asked for a change cannot approve it.
 */
export async function approveVpsRequest(
  tx: Tx,
  actor: Actor,
  requestId: string,
  comment: string | undefined,
  meta: AuditMeta,
): Promise<VpsRequestRow> {
  const { request, subject, state, role } = await lockDecidable(tx, actor, requestId, 'approve');
  // The agreement may have lapsed, or never covered the application or template, since submission.
  if (subject.kind === 'request') await assertApprovalCovered(tx, request);
  if (state.kind !== 'pending' || !role) return completeApproval(tx, request, subject, meta);
  const runId = subject.kind === 'change' ? subject.run.id : null;
  await insertApproval(tx, {
    requestId,
    runId,
    level: state.level.level,
    decision: 'approved',
    decidedBy: actor.userId,
    role,
    comment: comment ?? null,
  });
  const after = await currentState(tx, request, subject);
  if (after.state.kind === 'approved') return completeApproval(tx, request, subject, meta);
  if (subject.kind === 'change') {
    await appendAudit(tx, {
      ...meta,
      institutionId: request.institutionId,
      action: 'vm.resize_level_approved',
      targetType: 'vm',
      targetId: subject.run.vmId,
      after: { runId, level: state.level.level, comment: comment ?? null },
    });
    return request;
  }
  await transitionRequest(tx, requestId, DECIDABLE, 'partially_approved', { reason: null });
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

/**
 * Rejects the request, or its pending change, with a reason (required); the requester is told
 * why. A rejected change gives back the growth it reserved; the VM keeps its size. The person
 * who asked for a change may withdraw it this way.
 */
export async function rejectVpsRequest(tx: Tx, actor: Actor, requestId: string, reason: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const { request, subject, state, role } = await lockDecidable(tx, actor, requestId, 'reject');
  const level = state.kind === 'pending' ? state.level.level : 1;
  const decidedAs = role ?? actor.roles.find((r) => r !== Role.Auditor) ?? Role.Admin;
  if (subject.kind === 'change') {
    await insertApproval(tx, {
      requestId,
      runId: subject.run.id,
      level,
      decision: 'rejected',
      decidedBy: actor.userId,
      role: decidedAs,
      comment: reason,
    });
    await endChange(tx, subject.run, { code: 'CHANGE_REJECTED', reason });
    await appendAudit(tx, {
      ...meta,
      institutionId: request.institutionId,
      action: 'vm.resize_rejected',
      targetType: 'vm',
      targetId: subject.run.vmId,
      after: { runId: subject.run.id, reason },
    });
    const reverted = await lockVpsRequest(tx, requestId);
    return reverted ?? request;
  }
  await insertApproval(tx, { requestId, level, decision: 'rejected', decidedBy: actor.userId, role: decidedAs, comment: reason });
  await transitionRequest(tx, requestId, DECIDABLE, 'rejected', { reason });
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action: 'vps_request.rejected',
    targetType: 'vps_request',
    targetId: requestId,
    before: { status: request.status },
    after: { status: 'rejected', reason },
  });
  await notify(tx, { ...requestRejectedMessage(request, reason), recipients: [request.requestedBy] });
  return { ...request, status: 'rejected', statusReason: reason };
}
