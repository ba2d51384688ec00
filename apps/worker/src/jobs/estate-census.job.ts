import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { takeCensus } from '../estate/take-census';

/**
 * `estate.census`: records the cluster's VMs that Betang does not own, for the operators' census
 * and adoption screen. Safe to run twice or concurrently: read-only towards Proxmox, and the
 * census is replaced as a whole in one transaction (decisions kept).
 */
export function estateCensusJob(deps: WorkerDeps): JobHandler<'estate.census'> {
  return async () => {
    if (!deps.pve) return { skipped: 'no PVE configured' };
    return takeCensus(deps);
  };
}
