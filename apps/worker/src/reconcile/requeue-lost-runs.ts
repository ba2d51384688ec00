import { runJobId } from '@betang/core';
import { enqueueJob, lockRun } from '@betang/db';
import type { WorkerDeps } from '../deps';
import { aliveSince, lastSign } from './run-liveness';
import { settingsOf } from '../settings';

/** How often one run may be put back in the queue before the reaper fails it as lost. */
export const MAX_REQUEUES = 3;

/**
 * Re-enqueues runs whose queue job vanished, e.g. when Redis restarted without its data: runs
 * `queued` (older than RUN_STALE_SECONDS) or `running` with a stale heartbeat, whose job is
 * absent from the queue (not merely failed) and which have no message still on its way through
 * the outbox. The new job goes through the outbox (dedup key `run:<id>:requeue:<n>`), at most
 * MAX_REQUEUES times per run; after that the reaper fails the run as lost.
 *
 * Safe to run twice and next to a live worker: each run is re-checked under its row lock and its
 * heartbeat is refreshed with the requeue, so a second round skips it; the job id stays
 * `run-<id>` (a duplicate enqueue is a no-op) and the harness skips finished steps and finished
 * runs. Returns the ids requeued.
 */
export async function requeueLostRuns(deps: WorkerDeps): Promise<string[]> {
  const jobState = deps.jobState;
  if (!jobState) return [];
  const staleBefore = new Date(Date.now() - settingsOf(deps).RUN_STALE_SECONDS * 1000);
  const candidates = await deps.db
    .selectFrom('provisioningRuns')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'running'), eb.or([eb(lastSign, '<', staleBefore), eb(lastSign, 'is', null)])]),
        eb.and([
          eb('status', '=', 'queued'),
          eb('createdAt', '<', staleBefore),
          eb.or([eb(lastSign, '<', staleBefore), eb(lastSign, 'is', null)]),
        ]),
      ]),
    )
    .limit(100)
    .execute();
  const requeued: string[] = [];
  for (const { id } of candidates) {
    if ((await jobState(runJobId(id))) !== undefined) continue;
    const done = await deps.db.transaction().execute(async (tx) => {
      const run = await lockRun(tx, id);
      if (!run || !['queued', 'running'].includes(run.status) || aliveSince(run, staleBefore)) return false;
      const messages = await tx
        .selectFrom('outbox')
        .select(['dedupKey', 'processedAt'])
        .where('topic', '=', 'job')
        .where('dedupKey', 'like', `run:${id}%`)
        .execute();
      if (messages.some((m) => m.processedAt === null)) return false;
      const earlier = messages.filter((m) => m.dedupKey?.startsWith(`run:${id}:requeue:`)).length;
      if (earlier >= MAX_REQUEUES) return false;
      const name = run.kind === 'provision' ? 'vm.provision' : 'vm.action';
      await enqueueJob(tx, name, { runId: id }, { dedupKey: `run:${id}:requeue:${earlier + 1}` });
      await tx.updateTable('provisioningRuns').set({ heartbeatAt: new Date() }).where('id', '=', id).execute();
      return true;
    });
    if (!done) continue;
    deps.logger.warn({ runId: id }, 'tugas run hilang dari antrean, dimasukkan lagi / run job lost from the queue, re-enqueued');
    requeued.push(id);
  }
  return requeued;
}
