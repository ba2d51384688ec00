import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { executeRun } from '../harness/execute-run';
import { harnessOptions, jobAttempt } from '../harness/job-attempt';
import { provisionDefinition } from '../provisioning/provision.definition';

/**
 * `vm.provision {runId}`: approved request → running, configured VM, through the harness.
 * Safe to run twice: the run row decides (a finished run is skipped) and memoised steps are not
 * repeated; every step re-checks Proxmox before acting.
 */
export function vmProvisionJob(deps: WorkerDeps): JobHandler<'vm.provision'> {
  const def = provisionDefinition(deps);
  return async (payload, job) => executeRun(def, payload.runId, jobAttempt(job), harnessOptions(deps));
}
