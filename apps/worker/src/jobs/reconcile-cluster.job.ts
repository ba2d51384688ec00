import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { reconcileCluster } from '../reconcile/reconcile-cluster';

/**
 * `reconcile.cluster`: one reconciliation round (leader only). Safe to run twice: read-only
 * towards Proxmox, findings upserted by fingerprint.
 */
export function reconcileClusterJob(deps: WorkerDeps): JobHandler<'reconcile.cluster'> {
  return async () => (deps.pve ? reconcileCluster(deps) : { leader: false, skipped: 'no PVE configured' });
}
