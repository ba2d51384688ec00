import type { JobHandlers } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { purgeSessionsJob } from './purge-sessions.job';

/**
 * The explicit handler registry: one handler per job contract in @betang/core. startWorkers
 * refuses to start when a name is missing here or has no contract.
 */
export function createHandlers(deps: WorkerDeps): JobHandlers {
  return {
    'maintenance.purge-sessions': purgeSessionsJob(deps),
  };
}
