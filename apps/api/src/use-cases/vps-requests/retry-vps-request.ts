import { AppError, ErrorCode } from '@betang/core';
import { appendAudit, enqueueJob, findLatestRunOfRequest, insertRun, lockVpsRequest, type Tx, type VpsRequestRow } from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { queueProvisioning } from './finalize-approval';
import { refuseWhileBusy } from '../vms/refuse-while-busy';

type FailedRun = { id: string; vmId: string | null; params: unknown; requestedBy: string | null };

/**
 * A new run of `kind` in place of a failed one: the same VM and parameters, the failed run kept
 * in the history, its job and the `vps_request.retried` audit entry written in the caller's
 * transaction (so the retry is queued exactly once).
 */
async function queueAgain(
  tx: Tx,
  request: VpsRequestRow,
  failed: FailedRun,
  kind: 'decommission' | 'adopt',
  requestedBy: string | null,
  meta: AuditMeta,
): Promise<VpsRequestRow> {
  const run = await insertRun(tx, { requestId: request.id, vmId: failed.vmId, kind, requestedBy, params: failed.params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: request.institutionId,
    action: 'vps_request.retried',
    targetType: 'vps_request',
    targetId: request.id,
    before: { status: request.status, runId: failed.id },
    after: { status: request.status, runId: run.id, kind },
  });
  return request;
}

/**
 * A new `decommission` run for a request whose destroy run failed (PVE unreachable, a lock that
 * outlived the run), requested by whoever asked for the destroy. Without it a VM whose grace
 * period ended would stay `decommissioning` on the cluster with nothing to finish it.
 */
async function queueDecommissionAgain(tx: Tx, request: VpsRequestRow, failedRunId: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const failed = await tx
    .selectFrom('provisioningRuns')
    .select(['id', 'vmId', 'params', 'requestedBy'])
    .where('id', '=', failedRunId)
    .executeTakeFirstOrThrow();
  return queueAgain(tx, request, failed, 'decommission', failed.requestedBy, meta);
}

/**
 * The latest `adopt` run of an adopted request, when it failed: the ownership marker was never
 * written (or not confirmed), so the VM is Betang's in the database but not yet on Proxmox.
 * A later adopt run (queued, running or succeeded) supersedes it.
 */
async function failedAdoptRun(tx: Tx, request: VpsRequestRow) {
  // Only adopted requests have adopt runs; a released or decommissioned one has nothing to mark.
  if (request.status === 'decommissioned') return undefined;
  const run = await tx
    .selectFrom('provisioningRuns')
    .select(['id', 'status', 'vmId', 'params', 'requestedBy'])
    .where('requestId', '=', request.id)
    .where('kind', '=', 'adopt')
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return run?.status === 'failed' ? run : undefined;
}

/**
 * A new `adopt` run for an adopted VM whose marking run failed (PVE unreachable, the VM locked):
 * the same VM, the failed run kept in the history. The new run writes its own marker over any the
 * failed one left (the marker step first strips every Betang tag and marker line), and day-2
 * actions then expect the marker of the latest succeeded adopt run, so redoing it is safe.
 * Refused while another run of the request is queued or running (one live run per request).
 */
async function queueAdoptAgain(tx: Tx, request: VpsRequestRow, failed: FailedRun, meta: AuditMeta): Promise<VpsRequestRow> {
  await refuseWhileBusy(tx, request.id, { awaitingApproval: true });
  return queueAgain(tx, request, failed, 'adopt', meta.actorUserId ?? failed.requestedBy, meta);
}

/**
 * An operator's retry of a failed request: a new run of the kind that failed (the failed one
 * keeps its history) with its own job. A failed provisioning gets a new provisioning run, its
 * address kept or reserved again; a failed destroy of a decommissioned VM gets a new destroy run;
 * an adopted VM whose latest adopt run failed gets a new adopt run (its request stays active).
 * Only a request whose latest run (of that kind) failed can be retried; the request row lock makes a double
 * click create one run.
 */
export async function retryVpsRequest(tx: Tx, requestId: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const request = await lockVpsRequest(tx, requestId);
  if (!request) throw new AppError(ErrorCode.NotFound);
  const run = await findLatestRunOfRequest(tx, requestId);
  if (request.status === 'failed' && run?.status === 'failed' && run.kind === 'decommission') {
    return queueDecommissionAgain(tx, request, run.id, meta);
  }
  const adopt = await failedAdoptRun(tx, request);
  if (adopt) return queueAdoptAgain(tx, request, adopt, meta);
  if (request.status !== 'failed' || !run || run.status !== 'failed' || run.kind !== 'provision') {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Hanya permintaan yang penyiapan, penghapusan, atau penandaan adopsinya gagal yang dapat diulang.',
      en: 'Only a request whose provisioning, destruction or adoption marking failed can be retried.',
    });
  }
  return queueProvisioning(tx, request, meta, 'vps_request.retried');
}
