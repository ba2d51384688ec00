import { AppError, ErrorCode } from '@betang/core';
import { appendAudit, enqueueJob, findLatestRunOfRequest, insertRun, lockVpsRequest, type Tx, type VpsRequestRow } from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { queueProvisioning } from './finalize-approval';

/**
 * A new `decommission` run for a request whose destroy run failed (PVE unreachable, a lock that
 * outlived the run): the same VM and reason, the failed run kept in the history. Without it a VM
 * whose grace period ended would stay `decommissioning` on the cluster with nothing to finish it.
 */
async function queueDecommissionAgain(tx: Tx, request: VpsRequestRow, failedRunId: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const failed = await tx
    .selectFrom('provisioningRuns')
    .select(['vmId', 'params', 'requestedBy'])
    .where('id', '=', failedRunId)
    .executeTakeFirstOrThrow();
  const run = await insertRun(tx, {
    requestId: request.id,
    vmId: failed.vmId,
    kind: 'decommission',
    requestedBy: failed.requestedBy,
    params: failed.params,
  });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action: 'vps_request.retried',
    targetType: 'vps_request',
    targetId: request.id,
    before: { status: request.status, runId: failedRunId },
    after: { status: request.status, runId: run.id, kind: 'decommission' },
  });
  return request;
}

/**
 * An operator's retry of a failed request: a new run of the kind that failed (the failed one
 * keeps its history) with its own job. A failed provisioning gets a new provisioning run, its
 * address kept or reserved again; a failed destroy of a decommissioned VM gets a new destroy run.
 * Only a request whose latest run failed can be retried; the request row lock makes a double
 * click create one run.
 */
export async function retryVpsRequest(tx: Tx, requestId: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const request = await lockVpsRequest(tx, requestId);
  if (!request) throw new AppError(ErrorCode.NotFound);
  const run = await findLatestRunOfRequest(tx, requestId);
  if (request.status === 'failed' && run?.status === 'failed' && run.kind === 'decommission') {
    return queueDecommissionAgain(tx, request, run.id, meta);
  }
  if (request.status !== 'failed' || !run || run.status !== 'failed' || run.kind !== 'provision') {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Hanya permintaan yang penyiapan atau penghapusannya gagal yang dapat diulang.',
      en: 'Only a request whose provisioning or destruction failed can be retried.',
    });
  }
  return queueProvisioning(tx, request, meta, 'vps_request.retried');
}
