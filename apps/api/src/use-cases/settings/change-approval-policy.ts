import { AppError, DEFAULT_APPROVAL_POLICY, ZApprovalPolicy, type ApprovalPolicy } from '@betang/core';
import {
  appendAudit,
  getSetting,
  listRequestsWithPendingChange,
  lockPendingChange,
  lockRequestsAwaitingDecision,
  lockVpsRequest,
  putSetting,
  type Tx,
} from '@betang/db';
import { sql } from 'kysely';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { completeApproval, currentState, type DecisionSubject } from '../vps-requests/decide-vps-request';

/** What became of one pending request or change when the policy changed. */
type Reevaluated = {
  requestId: string;
  subject: 'request' | 'resize';
  outcome: 'approved' | 'pending' | 'deferred';
  pendingLevel: number | null;
};

/**
 * Replaces the approval policy and, in the same transaction, re-evaluates everything awaiting a
 * decision under the new policy, so nothing is stranded at a level that no longer exists: a
 * request or resize whose recorded approvals now satisfy the policy is approved for good (or
 * queued), one that needs more waits at the level the new policy gives it (the request view and
 * the next decision compute it from the same decisions). Each outcome is audited. A completion
 * that cannot happen now (e.g. no free address) is rolled back to a savepoint and audited as
 * deferred; the next approve completes it. Concurrent decisions wait for the row locks.
 */
export async function changeApprovalPolicy(tx: Tx, policy: ApprovalPolicy, userId: string, meta: AuditMeta): Promise<Reevaluated[]> {
  const before = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  await putSetting(tx, 'approval_policy', policy, userId);
  await appendAudit(tx, {
    ...meta,
    institutionId: null,
    action: 'settings.updated',
    targetType: 'setting',
    targetId: 'approval_policy',
    before,
    after: policy,
  });

  // Locks are taken request first, then its change — the order decisions use — so a concurrent decision waits instead of deadlocking.
  const subjects: { requestId: string; kind: DecisionSubject['kind'] }[] = [
    ...(await lockRequestsAwaitingDecision(tx)).map((r) => ({ requestId: r.id, kind: 'request' as const })),
    ...(await listRequestsWithPendingChange(tx)).map((requestId) => ({ requestId, kind: 'change' as const })),
  ];
  const outcomes: Reevaluated[] = [];
  for (const [index, { requestId, kind: subjectKind }] of subjects.entries()) {
    const request = await lockVpsRequest(tx, requestId);
    if (!request) continue;
    let subject: DecisionSubject = { kind: 'request' };
    if (subjectKind === 'change') {
      const run = await lockPendingChange(tx, requestId);
      if (!run) continue;
      subject = { kind: 'change', run };
    }
    const { state } = await currentState(tx, request, subject, policy);
    const kind = subject.kind === 'request' ? 'request' : 'resize';
    let outcome: Reevaluated = {
      requestId,
      subject: kind,
      outcome: 'pending',
      pendingLevel: state.kind === 'pending' ? state.level.level : null,
    };
    if (state.kind === 'approved') {
      const savepoint = sql.raw(`reevaluate_${index}`);
      await sql`SAVEPOINT ${savepoint}`.execute(tx);
      try {
        await completeApproval(tx, request, subject, {
          ...meta,
          actorLabel: `${meta.actorLabel} (kebijakan persetujuan diubah / approval policy changed)`,
        });
        await sql`RELEASE SAVEPOINT ${savepoint}`.execute(tx);
        outcome = { ...outcome, outcome: 'approved' };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(tx);
        outcome = { ...outcome, outcome: 'deferred' };
      }
    }
    await appendAudit(tx, {
      ...meta,
      institutionId: request.institutionId,
      action: 'approval.reevaluated',
      targetType: subject.kind === 'request' ? 'vps_request' : 'provisioning_run',
      targetId: subject.kind === 'request' ? request.id : subject.run.id,
      before: { status: request.status },
      after: { outcome: outcome.outcome, pendingLevel: outcome.pendingLevel },
    });
    outcomes.push(outcome);
  }
  return outcomes;
}
