import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { reapRuns } from '../reconcile/reap-runs';

/** `runs.reap`: fails runs left running by a dead worker. Safe to run twice: each run is re-checked under its row lock. */
export function runsReapJob(deps: WorkerDeps): JobHandler<'runs.reap'> {
  return async () => ({ reaped: await reapRuns(deps) });
}
