import { AppError, ErrorCode } from '@betang/core';
import { findLatestRunOfRequest, lockVpsRequest, type Tx, type VpsRequestRow } from '@betang/db';
import type { AuditMeta } from './audit-meta';
import { queueProvisioning } from './finalize-approval';

/**
 * An operator's retry of a failed request: a new provisioning run (the failed one keeps its
 * history) with its own job, the address kept or reserved again. Only a request whose latest
 * run failed can be retried; the request row lock makes a double click create one run.
 */
export async function retryVpsRequest(tx: Tx, requestId: string, meta: AuditMeta): Promise<VpsRequestRow> {
  const request = await lockVpsRequest(tx, requestId);
  if (!request) throw new AppError(ErrorCode.NotFound);
  const run = await findLatestRunOfRequest(tx, requestId);
  if (request.status !== 'failed' || !run || run.status !== 'failed' || run.kind !== 'provision') {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Hanya permintaan yang penyiapannya gagal yang dapat diulang.',
      en: 'Only a request whose provisioning failed can be retried.',
    });
  }
  return queueProvisioning(tx, request, meta, 'vps_request.retried');
}
