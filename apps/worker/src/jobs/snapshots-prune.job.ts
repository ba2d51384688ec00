import { DEFAULT_SNAPSHOT_POLICY, ZSnapshotPolicy } from '@betang/core';
import { appendAudit, enqueueJob, getSetting, insertRun, type Db } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';

/** How many expired snapshots one sweep queues at most (the next sweep takes the rest). */
const BATCH = 200;

/**
 * Queues the deletion of one expired snapshot, in one transaction: the snapshot still `present`
 * (row-locked, SKIP LOCKED), its VM running or stopped and without a live run (else it waits for
 * the next sweep), then `deleting`, the `snapshot_delete` run and its outbox job, and the audit
 * entry. Returns false when there was nothing to do — deleted meanwhile, taken by another
 * sweep, or the VM busy.
 */
async function expire(db: Db, snapshotId: string, cutoff: Date): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const snap = await tx
      .selectFrom('vmSnapshots')
      .select(['id', 'vmId', 'name', 'label', 'takenAt'])
      .where('id', '=', snapshotId)
      .where('status', '=', 'present')
      .where('takenAt', '<', cutoff)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!snap) return false;
    const vm = await tx
      .selectFrom('vms')
      .select(['id', 'requestId', 'institutionId', 'state'])
      .where('id', '=', snap.vmId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (vm.state !== 'running' && vm.state !== 'stopped') return false;
    const live = await tx
      .selectFrom('provisioningRuns')
      .select('id')
      .where('requestId', '=', vm.requestId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (live) return false;
    await tx.updateTable('vmSnapshots').set({ status: 'deleting' }).where('id', '=', snap.id).execute();
    const run = await insertRun(tx, {
      requestId: vm.requestId,
      vmId: vm.id,
      kind: 'snapshot_delete',
      requestedBy: null,
      params: { snapshotId: snap.id },
    });
    await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'system: snapshots.prune',
      institutionId: vm.institutionId,
      action: 'vm.snapshot_expired',
      targetType: 'vm',
      targetId: vm.id,
      after: { runId: run.id, snapshot: snap.name, label: snap.label, takenAt: snap.takenAt?.toISOString() ?? null },
    });
    return true;
  });
}

/**
 * Queues the deletion of every snapshot older than the policy's `maxAgeDays`. Safe to run twice:
 * each snapshot moves `present` → `deleting` under its row lock together with its run, so a
 * second sweep finds it no longer present and queues nothing.
 */
export async function pruneSnapshots(db: Db, now: Date = new Date()): Promise<{ queued: number }> {
  const policy = await getSetting(db, 'snapshot_policy', ZSnapshotPolicy, DEFAULT_SNAPSHOT_POLICY);
  const cutoff = new Date(now.getTime() - policy.maxAgeDays * 86_400_000);
  const due = await db
    .selectFrom('vmSnapshots')
    .select('id')
    .where('status', '=', 'present')
    .where('takenAt', '<', cutoff)
    .orderBy('takenAt', 'asc')
    .limit(BATCH)
    .execute();
  let queued = 0;
  for (const { id } of due) if (await expire(db, id, cutoff)) queued++;
  return { queued };
}

/** `snapshots.prune`: snapshots past the age limit are deleted through runs (see pruneSnapshots for why running it twice is safe). */
export function snapshotsPruneJob(deps: WorkerDeps): JobHandler<'snapshots.prune'> {
  return async () => {
    const result = await pruneSnapshots(deps.db);
    if (result.queued > 0)
      deps.logger.info(result, 'snapshot kedaluwarsa dijadwalkan untuk dihapus / expired snapshots queued for deletion');
    return result;
  };
}
