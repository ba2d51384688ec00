import { heldPublicEndpoints } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { syncEdge } from '../public-endpoints/edge';
import { probeEndpoint } from '../public-endpoints/publish-endpoint';

/** Endpoints probed at once: each probe waits at most PROBE_TIMEOUT_MS per port, so a batch stays short. */
const PROBES_AT_ONCE = 8;

/**
 * `public-endpoints.probe`: re-publishes the held endpoints to the edge (so edge files lost or
 * edited by hand come back) and probes the declared ports of every endpoint whose VM runs, so the
 * ports shown follow services started after provisioning. Safe to run twice or concurrently (see
 * the contract): the edge is written whole and each probe replaces the last.
 */
export function publicEndpointsProbeJob(deps: WorkerDeps): JobHandler<'public-endpoints.probe'> {
  return async () => {
    const publicEndpoints = deps.publicEndpoints;
    if (!publicEndpoints) return { skipped: 'no public addresses configured' };
    const published = await syncEdge(deps.db, publicEndpoints.edge);
    const endpoints = await heldPublicEndpoints(deps.db);
    const vmIds = endpoints.map((e) => e.vmId).filter((id): id is string => id !== null);
    const running =
      vmIds.length === 0
        ? []
        : await deps.db
            .selectFrom('vms')
            .select(['id', 'vmid', 'node'])
            .where('id', 'in', vmIds)
            .where('state', '=', 'running')
            .where('vmid', 'is not', null)
            .where('node', 'is not', null)
            .execute();
    const where = new Map(running.map((v) => [v.id, { vmid: v.vmid as number, node: v.node as string }]));
    const due = endpoints.filter((e) => e.vmId !== null && where.has(e.vmId));
    let probed = 0;
    for (let i = 0; i < due.length; i += PROBES_AT_ONCE) {
      const batch = due.slice(i, i + PROBES_AT_ONCE);
      const results = await Promise.allSettled(batch.map((e) => probeEndpoint(deps, e, where.get(e.vmId as string)!)));
      probed += results.filter((r) => r.status === 'fulfilled').length;
    }
    return { endpoints: published.endpoints, edgeChanged: published.changed, probed };
  };
}
