import { AppError, ErrorCode, requestApprovedMessage, type RequestStatus } from '@betang/core';
import {
  allocateAddress,
  appendAudit,
  choosePoolFor,
  heldAddress,
  enqueueJob,
  insertRun,
  notify,
  transitionRequest,
  type Tx,
  type VpsRequestRow,
} from '@betang/db';
import type { AuditMeta } from './audit-meta';

/** A request is queued on its final approval, or again when an operator retries it after a failure. */
const QUEUEABLE: readonly RequestStatus[] = ['submitted', 'partially_approved', 'approved', 'failed'];

/**
 * Queues provisioning for a request, in the caller's transaction: keeps or reserves an IP address
 * from the institution's pool (or a shared one), creates a provisioning run and its outbox job
 * message (job id derived from the run id) and moves the request to `queued`. Because all of it
 * commits together, a crash can neither lose the job nor create it twice (docs/architecture.md,
 * transactional outbox). Used on final approval and when an operator retries a failed request.
 */
export async function queueProvisioning(
  tx: Tx,
  request: VpsRequestRow,
  meta: AuditMeta,
  action: 'vps_request.approved' | 'vps_request.retried',
): Promise<VpsRequestRow> {
  const held = await heldAddress(tx, request.id);
  let address = held?.address;
  let poolId = held?.poolId;
  if (!address) {
    const pool = await choosePoolFor(tx, request.institutionId);
    address = pool && (await allocateAddress(tx, pool.id, request.id));
    poolId = pool?.id;
  }
  if (!address) {
    throw new AppError(ErrorCode.NoAddressAvailable, {
      id: 'Tidak ada alamat IP yang tersedia di pool untuk perangkat daerah ini. Tambahkan pool atau perluas rentangnya, lalu setujui lagi.',
      en: 'No IP address is available in a pool for this institution. Add a pool or widen its range, then approve again.',
    });
  }
  const run = await insertRun(tx, { requestId: request.id, kind: 'provision', requestedBy: meta.actorUserId });
  await enqueueJob(tx, 'vm.provision', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await transitionRequest(tx, request.id, QUEUEABLE, 'queued', { reason: null });
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action,
    targetType: 'vps_request',
    targetId: request.id,
    before: { status: request.status },
    after: { status: 'queued', runId: run.id, ipAddress: address, poolId },
  });
  if (action === 'vps_request.retried') return { ...request, status: 'queued' };
  await notify(tx, { ...requestApprovedMessage(request, address), recipients: [request.requestedBy] });
  return { ...request, status: 'queued' };
}

/** Final approval: queues provisioning (see queueProvisioning). */
export function finalizeApproval(tx: Tx, request: VpsRequestRow, meta: AuditMeta): Promise<VpsRequestRow> {
  return queueProvisioning(tx, request, meta, 'vps_request.approved');
}
