import type { JobHandlers } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { agreementsSweepJob } from './agreements-sweep.job';
import { backupsSweepJob } from './backups-sweep.job';
import { restoreTestsSweepJob } from './restore-tests-sweep.job';
import { clusterSnapshotJob } from './cluster-snapshot.job';
import { decommissionSweepJob } from './decommission-sweep.job';
import { leasesSweepJob } from './leases-sweep.job';
import { estateCensusJob } from './estate-census.job';
import { notificationsSweepJob } from './notifications-sweep.job';
import { picRemindJob } from './pic-remind.job';
import { pruneRequestEventsJob } from './prune-request-events.job';
import { publicEndpointsProbeJob } from './public-endpoints-probe.job';
import { purgeSessionsJob } from './purge-sessions.job';
import { reconcileClusterJob } from './reconcile-cluster.job';
import { runsReapJob } from './runs-reap.job';
import { snapshotsPruneJob } from './snapshots-prune.job';
import { vmActionJob } from './vm-action.job';
import { vmProvisionJob } from './vm-provision.job';

/**
 * The explicit handler registry: one handler per job contract in @betang/core. startWorkers
 * refuses to start when a name is missing here or has no contract.
 */
export function createHandlers(deps: WorkerDeps): JobHandlers {
  return {
    'maintenance.purge-sessions': purgeSessionsJob(deps),
    'maintenance.prune-request-events': pruneRequestEventsJob(deps),
    'agreements.sweep': agreementsSweepJob(deps),
    'decommission.sweep': decommissionSweepJob(deps),
    'leases.sweep': leasesSweepJob(deps),
    'notifications.sweep': notificationsSweepJob(deps),
    'backups.sweep': backupsSweepJob(deps),
    'backups.test-restore': restoreTestsSweepJob(deps),
    'vm.provision': vmProvisionJob(deps),
    'vm.action': vmActionJob(deps),
    'reconcile.cluster': reconcileClusterJob(deps),
    'runs.reap': runsReapJob(deps),
    'cluster.snapshot': clusterSnapshotJob(deps),
    'estate.census': estateCensusJob(deps),
    'snapshots.prune': snapshotsPruneJob(deps),
    'pic.remind': picRemindJob(deps),
    'public-endpoints.probe': publicEndpointsProbeJob(deps),
  };
}
