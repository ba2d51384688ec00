import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { reapRuns } from '../reconcile/reap-runs';
import { requeueLostRuns } from '../reconcile/requeue-lost-runs';

/**
 * `runs.reap`: first puts back in the queue runs whose job vanished (queue data lost), then fails
 * runs left running by a dead worker whose job the queue gave up. Safe to run twice: each run is
 * re-checked under its row lock.
 */
export function runsReapJob(deps: WorkerDeps): JobHandler<'runs.reap'> {
  return async () => ({ requeued: await requeueLostRuns(deps), reaped: await reapRuns(deps) });
}
