import { AppError, ErrorCode } from '@betang/core';
import { appendAudit, enqueueJob, transitionRun, type RunRow, type Tx } from '@betang/db';
import { z } from 'zod';
import type { AuditMeta } from '../vps-requests/audit-meta';

/**
 * `params` of a change run (kind `resize`): the absolute target sizes the worker applies; `from`,
 * the sizes the request held before (what the quota counted), so a refused or cancelled change
 * gives the reservation back exactly; `before`, the VM's sizes when it was asked; `ports`, the
 * new open ports (absent: unchanged) and `portsFrom`, those before; `applyAt`, the earliest time
 * the worker may apply it (absent: once approved).
 */
export const ZResizeParams = z
  .object({
    cores: z.number().int(),
    memoryMiB: z.number().int(),
    diskGiB: z.number().int(),
    from: z.object({ cores: z.number().int(), memoryMiB: z.number().int(), diskGiB: z.number().int() }),
    before: z.object({ cores: z.number().int(), memoryMiB: z.number().int(), diskGiB: z.number().int() }).optional(),
    ports: z.array(z.number().int()).optional(),
    portsFrom: z.array(z.number().int()).optional(),
    applyAt: z.iso.datetime({ offset: true }).optional(),
  })
  .loose();
export type ResizeParams = z.infer<typeof ZResizeParams>;

/** The outbox's `availableAt` of a change's job: its `applyAt` when that is still ahead, else none (due now). */
export function dueAt(params: Pick<ResizeParams, 'applyAt'>, now: Date = new Date()): { availableAt?: Date } {
  if (!params.applyAt) return {};
  const at = new Date(params.applyAt);
  return at.getTime() > now.getTime() ? { availableAt: at } : {};
}

/**
 * Hands a fully approved change to the worker: its run becomes `queued` with its outbox job
 * message (job id derived from the run id), exactly as a directly queued day-2 run. Refused with
 * 409 while another run of the VM is queued or running (one live run per request), so the last
 * approval is not recorded and can be given again once that run has finished. A change scheduled
 * for a maintenance window gets its job message delayed to that time (outbox `availableAt`).
 */
export async function queueChange(tx: Tx, run: RunRow, institutionId: string, meta: AuditMeta): Promise<void> {
  const live = await tx
    .selectFrom('provisioningRuns')
    .select('id')
    .where('requestId', '=', run.requestId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (live) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Masih ada tindakan lain yang berjalan untuk VM ini. Setujui lagi setelah tindakan itu selesai.',
      en: 'Another action is still running for this VM. Approve again once it has finished.',
    });
  }
  await transitionRun(tx, run.id, ['awaiting_approval'], 'queued', { onMismatch: 'skip' });
  const params = ZResizeParams.safeParse(run.params);
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}`, ...(params.success ? dueAt(params.data) : {}) });
  await appendAudit(tx, {
    ...meta,
    institutionId,
    action: run.kind === 'restore' ? 'vm.restore_approved' : 'vm.resize_approved',
    targetType: 'vm',
    targetId: run.vmId,
    before: { runStatus: 'awaiting_approval' },
    after: { runStatus: 'queued', runId: run.id },
  });
}

/**
 * Ends a pending change without executing it (rejected with a reason, or cancelled because the
 * VM is being decommissioned): the run is `cancelled` with the reason, and the request's sizes go
 * back to what they were before the change, releasing the reserved growth. Safe to call twice:
 * only a run still awaiting approval is touched.
 */
export async function endChange(
  tx: Tx,
  run: RunRow,
  outcome: { code: 'CHANGE_REJECTED' | 'CHANGE_CANCELLED'; reason: string },
): Promise<void> {
  const ended = await transitionRun(tx, run.id, ['awaiting_approval'], 'cancelled', {
    fields: { errorCode: outcome.code, errorMessage: outcome.reason, errorRetryable: false, finishedAt: new Date() },
    onMismatch: 'skip',
  });
  if (!ended) return;
  const params = ZResizeParams.safeParse(run.params);
  if (!params.success) return;
  const { from } = params.data;
  await tx
    .updateTable('vpsRequests')
    .set({ cores: from.cores, memoryMiB: from.memoryMiB, diskGiB: from.diskGiB })
    .where('id', '=', run.requestId)
    .execute();
}
