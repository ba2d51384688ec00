import { getRun } from '@betang/db';
import { UnrecoverableError, type JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { executeRun } from '../harness/execute-run';
import { harnessOptions, jobAttempt } from '../harness/job-attempt';
import { ACTION_STEPS, actionDefinition } from '../provisioning/actions/action.definition';
import type { ActionKind } from '../provisioning/actions/action-context';

/**
 * `vm.action {runId}`: a day-2 run (start, shutdown, stop, reboot, resize, decommission) through
 * the harness. Safe to run twice: memoised steps, state checked before each action.
 */
export function vmActionJob(deps: WorkerDeps): JobHandler<'vm.action'> {
  return async (payload, job) => {
    const run = await getRun(deps.db, payload.runId);
    if (!run) throw new UnrecoverableError(`run ${payload.runId} not found`);
    if (!(run.kind in ACTION_STEPS)) throw new UnrecoverableError(`run ${run.id} is a ${run.kind} run, not a day-2 action`);
    return executeRun(actionDefinition(deps, run.kind as ActionKind), run.id, jobAttempt(job), harnessOptions(deps));
  };
}
