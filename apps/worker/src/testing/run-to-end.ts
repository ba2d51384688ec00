import { getRun, type RunRow } from '@betang/db';
import type { WorkerDeps } from '../deps';
import { executeRun, RunFailedError } from '../harness/execute-run';
import { harnessOptions } from '../harness/job-attempt';
import type { RunDefinition } from '../harness/run-definition';
import { actionDefinition } from '../provisioning/actions/action.definition';
import type { ActionKind } from '../provisioning/actions/action-context';
import { provisionDefinition } from '../provisioning/provision.definition';

/**
 * Drives a run through the harness the way BullMQ would (attempt after attempt, no backoff
 * delay), without Redis. Stops at success, at the final failure, or after `maxExecutions`.
 */
export async function runToEnd(
  deps: WorkerDeps,
  runId: string,
  o: { attempts?: number; firstAttempt?: number; maxExecutions?: number } = {},
): Promise<RunRow> {
  const attempts = o.attempts ?? 4;
  const run = await getRun(deps.db, runId);
  if (!run) throw new Error(`no run ${runId}`);
  const def = (
    run.kind === 'provision' ? provisionDefinition(deps) : actionDefinition(deps, run.kind as ActionKind)
  ) as RunDefinition<unknown>;
  let executions = 0;
  for (let made = o.firstAttempt ?? 0; made < attempts && executions < (o.maxExecutions ?? Infinity); made++, executions++) {
    try {
      await executeRun(def, runId, { attemptsMade: made, attempts }, harnessOptions(deps));
      break;
    } catch (error) {
      if (error instanceof RunFailedError) break;
    }
  }
  return (await getRun(deps.db, runId)) as RunRow;
}
