import { AppError, CANCELLABLE_STATUSES, ErrorCode, Role, hasAnyRole, type Actor } from '@betang/core';
import { appendAudit, lockVpsRequest, releaseAddress, transitionRequest, transitionRun, type Tx, type VpsRequestRow } from '@betang/db';
import type { AuditMeta } from './audit-meta';

/**
 * Cancels a request until provisioning starts: the requester or the head of the same institution
 * may. A queued run is cancelled with it (under the run's row lock, so a worker that already
 * started it wins and the cancel answers 409) and the reserved address is released.
 */
export async function cancelVpsRequest(
  tx: Tx,
  actor: Actor,
  requestId: string,
  reason: string | undefined,
  meta: AuditMeta,
): Promise<VpsRequestRow> {
  const request = await lockVpsRequest(tx, requestId);
  if (!request || request.institutionId !== actor.institutionId) throw new AppError(ErrorCode.NotFound);
  if (request.requestedBy !== actor.userId && !hasAnyRole(actor, [Role.InstitutionHead])) throw new AppError(ErrorCode.Forbidden);
  if (!CANCELLABLE_STATUSES.includes(request.status)) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Permintaan tidak dapat dibatalkan lagi: penyiapan VPS sudah dimulai atau selesai.',
      en: 'The request can no longer be cancelled: provisioning has started or finished.',
    });
  }
  const runs = await tx
    .selectFrom('provisioningRuns')
    .select(['id', 'status'])
    .where('requestId', '=', requestId)
    .where('status', 'in', ['queued', 'running'])
    .forUpdate()
    .execute();
  if (runs.some((r) => r.status === 'running')) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Penyiapan VPS sudah dimulai; pembatalan tidak lagi mungkin.',
      en: 'Provisioning has already started; it can no longer be cancelled.',
    });
  }
  for (const run of runs) {
    await transitionRun(tx, run.id, ['queued'], 'cancelled', { fields: { finishedAt: new Date() } });
  }
  const released = await releaseAddress(tx, requestId, 'cancelled');
  await transitionRequest(tx, requestId, CANCELLABLE_STATUSES, 'cancelled', { reason: reason ?? null });
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action: 'vps_request.cancelled',
    targetType: 'vps_request',
    targetId: requestId,
    before: { status: request.status },
    after: { status: 'cancelled', reason: reason ?? null, runsCancelled: runs.length, addressesReleased: released },
  });
  return { ...request, status: 'cancelled', statusReason: reason ?? null };
}
